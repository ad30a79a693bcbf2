//! Sign-up, login, logout and the account page over real HTTP.

use diesel::prelude::*;
use larder::db::schema::{businesses, locations, memberships, providers, users};

use crate::helpers::fixtures::{self, PASSWORD, buyer_form, login, provider_form};
use crate::helpers::spawn_app;

fn count_users(conn: &mut PgConnection) -> i64 {
    users::table.count().get_result(conn).unwrap()
}

#[tokio::test]
async fn buyer_signup_creates_user_business_location_and_owner_membership_then_logs_in() {
    let app = spawn_app().await;
    let buyer = fixtures::buyer(&app, "ada@bistro.test").await;

    let mut conn = app.conn();
    let (name, status): (String, String) = businesses::table
        .find(buyer.business_id)
        .select((businesses::name, businesses::status))
        .first(&mut conn)
        .unwrap();
    assert_eq!((name.as_str(), status.as_str()), ("Ada's Bistro", "active"));
    let (postcode, outcode, default): (String, String, bool) = locations::table
        .find(buyer.location_id)
        .select((
            locations::postcode,
            locations::outcode,
            locations::is_default,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (postcode.as_str(), outcode.as_str(), default),
        ("SE1 9QL", "SE1", true)
    );
    let role: String = memberships::table
        .filter(memberships::business_id.eq(buyer.business_id))
        .select(memberships::role)
        .first(&mut conn)
        .unwrap();
    assert_eq!(role, "owner");

    let home = buyer.browser.get("/buyer").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Welcome to Larder"),
        "flash after sign-up"
    );
    assert!(home.body.contains("1 Borough High St"));
}

#[tokio::test]
async fn provider_signup_creates_profile_with_slug_and_invoice_prefix() {
    let app = spawn_app().await;
    let seller = fixtures::seller(&app, "sam@kentveg.test", "Kent Veg Co").await;
    let mut conn = app.conn();
    let (slug, prefix, contact, categories): (String, String, String, Vec<Option<String>>) =
        providers::table
            .find(seller.provider_id)
            .select((
                providers::slug,
                providers::invoice_prefix,
                providers::contact_email,
                providers::categories,
            ))
            .first(&mut conn)
            .unwrap();
    assert_eq!(slug, "kent-veg-co");
    assert_eq!(prefix, "KVC");
    assert_eq!(contact, "sam@kentveg.test", "defaults to the login email");
    assert_eq!(
        categories,
        vec![Some("fruit_veg".into()), Some("dairy_eggs".into())]
    );

    // A second provider with the same name gets its own slug.
    fixtures::seller(&app, "other@kentveg.test", "Kent Veg Co").await;
    let slugs: Vec<String> = providers::table
        .select(providers::slug)
        .order(providers::slug)
        .load(&mut conn)
        .unwrap();
    assert_eq!(slugs, vec!["kent-veg-co", "kent-veg-co-2"]);

    let home = seller.browser.get("/provider").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("/providers/kent-veg-co"));
}

#[tokio::test]
async fn duplicate_email_is_refused_whatever_its_case_and_the_form_keeps_its_values() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let browser = app.browser();
    let page = browser
        .post(
            "/signup/buyer",
            &buyer_form("ADA@Bistro.TEST", "Second Bistro"),
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("An account with this email already exists")
    );
    assert!(page.body.contains(r#"value="Second Bistro""#), "input kept");
    assert!(!page.body.contains(PASSWORD), "password never echoed");
    assert_eq!(count_users(&mut app.conn()), 1);
}

#[tokio::test]
async fn bad_signup_input_gets_field_errors_and_writes_nothing() {
    let app = spawn_app().await;
    let browser = app.browser();
    let long = "x".repeat(121);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("email", "not-an-email", "Enter a valid email address"),
        ("password", "short", "Use at least 10 characters"),
        ("password", "Password123", "too common"),
        ("postcode", "SW1A", "Enter a real UK postcode"),
        ("business_name", &long, "Use at most 120 characters"),
        ("business_name", "   ", "Enter your business"),
        ("vat_number", "12", "Enter a UK VAT number"),
    ];
    for (field, value, message) in cases {
        let mut form = buyer_form("new@bistro.test", "Bistro");
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let page = browser.post("/signup/buyer", &form).await;
        assert_eq!(page.status, 422, "{field}={value}");
        assert!(
            page.body.contains(message),
            "{field}={value}: no {message:?}"
        );
        assert!(
            page.body.contains(r#"aria-invalid="true""#),
            "{field} marked invalid"
        );
    }
    assert_eq!(count_users(&mut app.conn()), 0);
}

#[tokio::test]
async fn html_in_names_is_stored_as_text_and_rendered_escaped() {
    let app = spawn_app().await;
    let browser = app.browser();
    let mut form = buyer_form("xss@bistro.test", "<script>alert(1)</script> Café");
    form.retain(|(k, _)| *k != "name");
    form.push(("name", "<img src=x onerror=alert(1)>"));
    let page = browser.post("/signup/buyer", &form).await;
    assert!(page.redirects_to("/buyer"));
    let home = browser.get("/buyer").await;
    assert!(
        home.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62; Café"),
        "escaped"
    );
    assert!(!home.body.contains("<script>alert(1)"));
    let account = browser.get("/account").await;
    assert!(
        account
            .body
            .contains("&#60;img src=x onerror=alert(1)&#62;")
    );
    assert!(!account.body.contains("<img src=x"));
}

#[tokio::test]
async fn provider_signup_rejects_unknown_categories_and_missing_ones() {
    let app = spawn_app().await;
    let browser = app.browser();
    let mut form = provider_form("sam@veg.test", "Veg");
    form.retain(|(k, _)| *k != "categories");
    let page = browser.post("/signup/provider", &form).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose at least one category"));
    form.push(("categories", "weapons"));
    let page = browser.post("/signup/provider", &form).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose categories from the list"));
    assert_eq!(count_users(&mut app.conn()), 0);
}

#[tokio::test]
async fn login_lands_on_the_role_home_or_a_safe_next() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    assert!(
        login(&b, "ADA@bistro.test", PASSWORD)
            .await
            .redirects_to("/buyer")
    );

    let b = app.browser();
    let page = b
        .post(
            "/login",
            &[
                ("email", "ada@bistro.test"),
                ("password", PASSWORD),
                ("next", "/account"),
            ],
        )
        .await;
    assert!(page.redirects_to("/account"));

    let b = app.browser();
    let page = b
        .post(
            "/login",
            &[
                ("email", "ada@bistro.test"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert!(
        page.redirects_to("/buyer"),
        "off-site next ignored: {:?}",
        page.location
    );
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_login_and_come_back() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    let page = b.get("/buyer/locations/new?x=1").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=%2Fbuyer%2Flocations%2Fnew%3Fx%3D1")
    );
    let form = b.get(page.location.as_deref().unwrap()).await;
    assert!(
        form.body
            .contains(r#"name="next" value="/buyer/locations/new?x=1""#)
    );
    let page = b
        .post(
            "/login",
            &[
                ("email", "ada@bistro.test"),
                ("password", PASSWORD),
                ("next", "/buyer/locations/new?x=1"),
            ],
        )
        .await;
    assert!(page.redirects_to("/buyer/locations/new?x=1"));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    let wrong = login(&b, "ada@bistro.test", "not-the-password").await;
    let unknown = login(&b, "nobody@bistro.test", "not-the-password").await;
    assert_eq!(wrong.status, 422);
    assert_eq!(unknown.status, 422);
    let message = "That email and password don&#39;t match an account";
    assert!(wrong.body.contains(message) && unknown.body.contains(message));
    assert!(
        wrong.body.contains(r#"value="ada@bistro.test""#),
        "email kept"
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_with_a_wait_in_minutes() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    for _ in 0..5 {
        assert_eq!(
            login(&b, "ada@bistro.test", "wrong-password!").await.status,
            422
        );
    }
    // Even the right password waits now.
    let locked = login(&b, "ada@bistro.test", PASSWORD).await;
    assert_eq!(locked.status, 429);
    assert!(
        locked
            .body
            .contains("Too many failed attempts. Try again in 15 minutes"),
        "{}",
        locked.body
    );
    // Other accounts from elsewhere are unaffected.
    fixtures::buyer(&app, "bo@cafe.test").await;
    assert!(
        login(&app.browser(), "bo@cafe.test", PASSWORD)
            .await
            .redirects_to("/buyer")
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let buyer = fixtures::buyer(&app, "ada@bistro.test").await;
    let page = buyer.browser.post("/logout", &[]).await;
    assert!(page.redirects_to("/login"));
    assert_eq!(buyer.browser.get("/buyer").await.status, 303);
}

#[tokio::test]
async fn account_details_change_and_a_taken_email_is_refused() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    fixtures::buyer(&app, "bo@cafe.test").await;
    let page = ada
        .browser
        .post(
            "/account",
            &[
                ("name", "Ada L"),
                ("email", "BO@cafe.test"),
                ("password_check", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("Another account already uses this email")
    );
    let page = ada
        .browser
        .post(
            "/account",
            &[
                ("name", "Ada L"),
                ("email", "ada@lovelace.test"),
                ("password_check", PASSWORD),
            ],
        )
        .await;
    assert!(page.redirects_to("/account"));
    assert!(
        login(&app.browser(), "ada@lovelace.test", PASSWORD)
            .await
            .redirects_to("/buyer")
    );
}

/// Changing the login email takes the password, tells the old address and logs out every
/// other device; a name change alone needs none of that.
#[tokio::test]
async fn changing_the_login_email_needs_the_password_tells_the_old_address_and_ends_other_sessions()
{
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let phone = app.browser();
    assert!(
        login(&phone, "ada@bistro.test", PASSWORD)
            .await
            .redirects_to("/buyer")
    );

    let renamed = ada
        .browser
        .post(
            "/account",
            &[("name", "Ada L"), ("email", "ada@bistro.test")],
        )
        .await;
    assert!(
        renamed.redirects_to("/account"),
        "a name change needs no password"
    );
    assert_eq!(phone.get("/buyer").await.status, 200, "and ends no session");

    for wrong in ["", "not-my-password-1"] {
        let page = ada
            .browser
            .post(
                "/account",
                &[
                    ("name", "Ada L"),
                    ("email", "ada@lovelace.test"),
                    ("password_check", wrong),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{wrong:?}");
        assert!(page.body.contains("Enter your current password"));
        assert!(
            page.body.contains(r#"value="ada@lovelace.test""#),
            "typed email kept"
        );
    }
    let email: String = users::table
        .filter(users::name.eq("Ada L"))
        .select(users::email)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(email, "ada@bistro.test");

    let changed = ada
        .browser
        .post(
            "/account",
            &[
                ("name", "Ada L"),
                ("email", "ada@lovelace.test"),
                ("password_check", PASSWORD),
            ],
        )
        .await;
    assert!(changed.redirects_to("/account"));
    assert_eq!(
        ada.browser.get("/account").await.status,
        200,
        "this session carries on"
    );
    assert_eq!(
        phone.get("/buyer").await.status,
        303,
        "the phone is logged out"
    );
    app.run_jobs();
    let told = app
        .sent_emails()
        .into_iter()
        .find(|m| m.contains("login email was changed"))
        .expect("the old address is told");
    assert!(
        told.contains("To: ada@bistro.test") && told.contains("ada@lovelace.test"),
        "{told}"
    );
}

/// Sign-ups from one address are limited per hour; the refused form keeps its values and
/// says why at the top.
#[tokio::test]
async fn sign_ups_from_one_address_are_throttled() {
    let app = spawn_app().await;
    for i in 0..10 {
        let email = format!("chef{i}@bistro.test");
        let page = app
            .browser()
            .post("/signup/buyer", &buyer_form(&email, "Bistro"))
            .await;
        assert!(page.redirects_to("/buyer"), "sign-up {i}: {}", page.status);
    }
    let page = app
        .browser()
        .post("/signup/buyer", &buyer_form("chef10@bistro.test", "Bistro"))
        .await;
    assert_eq!(page.status, 429);
    assert!(
        page.body
            .contains("Too many accounts were made from your network")
    );
    assert!(page.body.contains(r#"value="chef10@bistro.test""#));
    let users: i64 = users::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(users, 10);
}

/// Sign-up errors are listed at the top, each linking to its field, and every field in
/// error is marked.
#[tokio::test]
async fn sign_up_errors_are_summarised_at_the_top_with_links_to_their_fields() {
    let app = spawn_app().await;
    let mut form = provider_form("sam@veg.test", "Veg Co");
    form.retain(|(k, _)| !matches!(*k, "categories" | "delivery_days"));
    for (k, v) in form.iter_mut() {
        if *k == "password" {
            *v = "short";
        }
    }
    let page = app.browser().post("/signup/provider", &form).await;
    assert_eq!(page.status, 422);
    let summary = page
        .body
        .split("error-summary")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("a summary");
    for target in ["#f-password", "#f-categories", "#f-delivery_days"] {
        assert!(
            summary.contains(&format!(r##"href="{target}""##)),
            "{target}: {summary}"
        );
        let id = target.trim_start_matches('#');
        assert!(page.body.contains(&format!(r#"id="{id}""#)), "{id} exists");
    }
    assert!(page.body.contains(r#"aria-invalid="true""#));
}

/// A suspended person's next click lands on the login page saying why.
#[tokio::test]
async fn a_suspended_users_next_click_says_why() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let admin = fixtures::admin(&app).await;
    let id: uuid::Uuid = users::table
        .filter(users::email.eq("ada@bistro.test"))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();
    let done = admin
        .browser
        .post(
            &format!("/admin/users/{id}/status"),
            &[("status", "suspended")],
        )
        .await;
    assert!(done.redirects_to("/admin/users"));
    let bounced = ada.browser.get("/buyer").await;
    assert_eq!(bounced.status, 303);
    let login = ada.browser.get(bounced.location.as_deref().unwrap()).await;
    assert!(
        login.body.contains("Your account has been suspended"),
        "{}",
        login.body
    );
}

/// Races that used to end in a 500: ten providers signing up with one name at once each get
/// their own page address.
#[tokio::test]
async fn providers_signing_up_with_one_name_at_once_each_get_a_slug() {
    let app = spawn_app().await;
    let emails: Vec<String> = (0..10).map(|i| format!("farm{i}@veg.test")).collect();
    let browsers: Vec<_> = emails.iter().map(|_| app.browser()).collect();
    let mut tokens = Vec::new();
    for b in &browsers {
        tokens.push(b.csrf().await);
    }
    let forms: Vec<Vec<(&str, &str)>> = emails
        .iter()
        .zip(&tokens)
        .map(|(email, token)| {
            let mut form = provider_form(email, "Same Name Farm");
            form.push(("csrf_token", token));
            form
        })
        .collect();
    let signups = browsers
        .iter()
        .zip(&forms)
        .map(|(b, form)| b.post_raw("/signup/provider", form));
    for page in futures::future::join_all(signups).await {
        assert!(
            page.redirects_to("/provider"),
            "{}: {}",
            page.status,
            page.body
        );
    }
    let mut slugs: Vec<String> = providers::table
        .select(providers::slug)
        .load(&mut app.conn())
        .unwrap();
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 10, "{slugs:?}");
}

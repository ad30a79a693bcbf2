//! Two-step verification: enrolment with the password and a first code, the login's second
//! step, no replayed code, single-use recovery codes, throttled guessing, and the roles
//! that must use it.

use diesel::prelude::*;
use larder::accounts::mfa;
use larder::db::schema::users;
use regex::Regex;
use time::OffsetDateTime;

use crate::helpers::fixtures::{self, PASSWORD};
use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

/// Turns two-step verification on for the logged-in `b`; returns the secret and the
/// recovery codes shown.
async fn enrol(b: &Browser) -> (Vec<u8>, Vec<String>) {
    let page = b.get("/account/mfa").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "a QR code is drawn");
    let key = Regex::new(r#"<code id="mfa-secret">([A-Z2-7]+)</code>"#)
        .unwrap()
        .captures(&page.body)
        .expect("the secret is shown")[1]
        .to_owned();
    let secret = data_encoding::BASE32_NOPAD.decode(key.as_bytes()).unwrap();
    let wrong = b
        .post(
            "/account/mfa",
            &[("code", "000000"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let code = mfa::code_at(&secret, OffsetDateTime::now_utc());
    let bad_password = b
        .post("/account/mfa", &[("code", &code), ("password", "not-it")])
        .await;
    assert_eq!(bad_password.status, 422);
    assert!(bad_password.body.contains("password isn"));
    let page = b
        .post("/account/mfa", &[("code", &code), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let codes: Vec<String> = Regex::new(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>")
        .unwrap()
        .captures_iter(&page.body)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn password_step(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    let page = fixtures::login(&b, email, PASSWORD).await;
    assert!(
        page.redirects_to("/login/mfa"),
        "{} {:?}",
        page.status,
        page.location
    );
    // Not logged in yet.
    let orders = b.get("/orders").await;
    assert!(
        orders
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login"))
    );
    b
}

#[tokio::test]
async fn enrolling_asks_for_the_password_and_a_code_and_logins_then_ask_for_one() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let (secret, codes) = enrol(&ada.browser).await;
    let enabled: Option<OffsetDateTime> = users::table
        .filter(users::email.eq("ada@bistro.test"))
        .select(users::mfa_enabled_at)
        .first(&mut app.conn())
        .unwrap();
    assert!(enabled.is_some());
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("two-step verification turned on"))
    );

    // The code used to enrol can't log anyone in: its step is spent.
    let b = password_step(&app, "ada@bistro.test").await;
    let last: Option<i64> = users::table
        .filter(users::email.eq("ada@bistro.test"))
        .select(users::mfa_last_step)
        .first(&mut app.conn())
        .unwrap();
    let at = OffsetDateTime::from_unix_timestamp(last.unwrap() * 30).unwrap();
    let used = mfa::code_at(&secret, at);
    let replayed = b.post("/login/mfa", &[("code", &used)]).await;
    assert_eq!(replayed.status, 422, "a code works once");

    // A recovery code works once.
    let page = b
        .post("/login/mfa", &[("code", &codes[0].to_uppercase())])
        .await;
    assert!(page.redirects_to("/buyer"), "{} {}", page.status, page.body);
    assert_eq!(b.get("/orders").await.status, 200);
    let again = password_step(&app, "ada@bistro.test").await;
    let page = again.post("/login/mfa", &[("code", &codes[0])]).await;
    assert_eq!(page.status, 422);
    let page = again.post("/login/mfa", &[("code", &codes[1])]).await;
    assert!(page.redirects_to("/buyer"));
}

#[tokio::test]
async fn wrong_codes_are_throttled_even_when_the_right_one_follows() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let (_, codes) = enrol(&ada.browser).await;
    let b = password_step(&app, "ada@bistro.test").await;
    for _ in 0..5 {
        assert_eq!(
            b.post("/login/mfa", &[("code", "123456")]).await.status,
            422
        );
    }
    let page = b.post("/login/mfa", &[("code", &codes[0])]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Too many wrong codes"));
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let (_, codes) = enrol(&ada.browser).await;
    let page = ada
        .browser
        .post(
            "/account/mfa/disable",
            &[("code", &codes[0]), ("password", "wrong")],
        )
        .await;
    assert_eq!(page.status, 422);
    let page = ada
        .browser
        .post(
            "/account/mfa/disable",
            &[("code", &codes[0]), ("password", PASSWORD)],
        )
        .await;
    assert!(page.redirects_to("/account"));
    let b = app.browser();
    let page = fixtures::login(&b, "ada@bistro.test", PASSWORD).await;
    assert!(page.redirects_to("/buyer"), "no second step once off");
}

#[tokio::test]
async fn provider_owners_and_admins_must_set_it_up_first_when_required() {
    let app = spawn_app_with(|c| c.mfa_required = true).await;
    let sam = fixtures::seller(&app, "sam@veg.test", "Veg Co").await;
    let page = sam.browser.get("/provider/orders").await;
    assert!(
        page.redirects_to("/account/mfa?required=1"),
        "{} {:?}",
        page.status,
        page.location
    );
    let setup = sam.browser.get("/account/mfa?required=1").await;
    assert!(setup.body.contains("Your role needs two-step verification"));
    enrol(&sam.browser).await;
    assert_eq!(sam.browser.get("/provider/orders").await.status, 200);
    // Buyers may choose.
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    assert_eq!(ada.browser.get("/orders").await.status, 200);
}

/// With two-step verification on, the password alone no longer changes the login email or
/// the password: a current code is needed too.
#[tokio::test]
async fn email_and_password_changes_need_a_code_when_it_is_on() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let (_, codes) = enrol(&ada.browser).await;
    let page = ada
        .browser
        .post(
            "/account",
            &[
                ("name", "Ada"),
                ("email", "ada@elsewhere.test"),
                ("password_check", PASSWORD),
                ("code", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    let email: String = users::table
        .filter(users::email.eq("ada@bistro.test"))
        .select(users::email)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(email, "ada@bistro.test", "unchanged without a code");
    let page = ada
        .browser
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another-long-pass-99"),
                ("confirm_password", "another-long-pass-99"),
                ("password_code", "000000"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    let page = ada
        .browser
        .post(
            "/account",
            &[
                ("name", "Ada"),
                ("email", "ada@elsewhere.test"),
                ("password_check", PASSWORD),
                ("code", &codes[2]),
            ],
        )
        .await;
    assert!(
        page.redirects_to("/account"),
        "{} {}",
        page.status,
        page.body
    );
}

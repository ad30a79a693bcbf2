//! Session lifetime: epochs, suspension, tampered and expired cookies, CSRF.

use actix_web::cookie::{Cookie, CookieJar, Key};
use diesel::prelude::*;
use larder::db::schema::{locations, users};

use crate::helpers::fixtures::{self, PASSWORD, login};
use crate::helpers::{Browser, TestApp, spawn_app};

async fn second_login(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    assert_eq!(login(&b, email, PASSWORD).await.status, 303);
    b
}

#[tokio::test]
async fn password_change_logs_out_other_devices_but_not_this_one() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let laptop = second_login(&app, "ada@bistro.test").await;
    assert_eq!(laptop.get("/buyer").await.status, 200);

    let page = ada
        .browser
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "new-secret-pass-77"),
                ("confirm_password", "new-secret-pass-77"),
            ],
        )
        .await;
    assert!(page.redirects_to("/account"), "{}", page.status);
    assert_eq!(
        ada.browser.get("/buyer").await.status,
        200,
        "this device stays in"
    );
    assert_eq!(
        laptop.get("/buyer").await.status,
        303,
        "other device is out"
    );
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", PASSWORD)
            .await
            .status,
        422
    );
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", "new-secret-pass-77")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn password_change_needs_the_current_password_and_a_good_new_one() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let page = ada
        .browser
        .post(
            "/account/password",
            &[
                ("current_password", "wrong-one-here"),
                ("new_password", "new-secret-pass-77"),
                ("confirm_password", "new-secret-pass-77"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("That isn&#39;t your current password"));
    let page = ada
        .browser
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "new-secret-pass-77"),
                ("confirm_password", "different-pass-77"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("The two passwords don&#39;t match"));
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", PASSWORD)
            .await
            .status,
        303,
        "unchanged"
    );
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let laptop = second_login(&app, "ada@bistro.test").await;
    let page = ada.browser.post("/account/logout-everywhere", &[]).await;
    assert!(page.redirects_to("/login"));
    assert_eq!(ada.browser.get("/buyer").await.status, 303);
    assert_eq!(laptop.get("/buyer").await.status, 303);
    // A fresh login works.
    assert_eq!(
        second_login(&app, "ada@bistro.test")
            .await
            .get("/buyer")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_suspended_user_is_out_at_the_next_click_and_cannot_log_in() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    diesel::update(users::table.filter(users::email.eq("ada@bistro.test")))
        .set(users::status.eq("suspended"))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(ada.browser.get("/buyer").await.status, 303);
    let page = login(&app.browser(), "ada@bistro.test", PASSWORD).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("This account is suspended"));
}

/// Sends a request with exactly this session cookie value and no jar.
async fn get_with_cookie(app: &TestApp, path: &str, value: &str) -> reqwest::StatusCode {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .get(app.url(path))
        .header("cookie", format!("larder_session={value}"))
        .send()
        .await
        .unwrap()
        .status()
}

/// Encrypts a session state with the app's key, as the cookie store would.
fn forge(app: &TestApp, state: &[(&str, String)]) -> String {
    let map: std::collections::HashMap<&str, &String> =
        state.iter().map(|(k, v)| (*k, v)).collect();
    let json = serde_json::to_string(&map).unwrap();
    let mut jar = CookieJar::new();
    jar.private_mut(&Key::from(&app.config.session_key))
        .add(Cookie::new("larder_session", json));
    jar.get("larder_session").unwrap().value().to_owned()
}

#[tokio::test]
async fn forged_valid_cookie_works_so_the_negative_cases_below_mean_something() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let id: uuid::Uuid = users::table
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();
    let future = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let value = forge(
        &app,
        &[
            ("uid", format!("\"{id}\"")),
            ("epoch", "0".into()),
            ("exp", future.to_string()),
            ("sid", "\"forged-session-token\"".into()),
        ],
    );
    assert_eq!(get_with_cookie(&app, "/buyer", &value).await, 200);
}

#[tokio::test]
async fn an_expired_session_is_treated_as_logged_out() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let id: uuid::Uuid = users::table
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();
    let past = time::OffsetDateTime::now_utc().unix_timestamp() - 1;
    let value = forge(
        &app,
        &[
            ("uid", format!("\"{id}\"")),
            ("epoch", "0".into()),
            ("exp", past.to_string()),
            ("sid", "\"forged-session-token\"".into()),
        ],
    );
    assert_eq!(get_with_cookie(&app, "/buyer", &value).await, 303);
}

#[tokio::test]
async fn a_tampered_cookie_is_treated_as_logged_out() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let id: uuid::Uuid = users::table
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();
    let future = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let value = forge(
        &app,
        &[
            ("uid", format!("\"{id}\"")),
            ("epoch", "0".into()),
            ("exp", future.to_string()),
        ],
    );
    let mut bytes = value.into_bytes();
    let mid = bytes.len() / 2;
    bytes[mid] = if bytes[mid] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    assert_eq!(get_with_cookie(&app, "/buyer", &tampered).await, 303);
    // A plain-text cookie claiming to be someone is just as useless.
    let plain = format!(r#"{{"uid":"\"{id}\"","epoch":"0","exp":"{future}"}}"#);
    assert_eq!(get_with_cookie(&app, "/buyer", &plain).await, 303);
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let form = [
        ("label", "Sneaky"),
        ("address_line1", "1 A St"),
        ("city", "London"),
        ("postcode", "E1 6AN"),
    ];
    let page = ada.browser.post_raw("/buyer/locations", &form).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("This form has expired"));
    let mut with_wrong = form.to_vec();
    let wrong = "0".repeat(64);
    with_wrong.push(("csrf_token", &wrong));
    assert_eq!(
        ada.browser
            .post_raw("/buyer/locations", &with_wrong)
            .await
            .status,
        403
    );
    let count: i64 = locations::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 1, "nothing written");
    // The same form with the page's token goes through.
    assert!(
        ada.browser
            .post("/buyer/locations", &form)
            .await
            .redirects_to("/buyer")
    );
}

#[tokio::test]
async fn htmx_requests_carry_the_token_as_a_header() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let token = ada.browser.csrf().await;
    let home = ada.browser.get("/buyer").await;
    assert!(
        home.body
            .contains(&format!(r#"hx-headers='{{"X-CSRF-Token": "{token}"}}'"#))
    );
    let res = ada
        .browser
        .client
        .post(ada.browser.url("/buyer/business"))
        .header("X-CSRF-Token", token)
        .header("HX-Request", "true")
        .form(&[("business_name", "Renamed Bistro"), ("vat_number", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        ada.browser
            .get("/buyer")
            .await
            .body
            .contains("Renamed Bistro")
    );
}

#[tokio::test]
async fn login_form_itself_needs_the_token() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    let page = b
        .post_raw(
            "/login",
            &[("email", "ada@bistro.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 403);
}

/// A cookie copied before logging out is dead after it: logging out ends the session's
/// row on the server, not just the cookie in this browser.
#[tokio::test]
async fn a_cookie_copied_before_logout_stops_working_after_it() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let id: uuid::Uuid = users::table
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();
    let future = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let csrf = "ab".repeat(32);
    let value = forge(
        &app,
        &[
            ("uid", format!("\"{id}\"")),
            ("epoch", "0".into()),
            ("exp", future.to_string()),
            ("sid", "\"copied-token\"".into()),
            ("csrf", format!("\"{csrf}\"")),
        ],
    );
    assert_eq!(get_with_cookie(&app, "/buyer", &value).await, 200);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(app.url("/logout"))
        .header("cookie", format!("larder_session={value}"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        get_with_cookie(&app, "/buyer", &value).await,
        303,
        "the copy is dead"
    );
}

#[tokio::test]
async fn a_person_sees_their_sessions_and_ends_one_from_another_device() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    assert_eq!(ada.browser.get("/buyer").await.status, 200);
    let phone = second_login(&app, "ada@bistro.test").await;
    assert_eq!(phone.get("/buyer").await.status, 200);
    let page = ada.browser.get("/account/sessions").await;
    assert_eq!(page.status, 200);
    // Two sessions: this one (marked) and the phone (with an End button).
    assert_eq!(
        page.body.matches("<tr>").count(),
        3,
        "a header and two rows"
    );
    assert_eq!(page.body.matches(">End<").count(), 1);
    assert_eq!(page.body.matches("This device").count(), 1);
    use larder::db::schema::user_sessions;
    let newest: uuid::Uuid = user_sessions::table
        .order(user_sessions::created_at.desc())
        .select(user_sessions::id)
        .first(&mut app.conn())
        .unwrap();
    // Another person can't end it.
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let res = bo
        .browser
        .post(&format!("/account/sessions/{newest}/end"), &[])
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(phone.get("/buyer").await.status, 200);
    let res = ada
        .browser
        .post(&format!("/account/sessions/{newest}/end"), &[])
        .await;
    assert!(res.redirects_to("/account/sessions"));
    let out = phone.get("/buyer").await;
    assert!(
        out.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login"))
    );
    assert_eq!(
        ada.browser.get("/buyer").await.status,
        200,
        "this device carries on"
    );
}

#[tokio::test]
async fn an_admin_ends_every_session_of_a_user() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let admin = fixtures::admin(&app).await;
    let id: uuid::Uuid = users::table
        .filter(users::email.eq("ada@bistro.test"))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        ada.browser
            .post(&format!("/admin/users/{id}/sessions/end"), &[])
            .await
            .status,
        404,
        "not for buyers"
    );
    let res = admin
        .browser
        .post(&format!("/admin/users/{id}/sessions/end"), &[])
        .await;
    assert!(res.redirects_to("/admin/users"), "{}", res.status);
    let out = ada.browser.get("/buyer").await;
    assert!(
        out.location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login"))
    );
    let missing = uuid::Uuid::nil();
    assert_eq!(
        admin
            .browser
            .post(&format!("/admin/users/{missing}/sessions/end"), &[])
            .await
            .status,
        404
    );
}

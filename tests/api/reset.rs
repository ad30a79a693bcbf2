//! Password reset by email, through the job queue and the mail transport.

use diesel::prelude::*;
use larder::db::schema::{jobs, password_reset_tokens};
use regex::Regex;

use crate::helpers::fixtures::{self, PASSWORD, login};
use crate::helpers::{TestApp, spawn_app};

fn reset_link(app: &TestApp) -> String {
    let mails = app.sent_emails();
    let last = mails.last().expect("an email was sent");
    let re = Regex::new(r"(http://127\.0\.0\.1:\d+/password-reset/[0-9a-f]{64})").unwrap();
    re.captures(last).expect("reset link in the email")[1].to_owned()
}

#[tokio::test]
async fn reset_by_email_sets_a_new_password_once() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    let page = b
        .post("/password-reset", &[("email", "ADA@bistro.test")])
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Check your email"));
    assert!(
        app.sent_emails().is_empty(),
        "sent by the worker, not the request"
    );
    assert_eq!(app.run_jobs(), 1);

    let mail = app.sent_emails().pop().unwrap();
    assert!(mail.contains("To: ada@bistro.test"));
    assert!(mail.contains("Subject: Reset your Larder password"));
    let link = reset_link(&app);
    assert!(link.starts_with(&app.address), "absolute link to this app");
    let path = link.trim_start_matches(&app.address).to_owned();

    let form = b.get(&path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Choose a new password"));
    let done = b
        .post(
            &path,
            &[
                ("new_password", "fresh-start-2026!"),
                ("confirm_password", "fresh-start-2026!"),
            ],
        )
        .await;
    assert!(done.redirects_to("/login"));
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", "fresh-start-2026!")
            .await
            .status,
        303
    );
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", PASSWORD)
            .await
            .status,
        422
    );
    assert_eq!(
        ada.browser.get("/buyer").await.status,
        303,
        "old sessions end"
    );

    // The link is single-use.
    assert_eq!(b.get(&path).await.status, 410);
    let again = b
        .post(
            &path,
            &[
                ("new_password", "another-one-2026!"),
                ("confirm_password", "another-one-2026!"),
            ],
        )
        .await;
    assert_eq!(again.status, 410);
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", "another-one-2026!")
            .await
            .status,
        422
    );
}

#[tokio::test]
async fn unknown_addresses_get_the_same_answer_and_no_email() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    let known = b
        .post("/password-reset", &[("email", "ada@bistro.test")])
        .await;
    let unknown = b
        .post("/password-reset", &[("email", "ghost@bistro.test")])
        .await;
    assert_eq!(known.status, unknown.status);
    let strip = |body: &str, addr: &str| body.replace(addr, "ADDRESS");
    assert_eq!(
        strip(&known.body, "ada@bistro.test"),
        strip(&unknown.body, "ghost@bistro.test")
    );
    let queued: i64 = jobs::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(queued, 1, "only the real account gets a job");
}

#[tokio::test]
async fn expired_and_made_up_tokens_are_refused() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    b.post("/password-reset", &[("email", "ada@bistro.test")])
        .await;
    app.run_jobs();
    let path = reset_link(&app).trim_start_matches(&app.address).to_owned();
    diesel::update(password_reset_tokens::table)
        .set(
            password_reset_tokens::expires_at
                .eq(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
        )
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(b.get(&path).await.status, 410);
    let made_up = format!("/password-reset/{}", "ab".repeat(32));
    assert_eq!(b.get(&made_up).await.status, 410);
    assert_eq!(b.get("/password-reset/'%20OR%201=1--").await.status, 410);
}

#[tokio::test]
async fn a_weak_new_password_keeps_the_token_alive() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let b = app.browser();
    b.post("/password-reset", &[("email", "ada@bistro.test")])
        .await;
    app.run_jobs();
    let path = reset_link(&app).trim_start_matches(&app.address).to_owned();
    let page = b
        .post(
            &path,
            &[("new_password", "short"), ("confirm_password", "short")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Use at least 10 characters"));
    assert_eq!(b.get(&path).await.status, 200, "still usable");
}

/// One account gets at most three reset emails an hour however often it is asked, and one
/// address can ask at most ten times; the page answers the same until the address is spent.
#[tokio::test]
async fn reset_requests_are_throttled_per_account_and_per_address() {
    let app = spawn_app().await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    let visitor = app.browser();
    for i in 0..10 {
        let page = visitor
            .post("/password-reset", &[("email", "ada@bistro.test")])
            .await;
        assert_eq!(page.status, 200, "request {i}");
    }
    let tokens: i64 = password_reset_tokens::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(tokens, 3, "three emails, not ten");
    let spent = visitor
        .post("/password-reset", &[("email", "bo@cafe.test")])
        .await;
    assert_eq!(spent.status, 429);
    assert!(spent.body.contains("Too many reset requests"));
}

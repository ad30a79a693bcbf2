//! Confirming an email address: a new buyer can't order until they open the emailed link;
//! the link works once and only for the address it was sent to; a changed address needs
//! confirming again; new links are limited to three an hour.

use diesel::prelude::*;
use larder::db::schema::users;
use regex::Regex;

use crate::helpers::fixtures::{self, PASSWORD};
use crate::helpers::{Browser, TestApp, spawn_app};
use crate::ordering::{add, checkout_form, shop, submit};

fn verified(app: &TestApp, email: &str) -> bool {
    users::table
        .filter(users::email.eq(email))
        .select(users::email_verified_at.is_not_null())
        .first(&mut app.conn())
        .unwrap()
}

fn newest_link(app: &TestApp, to: &str) -> String {
    app.run_jobs();
    let mail = app
        .sent_emails()
        .into_iter()
        .rev()
        .find(|m| m.contains(to) && m.contains("Confirm your email"))
        .expect("a confirmation email");
    Regex::new(r"/verify-email/[0-9a-f]{64}")
        .unwrap()
        .find(&mail)
        .unwrap()
        .as_str()
        .to_owned()
}

async fn unconfirm(app: &TestApp, email: &str) {
    diesel::update(users::table.filter(users::email.eq(email)))
        .set(users::email_verified_at.eq(None::<time::OffsetDateTime>))
        .execute(&mut app.conn())
        .unwrap();
}

#[tokio::test]
async fn a_new_buyer_orders_only_after_opening_the_link() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    // The fixture confirms; undo that to walk the real path.
    unconfirm(&app, "ada@bistro.test").await;
    let b: &Browser = &shop.ada.browser;
    assert!(
        b.post("/account/verify-email", &[])
            .await
            .redirects_to("/account")
    );
    add(b, shop.cream, "10").await;
    let page = b.get("/checkout/veg-co").await;
    assert!(
        page.body
            .contains("Confirm your email address before you order")
    );
    let (key, date, location) = checkout_form(b).await;
    let refused = submit(b, &key, &date, &location).await;
    assert_eq!(refused.status, 422);
    let orders: i64 = larder::db::schema::orders::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(orders, 0);

    let link = newest_link(&app, "ada@bistro.test");
    let page = b.get(&link).await;
    assert!(page.redirects_to("/buyer"));
    assert!(verified(&app, "ada@bistro.test"));
    let placed = submit(b, &key, &date, &location).await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    // The link works once.
    unconfirm(&app, "ada@bistro.test").await;
    b.get(&link).await;
    assert!(
        !verified(&app, "ada@bistro.test"),
        "a used link confirms nothing"
    );
}

#[tokio::test]
async fn a_changed_address_needs_its_own_confirmation_and_old_links_stop_working() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    unconfirm(&app, "ada@bistro.test").await;
    ada.browser.post("/account/verify-email", &[]).await;
    let old_link = newest_link(&app, "ada@bistro.test");
    let page = ada
        .browser
        .post(
            "/account",
            &[
                ("name", "Ada"),
                ("email", "ada@new.test"),
                ("password_check", PASSWORD),
            ],
        )
        .await;
    assert!(page.redirects_to("/account"), "{}", page.status);
    assert!(!verified(&app, "ada@new.test"));
    // The link sent to the old address confirms nothing now.
    ada.browser.get(&old_link).await;
    assert!(!verified(&app, "ada@new.test"));
    let account = ada.browser.get("/account").await;
    assert!(account.body.contains("Please confirm your email address"));
    let link = newest_link(&app, "ada@new.test");
    ada.browser.get(&link).await;
    assert!(verified(&app, "ada@new.test"));
}

#[tokio::test]
async fn new_links_are_limited_to_three_an_hour() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    unconfirm(&app, "ada@bistro.test").await;
    // Sign-up sent one; two more are allowed in the hour.
    for _ in 0..2 {
        let page = ada.browser.post("/account/verify-email", &[]).await;
        assert!(page.redirects_to("/account"));
    }
    let count = |app: &TestApp| -> i64 {
        larder::db::schema::email_verifications::table
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(count(&app), 3);
    ada.browser.post("/account/verify-email", &[]).await;
    assert_eq!(count(&app), 3, "the fourth is refused");
}

//! What the order page offers in each state, refused confirmations shown beside their
//! fields, the policy for a suspended provider, and the emails each change sends.

use diesel::prelude::*;
use larder::db::schema::{jobs, order_events, order_lines, orders};
use larder::orders::rules::OrderStatus;
use uuid::Uuid;

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::invoicing::drafted;
use crate::ordering::{place_order, shop};

fn status(app: &TestApp, id: Uuid) -> String {
    orders::table
        .find(id)
        .select(orders::status)
        .first(&mut app.conn())
        .unwrap()
}

fn line(app: &TestApp, order: Uuid, sku: &str) -> Uuid {
    order_lines::table
        .filter(order_lines::order_id.eq(order))
        .filter(order_lines::sku.eq(sku))
        .select(order_lines::id)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_refused_confirmation_keeps_what_was_typed_beside_each_field() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let (wine, leeks) = (line(&app, id, "WN-1"), line(&app, id, "LK-1"));
    let (wine_field, leeks_field) = (format!("qty_{wine}"), format!("qty_{leeks}"));
    for (typed, message) in [
        ("0.5", "sold in whole units"),
        ("1e12", "Enter a quantity"),
        ("3", "Confirm between 0 and the 1 ordered"),
    ] {
        let page = shop
            .sam
            .browser
            .post(
                &format!("/provider/orders/{id}/confirm"),
                &[(wine_field.as_str(), typed), (leeks_field.as_str(), "1,25")],
            )
            .await;
        assert_eq!(page.status, 422, "{typed}");
        assert!(page.body.contains(message), "{typed}: {}", page.body);
        assert!(
            page.body.contains(&format!(r#"value="{typed}""#)),
            "{typed} kept"
        );
        assert!(
            page.body.contains(r#"value="1,25""#),
            "the other field kept"
        );
        assert!(
            page.body
                .contains(&format!(r#"aria-describedby="qty-{wine}-error""#))
        );
        assert!(page.body.contains("Nothing was confirmed"));
        assert_eq!(status(&app, id), "submitted", "{typed}");
    }
    let ok = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{id}/confirm"),
            &[(wine_field.as_str(), "1"), (leeks_field.as_str(), "1,25")],
        )
        .await;
    assert_eq!(ok.status, 303);
    let leeks_confirmed: Option<rust_decimal::Decimal> = order_lines::table
        .find(leeks)
        .select(order_lines::confirmed_quantity)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(leeks_confirmed, Some("1.25".parse().unwrap()));
}

#[tokio::test]
async fn the_page_offers_only_what_the_state_allows_primary_first() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/orders/{id}"))
        .await;
    let confirm = page.body.find("Confirm order").expect("confirm offered");
    let reject = page.body.find("Reject order").expect("reject offered");
    assert!(confirm < reject, "the primary action comes first");
    assert!(!page.body.contains("Out for delivery</button>"));

    // Rejecting through htmx answers the status region and, out of band, the body without
    // the confirm form, so the page never offers what now answers 409.
    let token = shop.sam.browser.csrf().await;
    let res = shop
        .sam
        .browser
        .client
        .post(
            shop.sam
                .browser
                .url(&format!("/provider/orders/{id}/reject")),
        )
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&[("reason", "No drivers on Friday")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let fragment = res.text().await.unwrap();
    assert!(fragment.contains(r#"id="order-body" data-hx-swap-oob="true""#));
    assert!(fragment.contains("Rejected"));
    assert!(!fragment.contains("Confirm order"), "{fragment}");
    assert!(!fragment.contains("Reject order"));
    let after = shop
        .sam
        .browser
        .get(&format!("/provider/orders/{id}"))
        .await;
    assert!(!after.body.contains("Confirm order") && !after.body.contains("/confirm"));
    let buyer = shop.ada.browser.get(&format!("/orders/{id}")).await;
    assert!(!buyer.body.contains("Cancel order"));
}

/// A status write names the state it moves from, so even without the row lock a stale
/// action changes nothing.
#[tokio::test]
async fn a_status_write_moves_only_from_the_state_it_was_checked_in() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let mut conn = app.conn();
    let stale = larder::orders::actions::set_status(
        &mut conn,
        id,
        OrderStatus::Confirmed,
        OrderStatus::OutForDelivery,
    );
    assert_eq!(
        stale.unwrap_err().to_string().split(':').next(),
        Some("conflict")
    );
    assert_eq!(status(&app, id), "submitted");
}

#[tokio::test]
async fn a_suspended_provider_finishes_confirmed_orders_but_takes_nothing_new() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (invoiced_order, invoice) = drafted(&app, &shop).await;
    let issued = shop
        .sam
        .browser
        .post(&format!("/provider/invoices/{invoice}/issue"), &[])
        .await;
    assert_eq!(issued.status, 303);
    let waiting = place_order(&shop).await;

    let admin = fixtures::admin(&app).await;
    let suspended = admin
        .browser
        .post(
            &format!("/admin/providers/{}/status", shop.sam.provider_id),
            &[("status", "suspended")],
        )
        .await;
    assert_eq!(suspended.status, 303);

    let confirm = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{waiting}/confirm"), &[])
        .await;
    assert_eq!(confirm.status, 409);
    assert!(confirm.body.contains("confirm new orders"));
    assert_eq!(status(&app, waiting), "submitted");
    let reject = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{waiting}/reject"),
            &[("reason", "Account under review")],
        )
        .await;
    assert_eq!(reject.status, 303, "the buyer can still be let go");

    let deliver = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{invoiced_order}/deliver"),
            &[("received_by", "Ada")],
        )
        .await;
    assert_eq!(deliver.status, 303, "a confirmed order still goes out");
    assert_eq!(status(&app, invoiced_order), "delivered");

    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(pay.status, 409);
    assert!(pay.body.contains("Payments to this provider are paused"));
    let payments: i64 = larder::db::schema::payments::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(payments, 0, "nothing charged, nothing reserved");

    // A fresh order confirmed before the suspension can't be invoiced during it.
    let third = {
        diesel::update(larder::db::schema::providers::table.find(shop.sam.provider_id))
            .set(larder::db::schema::providers::status.eq("active"))
            .execute(&mut app.conn())
            .unwrap();
        let id = place_order(&shop).await;
        let ok = shop
            .sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &[])
            .await;
        assert_eq!(ok.status, 303);
        diesel::update(larder::db::schema::providers::table.find(shop.sam.provider_id))
            .set(larder::db::schema::providers::status.eq("suspended"))
            .execute(&mut app.conn())
            .unwrap();
        id
    };
    let invoice_attempt = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{third}/invoice"), &[])
        .await;
    assert_eq!(invoice_attempt.status, 409);
    assert!(invoice_attempt.body.contains("create or issue invoices"));
}

#[tokio::test]
async fn scheduling_a_delivery_tells_the_buyer_and_a_new_order_sends_a_receipt() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let receipt: i64 = jobs::table
        .filter(jobs::dedup_key.eq(format!("order:{id}:submitted:buyer")))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(receipt, 1, "the buyer's receipt");
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &[])
            .await
            .status,
        303
    );
    let date = (larder::timefmt::london_today() + time::Duration::days(3)).to_string();
    let scheduled = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{id}/schedule"),
            &[
                ("date", date.as_str()),
                ("window_start", "06:00"),
                ("window_end", "09:00"),
            ],
        )
        .await;
    assert_eq!(scheduled.status, 303);
    app.run_jobs();
    let mails = app.sent_emails();
    let told = mails
        .iter()
        .find(|m| m.contains("delivery scheduled"))
        .expect("the buyer hears of the schedule");
    assert!(
        told.contains("ada@bistro.test") && told.contains("06:00"),
        "{told}"
    );
    let events: i64 = order_events::table
        .filter(order_events::order_id.eq(id))
        .filter(order_events::status.eq("scheduled"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(events, 1);
}

//! Payments that can't go wrong: voiding closes the open checkout and late money is listed
//! for refund, a bank payment on its way blocks a second one, a wrong amount never pays, an
//! abandoned checkout stops "processing", and a provider can record money paid outside.

use diesel::prelude::*;
use larder::db::schema::payments;
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, fixtures, spawn_app, stripe};
use crate::ordering::shop;
use crate::payments::{
    WEBHOOK_SECRET, deliver, event, invoice_status, issued, start_stripe_payment, stripe_app,
    succeeded_payments,
};

fn payment_status(app: &TestApp) -> String {
    payments::table
        .order(payments::created_at.desc())
        .select(payments::status)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn voiding_closes_the_open_checkout_and_late_money_is_listed_for_refund() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions/cs_test_123/expire"))
        .and(header_exists("idempotency-key"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(stripe::checkout_session(
                "cs_test_123",
                "expired",
                "unpaid",
                5393,
            )),
        )
        .expect(1)
        .mount(&stripe)
        .await;
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/void"),
            &[("reason", "Wrong customer")],
        )
        .await;
    assert_eq!(void.status, 303);
    assert_eq!(invoice_status(&app, invoice), "void");
    assert_eq!(payment_status(&app), "expired");

    // Stripe delivers a payment that slipped through anyway: recorded, never applied.
    let late = event(
        "evt_late",
        "checkout.session.completed",
        "cs_test_123",
        "paid",
    );
    assert_eq!(deliver(&app, &late, WEBHOOK_SECRET).await, 200);
    assert_eq!(invoice_status(&app, invoice), "void");
    assert_eq!(payment_status(&app), "needs_refund");
    let admin = fixtures::admin(&app).await;
    let refunds = admin.browser.get("/admin/refunds").await;
    assert_eq!(refunds.status, 200);
    assert!(
        refunds.body.contains("VC-000001") && refunds.body.contains("£53.93"),
        "{}",
        refunds.body
    );
    assert!(refunds.body.contains("invoice was void"));
    assert_eq!(shop.ada.browser.get("/admin/refunds").await.status, 404);

    // The admin gives it back through Stripe: the whole amount, the transfer reversed.
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(wiremock::matchers::body_string_contains(
            "payment_intent=pi_123",
        ))
        .and(wiremock::matchers::body_string_contains("amount=5393"))
        .and(wiremock::matchers::body_string_contains(
            "reverse_transfer=true",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": "re_late", "object": "refund", "amount": 5393, "currency": "gbp",
            "created": 1_700_000_000, "status": "succeeded", "metadata": {},
        })))
        .expect(1)
        .mount(&stripe)
        .await;
    let payment: uuid::Uuid = payments::table
        .select(payments::id)
        .first(&mut app.conn())
        .unwrap();
    let path_ = format!("/admin/refunds/{payment}/refund");
    assert_eq!(shop.ada.browser.post(&path_, &[]).await.status, 404);
    let done = admin.browser.post(&path_, &[]).await;
    assert!(done.redirects_to("/admin/refunds"));
    assert_eq!(payment_status(&app), "refunded");
    let after = admin.browser.get("/admin/refunds").await;
    assert!(after.body.contains("Refunded £53.93 to the buyer"));
    assert!(after.body.contains("Nothing to refund."));
    // Once only: a second click is refused and Stripe is asked once (`expect(1)`).
    assert_eq!(admin.browser.post(&path_, &[]).await.status, 409);
    crate::ledger::assert_journal_balanced(&app);
    for account in ["buyer_receivable", "stripe_clearing"] {
        assert_eq!(crate::ledger::balance(&app, account), "0.00", "{account}");
    }
}

#[tokio::test]
async fn a_bank_payment_on_its_way_blocks_a_second_payment_and_a_void() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    let unpaid = event(
        "evt_1",
        "checkout.session.completed",
        "cs_test_123",
        "unpaid",
    );
    assert_eq!(deliver(&app, &unpaid, WEBHOOK_SECRET).await, 200);
    assert_eq!(payment_status(&app), "processing");

    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        page.body.contains("Bank payment on its way"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("by card</button>"),
        "no Pay button while it clears"
    );
    let again = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("no need to pay again"));
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/void"),
            &[("reason", "Oops")],
        )
        .await;
    assert_eq!(void.status, 409);
    assert_eq!(invoice_status(&app, invoice), "issued");

    let cleared = event(
        "evt_2",
        "checkout.session.async_payment_succeeded",
        "cs_test_123",
        "paid",
    );
    assert_eq!(deliver(&app, &cleared, WEBHOOK_SECRET).await, 200);
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert_eq!(succeeded_payments(&app), 1);
}

#[tokio::test]
async fn an_event_for_another_amount_or_currency_never_pays() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    let wrong = event("evt_w", "checkout.session.completed", "cs_test_123", "paid")
        .replace("\"amount_total\":5393", "\"amount_total\":100");
    assert!(wrong.contains("\"amount_total\":100"));
    assert_eq!(deliver(&app, &wrong, WEBHOOK_SECRET).await, 200);
    assert_eq!(invoice_status(&app, invoice), "issued");
    assert_eq!(succeeded_payments(&app), 0);
    assert_eq!(payment_status(&app), "needs_refund");
}

#[tokio::test]
async fn an_abandoned_checkout_stops_processing_once_stripe_says_it_expired() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    diesel::update(payments::table)
        .set(payments::expires_at.eq(Some(
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
        )))
        .execute(&mut app.conn())
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/v1/checkout/sessions/cs_test_123"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(stripe::checkout_session(
                "cs_test_123",
                "expired",
                "unpaid",
                5393,
            )),
        )
        .expect(1)
        .mount(&stripe)
        .await;
    let page = shop
        .ada
        .browser
        .get(&format!("/invoices/{invoice}?payment=processing"))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(payment_status(&app), "expired");
    assert!(!page.body.contains("Payment processing"));
    assert!(!page.body.contains("every 3s"), "the page stops polling");
    assert!(page.body.contains("Not completed"));
    assert!(
        page.body.contains("by card</button>"),
        "the buyer can pay again"
    );
}

#[tokio::test]
async fn a_payment_whose_webhook_never_came_is_found_by_asking_stripe() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    diesel::update(payments::table)
        .set(payments::expires_at.eq(Some(
            time::OffsetDateTime::now_utc() - time::Duration::minutes(1),
        )))
        .execute(&mut app.conn())
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/v1/checkout/sessions/cs_test_123"))
        .respond_with(ResponseTemplate::new(200).set_body_json({
            let mut s = stripe::checkout_session("cs_test_123", "complete", "paid", 5393);
            s["payment_intent"] = "pi_9".into();
            s
        }))
        .expect(1)
        .mount(&stripe)
        .await;
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert_eq!(succeeded_payments(&app), 1);
    // The webhook arriving after all changes nothing.
    let late = event(
        "evt_after",
        "checkout.session.completed",
        "cs_test_123",
        "paid",
    );
    assert_eq!(deliver(&app, &late, WEBHOOK_SECRET).await, 200);
    assert_eq!(succeeded_payments(&app), 1);
}

#[tokio::test]
async fn a_provider_records_a_bank_transfer_and_the_invoice_is_paid() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let url = format!("/provider/invoices/{invoice}/paid");
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert!(page.body.contains(&format!(r#"action="{url}""#)));
    let today = larder::timefmt::london_today();
    let tomorrow = (today + time::Duration::days(1)).to_string();
    let future = shop
        .sam
        .browser
        .post(&url, &[("method", "bank_transfer"), ("paid_on", &tomorrow)])
        .await;
    assert_eq!(future.status, 422);
    assert_eq!(invoice_status(&app, invoice), "issued");

    let recorded = shop
        .sam
        .browser
        .post(
            &url,
            &[
                ("method", "bank_transfer"),
                ("paid_on", &today.to_string()),
                ("reference", "BACS 991"),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    assert_eq!(invoice_status(&app, invoice), "paid");
    let (gateway, method, reference, by): (String, String, Option<String>, Option<uuid::Uuid>) =
        payments::table
            .select((
                payments::gateway,
                payments::method,
                payments::reference,
                payments::recorded_by,
            ))
            .first(&mut app.conn())
            .unwrap();
    assert_eq!(
        (gateway.as_str(), method.as_str(), reference.as_deref()),
        ("offline", "bank_transfer", Some("BACS 991"))
    );
    assert!(by.is_some(), "who recorded it is kept");
    let buyer = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        buyer
            .body
            .contains("Paid outside Larder by bank transfer (ref. BACS 991)")
    );
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(pay.status, 409, "nothing left to pay");
    let twice = shop
        .sam
        .browser
        .post(&url, &[("method", "cash"), ("paid_on", &today.to_string())])
        .await;
    assert_eq!(twice.status, 409);
    assert_eq!(succeeded_payments(&app), 1);
}

//! The daily reconciliation against Stripe's balance transactions, through a mock Stripe:
//! card payments as a day's total, refunds and refunds the card's bank sent back one by one.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::fixtures;
use crate::ordering::shop;
use crate::payments::{WEBHOOK_SECRET, deliver, event, start_stripe_payment, stripe_app};

fn balance_transaction(id: &str, kind: &str, amount: i64, source: &str) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({
        "id": id, "object": "balance_transaction", "amount": amount, "available_on": now,
        "balance_type": "payments", "created": now, "currency": "gbp", "description": null,
        "exchange_rate": null, "fee": 0, "fee_details": [], "net": amount,
        "reporting_category": kind, "source": source, "status": "available", "type": kind,
    })
}

#[tokio::test]
async fn a_day_is_checked_against_stripe_and_every_difference_is_listed_for_admins() {
    let stripe_api = MockServer::start().await;
    let app = stripe_app(&stripe_api).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe_api).await;
    let paid = event(
        "evt_paid",
        "checkout.session.completed",
        "cs_test_123",
        "paid",
    );
    assert_eq!(deliver(&app, &paid, WEBHOOK_SECRET).await, 200);
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "re_123", "object": "refund", "amount": 1000, "currency": "gbp",
            "created": 1_700_000_000, "status": "succeeded", "metadata": {},
        })))
        .mount(&stripe_api)
        .await;
    assert_eq!(
        crate::refunds::refund(&shop, invoice, "10.00", "Short")
            .await
            .status,
        303
    );
    // The card's bank sends the refund back the same day.
    let returned = crate::helpers::stripe::event(
        "evt_refund_failed",
        "charge.refund.updated",
        crate::refunds::refund_object("re_123", 1000, "failed", Some("expired_or_canceled_card")),
    );
    assert_eq!(deliver(&app, &returned, WEBHOOK_SECRET).await, 200);

    let today = larder::timefmt::london_today();
    let (start, end) = larder::ledger::reconcile::bounds(today);
    Mock::given(method("GET"))
        .and(path("/v1/balance_transactions"))
        .and(query_param(
            "created[gte]",
            start.unix_timestamp().to_string(),
        ))
        .and(query_param("created[lt]", end.unix_timestamp().to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "url": "/v1/balance_transactions", "has_more": false,
            "data": [
                balance_transaction("txn_1", "charge", 5393, "ch_1"),
                balance_transaction("txn_2", "refund", -1000, "re_123"),
                balance_transaction("txn_3", "refund", -500, "re_999"),
                balance_transaction("txn_4", "transfer", -5393, "tr_1"),
                balance_transaction("txn_5", "refund_failure", 1000, "re_123"),
                balance_transaction("txn_6", "refund_failure", 300, "re_888"),
            ],
        })))
        .expect(1)
        .mount(&stripe_api)
        .await;
    // The job checks yesterday: run it early tomorrow, London time.
    let tomorrow =
        larder::timefmt::london_midnight(today.next_day().unwrap()) + time::Duration::hours(3);
    app.clock.set(tomorrow);
    larder::jobs::schedule::enqueue_due(&mut app.conn(), tomorrow, tomorrow).unwrap();
    app.run_jobs();

    let days = larder::ledger::reconcile::recent(&mut app.conn()).unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!(days[0].day, today);
    assert_eq!(days[0].ours_charges, days[0].stripe_charges);
    let found: Vec<&str> = days[0].mismatches.iter().map(|m| m.what.as_str()).collect();
    assert_eq!(
        found,
        [
            "Refund re_999 of £5.00 is in Stripe but not in Larder.",
            "Returned refund re_888 of £3.00 is in Stripe but not in Larder.",
        ]
    );
    let admin = fixtures::admin(&app).await;
    let page = admin.browser.get("/admin/reconciliation").await;
    assert!(page.body.contains("2 to look at"));
    assert!(page.body.contains("re_999"));
    // Providers and buyers don't see it.
    assert_eq!(
        shop.sam.browser.get("/admin/reconciliation").await.status,
        404
    );
}

//! Paying invoices: the local test gateway end to end, Stripe Checkout against a mock Stripe
//! API, and webhooks signed for real that never pay twice.

use diesel::prelude::*;
use larder::db::schema::{invoices, jobs, payments, stripe_events};
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, spawn_app, spawn_app_with, stripe};
use crate::invoicing::drafted;
use crate::ordering::{Shop, shop};

pub const WEBHOOK_SECRET: &str = "whsec_larder_test";

pub async fn issued(app: &TestApp, shop: &Shop) -> Uuid {
    let (_, invoice) = drafted(app, shop).await;
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/invoices/{invoice}/issue"), &[])
            .await
            .status,
        303
    );
    invoice
}

pub fn invoice_status(app: &TestApp, id: Uuid) -> String {
    invoices::table
        .find(id)
        .select(invoices::status)
        .first(&mut app.conn())
        .unwrap()
}

pub fn succeeded_payments(app: &TestApp) -> i64 {
    payments::table
        .filter(payments::status.eq("succeeded"))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_buyer_pays_with_the_local_test_gateway_and_both_sides_see_paid() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        page.body.contains("Pay £53.93 by card"),
        "wine 42.00 + leeks 3.53 + VAT 8.40"
    );

    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    let checkout = pay.location.clone().unwrap();
    assert!(
        checkout.starts_with("/pay/test/cs_test_local_"),
        "{checkout}"
    );
    // A second "Pay" while that checkout is open goes back to it.
    assert_eq!(
        shop.ada
            .browser
            .post(&format!("/invoices/{invoice}/pay"), &[])
            .await
            .location,
        Some(checkout.clone())
    );
    let test_page = shop.ada.browser.get(&checkout).await;
    assert!(test_page.body.contains("TEST MODE") && test_page.body.contains("£53.93"));

    let paid = shop.ada.browser.post(&format!("{checkout}/pay"), &[]).await;
    assert_eq!(
        paid.location,
        Some(format!("/invoices/{invoice}?payment=processing"))
    );
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert!(
        shop.ada
            .browser
            .get(&format!("/invoices/{invoice}"))
            .await
            .body
            .contains("this invoice is settled")
    );
    assert!(
        shop.sam
            .browser
            .get("/provider/invoices?show=paid")
            .await
            .body
            .contains("VC-000001")
    );
    let region = shop
        .ada
        .browser
        .get(&format!("/invoices/{invoice}/payment"))
        .await;
    assert!(
        region.body.contains("Paid") && !region.body.contains("every 3s"),
        "polling stops once paid"
    );

    let again = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("already paid"));
    assert_eq!(
        shop.ada
            .browser
            .post(&format!("{checkout}/pay"), &[])
            .await
            .status,
        303,
        "a replayed Pay changes nothing"
    );
    assert_eq!(succeeded_payments(&app), 1);
    let emails: i64 = jobs::table
        .filter(jobs::dedup_key.like("invoice:%:paid:%"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(emails, 2, "one to the provider, one to the buyer");
}

#[tokio::test]
async fn a_failed_payment_says_why_and_can_be_retried() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let checkout = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await
        .location
        .unwrap();
    let failed = shop
        .ada
        .browser
        .post(&format!("{checkout}/fail"), &[])
        .await;
    assert!(failed.redirects_to(&format!("/invoices/{invoice}")));
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(page.body.contains("your bank declined it") && page.body.contains("Failed"));
    assert_eq!(invoice_status(&app, invoice), "issued");
    let retry = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await
        .location
        .unwrap();
    assert_ne!(retry, checkout, "a fresh checkout after a failure");
    shop.ada.browser.post(&format!("{retry}/pay"), &[]).await;
    assert_eq!(invoice_status(&app, invoice), "paid");
}

#[tokio::test]
async fn other_businesses_cannot_use_a_test_checkout_or_pay_an_invoice() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let checkout = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await
        .location
        .unwrap();
    let bo = crate::helpers::fixtures::buyer(&app, "bo@cafe.test").await;
    assert_eq!(bo.browser.get(&checkout).await.status, 404);
    assert_eq!(
        bo.browser
            .post(&format!("{checkout}/pay"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        bo.browser
            .post(&format!("/invoices/{invoice}/pay"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/invoices/{invoice}/pay"), &[])
            .await
            .status,
        404
    );
    assert_eq!(invoice_status(&app, invoice), "issued");
    let pending: i64 = payments::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(pending, 1, "only Ada's own checkout exists");
}

pub async fn stripe_app(stripe: &MockServer) -> TestApp {
    let base = stripe.uri();
    spawn_app_with(move |c| {
        c.stripe_secret_key = Some("sk_test_larder".into());
        c.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
        c.stripe_api_base = base;
    })
    .await
}

pub fn event(id: &str, kind: &str, session: &str, payment_status: &str) -> String {
    let status = match kind {
        "checkout.session.expired" => "expired",
        _ => "complete",
    };
    stripe::event(
        id,
        kind,
        stripe::checkout_session(session, status, payment_status, 5393),
    )
}

pub async fn deliver(app: &TestApp, body: &str, secret: &str) -> reqwest::StatusCode {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    reqwest::Client::new()
        .post(app.url("/webhooks/stripe"))
        .header("Stripe-Signature", stripe::sign(secret, now, body))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
        .status()
}

/// Ada starts paying through Stripe; returns the invoice. The mock asserts what we send.
pub async fn start_stripe_payment(app: &TestApp, shop: &Shop, stripe: &MockServer) -> Uuid {
    let invoice = issued(app, shop).await;
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(header("authorization", "Bearer sk_test_larder"))
        .and(header_exists("idempotency-key"))
        .and(body_string_contains("mode=payment"))
        .and(body_string_contains(
            "line_items[0][price_data][currency]=gbp",
        ))
        .and(body_string_contains(
            "line_items[0][price_data][unit_amount]=5393",
        ))
        .and(body_string_contains(format!(
            "client_reference_id={invoice}"
        )))
        .and(body_string_contains(format!(
            "metadata[invoice_id]={invoice}"
        )))
        .and(body_string_contains("customer_email=ada@bistro.test"))
        // A destination charge to the provider's connected account, on its behalf; with no
        // fee rule there is no application fee at all.
        .and(body_string_contains(format!(
            "payment_intent_data[transfer_data][destination]={}",
            stripe::connected_account(shop.sam.provider_id)
        )))
        .and(body_string_contains(format!(
            "payment_intent_data[on_behalf_of]={}",
            stripe::connected_account(shop.sam.provider_id)
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json({
            let mut session = stripe::checkout_session("cs_test_123", "open", "unpaid", 5393);
            session["expires_at"] = expires.into();
            session
        }))
        .expect(1)
        .mount(stripe)
        .await;
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(
        pay.location.as_deref(),
        Some("https://checkout.stripe.com/c/pay/cs_test_123")
    );
    // The key names our payment row, so a retried request can never open a second session.
    let payment: Uuid = payments::table
        .filter(payments::invoice_id.eq(invoice))
        .select(payments::id)
        .first(&mut app.conn())
        .unwrap();
    let sent = stripe.received_requests().await.unwrap_or_default();
    let keys: Vec<_> = sent
        .iter()
        .filter(|r| r.url.path() == "/v1/checkout/sessions")
        .filter_map(|r| r.headers.get("idempotency-key"))
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(keys, [format!("larder-payment-{payment}")]);
    // The open session is reused, so Stripe is called once (the mock checks `expect(1)`).
    let again = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(
        again.location.as_deref(),
        Some("https://checkout.stripe.com/c/pay/cs_test_123")
    );
    invoice
}

#[tokio::test]
async fn stripe_checkout_then_the_same_webhook_twenty_times_pays_once() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;

    let body = event(
        "evt_paid_1",
        "checkout.session.completed",
        "cs_test_123",
        "paid",
    );
    let deliveries = (0..20).map(|_| deliver(&app, &body, WEBHOOK_SECRET));
    for status in futures::future::join_all(deliveries).await {
        assert_eq!(status, 200);
    }
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert_eq!(succeeded_payments(&app), 1);
    let stored: i64 = stripe_events::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(stored, 1);
    let intent: Option<String> = payments::table
        .select(payments::payment_intent_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(intent.as_deref(), Some("pi_123"));
}

#[tokio::test]
async fn events_out_of_order_never_undo_a_payment() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    // A delayed method: completed-but-unpaid, then success, then stragglers.
    for (id, kind, status) in [
        ("evt_1", "checkout.session.completed", "unpaid"),
        ("evt_3", "checkout.session.async_payment_succeeded", "paid"),
        ("evt_2", "checkout.session.async_payment_failed", "unpaid"),
        ("evt_4", "checkout.session.expired", "unpaid"),
        ("evt_5", "customer.created", "n/a"),
    ] {
        assert_eq!(
            deliver(
                &app,
                &event(id, kind, "cs_test_123", status),
                WEBHOOK_SECRET
            )
            .await,
            200,
            "{kind}"
        );
    }
    assert_eq!(invoice_status(&app, invoice), "paid");
    let statuses: Vec<String> = payments::table
        .select(payments::status)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(statuses, vec!["succeeded"]);
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_stores_nothing() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    let body = event(
        "evt_forged",
        "checkout.session.completed",
        "cs_test_123",
        "paid",
    );
    assert_eq!(deliver(&app, &body, "whsec_wrong").await, 400);
    let stale = reqwest::Client::new()
        .post(app.url("/webhooks/stripe"))
        .header(
            "Stripe-Signature",
            stripe::sign(WEBHOOK_SECRET, 1_000_000_000, &body),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 400, "an old, replayed signature");
    let unsigned = reqwest::Client::new()
        .post(app.url("/webhooks/stripe"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400);
    assert_eq!(unsigned.text().await.unwrap(), "invalid signature");
    let stored: i64 = stripe_events::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(stored, 0);
    assert_eq!(invoice_status(&app, invoice), "issued");
}

#[tokio::test]
async fn stripe_refusing_the_session_is_a_clear_error_and_nothing_is_charged() {
    let stripe = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(
                serde_json::json!({"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}),
            ),
        )
        .mount(&stripe)
        .await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let page = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(page.status, 503);
    assert!(page.body.contains("Nothing was charged"));
    assert!(
        !page.body.contains("Invalid API Key"),
        "provider errors stay in the logs"
    );
    let (status, reason): (String, Option<String>) = payments::table
        .select((payments::status, payments::failure_reason))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "failed");
    assert!(reason.unwrap().contains("Invalid API Key"));
}

#[tokio::test]
async fn without_a_webhook_secret_events_are_refused() {
    let app = spawn_app().await;
    let body = event("evt_1", "checkout.session.completed", "cs_x", "paid");
    assert_eq!(deliver(&app, &body, "anything").await, 503);
}

/// A signed event carrying `\u0000` in a field we store is applied once, not answered with a
/// 500 that Stripe would retry for days.
#[tokio::test]
async fn a_signed_event_with_a_nul_character_is_applied_once() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    let mut session = stripe::checkout_session("cs_test_123", "complete", "paid", 5393);
    session["client_reference_id"] = "Ada\u{0}Cook".into();
    let body = stripe::event("evt_nul_1", "checkout.session.completed", session);
    assert!(body.contains("\\u0000"));
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert_eq!(succeeded_payments(&app), 1);
}

#[tokio::test]
async fn a_checkout_whose_webhook_never_came_is_applied_by_the_job() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe).await;
    // The buyer paid on Stripe's page, closed the tab, and the webhook was lost.
    Mock::given(method("GET"))
        .and(path("/v1/checkout/sessions/cs_test_123"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(stripe::checkout_session(
                "cs_test_123",
                "complete",
                "paid",
                5393,
            )),
        )
        .mount(&stripe)
        .await;
    let now = time::OffsetDateTime::now_utc();
    larder::jobs::schedule::enqueue_due(&mut app.conn(), now, now).unwrap();
    app.run_jobs();
    assert_eq!(
        invoice_status(&app, invoice),
        "issued",
        "not stale until its checkout expires"
    );
    diesel::update(payments::table)
        .set(payments::expires_at.eq(Some(now - time::Duration::minutes(1))))
        .execute(&mut app.conn())
        .unwrap();
    let later = now + time::Duration::minutes(15);
    app.clock.set(later);
    larder::jobs::schedule::enqueue_due(&mut app.conn(), later, later).unwrap();
    app.run_jobs();
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert_eq!(succeeded_payments(&app), 1);
    crate::ledger::assert_journal_balanced(&app);
}

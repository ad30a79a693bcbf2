//! Saved cards and one-click payment: the test gateway's stand-ins end to end (success, the
//! bank's check, declines), Stripe through a mock that asserts what we send, and other
//! businesses' ids.

use diesel::prelude::*;
use larder::db::schema::{payments, saved_cards};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{Browser, TestApp, fixtures, spawn_app, stripe};
use crate::ordering::shop;
use crate::payments::{invoice_status, issued, stripe_app};

/// Saves one of the test gateway's cards; returns its id.
async fn save_test_card(app: &TestApp, browser: &Browser, last4: &str) -> Uuid {
    let add = browser.post("/buyer/cards", &[]).await;
    let stand_in = add.location.unwrap();
    assert!(stand_in.starts_with("/buyer/cards/test-setup?setup="));
    let page = browser.get(&stand_in).await;
    assert_eq!(page.status, 200);
    let setup = stand_in.trim_start_matches("/buyer/cards/test-setup?setup=");
    let saved = browser
        .post(
            "/buyer/cards/test-setup",
            &[("setup", setup), ("card", last4)],
        )
        .await;
    assert!(saved.redirects_to("/buyer/cards"));
    saved_cards::table
        .filter(saved_cards::last4.eq(last4))
        .filter(saved_cards::removed_at.is_null())
        .select(saved_cards::id)
        .first(&mut app.conn())
        .unwrap()
}

fn payment_rows(app: &TestApp) -> Vec<(String, Option<String>, Option<Uuid>)> {
    payments::table
        .order(payments::created_at)
        .select((
            payments::status,
            payments::failure_reason,
            payments::saved_card_id,
        ))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_buyer_saves_cards_chooses_the_default_and_removes_one() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let ada = &shop.ada.browser;
    let empty = ada.get("/buyer/cards").await;
    assert!(empty.body.contains("No saved cards yet"));
    let first = save_test_card(&app, ada, "4242").await;
    let second = save_test_card(&app, ada, "9995").await;
    let page = ada.get("/buyer/cards").await;
    assert!(page.body.contains("<strong>Visa •••• 4242</strong>"));
    assert!(page.body.contains("<strong>Visa •••• 9995</strong>"));
    let default = |app: &TestApp| -> Uuid {
        saved_cards::table
            .filter(saved_cards::is_default)
            .select(saved_cards::id)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(default(&app), first, "the first card saved is the default");
    let made = ada
        .post(&format!("/buyer/cards/{second}/default"), &[])
        .await;
    assert!(made.redirects_to("/buyer/cards"));
    assert_eq!(default(&app), second);
    let removed = ada
        .post(&format!("/buyer/cards/{second}/remove"), &[])
        .await;
    assert!(removed.redirects_to("/buyer/cards"));
    assert_eq!(default(&app), first, "the card left takes over as default");
    let page = ada.get("/buyer/cards").await;
    assert!(page.body.contains("Visa •••• 9995 is removed."));
    assert!(!page.body.contains("<strong>Visa •••• 9995</strong>"));
    // A card choice the stand-in doesn't offer is refused.
    let add = ada.post("/buyer/cards", &[]).await;
    let setup = add
        .location
        .unwrap()
        .replace("/buyer/cards/test-setup?setup=", "");
    let odd = ada
        .post(
            "/buyer/cards/test-setup",
            &[("setup", &setup), ("card", "1234")],
        )
        .await;
    assert_eq!(odd.status, 422);
}

#[tokio::test]
async fn one_click_pays_with_the_default_card_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let ada = &shop.ada.browser;
    let before = ada.get(&format!("/invoices/{invoice}")).await;
    assert!(
        !before.body.contains("pay-saved"),
        "no saved card, no one-click button"
    );
    // The buyer opened Stripe's page first, then came back to pay with a saved card.
    let checkout = ada
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await
        .location
        .unwrap();
    let card = save_test_card(&app, ada, "4242").await;
    let page = ada.get(&format!("/invoices/{invoice}")).await;
    assert!(page.body.contains("Pay £53.93 with Visa •••• 4242"));
    let paid = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert!(paid.redirects_to(&format!("/invoices/{invoice}")));
    assert_eq!(invoice_status(&app, invoice), "paid");
    let rows = payment_rows(&app);
    assert_eq!(rows[0].0, "expired", "the open checkout was closed first");
    assert_eq!(rows[1], ("succeeded".to_owned(), None, Some(card)));
    // The closed checkout can't take money any more.
    ada.post(&format!("{checkout}/pay"), &[]).await;
    assert_eq!(crate::payments::succeeded_payments(&app), 1);
    let after = ada.get(&format!("/invoices/{invoice}")).await;
    assert!(after.body.contains("this invoice is settled"));
    let again = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(
        payment_rows(&app).len(),
        2,
        "a second click charges nothing"
    );
    crate::ledger::assert_journal_balanced(&app);
}

#[tokio::test]
async fn a_decline_says_why_and_the_bank_check_can_pass_or_fail() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let ada = &shop.ada.browser;
    save_test_card(&app, ada, "9995").await;
    let declined = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert!(declined.redirects_to(&format!("/invoices/{invoice}")));
    let page = ada.get(&format!("/invoices/{invoice}")).await;
    assert!(
        page.body
            .contains("Your card has insufficient funds. Nothing was charged")
    );
    assert_eq!(invoice_status(&app, invoice), "issued");
    assert_eq!(payment_rows(&app)[0].0, "failed");

    let checked = save_test_card(&app, ada, "3155").await;
    ada.post(&format!("/buyer/cards/{checked}/default"), &[])
        .await;
    let asked = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    let bank = asked.location.unwrap();
    assert!(bank.starts_with(&format!("/invoices/{invoice}/test-authenticate?payment=")));
    assert_eq!(ada.get(&bank).await.status, 200);
    let payment = bank.rsplit('=').next().unwrap().to_owned();
    // Still waiting on the bank: a second click can't start another payment.
    assert_eq!(
        ada.post(&format!("/invoices/{invoice}/pay-saved"), &[])
            .await
            .status,
        409
    );
    let failed = ada
        .post(
            &format!("/invoices/{invoice}/test-authenticate"),
            &[("payment", &payment), ("outcome", "fail")],
        )
        .await;
    assert_eq!(failed.status, 303);
    assert_eq!(invoice_status(&app, invoice), "issued");
    assert_eq!(payment_rows(&app)[1].0, "failed");
    // Answering again changes nothing.
    let late = ada
        .post(
            &format!("/invoices/{invoice}/test-authenticate"),
            &[("payment", &payment), ("outcome", "approve")],
        )
        .await;
    assert_eq!(late.status, 303);
    assert_eq!(invoice_status(&app, invoice), "issued");

    let asked = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    let payment = asked
        .location
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    let passed = ada
        .post(
            &format!("/invoices/{invoice}/test-authenticate"),
            &[("payment", &payment), ("outcome", "approve")],
        )
        .await;
    assert!(passed.redirects_to(&format!("/invoices/{invoice}")));
    assert_eq!(invoice_status(&app, invoice), "paid");
}

#[tokio::test]
async fn other_businesses_cannot_use_or_change_a_card_or_its_payments() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let ada = &shop.ada.browser;
    let card = save_test_card(&app, ada, "3155").await;
    let asked = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    let bank = asked.location.unwrap();
    let payment = bank.rsplit('=').next().unwrap().to_owned();
    let add = ada.post("/buyer/cards", &[]).await;
    let setup = add
        .location
        .unwrap()
        .replace("/buyer/cards/test-setup?setup=", "");

    let bea = fixtures::buyer(&app, "bea@cafe.test").await;
    let b = &bea.browser;
    save_test_card(&app, b, "4242").await;
    for path in [
        format!("/buyer/cards/{card}/default"),
        format!("/buyer/cards/{card}/remove"),
        format!("/invoices/{invoice}/pay-saved"),
    ] {
        assert_eq!(b.post(&path, &[]).await.status, 404, "{path}");
    }
    assert_eq!(b.get(&bank).await.status, 404);
    let approve = b
        .post(
            &format!("/invoices/{invoice}/test-authenticate"),
            &[("payment", &payment), ("outcome", "approve")],
        )
        .await;
    assert_eq!(approve.status, 404);
    assert_eq!(
        b.get(&format!("/buyer/cards/test-setup?setup={setup}"))
            .await
            .status,
        404
    );
    let steal = b
        .post(
            "/buyer/cards/test-setup",
            &[("setup", &setup), ("card", "4242")],
        )
        .await;
    assert_eq!(steal.status, 404);
    assert_eq!(
        b.get(&format!("/buyer/cards/added?setup={setup}"))
            .await
            .status,
        404
    );
    assert_eq!(invoice_status(&app, invoice), "issued");
    let adas: i64 = saved_cards::table
        .filter(saved_cards::business_id.eq(shop.ada.business_id))
        .filter(saved_cards::removed_at.is_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(adas, 1);
    // Providers have no cards page.
    assert_eq!(shop.sam.browser.get("/buyer/cards").await.status, 404);
}

fn payment_method() -> Value {
    json!({
        "id": "pm_123", "object": "payment_method", "created": 1_700_000_000, "livemode": false,
        "type": "card", "billing_details": { "address": null, "email": null, "name": null, "phone": null },
        "card": { "brand": "mastercard", "exp_month": 4, "exp_year": 2031, "last4": "4444", "funding": "credit" },
    })
}

fn setup_session(id: &str) -> Value {
    let mut s = stripe::checkout_session(id, "complete", "no_payment_required", 0);
    s["mode"] = json!("setup");
    s["amount_total"] = Value::Null;
    s["payment_intent"] = Value::Null;
    s["setup_intent"] = json!({
        "id": "seti_123", "object": "setup_intent", "created": 1_700_000_000, "livemode": false,
        "payment_method_types": ["card"], "status": "succeeded", "usage": "off_session",
        "payment_method": payment_method(),
    });
    s
}

fn intent(status: &str, next: Value) -> Value {
    json!({
        "id": "pi_saved_1", "object": "payment_intent", "amount": 5393, "amount_capturable": 0,
        "amount_received": if status == "succeeded" { 5393 } else { 0 },
        "capture_method": "automatic", "confirmation_method": "automatic", "created": 1_700_000_000,
        "currency": "gbp", "livemode": false, "metadata": {}, "payment_method_types": ["card"],
        "status": status, "next_action": next,
    })
}

#[tokio::test]
async fn with_stripe_a_card_is_saved_on_its_page_and_one_click_passes_the_bank_check() {
    let stripe_api = MockServer::start().await;
    let app = stripe_app(&stripe_api).await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let ada = &shop.ada.browser;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .and(body_string_contains("email=ada@bistro.test"))
        .and(header(
            "idempotency-key",
            format!("larder-customer-{}", shop.ada.business_id).as_str(),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "cus_123", "object": "customer", "created": 1_700_000_000, "livemode": false,
        })))
        .expect(1)
        .mount(&stripe_api)
        .await;
    let mut open = stripe::checkout_session("cs_setup_1", "open", "no_payment_required", 0);
    open["mode"] = json!("setup");
    open["url"] = json!("https://checkout.stripe.com/c/setup/cs_setup_1");
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(body_string_contains("mode=setup"))
        .and(body_string_contains("customer=cus_123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(open))
        .expect(1)
        .mount(&stripe_api)
        .await;
    let add = ada.post("/buyer/cards", &[]).await;
    assert_eq!(
        add.location.as_deref(),
        Some("https://checkout.stripe.com/c/setup/cs_setup_1")
    );
    let setup: Uuid = larder::db::schema::card_setups::table
        .select(larder::db::schema::card_setups::id)
        .first(&mut app.conn())
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/v1/checkout/sessions/cs_setup_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(setup_session("cs_setup_1")))
        .mount(&stripe_api)
        .await;
    for _ in 0..2 {
        let back = ada.get(&format!("/buyer/cards/added?setup={setup}")).await;
        assert!(back.redirects_to("/buyer/cards"));
    }
    let cards: Vec<String> = saved_cards::table
        .select(saved_cards::payment_method_id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(cards, ["pm_123"], "saved once however often the page loads");
    assert!(
        ada.get("/buyer/cards")
            .await
            .body
            .contains("Mastercard •••• 4444")
    );

    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(body_string_contains("amount=5393"))
        .and(body_string_contains("currency=gbp"))
        .and(body_string_contains("customer=cus_123"))
        .and(body_string_contains("payment_method=pm_123"))
        .and(body_string_contains("confirm=true"))
        .and(body_string_contains(format!(
            "transfer_data[destination]={}",
            stripe::connected_account(shop.sam.provider_id)
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent(
            "requires_action",
            json!({ "type": "redirect_to_url", "redirect_to_url": { "return_url": null, "url": "https://hooks.stripe.com/3ds/pi_saved_1" } }),
        )))
        .expect(1)
        .mount(&stripe_api)
        .await;
    let asked = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert_eq!(
        asked.location.as_deref(),
        Some("https://hooks.stripe.com/3ds/pi_saved_1")
    );
    let payment: Uuid = payments::table
        .select(payments::id)
        .first(&mut app.conn())
        .unwrap();
    let keys: Vec<String> = stripe_api
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v1/payment_intents")
        .filter_map(|r| r.headers.get("idempotency-key"))
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(keys, [format!("larder-payment-{payment}")]);
    assert_eq!(invoice_status(&app, invoice), "issued");

    Mock::given(method("GET"))
        .and(path("/v1/payment_intents/pi_saved_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("succeeded", Value::Null)))
        .mount(&stripe_api)
        .await;
    let back = ada
        .get(&format!(
            "/invoices/{invoice}/pay-saved/return?payment={payment}"
        ))
        .await;
    assert!(back.redirects_to(&format!("/invoices/{invoice}")));
    assert_eq!(invoice_status(&app, invoice), "paid");
    crate::ledger::assert_journal_balanced(&app);
}

#[tokio::test]
async fn with_stripe_a_declined_card_says_why_and_charges_nothing() {
    let stripe_api = MockServer::start().await;
    let app = stripe_app(&stripe_api).await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    diesel::update(larder::db::schema::businesses::table.find(shop.ada.business_id))
        .set(larder::db::schema::businesses::stripe_customer_id.eq(Some("cus_9")))
        .execute(&mut app.conn())
        .unwrap();
    diesel::insert_into(saved_cards::table)
        .values((
            saved_cards::business_id.eq(shop.ada.business_id),
            saved_cards::payment_method_id.eq("pm_9"),
            saved_cards::brand.eq("visa"),
            saved_cards::last4.eq("0002"),
            saved_cards::exp_month.eq(1),
            saved_cards::exp_year.eq(2040),
            saved_cards::is_default.eq(true),
        ))
        .execute(&mut app.conn())
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({
            "error": {
                "type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.",
            }
        })))
        .mount(&stripe_api)
        .await;
    let declined = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert!(declined.redirects_to(&format!("/invoices/{invoice}")));
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        page.body
            .contains("Your card has insufficient funds. Nothing was charged")
    );
    assert_eq!(invoice_status(&app, invoice), "issued");
    assert_eq!(payment_rows(&app)[0].0, "failed");
}

#[tokio::test]
async fn a_one_click_payment_whose_buyer_never_came_back_is_applied_by_the_job() {
    let stripe_api = MockServer::start().await;
    let app = stripe_app(&stripe_api).await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    diesel::update(larder::db::schema::businesses::table.find(shop.ada.business_id))
        .set(larder::db::schema::businesses::stripe_customer_id.eq(Some("cus_9")))
        .execute(&mut app.conn())
        .unwrap();
    diesel::insert_into(saved_cards::table)
        .values((
            saved_cards::business_id.eq(shop.ada.business_id),
            saved_cards::payment_method_id.eq("pm_9"),
            saved_cards::brand.eq("visa"),
            saved_cards::last4.eq("3155"),
            saved_cards::exp_month.eq(1),
            saved_cards::exp_year.eq(2040),
            saved_cards::is_default.eq(true),
        ))
        .execute(&mut app.conn())
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent(
            "requires_action",
            json!({ "type": "redirect_to_url", "redirect_to_url": { "return_url": null, "url": "https://hooks.stripe.com/3ds/pi_saved_1" } }),
        )))
        .mount(&stripe_api)
        .await;
    let asked = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert_eq!(asked.status, 303);
    // They passed the bank's check and closed the tab.
    Mock::given(method("GET"))
        .and(path("/v1/payment_intents/pi_saved_1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("succeeded", Value::Null)))
        .mount(&stripe_api)
        .await;
    let later = time::OffsetDateTime::now_utc() + time::Duration::minutes(11);
    app.clock.set(later);
    larder::jobs::schedule::enqueue_due(&mut app.conn(), later, later).unwrap();
    app.run_jobs();
    assert_eq!(invoice_status(&app, invoice), "paid");
    crate::ledger::assert_journal_balanced(&app);
}

//! Refunds and credit notes: part and full refunds through the test gateway and a mock
//! Stripe, refunds of money paid outside Larder, voids crediting the invoice, bad forms, and
//! other tenants' ids.

use diesel::prelude::*;
use larder::db::schema::{credit_notes, invoices, refunds};
use rust_decimal::Decimal;
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ledger::{assert_journal_balanced, balance};
use crate::ordering::{Shop, shop};
use crate::payments::{
    WEBHOOK_SECRET, deliver, event, invoice_status, issued, start_stripe_payment, stripe_app,
};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A 10 % platform fee, then an invoice issued (£53.93: fee £5.39 + £1.08 VAT) and paid
/// through the local test gateway.
pub async fn paid_by_card(app: &TestApp, shop: &Shop) -> Uuid {
    let rule = larder::ledger::rules::FeeRule {
        percent: d("10"),
        ..Default::default()
    };
    larder::ledger::queries::save_rule(&mut app.conn(), None, &rule, None).unwrap();
    let invoice = issued(app, shop).await;
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    let checkout = pay.location.unwrap();
    let done = shop.ada.browser.post(&format!("{checkout}/pay"), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(invoice_status(app, invoice), "paid");
    invoice
}

fn notes(app: &TestApp, invoice: Uuid) -> Vec<(Uuid, String, Decimal, String)> {
    credit_notes::table
        .filter(credit_notes::invoice_id.eq(invoice))
        .order(credit_notes::sequence_number)
        .select((
            credit_notes::id,
            credit_notes::number,
            credit_notes::total,
            credit_notes::reason,
        ))
        .load(&mut app.conn())
        .unwrap()
}

fn refunded(app: &TestApp, invoice: Uuid) -> Decimal {
    invoices::table
        .find(invoice)
        .select(invoices::amount_refunded)
        .first(&mut app.conn())
        .unwrap()
}

fn refund_rows(app: &TestApp) -> Vec<(String, Decimal, Decimal, Decimal, Option<String>)> {
    refunds::table
        .order(refunds::created_at)
        .select((
            refunds::status,
            refunds::amount,
            refunds::fee_refunded,
            refunds::fee_vat_refunded,
            refunds::gateway_refund_id,
        ))
        .load(&mut app.conn())
        .unwrap()
}

pub async fn refund(
    shop: &Shop,
    invoice: Uuid,
    amount: &str,
    reason: &str,
) -> crate::helpers::browser::Page {
    shop.sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/refund"),
            &[
                ("refund_amount", amount),
                ("refund_reason", reason),
                ("key", &Uuid::now_v7().to_string()),
            ],
        )
        .await
}

#[tokio::test]
async fn a_part_refund_then_the_rest_issue_credit_notes_and_give_the_fee_back_in_proportion() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = paid_by_card(&app, &shop).await;

    let page = refund(&shop, invoice, "20.00", "Two crates arrived damaged").await;
    assert!(page.redirects_to(&format!("/provider/invoices/{invoice}")));
    assert_eq!(invoice_status(&app, invoice), "partially_refunded");
    assert_eq!(refunded(&app, invoice), d("20.00"));
    // £6.47 of fee × 20.00 / 53.93 = £2.40 back, of which £0.40 is VAT.
    let rows = refund_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0.as_str(), rows[0].2, rows[0].3),
        ("succeeded", d("2.00"), d("0.40"))
    );
    assert!(rows[0].4.as_deref().unwrap().starts_with("re_local_"));
    let first = notes(&app, invoice);
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].1.as_str(), first[0].2), ("CN-000001", d("20.00")));
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");
    // 53.93 − 6.47 fee, less the 20.00 refund with 2.40 of fee given back.
    assert_eq!(balance(&app, "provider_payable"), "-29.86");
    assert_eq!(balance(&app, "provider_stripe_balance"), "29.86");
    assert_eq!(balance(&app, "stripe_clearing"), "4.07");
    assert_eq!(balance(&app, "platform_fee_revenue"), "-3.39");

    // Both sides see the credit note; the buyer's people are emailed it.
    let sam_page = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert!(sam_page.body.contains("Part refunded"));
    assert!(
        sam_page
            .body
            .contains(&format!("/provider/credit-notes/{}", first[0].0))
    );
    assert!(
        sam_page.body.contains("value=\"33.93\""),
        "the rest is offered"
    );
    let ada_page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        ada_page
            .body
            .contains(&format!("/credit-notes/{}", first[0].0))
    );
    assert!(
        !ada_page.body.contains("refund_amount"),
        "buyers get no refund form"
    );
    let note = shop
        .ada
        .browser
        .get(&format!("/credit-notes/{}", first[0].0))
        .await;
    assert_eq!(note.status, 200);
    assert!(note.body.contains("Credit note CN-000001"));
    assert!(note.body.contains("Two crates arrived damaged"));
    assert!(note.body.contains("£20.00"));
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("ada@bistro.test")
                && m.contains("Credit note CN-000001")
                && m.contains(&format!("/credit-notes/{}", first[0].0)))
    );

    let rest = refund(&shop, invoice, "33.93", "Order cancelled").await;
    assert_eq!(rest.status, 303);
    assert_eq!(invoice_status(&app, invoice), "refunded");
    let all = notes(&app, invoice);
    assert_eq!(all[1].1, "CN-000002");
    assert_eq!(all.iter().map(|n| n.2).sum::<Decimal>(), d("53.93"));
    // The credit notes together cancel the invoice's net and VAT exactly.
    let (net, vat): (Decimal, Decimal) = credit_notes::table
        .filter(credit_notes::invoice_id.eq(invoice))
        .select((
            diesel::dsl::sum(credit_notes::subtotal).assume_not_null(),
            diesel::dsl::sum(credit_notes::vat_total).assume_not_null(),
        ))
        .first(&mut app.conn())
        .unwrap();
    let (subtotal, vat_total): (Decimal, Decimal) = invoices::table
        .find(invoice)
        .select((invoices::subtotal, invoices::vat_total))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((net, vat), (subtotal, vat_total));
    assert_journal_balanced(&app);
    for account in [
        "buyer_receivable",
        "provider_payable",
        "stripe_clearing",
        "platform_fee_revenue",
        "vat_on_fees",
        "provider_stripe_balance",
    ] {
        assert_eq!(balance(&app, account), "0.00", "{account}");
    }
    let again = refund(&shop, invoice, "1.00", "Again").await;
    assert_eq!(again.status, 409);
    assert_eq!(refund_rows(&app).len(), 2);
}

#[tokio::test]
async fn a_refund_the_form_cannot_take_comes_back_with_the_values_and_writes_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let unpaid = issued(&app, &shop).await;
    let early = refund(&shop, unpaid, "5", "Too early").await;
    assert_eq!(early.status, 409);
    let invoice = paid_by_card(&app, &shop).await;
    for (amount, reason, says) in [
        ("60.00", "Too much", "At most £53.93 can be refunded"),
        ("-5", "Negative", "can&#39;t be negative"),
        ("12.345", "Fractions", "at most 2 decimal places"),
        ("lots", "Words", "Enter an amount in pounds"),
        ("0", "Nothing", "Enter more than £0.00"),
        ("5.00", "   ", "Say why"),
    ] {
        let page = refund(&shop, invoice, amount, reason).await;
        assert_eq!(page.status, 422, "{amount}");
        assert!(page.body.contains(says), "{amount}: {says}");
        assert!(
            page.body.contains(&format!("value=\"{amount}\"")),
            "{amount} kept"
        );
        assert!(page.body.contains("Nothing was refunded"));
    }
    let huge = "9".repeat(40);
    assert_eq!(refund(&shop, invoice, &huge, "Huge").await.status, 422);
    let long = "x".repeat(501);
    assert_eq!(refund(&shop, invoice, "1", &long).await.status, 422);
    assert!(refund_rows(&app).is_empty());
    assert!(notes(&app, invoice).is_empty());
    assert_eq!(invoice_status(&app, invoice), "paid");

    // Markup in a reason is printed as text on the credit note.
    let page = refund(&shop, invoice, "1.00", "<script>alert(1)</script>").await;
    assert_eq!(page.status, 303);
    let id = notes(&app, invoice)[0].0;
    let note = shop
        .sam
        .browser
        .get(&format!("/provider/credit-notes/{id}"))
        .await;
    assert!(
        note.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
    assert!(!note.body.contains("<script>alert(1)"));
}

#[tokio::test]
async fn money_paid_outside_larder_is_refunded_outside_it_and_the_journal_says_so() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let today = larder::timefmt::london_today().to_string();
    let paid = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/paid"),
            &[("method", "bank_transfer"), ("paid_on", &today)],
        )
        .await;
    assert_eq!(paid.status, 303);
    assert_eq!(
        refund(&shop, invoice, "53.93", "Returned in full")
            .await
            .status,
        303
    );
    assert_eq!(invoice_status(&app, invoice), "refunded");
    let rows = refund_rows(&app);
    assert_eq!(
        (rows[0].0.as_str(), rows[0].4.as_deref()),
        ("succeeded", None)
    );
    let kinds: Vec<String> = larder::db::schema::journal_entries::table
        .order(larder::db::schema::journal_entries::created_at)
        .select(larder::db::schema::journal_entries::kind)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        kinds,
        [
            "invoice_issued",
            "paid_outside",
            "credit_note",
            "refunded_outside"
        ]
    );
    assert_journal_balanced(&app);
    for account in ["buyer_receivable", "provider_payable", "stripe_clearing"] {
        assert_eq!(balance(&app, account), "0.00", "{account}");
    }
}

#[tokio::test]
async fn voiding_an_issued_invoice_credits_all_of_it() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let draft = crate::invoicing::drafted(&app, &shop).await.1;
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{draft}/void"),
            &[("reason", "Not needed")],
        )
        .await;
    assert_eq!(void.status, 303);
    assert!(
        notes(&app, draft).is_empty(),
        "a draft was never a tax record"
    );

    let invoice = issued(&app, &shop).await;
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/void"),
            &[("reason", "Wrong prices")],
        )
        .await;
    assert_eq!(void.status, 303);
    let all = notes(&app, invoice);
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].1.as_str(), all[0].2, all[0].3.as_str()),
        ("CN-000001", d("53.93"), "Wrong prices")
    );
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(page.body.contains("Credit note CN-000001"));
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");
}

#[tokio::test]
async fn other_providers_and_buyers_cannot_refund_or_read_credit_notes() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = paid_by_card(&app, &shop).await;
    assert_eq!(refund(&shop, invoice, "5.00", "Short").await.status, 303);
    let note = notes(&app, invoice)[0].0;
    let tom = fixtures::seller(&app, "tom@fish.test", "Fish Co").await;
    let bea = fixtures::buyer(&app, "bea@cafe.test").await;
    let foreign = tom
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/refund"),
            &[("refund_amount", "5.00"), ("refund_reason", "Mine now")],
        )
        .await;
    assert_eq!(foreign.status, 404);
    let retry = tom
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/refund"),
            &[("retry", "1")],
        )
        .await;
    assert_eq!(retry.status, 404);
    assert_eq!(refund_rows(&app).len(), 1);
    assert_eq!(refunded(&app, invoice), d("5.00"));
    for (browser, path) in [
        (&tom.browser, format!("/provider/credit-notes/{note}")),
        (&bea.browser, format!("/credit-notes/{note}")),
        (&shop.ada.browser, format!("/provider/credit-notes/{note}")),
        (&shop.sam.browser, format!("/credit-notes/{note}")),
        (
            &shop.ada.browser,
            format!("/credit-notes/{}", Uuid::now_v7()),
        ),
    ] {
        assert_eq!(browser.get(&path).await.status, 404, "{path}");
    }
}

pub fn refund_object(
    id: &str,
    amount: i64,
    status: &str,
    failure: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "currency": "gbp",
        "charge": "ch_123",
        "payment_intent": "pi_123",
        "metadata": {},
        "status": status,
        "failure_reason": failure,
    })
}

#[tokio::test]
async fn a_stripe_refund_reverses_the_transfer_under_our_key_and_survives_no_answer() {
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
    assert_eq!(invoice_status(&app, invoice), "paid");

    // Stripe fails once: nothing is recorded as refunded, and the row waits to be sent again.
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .respond_with(ResponseTemplate::new(500).set_body_json(serde_json::json!({
            "error": { "type": "api_error", "message": "Something went wrong" }
        })))
        .up_to_n_times(1)
        .mount(&stripe_api)
        .await;
    let page = refund(&shop, invoice, "10.00", "Short delivery").await;
    assert_eq!(page.status, 503);
    assert!(page.body.contains("send it again"));
    assert_eq!(refund_rows(&app)[0].0, "requested");
    assert!(notes(&app, invoice).is_empty());
    assert_eq!(invoice_status(&app, invoice), "paid");
    let waiting = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert!(waiting.body.contains("Send the refund again"));
    assert!(
        !waiting.body.contains("id=\"refund-amount\""),
        "one refund in flight at a time"
    );
    assert_eq!(refund(&shop, invoice, "5.00", "Another").await.status, 409);

    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(header("authorization", "Bearer sk_test_larder"))
        .and(body_string_contains("payment_intent=pi_123"))
        .and(body_string_contains("amount=1000"))
        .and(body_string_contains("reverse_transfer=true"))
        .and(body_string_contains("refund_application_fee=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(refund_object(
            "re_123",
            1000,
            "succeeded",
            None,
        )))
        .up_to_n_times(1)
        .mount(&stripe_api)
        .await;
    let again = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/refund"),
            &[("retry", "1")],
        )
        .await;
    assert_eq!(again.status, 303);
    let rows = refund_rows(&app);
    assert_eq!(
        (rows[0].0.as_str(), rows[0].4.as_deref()),
        ("succeeded", Some("re_123"))
    );
    assert_eq!(invoice_status(&app, invoice), "partially_refunded");
    assert_eq!(notes(&app, invoice).len(), 1);
    let refund_id: Uuid = refunds::table
        .select(refunds::id)
        .first(&mut app.conn())
        .unwrap();
    let keys: Vec<String> = stripe_api
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v1/refunds")
        .filter_map(|r| r.headers.get("idempotency-key"))
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect();
    let key = format!("larder-refund-{refund_id}");
    assert_eq!(
        keys,
        [key.clone(), key],
        "the retry reuses the first attempt's key"
    );

    // A refund Stripe refuses says why and changes nothing.
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(body_string_contains("amount=500"))
        .respond_with(ResponseTemplate::new(200).set_body_json(refund_object(
            "re_456",
            500,
            "failed",
            Some("expired_or_canceled_card"),
        )))
        .mount(&stripe_api)
        .await;
    let refused = refund(&shop, invoice, "5.00", "Goodwill").await;
    assert_eq!(refused.status, 303);
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert!(page.body.contains("expired_or_canceled_card"));
    assert_eq!(refund_rows(&app)[1].0, "failed");
    assert_eq!(refunded(&app, invoice), d("10.00"));
    assert_eq!(notes(&app, invoice).len(), 1);
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");
    assert_eq!(balance(&app, "provider_payable"), "-43.93");
    assert_eq!(balance(&app, "provider_stripe_balance"), "43.93");
    assert_eq!(balance(&app, "stripe_clearing"), "0.00");
}

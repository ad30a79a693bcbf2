//! Providers paid through Stripe Connect: onboarding against a mock Stripe, account.updated
//! webhooks, destination charges with the platform fee.

use diesel::prelude::*;
use larder::db::schema::{invoices, payments, payout_accounts};
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, stripe};
use crate::ledger::{assert_journal_balanced, balance};
use crate::ordering::shop;
use crate::payments::{WEBHOOK_SECRET, deliver, invoice_status, issued, stripe_app};

fn keys_sent(requests: &[wiremock::Request], to: &str) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.url.path() == to)
        .filter_map(|r| r.headers.get("idempotency-key"))
        .map(|v| v.to_str().unwrap_or_default().to_owned())
        .collect()
}

fn forget_payout_account(app: &TestApp, provider: Uuid) {
    diesel::delete(payout_accounts::table.find(provider))
        .execute(&mut app.conn())
        .unwrap();
}

#[tokio::test]
async fn a_provider_onboards_and_card_payments_open_only_once_stripe_enables_charges() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let provider = shop.sam.provider_id;
    forget_payout_account(&app, provider);
    let invoice = issued(&app, &shop).await;

    // Before onboarding, buyers are told card payment isn't available yet; nothing starts.
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(page.body.contains(r#"id="card-not-ready""#));
    assert!(!page.body.contains("by card</button>"));
    let refused = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("can&#39;t take card payments yet"));
    let attempts: i64 = payments::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(attempts, 0);

    let settings = shop.sam.browser.get("/provider/payouts/settings").await;
    assert!(
        settings
            .body
            .contains(r#"id="payout-status" class="badge">Not set up"#)
    );

    Mock::given(method("POST"))
        .and(path("/v1/accounts"))
        .and(header(
            "idempotency-key",
            format!("larder-account-{provider}").as_str(),
        ))
        .and(body_string_contains("type=express"))
        .and(body_string_contains("country=GB"))
        .and(body_string_contains(
            "capabilities[card_payments][requested]=true",
        ))
        .and(body_string_contains(
            "capabilities[transfers][requested]=true",
        ))
        .and(body_string_contains(format!(
            "metadata[provider_id]={provider}"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(stripe::account(
            "acct_new1",
            false,
            false,
            &["external_account", "tos_acceptance.date"],
        )))
        .expect(1)
        .mount(&stripe)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/account_links"))
        .and(body_string_contains("account=acct_new1"))
        .and(body_string_contains("type=account_onboarding"))
        .and(body_string_contains("/provider/payouts/settings/return"))
        .and(body_string_contains("/provider/payouts/settings/refresh"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(stripe::account_link(
                "https://connect.stripe.com/setup/e/acct_new1",
            )),
        )
        .expect(2)
        .mount(&stripe)
        .await;
    let go = shop
        .sam
        .browser
        .post("/provider/payouts/settings/onboard", &[])
        .await;
    assert_eq!(
        go.location.as_deref(),
        Some("https://connect.stripe.com/setup/e/acct_new1")
    );
    // Stripe's link ran out: a fresh one, under a new key of ours.
    let again = shop
        .sam
        .browser
        .get("/provider/payouts/settings/refresh")
        .await;
    assert_eq!(
        again.location.as_deref(),
        Some("https://connect.stripe.com/setup/e/acct_new1")
    );
    let sent = stripe.received_requests().await.unwrap_or_default();
    assert_eq!(
        keys_sent(&sent, "/v1/account_links"),
        [
            "larder-account-link-acct_new1-1",
            "larder-account-link-acct_new1-2"
        ]
    );

    // Back from Stripe: the page asks Stripe and says what is still needed.
    Mock::given(method("GET"))
        .and(path("/v1/accounts/acct_new1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(stripe::account(
            "acct_new1",
            false,
            false,
            &["external_account"],
        )))
        .expect(1)
        .mount(&stripe)
        .await;
    let back = shop
        .sam
        .browser
        .get("/provider/payouts/settings/return")
        .await;
    assert!(back.redirects_to("/provider/payouts/settings"));
    let settings = shop.sam.browser.get("/provider/payouts/settings").await;
    assert!(settings.body.contains("In progress"));
    assert!(
        settings
            .body
            .contains("<li>A bank account for payouts</li>")
    );
    let still = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(still.status, 409, "charges are not enabled yet");

    // Stripe's account.updated enables charges and payouts; a replay changes nothing.
    let body = stripe::event(
        "evt_acct_1",
        "account.updated",
        stripe::account("acct_new1", true, true, &[]),
    );
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    let settings = shop.sam.browser.get("/provider/payouts/settings").await;
    assert!(settings.body.contains(r#"class="badge good">Ready"#));

    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(body_string_contains(
            "payment_intent_data[transfer_data][destination]=acct_new1",
        ))
        .and(body_string_contains(
            "payment_intent_data[on_behalf_of]=acct_new1",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(stripe::checkout_session(
                "cs_conn_1",
                "open",
                "unpaid",
                5393,
            )),
        )
        .expect(1)
        .mount(&stripe)
        .await;
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(
        pay.location.as_deref(),
        Some("https://checkout.stripe.com/c/pay/cs_conn_1")
    );
}

#[tokio::test]
async fn an_update_for_an_account_that_is_not_ours_changes_nothing() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    // (Which roles may use the payout pages: the route matrix checks every one.)
    // An account.updated for someone else's account is stored and ignored.
    let body = stripe::event(
        "evt_acct_other",
        "account.updated",
        stripe::account("acct_somebody_else", false, false, &[]),
    );
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    let enabled: bool = payout_accounts::table
        .find(shop.sam.provider_id)
        .select(payout_accounts::charges_enabled)
        .first(&mut app.conn())
        .unwrap();
    assert!(enabled);
}

#[tokio::test]
async fn the_fee_is_fixed_at_issue_sent_as_the_application_fee_and_journalled() {
    let stripe = MockServer::start().await;
    let app = stripe_app(&stripe).await;
    let shop = shop(&app).await;
    let rule = |percent: &str, fixed: &str| larder::ledger::rules::FeeRule {
        percent: percent.parse().unwrap(),
        fixed: fixed.parse().unwrap(),
        ..Default::default()
    };
    larder::ledger::queries::save_rule(&mut app.conn(), None, &rule("2.5", "0.20"), None).unwrap();
    let invoice = issued(&app, &shop).await;
    // 2.5 % of £53.93 + £0.20 = £1.55 (half-up), VAT £0.31.
    let (fee, vat): (rust_decimal::Decimal, rust_decimal::Decimal) = invoices::table
        .find(invoice)
        .select((invoices::platform_fee, invoices::platform_fee_vat))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (fee.to_string(), vat.to_string()),
        ("1.55".into(), "0.31".into())
    );
    // A later change to the rule never alters an issued invoice.
    larder::ledger::queries::save_rule(&mut app.conn(), None, &rule("10", "0"), None).unwrap();

    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(body_string_contains(
            "payment_intent_data[application_fee_amount]=186",
        ))
        .and(body_string_contains(format!(
            "payment_intent_data[transfer_data][destination]={}",
            stripe::connected_account(shop.sam.provider_id)
        )))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(stripe::checkout_session("cs_fee_1", "open", "unpaid", 5393)),
        )
        .expect(1)
        .mount(&stripe)
        .await;
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(
        pay.location.as_deref(),
        Some("https://checkout.stripe.com/c/pay/cs_fee_1")
    );
    let body = stripe::event(
        "evt_fee_paid",
        "checkout.session.completed",
        stripe::checkout_session("cs_fee_1", "complete", "paid", 5393),
    );
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    assert_eq!(deliver(&app, &body, WEBHOOK_SECRET).await, 200);
    assert_eq!(invoice_status(&app, invoice), "paid");

    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");
    // The provider is owed the rest, which sits in their Stripe account until a payout.
    assert_eq!(balance(&app, "provider_payable"), "-52.07");
    assert_eq!(balance(&app, "provider_stripe_balance"), "52.07");
    assert_eq!(balance(&app, "platform_fee_revenue"), "-1.55");
    assert_eq!(balance(&app, "vat_on_fees"), "-0.31");
    // What Stripe keeps for the platform is exactly the fee; the rest went to the provider.
    assert_eq!(balance(&app, "stripe_clearing"), "1.86");
    let due =
        larder::ledger::queries::invoice_due(&mut app.conn(), larder::ids::InvoiceId(invoice))
            .unwrap();
    assert!(due.is_zero());
}

#[tokio::test]
async fn admins_set_the_platform_fee_and_provider_overrides_with_clear_errors() {
    let app = crate::helpers::spawn_app().await;
    let shop = shop(&app).await;
    let admin = crate::helpers::fixtures::admin(&app).await;
    let page = admin.browser.get("/admin/fees").await;
    assert!(page.body.contains(r#"id="platform-fee">No fee"#));

    let bad = admin
        .browser
        .post(
            "/admin/fees",
            &[
                ("percent", "75"),
                ("fixed", "0.2x"),
                ("minimum", "1"),
                ("maximum", "0.50"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter a percentage from 0 to 50."));
    assert!(
        bad.body.contains(r#"value="0.2x""#),
        "what was typed is kept"
    );
    assert!(
        bad.body
            .contains("The maximum can&#39;t be below the minimum.")
    );

    let saved = admin
        .browser
        .post(
            "/admin/fees",
            &[
                ("percent", "2.5"),
                ("fixed", "0.20"),
                ("minimum", ""),
                ("maximum", ""),
            ],
        )
        .await;
    assert!(saved.redirects_to("/admin/fees"));
    let page = admin.browser.get("/admin/fees").await;
    assert!(page.body.contains("2.5% + £0.20 per invoice, plus VAT"));

    let provider = shop.sam.provider_id.to_string();
    let nobody = admin
        .browser
        .post(
            "/admin/fees/providers",
            &[
                ("provider_id", &Uuid::now_v7().to_string()),
                ("percent", "1"),
            ],
        )
        .await;
    assert_eq!(nobody.status, 422);
    assert!(nobody.body.contains("Choose a provider."));
    let set = admin
        .browser
        .post(
            "/admin/fees/providers",
            &[
                ("provider_id", &provider),
                ("percent", "0"),
                ("fixed", "1.00"),
            ],
        )
        .await;
    assert!(set.redirects_to("/admin/fees"));
    // The provider's own rule wins: £1.00 + 20 % VAT on its next invoice.
    let invoice = issued(&app, &shop).await;
    let (fee, vat): (rust_decimal::Decimal, rust_decimal::Decimal) = invoices::table
        .find(invoice)
        .select((invoices::platform_fee, invoices::platform_fee_vat))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (fee.to_string(), vat.to_string()),
        ("1.00".into(), "0.20".into())
    );
    let removed = admin
        .browser
        .post(&format!("/admin/fees/providers/{provider}/delete"), &[])
        .await;
    assert!(removed.redirects_to("/admin/fees"));
    let again = admin
        .browser
        .post(&format!("/admin/fees/providers/{provider}/delete"), &[])
        .await;
    assert_eq!(again.status, 404);
    let audited: i64 = larder::db::schema::audit_log::table
        .filter(larder::db::schema::audit_log::action.eq("fees.rule_set"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(audited, 3);
}

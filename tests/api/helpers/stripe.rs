//! Stripe objects and events as Stripe sends them: complete enough for stripe-rust to read,
//! signed with the webhook secret the way Stripe signs them.

use serde_json::{Value, json};
use uuid::Uuid;

/// The connected account a test seller onboarded with.
pub fn connected_account(provider: Uuid) -> String {
    format!("acct_test_{}", &provider.simple().to_string()[..16])
}

/// A Checkout Session object.
pub fn checkout_session(id: &str, status: &str, payment_status: &str, amount: i64) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({
        "id": id,
        "object": "checkout.session",
        "amount_total": amount,
        "amount_subtotal": amount,
        "automatic_tax": { "enabled": false, "liability": null, "status": null },
        "created": now,
        "currency": "gbp",
        "custom_fields": [],
        "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "expires_at": now + 3600,
        "livemode": false,
        "metadata": {},
        "mode": "payment",
        "payment_intent": if payment_status == "unpaid" { Value::Null } else { json!("pi_123") },
        "payment_method_types": ["card"],
        "payment_status": payment_status,
        "shipping_options": [],
        "status": status,
        "url": if status == "open" { json!(format!("https://checkout.stripe.com/c/pay/{id}")) } else { Value::Null },
    })
}

/// A Connect account object.
pub fn account(id: &str, charges: bool, payouts: bool, currently_due: &[&str]) -> Value {
    json!({
        "id": id,
        "object": "account",
        "charges_enabled": charges,
        "payouts_enabled": payouts,
        "details_submitted": charges,
        "type": "express",
        "country": "GB",
        "default_currency": "gbp",
        "requirements": {
            "alternatives": [],
            "current_deadline": null,
            "currently_due": currently_due,
            "disabled_reason": null,
            "errors": [],
            "eventually_due": currently_due,
            "past_due": [],
            "pending_verification": []
        }
    })
}

pub fn account_link(url: &str) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({ "object": "account_link", "created": now, "expires_at": now + 300, "url": url })
}

/// An event wrapping `object`.
pub fn event(id: &str, kind: &str, object: Value) -> String {
    json!({
        "id": id,
        "object": "event",
        "api_version": null,
        "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "data": { "object": object },
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
    })
    .to_string()
}

/// The `Stripe-Signature` header Stripe would send for `body` at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    stripe_webhook::Webhook::generate_test_header(body, secret, Some(timestamp))
}

/// A payout from a connected account to its bank.
pub fn payout(id: &str, amount: i64, status: &str, failure: Option<&str>) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({
        "id": id,
        "object": "payout",
        "amount": amount,
        "arrival_date": now + 86_400,
        "automatic": true,
        "created": now,
        "currency": "gbp",
        "failure_code": failure.map(|_| "account_closed"),
        "failure_message": failure,
        "livemode": false,
        "metadata": {},
        "method": "standard",
        "reconciliation_status": "completed",
        "source_type": "card",
        "status": status,
        "type": "bank_account",
    })
}

/// An event about a connected account (Connect webhooks name the account).
pub fn account_event(id: &str, kind: &str, account: &str, object: Value) -> String {
    let mut event: Value = serde_json::from_str(&event(id, kind, object)).unwrap_or_default();
    event["account"] = json!(account);
    event.to_string()
}

/// A subscription object as Stripe sends it in `customer.subscription.*` events.
pub fn subscription(id: &str, status: &str, ours: &str, cancel_at: Option<i64>) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({
        "id": id,
        "object": "subscription",
        "automatic_tax": { "enabled": false, "liability": null, "disabled_reason": null },
        "billing_cycle_anchor": now,
        "billing_cycle_anchor_config": null,
        "billing_mode": { "type": "classic", "flexible": null, "updated_at": null },
        "billing_schedules": [],
        "cancel_at": cancel_at,
        "cancel_at_period_end": cancel_at.is_some(),
        "canceled_at": null,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": "gbp",
        "customer": "cus_plan1",
        "discounts": [],
        "invoice_settings": { "account_tax_ids": null, "issuer": { "type": "self" } },
        "items": { "object": "list", "data": [], "has_more": false, "url": "/v1/subscription_items" },
        "livemode": false,
        "metadata": { "larder_subscription": ours },
        "pending_invoice_item_interval": null,
        "presentment_details": null,
        "start_date": now,
        "status": status,
    })
}

/// A subscription's invoice as `invoice.*` events carry it.
pub fn subscription_invoice(id: &str, subscription: &str, amount: i64) -> Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({
        "id": id,
        "object": "invoice",
        "amount_due": amount,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": amount,
        "amount_shipping": 0,
        "attempt_count": 1,
        "attempted": true,
        "automatic_tax": { "enabled": false, "disabled_reason": null, "liability": null, "provider": null, "status": null },
        "collection_method": "charge_automatically",
        "created": now,
        "currency": "gbp",
        "default_tax_rates": [],
        "discounts": [],
        "issuer": { "type": "self" },
        "lines": { "object": "list", "data": [], "has_more": false, "url": format!("/v1/invoices/{id}/lines") },
        "livemode": false,
        "parent": {
            "type": "subscription_details",
            "quote_details": null,
            "subscription_details": { "subscription": subscription, "metadata": null, "subscription_proration_date": null }
        },
        "payment_settings": {},
        "period_end": now,
        "period_start": now - 2_592_000,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "starting_balance": 0,
        "status": "open",
        "status_transitions": {},
        "subtotal": amount,
        "total": amount,
    })
}

//! Plan subscriptions at Stripe, through stripe-rust: Checkout in subscription mode to start
//! one, and updates to end it at the period's end, call that off, or end it now. Each POST's
//! idempotency key names our subscription row and the state it was sent from.

use std::collections::HashMap;

use rust_decimal::Decimal;
use stripe::StripeRequest;
use stripe_billing::subscription::{CancelSubscription, UpdateSubscription};
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionLineItemsPriceDataRecurring,
    CreateCheckoutSessionLineItemsPriceDataRecurringInterval,
    CreateCheckoutSessionSubscriptionData, ProductData,
};
use uuid::Uuid;

use crate::payments::gateway::{Gateway, GatewayError, once, pennies};

/// Metadata key carrying our subscription row's id on Stripe's objects.
pub const OURS: &str = "larder_subscription";

pub struct SubscribeRequest {
    pub subscription: Uuid,
    pub provider: Uuid,
    pub plan_name: String,
    pub monthly_price: Decimal,
    pub email: String,
    pub success_url: String,
    pub cancel_url: String,
}

/// Opens a checkout for the plan; returns the session id and where to send the provider.
pub async fn subscribe(
    gateway: &Gateway,
    req: &SubscribeRequest,
) -> Result<(String, String), GatewayError> {
    let client = match gateway {
        Gateway::Test => {
            let id = format!("cs_test_plan_{}", req.subscription.simple());
            return Ok((id.clone(), format!("/provider/plan/test/{id}")));
        }
        Gateway::Stripe(client) => client,
    };
    let amount = pennies(req.monthly_price)
        .ok_or_else(|| GatewayError::Refused("price out of range".into()))?;
    let metadata = HashMap::from([(OURS.to_owned(), req.subscription.to_string())]);
    let mut price = CreateCheckoutSessionLineItemsPriceData::new(stripe_types::Currency::GBP);
    price.unit_amount = Some(amount);
    price.recurring = Some(CreateCheckoutSessionLineItemsPriceDataRecurring::new(
        CreateCheckoutSessionLineItemsPriceDataRecurringInterval::Month,
    ));
    price.product_data = Some(ProductData::new(format!("Larder {} plan", req.plan_name)));
    let mut item = CreateCheckoutSessionLineItems::new();
    item.quantity = Some(1);
    item.price_data = Some(price);
    let mut data = CreateCheckoutSessionSubscriptionData::new();
    data.metadata = Some(metadata.clone());
    let session = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Subscription)
        .client_reference_id(req.provider.to_string())
        .metadata(metadata)
        .subscription_data(data)
        .line_items(vec![item])
        .customer_email(req.email.clone())
        .success_url(req.success_url.clone())
        .cancel_url(req.cancel_url.clone())
        .customize()
        .request_strategy(once(&format!("larder-plan-{}", req.subscription))?)
        .send(client.as_ref())
        .await?;
    let url = session
        .url
        .ok_or_else(|| GatewayError::Refused("no checkout URL".into()))?;
    Ok((session.id.to_string(), url))
}

/// Sets whether the subscription ends at its period's end. `version` is our row's state
/// (its last change), so a retry reuses the key and a later change gets a new one.
pub async fn end_at_period_end(
    gateway: &Gateway,
    stripe_id: &str,
    ours: Uuid,
    end: bool,
    version: i64,
) -> Result<(), GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Ok(());
    };
    let action = if end { "end" } else { "keep" };
    UpdateSubscription::new(stripe_id)
        .cancel_at_period_end(end)
        .customize()
        .request_strategy(once(&format!("larder-plan-{ours}-{action}-{version}"))?)
        .send(client.as_ref())
        .await?;
    Ok(())
}

/// Ends the subscription now: its grace ran out, so the provider isn't charged for a plan they
/// no longer have.
pub async fn cancel_now(
    gateway: &Gateway,
    stripe_id: &str,
    ours: Uuid,
) -> Result<(), GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Ok(());
    };
    CancelSubscription::new(stripe_id)
        .customize()
        .request_strategy(once(&format!("larder-plan-{ours}-cancel"))?)
        .send(client.as_ref())
        .await?;
    Ok(())
}

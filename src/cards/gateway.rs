//! Saved cards and one-click payments through stripe-rust: a Customer per business, cards
//! saved on Stripe's hosted page (Checkout in setup mode), and PaymentIntents confirmed with a
//! saved card. Under the test gateway the same steps run against local stand-ins, with test
//! cards that succeed, ask for authentication or decline. Every POST carries a key naming our
//! own row.

use std::collections::HashMap;

use rust_decimal::Decimal;
use stripe::{StripeError, StripeRequest};
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{CreateCheckoutSession, RetrieveCheckoutSession};
use stripe_core::PaymentIntentStatus;
use stripe_core::customer::CreateCustomer;
use stripe_core::payment_intent::{
    CreatePaymentIntent, CreatePaymentIntentOffSession, CreatePaymentIntentTransferData,
    RetrievePaymentIntent,
};
use stripe_payment::payment_method::DetachPaymentMethod;
use stripe_types::Expandable;
use uuid::Uuid;

use super::rules;
use crate::ids::{BusinessId, InvoiceId, PaymentId};
use crate::payments::gateway::{Destination, Gateway, GatewayError, once, pennies};

/// A card as Stripe describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    pub payment_method: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
}

/// The local test cards: (last four, what happens, label).
pub const TEST_CARDS: [(&str, &str); 4] = [
    ("4242", "pays"),
    ("3155", "asks the bank to check it's you"),
    ("9995", "is declined: insufficient funds"),
    ("0002", "is declined"),
];

fn test_card(payment_method: &str) -> Option<&'static str> {
    TEST_CARDS
        .iter()
        .map(|(last4, _)| *last4)
        .find(|last4| payment_method.starts_with(&format!("pm_local_{last4}_")))
}

/// The stand-in's card for one of `TEST_CARDS`.
pub fn test_details(last4: &str) -> Option<CardDetails> {
    let known = TEST_CARDS.iter().find(|(l, _)| *l == last4)?;
    Some(CardDetails {
        payment_method: format!("pm_local_{}_{}", known.0, Uuid::now_v7().simple()),
        brand: "visa".into(),
        last4: known.0.into(),
        exp_month: 12,
        exp_year: 2034,
    })
}

/// The business's Stripe Customer, made once (the key names the business).
pub async fn create_customer(
    gateway: &Gateway,
    business: BusinessId,
    (name, email): (&str, &str),
) -> Result<String, GatewayError> {
    let client = match gateway {
        Gateway::Test => return Ok(format!("cus_local_{}", business.0.simple())),
        Gateway::Stripe(client) => client,
    };
    let customer = CreateCustomer::new()
        .name(name)
        .email(email)
        .metadata(HashMap::from([(
            "business_id".to_owned(),
            business.to_string(),
        )]))
        .customize()
        .request_strategy(once(&format!("larder-customer-{business}"))?)
        .send(client.as_ref())
        .await?;
    Ok(customer.id.to_string())
}

/// Opens Stripe's page for saving a card; returns (session id, where to send the buyer).
pub async fn start_setup(
    gateway: &Gateway,
    setup: Uuid,
    customer: &str,
    base_url: &str,
) -> Result<(String, String), GatewayError> {
    let client = match gateway {
        Gateway::Test => {
            return Ok((
                format!("cs_setup_local_{}", setup.simple()),
                format!("/buyer/cards/test-setup?setup={setup}"),
            ));
        }
        Gateway::Stripe(client) => client,
    };
    let session = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Setup)
        .customer(customer)
        .currency(stripe_types::Currency::GBP)
        .success_url(format!("{base_url}/buyer/cards/added?setup={setup}"))
        .cancel_url(format!("{base_url}/buyer/cards"))
        .metadata(HashMap::from([(
            "card_setup".to_owned(),
            setup.to_string(),
        )]))
        .customize()
        .request_strategy(once(&format!("larder-card-setup-{setup}"))?)
        .send(client.as_ref())
        .await?;
    let url = session
        .url
        .ok_or_else(|| GatewayError::Refused("Stripe gave no page to save the card on".into()))?;
    Ok((session.id.to_string(), url))
}

/// The card saved on a finished setup page, if the buyer finished it.
pub async fn finish_setup(
    gateway: &Gateway,
    session: &str,
) -> Result<Option<CardDetails>, GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Ok(None);
    };
    let session = RetrieveCheckoutSession::new(session)
        .expand(vec!["setup_intent.payment_method".to_owned()])
        .send(client.as_ref())
        .await?;
    let Some(Expandable::Object(intent)) = session.setup_intent else {
        return Ok(None);
    };
    let Some(Expandable::Object(method)) = intent.payment_method else {
        return Ok(None);
    };
    Ok(method.card.map(|card| CardDetails {
        payment_method: method.id.to_string(),
        brand: card.brand,
        last4: card.last4,
        exp_month: i32::try_from(card.exp_month).unwrap_or(1),
        exp_year: i32::try_from(card.exp_year).unwrap_or(2000),
    }))
}

/// Removes the card from the Customer at Stripe.
pub async fn detach(
    gateway: &Gateway,
    payment_method: &str,
    card: Uuid,
) -> Result<(), GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Ok(());
    };
    DetachPaymentMethod::new(payment_method)
        .customize()
        .request_strategy(once(&format!("larder-card-remove-{card}"))?)
        .send(client.as_ref())
        .await?;
    Ok(())
}

/// A one-click payment of an invoice with a saved card.
#[derive(Debug, Clone)]
pub struct PayOrder {
    pub payment: PaymentId,
    pub invoice: InvoiceId,
    pub amount: Decimal,
    pub description: String,
    pub customer: String,
    pub payment_method: String,
    pub destination: Destination,
    pub return_url: String,
    /// Charged by auto-pay with nobody there: a bank that wants a check is a decline.
    pub off_session: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayOutcome {
    Succeeded {
        intent: String,
        amount_minor: i64,
    },
    /// The bank wants the buyer to confirm it's them: send them to `url`.
    NeedsAction {
        intent: String,
        url: String,
    },
    /// Accepted, and still being processed.
    Processing {
        intent: String,
    },
    Declined {
        intent: Option<String>,
        reason: String,
    },
}

fn outcome(intent: stripe_core::PaymentIntent) -> PayOutcome {
    let id = intent.id.to_string();
    match intent.status {
        PaymentIntentStatus::Succeeded => PayOutcome::Succeeded {
            intent: id,
            amount_minor: intent.amount_received,
        },
        PaymentIntentStatus::RequiresAction => {
            match intent
                .next_action
                .and_then(|a| a.redirect_to_url)
                .and_then(|r| r.url)
            {
                Some(url) => PayOutcome::NeedsAction { intent: id, url },
                None => PayOutcome::Declined {
                    intent: Some(id),
                    reason: rules::decline_message(Some("authentication_required"), None),
                },
            }
        }
        PaymentIntentStatus::Processing => PayOutcome::Processing { intent: id },
        _ => {
            let error = intent.last_payment_error;
            PayOutcome::Declined {
                intent: Some(id),
                reason: rules::decline_message(
                    error.as_ref().and_then(|e| e.decline_code.as_deref()),
                    error.as_ref().and_then(|e| e.message.as_deref()),
                ),
            }
        }
    }
}

/// A card error is the issuer's answer, not a failure to reach Stripe.
fn declined(e: StripeError) -> Result<PayOutcome, GatewayError> {
    match e {
        StripeError::Stripe(body, _) if body.type_.as_str() == "card_error" => {
            Ok(PayOutcome::Declined {
                intent: body.payment_intent.as_ref().map(|p| p.id.to_string()),
                reason: rules::decline_message(
                    body.decline_code
                        .as_deref()
                        .or(body.code.as_ref().map(|c| c.as_str())),
                    body.message.as_deref(),
                ),
            })
        }
        other => Err(other.into()),
    }
}

/// Charges the saved card now, while the buyer is here (so a bank check can be completed).
pub async fn pay(gateway: &Gateway, order: &PayOrder) -> Result<PayOutcome, GatewayError> {
    let amount = pennies(order.amount)
        .ok_or_else(|| GatewayError::Refused("the amount can't be sent".into()))?;
    let client = match gateway {
        Gateway::Test => return Ok(test_pay(order, amount)),
        Gateway::Stripe(client) => client,
    };
    let mut request = CreatePaymentIntent::new(amount, stripe_types::Currency::GBP)
        .customer(order.customer.as_str())
        .payment_method(order.payment_method.as_str())
        .confirm(true)
        .description(order.description.as_str())
        .on_behalf_of(order.destination.account.as_str())
        .transfer_data(CreatePaymentIntentTransferData::new(
            order.destination.account.as_str(),
        ))
        .metadata(HashMap::from([
            ("invoice_id".to_owned(), order.invoice.to_string()),
            ("payment_id".to_owned(), order.payment.to_string()),
        ]));
    if let Some(fee) = pennies(order.destination.fee).filter(|f| *f > 0) {
        request = request.application_fee_amount(fee);
    }
    request = if order.off_session {
        request.off_session(CreatePaymentIntentOffSession::Bool(true))
    } else {
        request.return_url(order.return_url.as_str())
    };
    match request
        .customize()
        .request_strategy(once(&format!("larder-payment-{}", order.payment))?)
        .send(client.as_ref())
        .await
    {
        Ok(intent) => Ok(outcome(intent)),
        Err(e) => declined(e),
    }
}

/// Where a payment stands after the buyer came back from their bank's check.
pub async fn intent_outcome(gateway: &Gateway, intent: &str) -> Result<PayOutcome, GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Err(GatewayError::Refused("not a Stripe payment".into()));
    };
    let intent = RetrievePaymentIntent::new(intent)
        .send(client.as_ref())
        .await?;
    Ok(outcome(intent))
}

fn test_pay(order: &PayOrder, amount: i64) -> PayOutcome {
    let intent = format!("pi_local_{}", order.payment.0.simple());
    match test_card(&order.payment_method) {
        Some("4242") => PayOutcome::Succeeded {
            intent,
            amount_minor: amount,
        },
        Some("3155") if order.off_session => PayOutcome::Declined {
            intent: Some(intent),
            reason: rules::decline_message(Some("authentication_required"), None),
        },
        Some("3155") => PayOutcome::NeedsAction {
            url: format!(
                "/invoices/{}/test-authenticate?payment={}",
                order.invoice, order.payment
            ),
            intent,
        },
        Some("9995") => PayOutcome::Declined {
            intent: Some(intent),
            reason: rules::decline_message(Some("insufficient_funds"), None),
        },
        _ => PayOutcome::Declined {
            intent: Some(intent),
            reason: rules::decline_message(None, None),
        },
    }
}

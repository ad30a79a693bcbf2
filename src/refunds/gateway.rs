//! Refunds through stripe-rust, or the test gateway's instant stand-in.

use std::collections::HashMap;

use rust_decimal::Decimal;
use stripe::StripeRequest;
use stripe_core::refund::CreateRefund;

use crate::ids::RefundId;
use crate::payments::gateway::{Gateway, GatewayError, once, pennies};

/// A refund as we ask for it: the row it comes from and the charge it goes back to.
#[derive(Debug, Clone)]
pub struct RefundOrder {
    pub refund: RefundId,
    pub payment_intent: String,
    pub amount: Decimal,
    /// A destination charge: the provider's transfer is reversed and our fee given back, both
    /// in proportion (Stripe works out the amounts).
    pub destination: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// Refunded, or on its way (`pending` card refunds still complete).
    Accepted { id: String },
    /// Stripe refused it outright.
    Declined { reason: String },
}

/// Asks for the refund. The key names our refund row, so asking again (a retry after a
/// timeout) answers with the first refund instead of making a second.
pub async fn refund(gateway: &Gateway, order: &RefundOrder) -> Result<RefundOutcome, GatewayError> {
    let client = match gateway {
        Gateway::Test => {
            return Ok(RefundOutcome::Accepted {
                id: format!("re_local_{}", order.refund.0.simple()),
            });
        }
        Gateway::Stripe(client) => client,
    };
    let amount = pennies(order.amount)
        .ok_or_else(|| GatewayError::Refused("the amount can't be sent".into()))?;
    let mut request = CreateRefund::new()
        .payment_intent(order.payment_intent.as_str())
        .amount(amount)
        .metadata(HashMap::from([(
            "larder_refund".to_owned(),
            order.refund.to_string(),
        )]));
    if order.destination {
        request = request.reverse_transfer(true).refund_application_fee(true);
    }
    let refund = request
        .customize()
        .request_strategy(once(&format!("larder-refund-{}", order.refund))?)
        .send(client.as_ref())
        .await?;
    Ok(match refund.status.as_deref() {
        Some("failed") | Some("canceled") => RefundOutcome::Declined {
            reason: refund
                .failure_reason
                .unwrap_or_else(|| "the card issuer refused it".into()),
        },
        _ => RefundOutcome::Accepted {
            id: refund.id.to_string(),
        },
    })
}

//! Where buyers pay: Stripe Checkout through stripe-rust (when `STRIPE_SECRET_KEY` is set) or
//! the local test gateway, which shows its own clearly labelled page and produces the same
//! internal events. Every POST carries an idempotency key made from our own row's id, so a
//! retried request can never open a second session or charge twice.

use std::collections::HashMap;

use rust_decimal::Decimal;
use stripe::{IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, CreateCheckoutSessionPaymentIntentDataTransferData,
    ExpireCheckoutSession, ProductData, RetrieveCheckoutSession,
};
use stripe_checkout::{CheckoutSessionMode, CheckoutSessionPaymentStatus, CheckoutSessionStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::Config;
use crate::ids::{InvoiceId, PaymentId};

/// A destination charge: the money lands in the provider's connected account, less our fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub account: String,
    /// The platform fee including its VAT: Stripe's `application_fee_amount`.
    pub fee: Decimal,
}

#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    pub description: String,
    pub amount: Decimal,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
    pub destination: Option<Destination>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
    pub expires_at: OffsetDateTime,
}

/// A checkout session as Stripe has it now, for settling attempts whose webhook never came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionState {
    pub id: String,
    pub complete: bool,
    pub paid: bool,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub payment_intent: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
}

impl From<StripeError> for GatewayError {
    fn from(e: StripeError) -> Self {
        match e {
            StripeError::Stripe(body, status) => Self::Refused(
                body.message
                    .clone()
                    .unwrap_or_else(|| format!("HTTP {status}")),
            ),
            StripeError::JSONDeserialize(m) => Self::Refused(format!("unexpected answer: {m}")),
            StripeError::ClientError(m) => Self::Unreachable(m),
            StripeError::ConfigError(m) => Self::Refused(m),
            StripeError::Timeout => Self::Unreachable("timed out".into()),
        }
    }
}

#[derive(Clone)]
pub enum Gateway {
    Stripe(Box<stripe::Client>),
    Test,
}

/// Pounds to pence: Stripe counts in the currency's smallest unit.
pub fn pennies(amount: Decimal) -> Option<i64> {
    let p = (crate::money::round_pennies(amount) * Decimal::ONE_HUNDRED).normalize();
    p.to_string().parse().ok()
}

/// Runs a request once with `key`: the key names our row, so Stripe answers a retry with the
/// first attempt's result instead of acting twice.
pub fn once(key: &str) -> Result<RequestStrategy, GatewayError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| GatewayError::Refused(format!("idempotency key: {e}")))
}

fn timestamp(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Runs gateway calls to completion from synchronous code (jobs): on a thread and runtime of
/// their own, with a client made for that runtime (its connections belong to it). The worker
/// thread has no runtime, and a test calling a job from inside one can't block it.
pub fn blocking<T, F, Fut>(config: &Config, calls: F) -> Result<T, GatewayError>
where
    T: Send,
    F: FnOnce(Gateway) -> Fut + Send,
    Fut: std::future::Future<Output = Result<T, GatewayError>>,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| GatewayError::Unreachable(e.to_string()))?;
            let gateway = Gateway::from_config(config)?;
            runtime.block_on(calls(gateway))
        })
        .join()
        .unwrap_or_else(|_| Err(GatewayError::Unreachable("a gateway call panicked".into())))
    })
}

impl Gateway {
    pub fn from_config(config: &Config) -> Result<Self, GatewayError> {
        // Stripe's HTTPS client asks rustls for the process default; with two backends linked
        // there is none until one is installed. A second call finds it installed: fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        match &config.stripe_secret_key {
            Some(key) => stripe::ClientBuilder::new(key)
                .url(config.stripe_api_base.trim_end_matches('/'))
                .timeout(std::time::Duration::from_secs(20))
                .app_info("larder", Some(env!("CARGO_PKG_VERSION").into()), None)
                .build()
                .map(|c| Self::Stripe(Box::new(c)))
                .map_err(GatewayError::from),
            None => Ok(Self::Test),
        }
    }

    pub fn is_test(&self) -> bool {
        matches!(self, Self::Test)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Stripe(_) => "stripe",
            Self::Test => "test",
        }
    }

    pub async fn create_checkout(
        &self,
        req: &CheckoutRequest,
    ) -> Result<CheckoutSession, GatewayError> {
        let client = match self {
            Self::Test => {
                let id = format!("cs_test_local_{}", req.payment_id.0.simple());
                return Ok(CheckoutSession {
                    url: format!("/pay/test/{id}"),
                    id,
                    expires_at: OffsetDateTime::now_utc() + time::Duration::hours(1),
                });
            }
            Self::Stripe(client) => client,
        };
        let amount = pennies(req.amount)
            .ok_or_else(|| GatewayError::Refused("amount out of range".into()))?;
        let invoice_id = req.invoice_id.to_string();
        let metadata = HashMap::from([
            ("invoice_id".to_owned(), invoice_id.clone()),
            ("payment_id".to_owned(), req.payment_id.to_string()),
        ]);
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(HashMap::from([(
            "invoice_id".to_owned(),
            invoice_id.clone(),
        )]));
        if let Some(dest) = &req.destination {
            let fee = pennies(dest.fee)
                .ok_or_else(|| GatewayError::Refused("fee out of range".into()))?;
            // No fee rule means no application fee at all, rather than a fee of nothing.
            intent.application_fee_amount = (fee > 0).then_some(fee);
            intent.on_behalf_of = Some(dest.account.clone());
            intent.transfer_data = Some(CreateCheckoutSessionPaymentIntentDataTransferData {
                amount: None,
                destination: dest.account.clone(),
            });
        }
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(stripe_types::Currency::GBP);
        price.unit_amount = Some(amount);
        price.product_data = Some(ProductData::new(req.description.clone()));
        let mut item = CreateCheckoutSessionLineItems::new();
        item.quantity = Some(1);
        item.price_data = Some(price);
        let session = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .client_reference_id(invoice_id)
            .metadata(metadata)
            .payment_intent_data(intent)
            .line_items(vec![item])
            .customer_email(req.customer_email.clone())
            .success_url(req.success_url.clone())
            .cancel_url(req.cancel_url.clone())
            .customize()
            .request_strategy(once(&format!("larder-payment-{}", req.payment_id))?)
            .send(client.as_ref())
            .await?;
        Ok(CheckoutSession {
            url: session
                .url
                .ok_or_else(|| GatewayError::Refused("no checkout URL".into()))?,
            id: session.id.to_string(),
            expires_at: timestamp(session.expires_at),
        })
    }

    /// Closes an open Checkout session so it can't be paid (an invoice voided under it).
    /// The test gateway has nothing to close.
    pub async fn expire_session(&self, session: &str, payment: Uuid) -> Result<(), GatewayError> {
        let Self::Stripe(client) = self else {
            return Ok(());
        };
        ExpireCheckoutSession::new(session)
            .customize()
            .request_strategy(once(&format!("larder-expire-{payment}"))?)
            .send(client.as_ref())
            .await?;
        Ok(())
    }

    /// The session as Stripe has it now (`None` for the test gateway, which has no state of
    /// its own).
    pub async fn session_state(&self, session: &str) -> Result<Option<SessionState>, GatewayError> {
        let Self::Stripe(client) = self else {
            return Ok(None);
        };
        let s = RetrieveCheckoutSession::new(session)
            .send(client.as_ref())
            .await?;
        Ok(Some(SessionState {
            id: s.id.to_string(),
            complete: s.status == Some(CheckoutSessionStatus::Complete),
            paid: s.payment_status == CheckoutSessionPaymentStatus::Paid,
            amount_total: s.amount_total,
            currency: s.currency.map(|c| c.to_string().to_ascii_lowercase()),
            payment_intent: s.payment_intent.map(|p| p.id().to_string()),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::pennies;
    use rust_decimal::Decimal;

    #[test]
    fn amounts_become_whole_pennies() {
        assert_eq!(pennies(Decimal::new(6293, 2)), Some(6293));
        assert_eq!(pennies(Decimal::new(5, 0)), Some(500));
        assert_eq!(pennies(Decimal::new(1, 2)), Some(1));
    }
}

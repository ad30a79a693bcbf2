//! Where buyers pay: Stripe Checkout (when `STRIPE_SECRET_KEY` is set) or the local test
//! gateway, which shows its own clearly labelled page and produces the same internal events.

use rust_decimal::Decimal;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::Config;
use crate::ids::{InvoiceId, PaymentId};

#[derive(Debug, Clone)]
pub struct CheckoutRequest {
    pub payment_id: PaymentId,
    pub invoice_id: InvoiceId,
    pub description: String,
    pub amount: Decimal,
    pub customer_email: String,
    pub success_url: String,
    pub cancel_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the payment provider refused the request: {0}")]
    Refused(String),
}

#[derive(Clone)]
pub enum Gateway {
    Stripe {
        client: reqwest::Client,
        api_base: String,
        secret_key: String,
    },
    Test,
}

#[derive(Deserialize)]
struct StripeSession {
    id: String,
    url: Option<String>,
    expires_at: i64,
}

/// A checkout session as Stripe has it now, for settling attempts whose webhook never came.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct SessionState {
    pub id: String,
    /// `open`, `complete` or `expired`.
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    pub payment_status: Option<String>,
    pub amount_total: Option<i64>,
    pub currency: Option<String>,
    pub payment_intent: Option<String>,
}

#[derive(Deserialize)]
struct StripeError {
    error: StripeErrorBody,
}

#[derive(Deserialize)]
struct StripeErrorBody {
    message: Option<String>,
}

/// Pounds to pence: Stripe counts in the currency's smallest unit.
pub fn pennies(amount: Decimal) -> Option<i64> {
    let p = (crate::money::round_pennies(amount) * Decimal::ONE_HUNDRED).normalize();
    p.to_string().parse().ok()
}

impl Gateway {
    pub fn from_config(config: &Config) -> Self {
        match &config.stripe_secret_key {
            Some(key) => Self::Stripe {
                client: reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(20))
                    .build()
                    .unwrap_or_default(),
                api_base: config.stripe_api_base.clone(),
                secret_key: key.clone(),
            },
            None => Self::Test,
        }
    }

    pub fn is_test(&self) -> bool {
        matches!(self, Self::Test)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Stripe { .. } => "stripe",
            Self::Test => "test",
        }
    }

    pub async fn create_checkout(
        &self,
        req: &CheckoutRequest,
    ) -> Result<CheckoutSession, GatewayError> {
        match self {
            Self::Test => {
                let id = format!("cs_test_local_{}", req.payment_id.0.simple());
                Ok(CheckoutSession {
                    url: format!("/pay/test/{id}"),
                    id,
                    expires_at: OffsetDateTime::now_utc() + time::Duration::hours(1),
                })
            }
            Self::Stripe {
                client,
                api_base,
                secret_key,
            } => {
                let amount = pennies(req.amount)
                    .ok_or_else(|| GatewayError::Refused("amount out of range".into()))?;
                let invoice_id = req.invoice_id.to_string();
                let form = [
                    ("mode", "payment".to_owned()),
                    ("client_reference_id", invoice_id.clone()),
                    ("metadata[invoice_id]", invoice_id.clone()),
                    ("metadata[payment_id]", req.payment_id.to_string()),
                    ("payment_intent_data[metadata][invoice_id]", invoice_id),
                    ("line_items[0][quantity]", "1".to_owned()),
                    ("line_items[0][price_data][currency]", "gbp".to_owned()),
                    ("line_items[0][price_data][unit_amount]", amount.to_string()),
                    (
                        "line_items[0][price_data][product_data][name]",
                        req.description.clone(),
                    ),
                    ("customer_email", req.customer_email.clone()),
                    ("success_url", req.success_url.clone()),
                    ("cancel_url", req.cancel_url.clone()),
                ];
                let res = client
                    .post(format!("{api_base}/v1/checkout/sessions"))
                    .bearer_auth(secret_key)
                    // A retried request can never open a second session for one payment.
                    .header(
                        "Idempotency-Key",
                        format!("larder-payment-{}", req.payment_id),
                    )
                    .form(&form)
                    .send()
                    .await
                    .map_err(|e| GatewayError::Unreachable(e.to_string()))?;
                let session: StripeSession = read_answer(res).await?;
                Ok(CheckoutSession {
                    url: session
                        .url
                        .ok_or_else(|| GatewayError::Refused("no checkout URL".into()))?,
                    id: session.id,
                    expires_at: OffsetDateTime::from_unix_timestamp(session.expires_at)
                        .unwrap_or_else(|_| OffsetDateTime::now_utc()),
                })
            }
        }
    }
}

impl Gateway {
    /// Closes an open Checkout session so it can't be paid (an invoice voided under it).
    /// The test gateway has nothing to close.
    pub async fn expire_session(&self, session: &str, payment: Uuid) -> Result<(), GatewayError> {
        let Self::Stripe {
            client,
            api_base,
            secret_key,
        } = self
        else {
            return Ok(());
        };
        let res = client
            .post(format!("{api_base}/v1/checkout/sessions/{session}/expire"))
            .bearer_auth(secret_key)
            .header("Idempotency-Key", format!("larder-expire-{payment}"))
            .send()
            .await
            .map_err(|e| GatewayError::Unreachable(e.to_string()))?;
        read_answer::<serde_json::Value>(res).await.map(|_| ())
    }

    /// The session as Stripe has it now (`None` for the test gateway, which has no state of
    /// its own).
    pub async fn session_state(&self, session: &str) -> Result<Option<SessionState>, GatewayError> {
        let Self::Stripe {
            client,
            api_base,
            secret_key,
        } = self
        else {
            return Ok(None);
        };
        let res = client
            .get(format!("{api_base}/v1/checkout/sessions/{session}"))
            .bearer_auth(secret_key)
            .send()
            .await
            .map_err(|e| GatewayError::Unreachable(e.to_string()))?;
        read_answer(res).await.map(Some)
    }
}

async fn read_answer<T: serde::de::DeserializeOwned>(
    res: reqwest::Response,
) -> Result<T, GatewayError> {
    let status = res.status();
    let body = res
        .text()
        .await
        .map_err(|e| GatewayError::Unreachable(e.to_string()))?;
    if !status.is_success() {
        let message = serde_json::from_str::<StripeError>(&body)
            .ok()
            .and_then(|e| e.error.message)
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(GatewayError::Refused(message));
    }
    serde_json::from_str(&body)
        .map_err(|e| GatewayError::Refused(format!("unexpected answer: {e}")))
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

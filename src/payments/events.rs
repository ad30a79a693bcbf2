//! Payment events, from Stripe webhooks or the local test gateway, applied exactly once:
//! the event id is stored (unique) in the transaction that applies it, so replays and
//! duplicates change nothing, and no event ever moves a payment or invoice backwards.

use super::rules::PaymentStatus;
use crate::ids::{InvoiceId, PaymentId};
use diesel::prelude::*;
use serde::Deserialize;

use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::db::schema::{payments, stripe_events};
use crate::invoicing::queries::Settled;
use crate::web::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// `checkout.session.completed`; `paid` is false for delayed methods (bank debits).
    Completed {
        paid: bool,
    },
    AsyncSucceeded,
    AsyncFailed,
    Expired,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    pub id: String,
    pub kind: EventKind,
    pub session_id: Option<String>,
    pub payment_intent: Option<String>,
    /// What the session charged, in pence, and its currency, checked against our row.
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
}

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: RawObject,
}

#[derive(Deserialize)]
struct RawObject {
    id: Option<String>,
    payment_status: Option<String>,
    payment_intent: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
}

impl PaymentEvent {
    /// Reads the parts of a Stripe event we act on; `None` if it isn't an event at all.
    pub fn from_stripe_json(body: &[u8]) -> Option<Self> {
        Self::from_stripe_value(&serde_json::from_slice(body).ok()?)
    }

    pub fn from_stripe_value(value: &serde_json::Value) -> Option<Self> {
        let raw = RawEvent::deserialize(value).ok()?;
        let object = raw.data.object;
        let kind = match raw.kind.as_str() {
            "checkout.session.completed" => EventKind::Completed {
                paid: object.payment_status.as_deref() == Some("paid"),
            },
            "checkout.session.async_payment_succeeded" => EventKind::AsyncSucceeded,
            "checkout.session.async_payment_failed" => EventKind::AsyncFailed,
            "checkout.session.expired" => EventKind::Expired,
            other => EventKind::Other(other.to_owned()),
        };
        Some(Self {
            id: raw.id,
            kind,
            session_id: object.id,
            payment_intent: object.payment_intent,
            amount_minor: object.amount_total,
            currency: object.currency.map(|c| c.to_ascii_lowercase()),
        })
    }

    pub fn type_name(&self) -> &str {
        match &self.kind {
            EventKind::Completed { .. } => "checkout.session.completed",
            EventKind::AsyncSucceeded => "checkout.session.async_payment_succeeded",
            EventKind::AsyncFailed => "checkout.session.async_payment_failed",
            EventKind::Expired => "checkout.session.expired",
            EventKind::Other(name) => name,
        }
    }
}

/// PostgreSQL can store no NUL character in text or jsonb, and an event it refuses would be
/// retried by Stripe for days; none of the fields we act on can hold one, so drop them.
pub fn without_nul(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) if s.contains('\0') => Value::String(s.replace('\0', "")),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nul).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.replace('\0', ""), without_nul(v)))
                .collect(),
        ),
        other => other,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Duplicate,
    Ignored,
    Paid {
        invoice: InvoiceId,
    },
    /// Completed, but the money (a bank debit) is still on its way.
    Processing,
    Failed,
    Expired,
    /// Money arrived that the invoice can't take: listed for an admin to refund.
    NeedsRefund {
        invoice: InvoiceId,
    },
}

/// Does what Stripe says it charged match what we asked for?
pub fn charged_as_asked(event: &PaymentEvent, amount: Decimal, currency: &str) -> bool {
    event.amount_minor.is_some()
        && event.amount_minor == super::gateway::pennies(amount)
        && event.currency.as_deref() == Some(currency)
}

fn needs_refund(
    conn: &mut PgConnection,
    payment: PaymentId,
    event: &PaymentEvent,
    why: &str,
) -> QueryResult<()> {
    tracing::error!(%payment, event = %event.id, why, "money arrived that must be refunded");
    crate::telemetry::payment_failed();
    diesel::update(payments::table.find(payment))
        .set((
            payments::status.eq(PaymentStatus::NeedsRefund),
            payments::payment_intent_id.eq(&event.payment_intent),
            payments::failure_reason.eq(why.chars().take(500).collect::<String>()),
            payments::completed_at.eq(Some(OffsetDateTime::now_utc())),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn apply(
    conn: &mut PgConnection,
    event: &PaymentEvent,
    payload: &serde_json::Value,
    base_url: &str,
) -> Result<Applied, AppError> {
    conn.transaction(|conn| {
        let stored = diesel::insert_into(stripe_events::table)
            .values((
                stripe_events::id.eq(&event.id),
                stripe_events::event_type.eq(event.type_name()),
                stripe_events::payload.eq(payload),
            ))
            .on_conflict(stripe_events::id)
            .do_nothing()
            .execute(conn)?;
        if stored == 0 {
            return Ok(Applied::Duplicate);
        }
        let Some(session) = &event.session_id else {
            return Ok(Applied::Ignored);
        };
        if matches!(event.kind, EventKind::Other(_)) {
            return Ok(Applied::Ignored);
        }
        let payment: Option<(PaymentId, InvoiceId, PaymentStatus, Decimal, String)> = payments::table
            .filter(payments::checkout_session_id.eq(session))
            .select((
                payments::id,
                payments::invoice_id,
                payments::status,
                payments::amount,
                payments::currency,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((payment, invoice, status, amount, currency)) = payment else {
            tracing::warn!(event = %event.id, session = %session, "payment event for an unknown checkout session");
            return Ok(Applied::Ignored);
        };
        let open = status.is_open();
        match event.kind {
            EventKind::Completed { paid: true } | EventKind::AsyncSucceeded => {
                if status.took_money() {
                    return Ok(Applied::Duplicate);
                }
                if !charged_as_asked(event, amount, &currency) {
                    let why = format!(
                        "Stripe reported {} {} but the payment asked for {}; refund and ask the buyer to pay again.",
                        event.amount_minor.map_or("no amount".into(), |p| format!("{p} pence")),
                        event.currency.as_deref().unwrap_or("no currency"),
                        crate::money::format_gbp(amount)
                    );
                    needs_refund(conn, payment, event, &why)?;
                    return Ok(Applied::NeedsRefund { invoice });
                }
                let now = OffsetDateTime::now_utc();
                match crate::invoicing::queries::settle(
                    conn,
                    invoice,
                    now,
                    (&crate::audit::Actor::system(), base_url),
                )? {
                    Settled::Paid => {}
                    Settled::NotPayable(state) => {
                        let why = format!("Paid after the invoice was {state}; refund it.");
                        needs_refund(conn, payment, event, &why)?;
                        return Ok(Applied::NeedsRefund { invoice });
                    }
                }
                diesel::update(payments::table.find(payment))
                    .set((
                        payments::status.eq(PaymentStatus::Succeeded),
                        payments::payment_intent_id.eq(&event.payment_intent),
                        payments::failure_reason.eq(None::<String>),
                        payments::completed_at.eq(Some(now)),
                    ))
                    .execute(conn)?;
                        Ok(Applied::Paid { invoice })
            }
            EventKind::Completed { paid: false } if status == PaymentStatus::Pending => {
                // A bank debit: completed, not yet paid. No second attempt may start while
                // it is on its way (reserve refuses), and the page says so.
                diesel::update(payments::table.find(payment))
                    .set((
                        payments::status.eq(PaymentStatus::Processing),
                        payments::payment_intent_id.eq(&event.payment_intent),
                    ))
                    .execute(conn)?;
                Ok(Applied::Processing)
            }
            EventKind::AsyncFailed if open => {
                diesel::update(payments::table.find(payment))
                    .set((
                        payments::status.eq(PaymentStatus::Failed),
                        payments::failure_reason.eq("Your bank declined the payment."),
                    ))
                    .execute(conn)?;
                crate::telemetry::payment_failed();
                Ok(Applied::Failed)
            }
            EventKind::Expired if status == PaymentStatus::Pending => {
                diesel::update(payments::table.find(payment))
                    .set(payments::status.eq(PaymentStatus::Expired))
                    .execute(conn)?;
                Ok(Applied::Expired)
            }
            // A late failure or expiry never undoes a payment that already went through.
            _ => Ok(Applied::Ignored),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_events_are_read_for_what_matters() {
        let body = br#"{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","payment_status":"paid","payment_intent":"pi_1"}}}"#;
        let e = PaymentEvent::from_stripe_json(body).unwrap();
        assert_eq!(e.kind, EventKind::Completed { paid: true });
        assert_eq!(e.session_id.as_deref(), Some("cs_1"));
        let other = br#"{"id":"evt_2","type":"customer.created","data":{"object":{"id":"cus_1"}}}"#;
        assert_eq!(
            PaymentEvent::from_stripe_json(other).unwrap().kind,
            EventKind::Other("customer.created".into())
        );
        assert!(PaymentEvent::from_stripe_json(b"not json").is_none());
    }
}

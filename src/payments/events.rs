//! Payment events, from Stripe webhooks or the local test gateway, applied exactly once:
//! the event id is stored (unique) in the transaction that applies it, so replays and
//! duplicates change nothing, and no event ever moves a payment or invoice backwards.

use diesel::prelude::*;
use serde::Deserialize;
use uuid::Uuid;

use crate::db::schema::{invoices, payments, stripe_events};
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
    Paid { invoice: Uuid },
    Failed,
    Expired,
    Pending,
}

pub fn apply(
    conn: &mut PgConnection,
    event: &PaymentEvent,
    payload: &serde_json::Value,
    base_url: &str,
) -> Result<Applied, AppError> {
    conn.transaction(|conn| {
        let stored = diesel::insert_into(stripe_events::table)
            .values((stripe_events::id.eq(&event.id), stripe_events::event_type.eq(event.type_name()), stripe_events::payload.eq(payload)))
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
        let payment: Option<(Uuid, Uuid, String)> = payments::table
            .filter(payments::checkout_session_id.eq(session))
            .select((payments::id, payments::invoice_id, payments::status))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((payment, invoice, status)) = payment else {
            tracing::warn!(event = %event.id, session = %session, "payment event for an unknown checkout session");
            return Ok(Applied::Ignored);
        };
        let pending = status == "pending";
        match event.kind {
            EventKind::Completed { paid: true } | EventKind::AsyncSucceeded => {
                if status == "succeeded" {
                    return Ok(Applied::Duplicate);
                }
                let (inv_status, total): (String, rust_decimal::Decimal) =
                    invoices::table.find(invoice).select((invoices::status, invoices::total)).for_update().first(conn)?;
                if inv_status != "issued" {
                    tracing::error!(%invoice, %payment, "money arrived for an invoice that is {inv_status}: refund needed");
                    return Ok(Applied::Ignored);
                }
                diesel::update(payments::table.find(payment))
                    .set((
                        payments::status.eq("succeeded"),
                        payments::payment_intent_id.eq(&event.payment_intent),
                        payments::failure_reason.eq(None::<String>),
                        payments::completed_at.eq(Some(time::OffsetDateTime::now_utc())),
                    ))
                    .execute(conn)?;
                diesel::update(invoices::table.find(invoice))
                    .set((
                        invoices::status.eq("paid"),
                        invoices::amount_paid.eq(total),
                        invoices::paid_at.eq(Some(time::OffsetDateTime::now_utc())),
                    ))
                    .execute(conn)?;
                super::notify::invoice_paid(conn, invoice, base_url)?;
                Ok(Applied::Paid { invoice })
            }
            EventKind::AsyncFailed if pending => {
                diesel::update(payments::table.find(payment))
                    .set((payments::status.eq("failed"), payments::failure_reason.eq("Your bank declined the payment.")))
                    .execute(conn)?;
                crate::telemetry::payment_failed();
                Ok(Applied::Failed)
            }
            EventKind::Expired if pending => {
                diesel::update(payments::table.find(payment)).set(payments::status.eq("expired")).execute(conn)?;
                Ok(Applied::Expired)
            }
            EventKind::Completed { paid: false } => Ok(Applied::Pending),
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

//! Payment events, from Stripe webhooks or the local test gateway, applied exactly once:
//! the event id is stored (unique) in the transaction that applies it, so replays and
//! duplicates change nothing, and no event ever moves a payment or invoice backwards.

use super::rules::PaymentStatus;
use crate::ids::{InvoiceId, PaymentId};
use diesel::prelude::*;

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

impl PaymentEvent {
    /// Reads the parts of a verified Stripe event we act on for invoice payments; `None` when
    /// the event is about something else (connected accounts, payouts: see `connect`).
    pub fn from_stripe(event: &stripe_webhook::Event) -> Option<Self> {
        use stripe_checkout::CheckoutSessionPaymentStatus;
        use stripe_webhook::EventObject as O;
        let (kind, session) = match &event.data.object {
            // Plan subscriptions are `plans`' business.
            O::CheckoutSessionCompleted(s) | O::CheckoutSessionExpired(s)
                if s.mode == stripe_checkout::CheckoutSessionMode::Subscription =>
            {
                return None;
            }
            O::CheckoutSessionCompleted(s) => (
                EventKind::Completed {
                    paid: s.payment_status == CheckoutSessionPaymentStatus::Paid,
                },
                s,
            ),
            O::CheckoutSessionAsyncPaymentSucceeded(s) => (EventKind::AsyncSucceeded, s),
            O::CheckoutSessionAsyncPaymentFailed(s) => (EventKind::AsyncFailed, s),
            O::CheckoutSessionExpired(s) => (EventKind::Expired, s),
            _ => return None,
        };
        Some(Self {
            id: event.id.to_string(),
            kind,
            session_id: Some(session.id.to_string()),
            payment_intent: session.payment_intent.as_ref().map(|p| p.id().to_string()),
            amount_minor: session.amount_total,
            currency: session
                .currency
                .as_ref()
                .map(|c| c.to_string().to_ascii_lowercase()),
        })
    }

    pub fn type_name(&self) -> &str {
        match &self.kind {
            EventKind::Completed { .. } => "checkout.session.completed",
            EventKind::AsyncSucceeded => "checkout.session.async_payment_succeeded",
            EventKind::AsyncFailed => "checkout.session.async_payment_failed",
            EventKind::Expired => "checkout.session.expired",
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
    /// A connected account's state was stored (`known`: it is one of ours).
    AccountUpdated {
        known: bool,
    },
    /// A connected account's payout was recorded.
    Payout(crate::payouts::queries::Recorded),
    /// A refund failed after it was sent.
    RefundReturned(crate::refunds::queries::Returned),
    /// A provider's plan subscription moved on.
    Plan(crate::plans::lifecycle::Outcome),
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
    intent: &Option<String>,
    why: &str,
) -> QueryResult<()> {
    tracing::error!(%payment, ?intent, why, "money arrived that must be refunded");
    crate::telemetry::payment_failed();
    crate::ledger::queries::post_card_payment(conn, payment, OffsetDateTime::now_utc(), false)?;
    diesel::update(payments::table.find(payment))
        .set((
            payments::status.eq(PaymentStatus::NeedsRefund),
            payments::payment_intent_id.eq(intent),
            payments::failure_reason.eq(why.chars().take(500).collect::<String>()),
            payments::completed_at.eq(Some(OffsetDateTime::now_utc())),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Money for `payment` arrived in full (the caller checked the amount and that it hadn't been
/// recorded already): the invoice is settled, or, if it can no longer take money, the payment
/// is listed to refund. In the caller's transaction, with the payment row locked.
pub fn succeeded(
    conn: &mut PgConnection,
    (payment, invoice): (PaymentId, InvoiceId),
    intent: &Option<String>,
    base_url: &str,
) -> Result<Applied, AppError> {
    let now = OffsetDateTime::now_utc();
    let amount: Decimal = payments::table
        .find(payment)
        .select(payments::amount)
        .first(conn)?;
    match crate::invoicing::queries::settle(
        conn,
        (invoice, amount),
        now,
        (&crate::audit::Actor::system(), base_url),
    )? {
        Settled::Paid => {}
        Settled::NotPayable(state) => {
            let why = format!("Paid after the invoice was {state}; refund it.");
            needs_refund(conn, payment, intent, &why)?;
            return Ok(Applied::NeedsRefund { invoice });
        }
    }
    diesel::update(payments::table.find(payment))
        .set((
            payments::status.eq(PaymentStatus::Succeeded),
            payments::payment_intent_id.eq(intent),
            payments::failure_reason.eq(None::<String>),
            payments::completed_at.eq(Some(now)),
        ))
        .execute(conn)?;
    crate::ledger::queries::post_card_payment(conn, payment, now, true)?;
    Ok(Applied::Paid { invoice })
}

/// Applies a verified Stripe event: invoice payments, connected accounts; anything else is
/// stored and ignored.
pub fn dispatch(
    conn: &mut PgConnection,
    event: &stripe_webhook::Event,
    payload: &serde_json::Value,
    base_url: &str,
) -> Result<Applied, AppError> {
    if let Some(payment) = PaymentEvent::from_stripe(event) {
        return apply(conn, &payment, payload, base_url);
    }
    let id = event.id.to_string();
    conn.transaction(|conn| {
        if !record(conn, &id, event.type_.as_str(), payload)? {
            return Ok(Applied::Duplicate);
        }
        if let Some((key, news)) = crate::plans::events::news(event) {
            let at = OffsetDateTime::from_unix_timestamp(event.created)
                .unwrap_or_else(|_| OffsetDateTime::now_utc());
            let outcome = crate::plans::lifecycle::apply(conn, &key, &news, at)?;
            return Ok(Applied::Plan(outcome));
        }
        match &event.data.object {
            stripe_webhook::EventObject::AccountUpdated(account) => {
                let state = crate::connect::gateway::state_of(account);
                let known =
                    crate::connect::queries::update_state(conn, account.id.as_str(), &state)?;
                Ok(Applied::AccountUpdated { known })
            }
            stripe_webhook::EventObject::PayoutPaid(p)
            | stripe_webhook::EventObject::PayoutFailed(p) => {
                let Some(account) = event.account.as_deref() else {
                    // The platform's own payouts aren't providers' money.
                    return Ok(Applied::Ignored);
                };
                let report = payout_report(p);
                let at = OffsetDateTime::from_unix_timestamp(event.created)
                    .unwrap_or_else(|_| OffsetDateTime::now_utc());
                let recorded =
                    crate::payouts::queries::record(conn, account, &report, at, base_url)?;
                Ok(Applied::Payout(recorded))
            }
            stripe_webhook::EventObject::ChargeRefundUpdated(r)
                if r.status.as_deref() == Some("failed") =>
            {
                let ours = r
                    .metadata
                    .as_ref()
                    .and_then(|m| m.get("larder_refund"))
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
                    .map(crate::ids::RefundId);
                let why = r
                    .failure_reason
                    .clone()
                    .unwrap_or_else(|| "the card's bank sent it back".into());
                let at = OffsetDateTime::from_unix_timestamp(event.created)
                    .unwrap_or_else(|_| OffsetDateTime::now_utc());
                let returned =
                    crate::refunds::queries::returned(conn, r.id.as_str(), ours, &why, at)?;
                Ok(Applied::RefundReturned(returned))
            }
            _ => Ok(Applied::Ignored),
        }
    })
}

/// A payout as we keep it: pence to pounds, the arrival day in London, the bank's reason.
fn payout_report(p: &stripe_core::Payout) -> crate::payouts::queries::Report {
    let arrival = OffsetDateTime::from_unix_timestamp(p.arrival_date)
        .map(|t| crate::timefmt::to_london(t).date())
        .unwrap_or_else(|_| crate::timefmt::london_today());
    let failure = (p.status == "failed").then(|| {
        p.failure_message
            .clone()
            .or_else(|| p.failure_code.clone())
            .unwrap_or_else(|| "the bank refused it".into())
    });
    crate::payouts::queries::Report {
        stripe_id: p.id.to_string(),
        amount: Decimal::new(p.amount, 2),
        arrival,
        failure,
    }
}

/// Stores a Stripe event's id; false when it was stored before (a replay or duplicate). Run
/// inside the transaction that applies the event, so an event is applied exactly once.
pub fn record(
    conn: &mut PgConnection,
    id: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> QueryResult<bool> {
    let stored = diesel::insert_into(stripe_events::table)
        .values((
            stripe_events::id.eq(id),
            stripe_events::event_type.eq(kind),
            stripe_events::payload.eq(payload),
        ))
        .on_conflict(stripe_events::id)
        .do_nothing()
        .execute(conn)?;
    Ok(stored == 1)
}

pub fn apply(
    conn: &mut PgConnection,
    event: &PaymentEvent,
    payload: &serde_json::Value,
    base_url: &str,
) -> Result<Applied, AppError> {
    conn.transaction(|conn| {
        if !record(conn, &event.id, event.type_name(), payload)? {
            return Ok(Applied::Duplicate);
        }
        let Some(session) = &event.session_id else {
            return Ok(Applied::Ignored);
        };
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
                    needs_refund(conn, payment, &event.payment_intent, &why)?;
                    return Ok(Applied::NeedsRefund { invoice });
                }
                succeeded(conn, (payment, invoice), &event.payment_intent, base_url)
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

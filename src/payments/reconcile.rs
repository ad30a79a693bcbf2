//! Attempts that never heard back. A checkout left open past its expiry, or never given a
//! session, must not sit beside the Pay button as "processing" for ever, and a webhook that
//! never arrived must not lose a payment: past expiry, Stripe is asked what happened.

use super::rules::PaymentStatus;
use crate::ids::{InvoiceId, PaymentId};
use diesel::prelude::*;
use time::OffsetDateTime;

use super::events::{self, EventKind, PaymentEvent};
use super::gateway::Gateway;
use crate::db::DbPool;
use crate::db::schema::payments;
use crate::web::{AppError, with_conn};

/// How long a payment may wait for its checkout session before it counts as failed.
const SETUP_WAIT: time::Duration = time::Duration::minutes(2);

#[derive(Debug, Clone)]
pub struct Stale {
    pub payment: PaymentId,
    pub session: Option<String>,
    pub gateway: String,
    /// A one-click payment's PaymentIntent: asked about directly (the buyer may have passed
    /// their bank's check and never come back).
    pub intent: Option<String>,
}

#[derive(Queryable)]
struct AttemptRow {
    payment: PaymentId,
    session: Option<String>,
    gateway: String,
    expires_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    intent: Option<String>,
    saved_card: Option<uuid::Uuid>,
}

/// How long a one-click payment waits for the buyer's bank check before Stripe is asked.
const ACTION_WAIT: time::Duration = time::Duration::minutes(10);

/// Pending attempts of `invoice` that can no longer be paid: past their checkout's expiry,
/// or left without a session by a setup that never finished.
pub fn stale_attempts(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    now: OffsetDateTime,
) -> QueryResult<Vec<Stale>> {
    let rows: Vec<AttemptRow> = payments::table
        .filter(payments::invoice_id.eq(invoice))
        .filter(payments::status.eq(PaymentStatus::Pending))
        .select((
            payments::id,
            payments::checkout_session_id,
            payments::gateway,
            payments::expires_at,
            payments::created_at,
            payments::payment_intent_id,
            payments::saved_card_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|r| match (&r.session, r.expires_at, r.saved_card) {
            (_, _, Some(_)) if r.intent.is_some() => r.created_at < now - ACTION_WAIT,
            (Some(_), Some(expires), _) => expires <= now,
            (Some(_), None, _) => false,
            (None, _, _) => r.created_at < now - SETUP_WAIT,
        })
        .map(|r| Stale {
            payment: r.payment,
            session: r.session,
            gateway: r.gateway,
            intent: r.intent.filter(|_| r.saved_card.is_some()),
        })
        .collect())
}

pub enum Outcome {
    /// What Stripe says happened, applied like its webhook would have been.
    Event(PaymentEvent),
    /// What Stripe says became of a one-click payment.
    Intent(PaymentId, crate::cards::gateway::PayOutcome),
    Expired(PaymentId),
    SetupFailed(PaymentId),
}

/// Settles `invoice`'s stale attempts (the caller has checked the invoice is the asker's).
/// Stripe being unreachable leaves them for next time; nothing here fails the page.
pub async fn resolve(
    pool: &actix_web::web::Data<DbPool>,
    gateway: &Gateway,
    invoice: InvoiceId,
    base_url: &str,
) -> Result<(), AppError> {
    let now = OffsetDateTime::now_utc();
    let stale = with_conn(pool, move |conn| Ok(stale_attempts(conn, invoice, now)?)).await?;
    let outcomes = ask(gateway, stale).await;
    if outcomes.is_empty() {
        return Ok(());
    }
    let base = base_url.to_owned();
    with_conn(pool, move |conn| apply(conn, invoice, outcomes, &base)).await
}

/// Asks the gateway what became of each stale attempt.
pub async fn ask(gateway: &Gateway, stale: Vec<Stale>) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for s in stale {
        if let Some(intent) = &s.intent {
            match (
                s.gateway.as_str(),
                crate::cards::gateway::intent_outcome(gateway, intent).await,
            ) {
                ("stripe", Ok(outcome)) => outcomes.push(Outcome::Intent(s.payment, outcome)),
                ("stripe", Err(e)) => {
                    tracing::warn!(error = %e, %intent, "could not ask Stripe about a stale payment")
                }
                // The test gateway's bank check was never answered: nothing was charged.
                _ => outcomes.push(Outcome::Expired(s.payment)),
            }
            continue;
        }
        let Some(session) = s.session else {
            outcomes.push(Outcome::SetupFailed(s.payment));
            continue;
        };
        if s.gateway != "stripe" {
            outcomes.push(Outcome::Expired(s.payment));
            continue;
        }
        match gateway.session_state(&session).await {
            Ok(Some(state)) if state.complete => {
                outcomes.push(Outcome::Event(PaymentEvent {
                    id: format!("reconciled_{session}"),
                    kind: EventKind::Completed { paid: state.paid },
                    session_id: Some(session),
                    payment_intent: state.payment_intent,
                    amount_minor: state.amount_total,
                    currency: state.currency,
                }));
            }
            Ok(_) => outcomes.push(Outcome::Expired(s.payment)),
            Err(e) => {
                tracing::warn!(error = %e, %session, "could not ask Stripe about a stale checkout")
            }
        }
    }
    outcomes
}

/// Records what the gateway said, as its webhooks would have.
pub fn apply(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    outcomes: Vec<Outcome>,
    base: &str,
) -> Result<(), AppError> {
    for outcome in outcomes {
        match outcome {
            Outcome::Event(event) => {
                let payload = serde_json::json!({ "id": event.id, "type": event.type_name(), "reconciled": true });
                events::apply(conn, &event, &payload, base)?;
            }
            Outcome::Intent(payment, outcome) => {
                crate::cards::queries::record(conn, (payment, invoice), &outcome, base)?;
            }
            Outcome::Expired(payment) => {
                diesel::update(
                    payments::table
                        .filter(payments::id.eq(payment))
                        .filter(payments::status.eq(PaymentStatus::Pending)),
                )
                .set(payments::status.eq(PaymentStatus::Expired))
                .execute(conn)?;
            }
            Outcome::SetupFailed(payment) => {
                diesel::update(
                    payments::table
                        .filter(payments::id.eq(payment))
                        .filter(payments::status.eq(PaymentStatus::Pending)),
                )
                .set((
                    payments::status.eq(PaymentStatus::Failed),
                    payments::failure_reason
                        .eq("The payment provider didn't answer. Nothing was charged."),
                ))
                .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Invoices with attempts waiting on an answer, for the periodic sweep.
pub fn invoices_waiting(conn: &mut PgConnection) -> QueryResult<Vec<InvoiceId>> {
    payments::table
        .filter(payments::status.eq(PaymentStatus::Pending))
        .select(payments::invoice_id)
        .distinct()
        .limit(500)
        .load(conn)
}

/// The sweep: every invoice's stale attempts settled by asking Stripe, so a payment whose
/// webhook never came and whose buyer never came back is still applied. `ask_blocking` runs
/// the gateway calls to completion (the job runs outside the web server's runtime).
pub fn sweep(
    conn: &mut PgConnection,
    now: OffsetDateTime,
    base: &str,
    ask_blocking: &dyn Fn(Vec<Stale>) -> Vec<Outcome>,
) -> Result<usize, AppError> {
    let mut settled = 0;
    for invoice in invoices_waiting(conn)? {
        let stale = stale_attempts(conn, invoice, now)?;
        if stale.is_empty() {
            continue;
        }
        let outcomes = ask_blocking(stale);
        settled += outcomes.len();
        apply(conn, invoice, outcomes, base)?;
    }
    Ok(settled)
}

//! The provider's answer to a credit request, and the buyer's escalation. Money moves only
//! through the refunds path: an accepted request on a paid invoice becomes a refund whose
//! form key is the request's id, so accepting twice refunds once.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::notify::{self, Event};
use super::queries::{self, Request};
use super::rules::{self, Status};
use crate::audit::Actor;
use crate::db::schema::{credit_request_lines, credit_requests};
use crate::ids::{BusinessId, CreditRequestId, InvoiceId, ProviderId, RefundId, UserId};
use crate::tenancy::Scope;
use crate::web::AppError;

/// What accepting a request asks of the money side.
#[derive(Debug, Clone)]
pub enum Settle {
    /// The invoice was paid: refund `amount` of it (and a credit note comes with it).
    Refund {
        invoice: InvoiceId,
        amount: Decimal,
        reason: String,
    },
    /// The invoice is issued but unpaid: a credit note lowers what the buyer owes.
    Credit {
        invoice: InvoiceId,
        amount: Decimal,
        reason: String,
    },
    /// No issued invoice yet: the provider invoices what was delivered less this; accepting
    /// records what was agreed.
    Record { amount: Decimal },
}

/// How the money side of an answer was settled, for recording with it.
#[derive(Debug, Clone)]
pub enum Money {
    /// Refunded through the refunds path (done before the answer is recorded).
    Refunded(RefundId),
    /// To be credited against the unpaid invoice, in the answer's own transaction.
    Credit {
        invoice: InvoiceId,
        reason: String,
    },
    Nothing,
}

impl From<&Settle> for Money {
    fn from(s: &Settle) -> Self {
        match s {
            Settle::Credit {
                invoice, reason, ..
            } => Self::Credit {
                invoice: *invoice,
                reason: reason.clone(),
            },
            Settle::Refund { .. } | Settle::Record { .. } => Self::Nothing,
        }
    }
}

/// Credits the unpaid invoice when `money` asks for it; the note's id, to keep with the
/// request.
fn credit(
    conn: &mut PgConnection,
    money: &Money,
    amount: Decimal,
    (now, base_url): (OffsetDateTime, &str),
) -> Result<Option<Uuid>, AppError> {
    let Money::Credit { invoice, reason } = money else {
        return Ok(None);
    };
    let done = crate::invoicing::credit::credit_unpaid(
        conn,
        Scope::System,
        *invoice,
        (amount, reason),
        (now, base_url),
    )?;
    Ok(Some(done.note.0))
}

fn refund_of(money: &Money) -> Option<Uuid> {
    match money {
        Money::Refunded(r) => Some(r.0),
        _ => None,
    }
}

/// The request, locked, if the asker's organisation is a party to it.
fn lock(conn: &mut PgConnection, scope: Scope, id: CreditRequestId) -> Result<Request, AppError> {
    queries::find(conn, scope, id)?;
    credit_requests::table
        .find(id.0)
        .select(credit_requests::id)
        .for_update()
        .first::<Uuid>(conn)?;
    queries::find(conn, scope, id)
}

/// Refuses an answer to a request that no longer waits for one.
fn waiting(request: &Request) -> Result<(), AppError> {
    match request.state() {
        Status::Open | Status::Escalated => Ok(()),
        Status::Accepted => Err(AppError::conflict(
            "This request has already been accepted.",
        )),
        Status::Declined => Err(AppError::conflict(
            "This request has been declined; the buyer may take it to Larder's team.",
        )),
        Status::Resolved => Err(AppError::conflict(
            "Larder's team has decided this request.",
        )),
    }
}

/// Works out what accepting `lines` (credit request line ids) comes to.
pub fn plan(
    conn: &mut PgConnection,
    scope: Scope,
    id: CreditRequestId,
    accepted: &[i64],
) -> Result<Settle, AppError> {
    let request = lock(conn, scope, id)?;
    waiting(&request)?;
    let lines = queries::lines(conn, id)?;
    if accepted.is_empty() {
        return Err(AppError::BadRequest(
            "Tick the lines you accept, or decline the request with a reason.".into(),
        ));
    }
    if accepted.iter().any(|a| !lines.iter().any(|l| l.id == *a)) {
        return Err(AppError::NotFound);
    }
    let chosen: Vec<_> = lines.iter().filter(|l| accepted.contains(&l.id)).collect();
    let amount: Decimal = chosen.iter().map(|l| l.amount).sum();
    let invoice = crate::invoicing::queries::for_order(conn, scope, request.order_id.0)?;
    let reason = || -> String {
        let items: Vec<String> = chosen
            .iter()
            .map(|l| {
                format!(
                    "{} × {} ({})",
                    l.quantity_text(),
                    l.product_name,
                    l.reason_label().to_lowercase()
                )
            })
            .collect();
        format!(
            "Credit request on order {}: {}",
            request.order_number,
            items.join(", ")
        )
        .chars()
        .take(crate::refunds::rules::MAX_REASON)
        .collect()
    };
    Ok(match invoice {
        Some(invoice) if invoice.status.was_paid() => Settle::Refund {
            invoice: invoice.id,
            amount,
            reason: reason(),
        },
        Some(invoice) if invoice.is_unpaid() => Settle::Credit {
            invoice: invoice.id,
            amount,
            reason: reason(),
        },
        _ => Settle::Record { amount },
    })
}

/// Records the acceptance of `lines` (the rest are refused), with the refund that paid it or
/// the credit note it issues now. Accepting twice changes nothing the second time.
pub fn accept(
    conn: &mut PgConnection,
    scope: Scope,
    id: CreditRequestId,
    (accepted, amount, money): (&[i64], Decimal, &Money),
    (user, actor, now, base_url): (UserId, &Actor, OffsetDateTime, &str),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let request = lock(conn, scope, id)?;
        if request.state() == Status::Accepted {
            return Ok(());
        }
        waiting(&request)?;
        for line in queries::lines(conn, id)? {
            diesel::update(credit_request_lines::table.find(line.id))
                .set(credit_request_lines::accepted.eq(Some(accepted.contains(&line.id))))
                .execute(conn)?;
        }
        let note = credit(conn, money, amount, (now, base_url))?;
        diesel::update(credit_requests::table.find(id.0))
            .set((
                credit_requests::status.eq("accepted"),
                credit_requests::accepted_amount.eq(Some(amount)),
                credit_requests::refund_id.eq(refund_of(money)),
                credit_requests::credit_note_id.eq(note),
                credit_requests::answered_by.eq(Some(user.0)),
                credit_requests::answered_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let parties = (request.business_id.0, request.provider_id.0);
        queries::audit(
            conn,
            actor,
            id.0,
            parties,
            "credit_request.accepted",
            amount,
        )?;
        notify::send(conn, &request, Event::Accepted { amount }, base_url)
    })
}

/// The provider declines, with a reason the buyer reads.
pub fn decline(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: CreditRequestId,
    reason: &str,
    (user, actor, now, base_url): (UserId, &Actor, OffsetDateTime, &str),
) -> Result<Result<(), String>, AppError> {
    let reason = match rules::decline_reason(reason) {
        Ok(r) => r,
        Err(problem) => return Ok(Err(problem)),
    };
    conn.transaction(|conn| {
        let request = lock(conn, Scope::Provider(provider), id)?;
        waiting(&request)?;
        if request.state() == Status::Escalated {
            return Err(AppError::conflict(
                "Larder's team is deciding this request now: add what you know to its conversation.",
            ));
        }
        diesel::update(credit_requests::table.find(id.0))
            .set((
                credit_requests::status.eq("declined"),
                credit_requests::decline_reason.eq(Some(&reason)),
                credit_requests::answered_by.eq(Some(user.0)),
                credit_requests::answered_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let parties = (request.business_id.0, request.provider_id.0);
        queries::audit(conn, actor, id.0, parties, "credit_request.declined", request.amount)?;
        notify::send(conn, &request, Event::Declined { reason: &reason }, base_url)?;
        Ok(Ok(()))
    })
}

/// The buyer hands a declined (or unanswered) request to Larder's team.
pub fn escalate(
    conn: &mut PgConnection,
    business: BusinessId,
    id: CreditRequestId,
    (actor, now, base_url): (&Actor, OffsetDateTime, &str),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let request = lock(conn, Scope::Buyer(business), id)?;
        if !rules::may_escalate(request.state(), request.created_at, now) {
            return Err(AppError::Conflict(match request.state() {
                Status::Open => format!(
                    "{} has until {} to answer; after that you can ask Larder's team.",
                    request.provider_name,
                    crate::timefmt::datetime(rules::answer_due(request.created_at))
                ),
                Status::Escalated => "Larder's team already has this request.".into(),
                _ => "This request has been answered.".into(),
            }));
        }
        diesel::update(credit_requests::table.find(id.0))
            .set((
                credit_requests::status.eq("escalated"),
                credit_requests::escalated_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let parties = (request.business_id.0, request.provider_id.0);
        queries::audit(
            conn,
            actor,
            id.0,
            parties,
            "credit_request.escalated",
            request.amount,
        )?;
        notify::send(conn, &request, Event::Escalated, base_url)
    })
}

/// Checks an escalated request can be decided as `decision`; for a refund, the paid invoice
/// it comes out of.
pub fn resolve_plan(
    conn: &mut PgConnection,
    id: CreditRequestId,
    decision: &rules::Decision,
) -> Result<(Request, Option<InvoiceId>), AppError> {
    let request = lock(conn, Scope::Admin, id)?;
    if request.state() != Status::Escalated {
        return Err(AppError::conflict(
            "Only a request taken to Larder's team can be decided here.",
        ));
    }
    let invoice = crate::invoicing::queries::for_order(conn, Scope::Admin, request.order_id.0)?;
    let invoice = match decision {
        rules::Decision::Refund(_) => Some(
            invoice
                .filter(|i| i.status.was_paid())
                .map(|i| i.id)
                .ok_or_else(|| {
                    AppError::conflict(
                        "The order's invoice isn't paid, so there is nothing to refund: uphold the request instead, and the unpaid invoice is credited.",
                    )
                })?,
        ),
        // Upholding credits an issued, unpaid invoice; without one the provider invoices
        // what was delivered less the amount.
        rules::Decision::Uphold(_) => invoice.filter(|i| i.is_unpaid()).map(|i| i.id),
        rules::Decision::Reject => None,
    };
    Ok((request, invoice))
}

/// Records an admin's decision (after the refund, when there is one). Deciding twice changes
/// nothing the second time.
pub fn resolve(
    conn: &mut PgConnection,
    id: CreditRequestId,
    (decision, note, money): (&rules::Decision, &str, &Money),
    (user, actor, now, base_url): (UserId, &Actor, OffsetDateTime, &str),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let request = lock(conn, Scope::Admin, id)?;
        match request.state() {
            Status::Resolved => return Ok(()),
            Status::Escalated => {}
            _ => {
                return Err(AppError::conflict(
                    "Only a request taken to Larder's team can be decided here.",
                ));
            }
        }
        let note_id = match decision {
            rules::Decision::Uphold(amount) => credit(conn, money, *amount, (now, base_url))?,
            _ => None,
        };
        diesel::update(credit_requests::table.find(id.0))
            .set((
                credit_requests::status.eq("resolved"),
                credit_requests::resolution.eq(Some(decision.as_str())),
                credit_requests::resolution_note.eq(Some(note)),
                credit_requests::resolved_amount.eq(decision.amount()),
                credit_requests::refund_id.eq(refund_of(money)),
                credit_requests::credit_note_id.eq(note_id),
                credit_requests::resolved_by.eq(Some(user.0)),
                credit_requests::resolved_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let parties = (request.business_id.0, request.provider_id.0);
        let amount = decision.amount().unwrap_or_default();
        queries::audit(
            conn,
            actor,
            id.0,
            parties,
            "credit_request.resolved",
            amount,
        )?;
        let decided = queries::find(conn, Scope::Admin, id)?;
        notify::send(conn, &decided, Event::Resolved, base_url)
    })
}

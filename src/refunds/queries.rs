//! A refund in two transactions around the gateway call: `begin` checks the invoice and writes
//! the refund row (its id is Stripe's idempotency key); `complete` records Stripe's answer
//! and, when the money went back, issues the credit note, moves the invoice on and writes the
//! journal. A crash between the two leaves the row `requested`, and asking again is safe.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use super::credit_notes;
use super::gateway::{RefundOrder, RefundOutcome};
use super::rules::{self, Problems};
use crate::audit::{Actor, Entry};
use crate::db::schema::{invoices, payments, refunds};
use crate::ids::{BusinessId, InvoiceId, PaymentId, ProviderId, RefundId};
use crate::invoicing::rules::InvoiceStatus;
use crate::ledger::queries::{Posting, post};
use crate::ledger::rules::{self as ledger, Fee, Parties};
use crate::payments::rules::PaymentStatus;
use crate::tenancy::Scope;
use crate::web::AppError;

/// A refund written and ready to send.
#[derive(Debug, Clone)]
pub struct Plan {
    pub refund: RefundId,
    pub invoice: InvoiceId,
    pub amount: Decimal,
    /// How the invoice was paid: "stripe", "test" or "offline".
    pub gateway: String,
    pub order: Option<RefundOrder>,
}

fn status(raw: &str) -> Result<InvoiceStatus, AppError> {
    InvoiceStatus::parse(raw)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("unknown invoice status {raw}")))
}

/// The invoice's paid and refunded amounts, locked, if the asker may refund it: its
/// provider, or an admin.
fn lock_invoice(
    conn: &mut PgConnection,
    scope: Scope,
    invoice: InvoiceId,
) -> Result<(InvoiceStatus, Decimal, Decimal), AppError> {
    let row = invoices::table.filter(invoices::id.eq(invoice)).select((
        invoices::status,
        invoices::amount_paid,
        invoices::amount_refunded,
    ));
    let (raw, paid, refunded): (String, Decimal, Decimal) = match scope {
        Scope::Provider(p) => row
            .filter(invoices::provider_id.eq(p.0))
            .for_update()
            .first(conn)?,
        Scope::Admin | Scope::System => row.for_update().first(conn)?,
        Scope::Buyer(_) => return Err(AppError::NotFound),
    };
    Ok((status(&raw)?, paid, refunded))
}

/// The refund already waiting on this invoice, if one is.
pub fn open_refund(
    conn: &mut PgConnection,
    invoice: InvoiceId,
) -> QueryResult<Option<(RefundId, Decimal)>> {
    refunds::table
        .filter(refunds::invoice_id.eq(invoice.0))
        .filter(refunds::status.eq("requested"))
        .select((refunds::id, refunds::amount))
        .first::<(uuid::Uuid, Decimal)>(conn)
        .optional()
        .map(|r| r.map(|(id, amount)| (RefundId(id), amount)))
}

fn plan_for(conn: &mut PgConnection, refund: RefundId) -> QueryResult<Plan> {
    let (invoice, amount, gateway, intent, destination): (
        InvoiceId,
        Decimal,
        String,
        Option<String>,
        Option<String>,
    ) = refunds::table
        .inner_join(payments::table)
        .filter(refunds::id.eq(refund.0))
        .select((
            refunds::invoice_id,
            refunds::amount,
            payments::gateway,
            payments::payment_intent_id,
            payments::destination_account,
        ))
        .first(conn)?;
    let order = intent
        .filter(|_| gateway != "offline")
        .map(|intent| RefundOrder {
            refund,
            payment_intent: intent,
            amount,
            destination: destination.is_some(),
        });
    Ok(Plan {
        refund,
        invoice,
        amount,
        gateway,
        order,
    })
}

/// A refund as asked for on the form: typed amount and reason, and the form's key.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub amount: &'a str,
    pub reason: &'a str,
    /// `None` when the form came without a usable key.
    pub key: Option<uuid::Uuid>,
}

/// What asking for a refund came to.
#[derive(Debug)]
pub enum Begun {
    /// Written and ready to send.
    Plan(Plan),
    /// The form's problems, for the same form.
    Refused(Problems),
    /// This form was sent before (a double click, a resent page): nothing new was written.
    Replayed,
}

/// Checks the form against the invoice and writes the refund `requested`. A refund already in
/// flight is a conflict (its page offers to send it again).
pub fn begin(
    conn: &mut PgConnection,
    scope: Scope,
    invoice: InvoiceId,
    ask: Ask<'_>,
    actor: &Actor,
) -> Result<Begun, AppError> {
    conn.transaction(|conn| {
        let (status, paid, refunded) = lock_invoice(conn, scope, invoice)?;
        let key = ask.key.ok_or_else(|| AppError::BadRequest(STALE_FORM.into()))?;
        // Read under the invoice's lock, so a second click waits for the first to be written.
        let sent_before: Option<uuid::Uuid> = refunds::table
            .filter(refunds::form_key.eq(key))
            .select(refunds::invoice_id)
            .first(conn)
            .optional()?;
        match sent_before {
            Some(i) if i == invoice.0 => return Ok(Begun::Replayed),
            Some(_) => return Err(AppError::BadRequest(STALE_FORM.into())),
            None => {}
        }
        rules::can_refund(status).map_err(AppError::conflict)?;
        if let Some((_, open)) = open_refund(conn, invoice)? {
            return Err(AppError::Conflict(format!(
                "A refund of {} on this invoice is still being made: send it again from the invoice page before starting another.",
                crate::money::format_gbp(open)
            )));
        }
        let request = match rules::refund_request(ask.amount, ask.reason, paid - refunded) {
            Ok(r) => r,
            Err(problems) => return Ok(Begun::Refused(problems)),
        };
        let payment: PaymentId = payments::table
            .filter(payments::invoice_id.eq(invoice.0))
            .filter(payments::status.eq(PaymentStatus::Succeeded))
            .select(payments::id)
            .order(payments::completed_at.desc())
            .first::<uuid::Uuid>(conn)
            .map(PaymentId)?;
        let id: uuid::Uuid = diesel::insert_into(refunds::table)
            .values((
                refunds::invoice_id.eq(invoice.0),
                refunds::payment_id.eq(payment.0),
                refunds::amount.eq(request.amount),
                refunds::reason.eq(&request.reason),
                refunds::requested_by.eq(actor.user_id()),
                refunds::form_key.eq(key),
            ))
            .returning(refunds::id)
            .get_result(conn)?;
        Ok(Begun::Plan(plan_for(conn, RefundId(id))?))
    })
}

const STALE_FORM: &str = "This refund form is out of date. Reload the invoice and try again.";

/// The refund in flight on this invoice, to send again (same key: Stripe answers with the
/// first attempt's refund if that one got through).
pub fn retry(conn: &mut PgConnection, scope: Scope, invoice: InvoiceId) -> Result<Plan, AppError> {
    lock_invoice(conn, scope, invoice)?;
    let (refund, _) = open_refund(conn, invoice)?.ok_or_else(|| {
        AppError::conflict("There is no refund waiting to be sent on this invoice.")
    })?;
    Ok(plan_for(conn, refund)?)
}

/// What became of a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completed {
    Refunded { credit_note: String },
    Declined { reason: String },
}

/// Records the gateway's answer. Answering twice changes nothing the second time.
pub fn complete(
    conn: &mut PgConnection,
    refund: RefundId,
    outcome: &RefundOutcome,
    (at, today): (OffsetDateTime, Date),
    (actor, base_url): (&Actor, &str),
) -> Result<Completed, AppError> {
    conn.transaction(|conn| {
        let (invoice, payment, amount, reason, state, failure): (
            InvoiceId,
            PaymentId,
            Decimal,
            String,
            String,
            Option<String>,
        ) = refunds::table
            .find(refund.0)
            .select((
                refunds::invoice_id,
                refunds::payment_id,
                refunds::amount,
                refunds::reason,
                refunds::status,
                refunds::failure_reason,
            ))
            .for_update()
            .first(conn)?;
        if state != "requested" {
            return already(conn, refund, invoice, failure);
        }
        let (business, provider, total, fee, (destination, offline)) =
            facts(conn, invoice, payment)?;
        let (_, paid, before) = lock_invoice(conn, Scope::Provider(provider), invoice)?;
        let gateway_id = match outcome {
            RefundOutcome::Declined { reason: why } => {
                let why: String = why.chars().take(500).collect();
                diesel::update(refunds::table.find(refund.0))
                    .set((
                        refunds::status.eq("failed"),
                        refunds::failure_reason.eq(Some(&why)),
                        refunds::completed_at.eq(Some(at)),
                    ))
                    .execute(conn)?;
                audit(
                    conn,
                    actor,
                    invoice,
                    (business, provider),
                    "invoice.refund_failed",
                    amount,
                )?;
                return Ok(Completed::Declined { reason: why });
            }
            RefundOutcome::Accepted { id } => id,
        };
        let back = if destination {
            rules::fee_refund(fee, paid, before, amount)
        } else {
            Fee::default()
        };
        diesel::update(refunds::table.find(refund.0))
            .set((
                refunds::status.eq("succeeded"),
                refunds::gateway_refund_id.eq(Some(gateway_id).filter(|g| !g.is_empty())),
                refunds::fee_refunded.eq(back.net),
                refunds::fee_vat_refunded.eq(back.vat),
                refunds::completed_at.eq(Some(at)),
            ))
            .execute(conn)?;
        let refunded = before + amount;
        diesel::update(invoices::table.find(invoice.0))
            .set((
                invoices::status.eq(rules::status_after(total, refunded)),
                invoices::amount_refunded.eq(refunded),
                invoices::updated_at.eq(at),
            ))
            .execute(conn)?;
        let parties = Parties { business, provider };
        let note = credit_notes::issue(
            conn,
            (invoice, parties),
            credit_notes::NoteFor::Refund(refund),
            (amount, &reason),
            (at, today),
        )?;
        let posting = |kind| Posting {
            kind,
            source: refund.to_string(),
            invoice: Some(invoice),
            payment: Some(payment),
            refund: Some(refund),
            payout: None,
            at,
            memo: note.1.clone(),
        };
        // The credit note cancels part of the sale (the buyer is owed it back); the entries
        // after it pay that back.
        post(
            conn,
            &Posting {
                kind: "credit_note",
                source: note.0.to_string(),
                ..posting("credit_note")
            },
            &ledger::credit_note(parties, amount),
        )?;
        if offline {
            post(
                conn,
                &posting("refunded_outside"),
                &ledger::refunded_outside(parties, amount),
            )?;
        } else {
            post(
                conn,
                &posting("refund_paid"),
                &ledger::refund_paid(parties, amount),
            )?;
            if destination {
                post(
                    conn,
                    &posting("transfer_reversed"),
                    &ledger::transfer_reversed(parties, amount - back.gross()),
                )?;
                post(
                    conn,
                    &posting("fee_refunded"),
                    &ledger::fee_refunded(parties, back),
                )?;
            }
        }
        audit(
            conn,
            actor,
            invoice,
            (business, provider),
            "invoice.refunded",
            amount,
        )?;
        credit_notes::notify(conn, note.0, base_url)?;
        Ok(Completed::Refunded {
            credit_note: note.1,
        })
    })
}

/// A refund answered before: what it came to.
fn already(
    conn: &mut PgConnection,
    refund: RefundId,
    invoice: InvoiceId,
    failure: Option<String>,
) -> Result<Completed, AppError> {
    if let Some(reason) = failure {
        return Ok(Completed::Declined { reason });
    }
    let number = credit_notes::for_refund(conn, refund)?.unwrap_or_default();
    tracing::info!(%refund, %invoice, "refund already recorded");
    Ok(Completed::Refunded {
        credit_note: number,
    })
}

type Facts = (BusinessId, ProviderId, Decimal, Fee, (bool, bool));

/// The invoice's parties, total and fee snapshot; whether its payment was a destination
/// charge (only then is there a transfer to reverse and a fee to give back), and whether it
/// was paid outside Larder (then the provider gave the money back themselves).
fn facts(conn: &mut PgConnection, invoice: InvoiceId, payment: PaymentId) -> QueryResult<Facts> {
    let (business, provider, total, net, vat): (BusinessId, ProviderId, Decimal, Decimal, Decimal) =
        invoices::table
            .find(invoice.0)
            .select((
                invoices::business_id,
                invoices::provider_id,
                invoices::total,
                invoices::platform_fee,
                invoices::platform_fee_vat,
            ))
            .first(conn)?;
    let (destination, gateway): (Option<String>, String) = payments::table
        .find(payment.0)
        .select((payments::destination_account, payments::gateway))
        .first(conn)?;
    Ok((
        business,
        provider,
        total,
        Fee { net, vat },
        (destination.is_some(), gateway == "offline"),
    ))
}

fn audit(
    conn: &mut PgConnection,
    actor: &Actor,
    invoice: InvoiceId,
    (business, provider): (BusinessId, ProviderId),
    action: &'static str,
    amount: Decimal,
) -> Result<(), AppError> {
    let entry = Entry::new(action, "invoice", Some(invoice.0))
        .org(Some(business.0), Some(provider.0))
        .change(
            None,
            Some(serde_json::json!({ "amount": amount.to_string() })),
        );
    Ok(crate::audit::record(conn, actor, entry)?)
}

/// A refund as the invoice page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct RefundRow {
    pub id: uuid::Uuid,
    pub amount: Decimal,
    pub reason: String,
    pub status: String,
    pub failure_reason: Option<String>,
    pub created_at: OffsetDateTime,
}

impl RefundRow {
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
    pub fn label(&self) -> &'static str {
        match self.status.as_str() {
            "succeeded" => "Refunded",
            "failed" => "Refused",
            "returned" => "Sent back by the card's bank",
            _ => "Being sent",
        }
    }
    pub fn is_open(&self) -> bool {
        self.status == "requested"
    }
}

pub fn for_invoice(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<Vec<RefundRow>> {
    refunds::table
        .filter(refunds::invoice_id.eq(invoice.0))
        .order(refunds::created_at)
        .select((
            refunds::id,
            refunds::amount,
            refunds::reason,
            refunds::status,
            refunds::failure_reason,
            refunds::created_at,
        ))
        .load(conn)
}

/// Money that couldn't be applied, to give back: writes the refund `requested` (an admin's),
/// refusing a payment that isn't waiting for one.
pub fn begin_unapplied(
    conn: &mut PgConnection,
    payment: PaymentId,
    actor: &Actor,
) -> Result<Plan, AppError> {
    conn.transaction(|conn| {
        let (invoice, status, amount, why): (InvoiceId, PaymentStatus, Decimal, Option<String>) =
            payments::table
                .find(payment.0)
                .select((
                    payments::invoice_id,
                    payments::status,
                    payments::amount,
                    payments::failure_reason,
                ))
                .for_update()
                .first(conn)?;
        if status != PaymentStatus::NeedsRefund {
            return Err(AppError::conflict(
                "This payment isn't waiting for a refund.",
            ));
        }
        if open_refund(conn, invoice)?.is_some() {
            return Err(AppError::conflict(
                "A refund on this invoice is still being made: try again in a minute.",
            ));
        }
        let reason: String = format!(
            "Money that couldn't be applied to the invoice{}",
            why.map(|w| format!(": {w}")).unwrap_or_default()
        )
        .chars()
        .take(rules::MAX_REASON)
        .collect();
        let id: uuid::Uuid = diesel::insert_into(refunds::table)
            .values((
                refunds::invoice_id.eq(invoice.0),
                refunds::payment_id.eq(payment.0),
                refunds::amount.eq(amount),
                refunds::reason.eq(&reason),
                refunds::requested_by.eq(actor.user_id()),
            ))
            .returning(refunds::id)
            .get_result(conn)?;
        Ok(plan_for(conn, RefundId(id))?)
    })
}

/// Records the gateway's answer for money given back unapplied: no credit note (it never
/// paid the invoice), the payment reads `refunded`, and the journal pays the buyer back.
pub fn complete_unapplied(
    conn: &mut PgConnection,
    refund: RefundId,
    outcome: &RefundOutcome,
    (at, actor): (OffsetDateTime, &Actor),
) -> Result<Completed, AppError> {
    conn.transaction(|conn| {
        let (invoice, payment, amount, state): (InvoiceId, PaymentId, Decimal, String) =
            refunds::table
                .find(refund.0)
                .select((
                    refunds::invoice_id,
                    refunds::payment_id,
                    refunds::amount,
                    refunds::status,
                ))
                .for_update()
                .first(conn)?;
        if state != "requested" {
            return Ok(Completed::Refunded {
                credit_note: String::new(),
            });
        }
        let (business, provider, ..) = facts(conn, invoice, payment)?;
        match outcome {
            RefundOutcome::Declined { reason } => {
                let why: String = reason.chars().take(500).collect();
                diesel::update(refunds::table.find(refund.0))
                    .set((
                        refunds::status.eq("failed"),
                        refunds::failure_reason.eq(Some(&why)),
                        refunds::completed_at.eq(Some(at)),
                    ))
                    .execute(conn)?;
                Ok(Completed::Declined { reason: why })
            }
            RefundOutcome::Accepted { id } => {
                diesel::update(refunds::table.find(refund.0))
                    .set((
                        refunds::status.eq("succeeded"),
                        refunds::gateway_refund_id.eq(Some(id).filter(|g| !g.is_empty())),
                        refunds::completed_at.eq(Some(at)),
                    ))
                    .execute(conn)?;
                diesel::update(payments::table.find(payment.0))
                    .set(payments::status.eq(PaymentStatus::Refunded))
                    .execute(conn)?;
                post(
                    conn,
                    &Posting {
                        kind: "refund_paid",
                        source: refund.to_string(),
                        invoice: Some(invoice),
                        payment: Some(payment),
                        refund: Some(refund),
                        payout: None,
                        at,
                        memo: "unapplied money returned".into(),
                    },
                    &ledger::refund_paid(Parties { business, provider }, amount),
                )?;
                audit(
                    conn,
                    actor,
                    invoice,
                    (business, provider),
                    "payment.refunded",
                    amount,
                )?;
                Ok(Completed::Refunded {
                    credit_note: String::new(),
                })
            }
        }
    })
}

/// What a refund failing after it was sent came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Not one of ours (or a test's): stored and ignored.
    Unknown,
    /// Already recorded; nothing changed.
    Unchanged,
    /// Still waiting for our own answer: it is recorded as refused, so nothing is posted.
    Refused,
    /// It had been recorded as made: it now reads returned, the buyer is owed it again in
    /// the journal, and admins see it on their refunds page.
    Returned,
}

/// Stripe says a refund failed after it was sent (`charge.refund.updated`, status failed):
/// the card's bank sent it back. In the caller's transaction (the webhook's). The credit
/// note stands: the buyer is still owed the money, and an admin has to pay it back.
pub fn returned(
    conn: &mut PgConnection,
    gateway_refund: &str,
    ours: Option<RefundId>,
    why: &str,
    at: OffsetDateTime,
) -> Result<Returned, AppError> {
    let found: Option<(uuid::Uuid, InvoiceId, PaymentId, Decimal, String)> = refunds::table
        .filter(
            refunds::gateway_refund_id
                .eq(gateway_refund)
                .or(refunds::id.nullable().eq(ours.map(|r| r.0))),
        )
        .select((
            refunds::id,
            refunds::invoice_id,
            refunds::payment_id,
            refunds::amount,
            refunds::status,
        ))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((id, invoice, payment, amount, state)) = found else {
        tracing::warn!(gateway_refund, "a refund we don't know failed");
        return Ok(Returned::Unknown);
    };
    let why: String = why.chars().take(500).collect();
    match state.as_str() {
        "requested" => {
            diesel::update(refunds::table.find(id))
                .set((
                    refunds::status.eq("failed"),
                    refunds::failure_reason.eq(Some(&why)),
                    refunds::completed_at.eq(Some(at)),
                ))
                .execute(conn)?;
            Ok(Returned::Refused)
        }
        "succeeded" => {
            diesel::update(refunds::table.find(id))
                .set((
                    refunds::status.eq("returned"),
                    refunds::failure_reason.eq(Some(&why)),
                    refunds::returned_at.eq(Some(at)),
                ))
                .execute(conn)?;
            let (business, provider, _, _, (_, offline)) = facts(conn, invoice, payment)?;
            if !offline {
                let refund = RefundId(id);
                post(
                    conn,
                    &Posting {
                        kind: "refund_returned",
                        source: refund.to_string(),
                        invoice: Some(invoice),
                        payment: Some(payment),
                        refund: Some(refund),
                        payout: None,
                        at,
                        memo: why.clone(),
                    },
                    &ledger::refund_returned(Parties { business, provider }, amount),
                )?;
            }
            tracing::error!(refund = %id, %invoice, "a refund came back from the card's bank");
            audit(
                conn,
                &Actor::system(),
                invoice,
                (business, provider),
                "invoice.refund_returned",
                amount,
            )?;
            Ok(Returned::Returned)
        }
        _ => Ok(Returned::Unchanged),
    }
}

/// A refund the card's bank sent back, for the admin refunds page.
#[derive(Debug, Clone, Queryable)]
pub struct ReturnedRow {
    pub invoice_id: InvoiceId,
    pub number: Option<String>,
    pub business: Option<String>,
    pub provider: Option<String>,
    pub amount: Decimal,
    pub why: Option<String>,
    pub returned_at: Option<OffsetDateTime>,
}

impl ReturnedRow {
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
    pub fn when(&self) -> String {
        self.returned_at
            .map(crate::timefmt::datetime)
            .unwrap_or_default()
    }
}

pub fn returned_rows(conn: &mut PgConnection) -> QueryResult<Vec<ReturnedRow>> {
    refunds::table
        .inner_join(invoices::table)
        .filter(refunds::status.eq("returned"))
        .order(refunds::returned_at.desc())
        .limit(200)
        .select((
            refunds::invoice_id,
            invoices::number,
            invoices::buyer_name,
            invoices::seller_name,
            refunds::amount,
            refunds::failure_reason,
            refunds::returned_at,
        ))
        .load(conn)
}

/// The refund a form (or another row standing in for one) made, and its state.
pub fn by_form_key(
    conn: &mut PgConnection,
    key: uuid::Uuid,
) -> QueryResult<Option<(RefundId, String)>> {
    refunds::table
        .filter(refunds::form_key.eq(key))
        .select((refunds::id, refunds::status))
        .first::<(uuid::Uuid, String)>(conn)
        .optional()
        .map(|r| r.map(|(id, s)| (RefundId(id), s)))
}

//! Export runs, and the rows they read a chunk at a time in date order (keyset: each chunk
//! starts after the last document of the one before, so no chunk costs more than the first).

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::rules::{Format, Kind, PayoutLine, RunStatus, SaleLine};
use crate::db::schema::{
    credit_note_lines, credit_notes, fee_invoice_lines, fee_invoices, invoice_lines, invoices,
    orders, payouts, report_runs,
};
use crate::ids::ProviderId;

#[derive(Debug, Clone, Queryable)]
pub struct Run {
    pub id: Uuid,
    pub provider_id: Option<Uuid>,
    pub kind: Kind,
    pub format: Format,
    pub from_date: Date,
    pub to_date: Date,
    pub status: RunStatus,
    pub done_rows: i32,
    pub total_rows: Option<i32>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
}

type RunColumns = (
    report_runs::id,
    report_runs::provider_id,
    report_runs::kind,
    report_runs::format,
    report_runs::from_date,
    report_runs::to_date,
    report_runs::status,
    report_runs::done_rows,
    report_runs::total_rows,
    report_runs::error,
    report_runs::created_at,
);

const RUN_COLUMNS: RunColumns = (
    report_runs::id,
    report_runs::provider_id,
    report_runs::kind,
    report_runs::format,
    report_runs::from_date,
    report_runs::to_date,
    report_runs::status,
    report_runs::done_rows,
    report_runs::total_rows,
    report_runs::error,
    report_runs::created_at,
);

/// Whose runs: a provider's, or the platform's (`None`, admins').
pub type Owner = Option<ProviderId>;

pub struct NewRun {
    pub owner: Owner,
    pub by: Uuid,
    pub kind: Kind,
    pub format: Format,
    pub from: Date,
    pub to: Date,
}

pub fn create(conn: &mut PgConnection, r: &NewRun) -> QueryResult<Uuid> {
    diesel::insert_into(report_runs::table)
        .values((
            report_runs::provider_id.eq(r.owner.map(|p| p.0)),
            report_runs::requested_by.eq(r.by),
            report_runs::kind.eq(r.kind),
            report_runs::format.eq(r.format),
            report_runs::from_date.eq(r.from),
            report_runs::to_date.eq(r.to),
        ))
        .returning(report_runs::id)
        .get_result(conn)
}

fn owned(owner: Owner) -> report_runs::BoxedQuery<'static, diesel::pg::Pg> {
    let q = report_runs::table.into_boxed();
    match owner {
        Some(p) => q.filter(report_runs::provider_id.eq(p.0)),
        None => q.filter(report_runs::provider_id.is_null()),
    }
}

/// The owner's latest runs.
pub fn recent(conn: &mut PgConnection, owner: Owner) -> QueryResult<Vec<Run>> {
    owned(owner)
        .order(report_runs::created_at.desc())
        .limit(20)
        .select(RUN_COLUMNS)
        .load(conn)
}

pub fn find(conn: &mut PgConnection, owner: Owner, id: Uuid) -> QueryResult<Option<Run>> {
    owned(owner)
        .filter(report_runs::id.eq(id))
        .select(RUN_COLUMNS)
        .first(conn)
        .optional()
}

/// The finished file of the owner's run, if it is done.
pub fn content(
    conn: &mut PgConnection,
    owner: Owner,
    id: Uuid,
) -> QueryResult<Option<(Run, String)>> {
    let Some(run) = find(conn, owner, id)? else {
        return Ok(None);
    };
    let body: Option<String> = report_runs::table
        .find(id)
        .select(report_runs::content)
        .first(conn)?;
    Ok(body.map(|b| (run, b)))
}

/// Any run by id, for the worker.
pub fn load(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Run>> {
    report_runs::table
        .find(id)
        .select(RUN_COLUMNS)
        .first(conn)
        .optional()
}

pub fn started(conn: &mut PgConnection, id: Uuid, total: i32) -> QueryResult<()> {
    diesel::update(report_runs::table.find(id))
        .set((
            report_runs::status.eq(RunStatus::Running),
            report_runs::total_rows.eq(total),
            report_runs::done_rows.eq(0),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn progressed(conn: &mut PgConnection, id: Uuid, done: i32) -> QueryResult<()> {
    diesel::update(report_runs::table.find(id))
        .set(report_runs::done_rows.eq(done))
        .execute(conn)?;
    Ok(())
}

pub fn finished(conn: &mut PgConnection, id: Uuid, body: &str) -> QueryResult<()> {
    diesel::update(report_runs::table.find(id))
        .set((
            report_runs::status.eq(RunStatus::Done),
            report_runs::content.eq(body),
            report_runs::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn failed(conn: &mut PgConnection, id: Uuid, error: &str) -> QueryResult<()> {
    diesel::update(report_runs::table.find(id))
        .set((
            report_runs::status.eq(RunStatus::Failed),
            report_runs::error.eq(error),
            report_runs::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

/// How many documents the run covers.
pub fn count(conn: &mut PgConnection, run: &Run) -> QueryResult<i64> {
    let (from, to) = (run.from_date, run.to_date);
    let provider = run.provider_id.unwrap_or_default();
    match run.kind {
        Kind::SalesInvoices => invoices::table
            .filter(invoices::provider_id.eq(provider))
            .filter(invoices::status.ne("draft"))
            .filter(invoices::issue_date.between(from, to))
            .count()
            .get_result(conn),
        Kind::CreditNotes => credit_notes::table
            .filter(credit_notes::provider_id.eq(provider))
            .filter(credit_notes::issue_date.between(from, to))
            .count()
            .get_result(conn),
        Kind::Payouts => payouts::table
            .filter(payouts::provider_id.eq(provider))
            .filter(payouts::status.eq("paid"))
            .filter(payouts::arrival_date.between(from, to))
            .count()
            .get_result(conn),
        Kind::FeeInvoices => fee_invoices::table
            .filter(fee_invoices::issue_date.between(from, to))
            .count()
            .get_result(conn),
    }
}

/// Where a chunk ends: the last document's date and id.
pub type Key = (Date, Uuid);

pub enum Rows {
    Sales(Vec<SaleLine>),
    Payouts(Vec<PayoutLine>),
}

pub struct Chunk {
    pub rows: Rows,
    pub documents: usize,
    pub last: Option<Key>,
}

/// A chunk's lines by their document, in the order read: one pass, not a scan per document.
fn by_document<T>(lines: Vec<T>, id: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for l in lines {
        out.entry(id(&l)).or_default().push(l);
    }
    out
}

/// The next `size` documents after `after`, as export rows.
pub fn chunk(
    conn: &mut PgConnection,
    run: &Run,
    after: Option<Key>,
    size: i64,
) -> QueryResult<Chunk> {
    // Before the range's first day: PostgreSQL's dates don't reach `Date::MIN`.
    let start = run.from_date.previous_day().unwrap_or(run.from_date);
    let after = after.unwrap_or((start, Uuid::nil()));
    match run.kind {
        Kind::SalesInvoices => sales(conn, run, after, size),
        Kind::CreditNotes => credits(conn, run, after, size),
        Kind::FeeInvoices => fees(conn, run, after, size),
        Kind::Payouts => payouts_chunk(conn, run, after, size),
    }
}

fn sales(conn: &mut PgConnection, run: &Run, after: Key, size: i64) -> QueryResult<Chunk> {
    type Doc = (
        Uuid,
        Option<String>,
        Option<String>,
        Option<Date>,
        Option<Date>,
        Option<String>,
    );
    let docs: Vec<Doc> = invoices::table
        .left_join(orders::table)
        .filter(invoices::provider_id.eq(run.provider_id.unwrap_or_default()))
        .filter(invoices::status.ne("draft"))
        .filter(invoices::issue_date.between(run.from_date, run.to_date))
        .filter(
            invoices::issue_date.gt(after.0).or(invoices::issue_date
                .eq(after.0)
                .and(invoices::id.gt(after.1))),
        )
        .order((invoices::issue_date, invoices::id))
        .limit(size)
        .select((
            invoices::id,
            invoices::number,
            invoices::buyer_name,
            invoices::issue_date,
            invoices::due_date,
            orders::number.nullable(),
        ))
        .load(conn)?;
    let ids: Vec<Uuid> = docs.iter().map(|d| d.0).collect();
    type LineRow = (Uuid, String, Decimal, Decimal, Decimal, Decimal, Decimal);
    let lines: Vec<LineRow> = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq_any(&ids))
        .order((invoice_lines::invoice_id, invoice_lines::position))
        .select((
            invoice_lines::invoice_id,
            invoice_lines::description,
            invoice_lines::quantity,
            invoice_lines::unit_price,
            invoice_lines::vat_rate,
            invoice_lines::line_vat,
            invoice_lines::line_total,
        ))
        .load(conn)?;
    let mut by_invoice = by_document(lines, |l| l.0);
    let mut rows = Vec::new();
    for (id, number, buyer, issued, due, order) in &docs {
        let date = issued.unwrap_or(run.from_date);
        for l in by_invoice.remove(id).unwrap_or_default() {
            rows.push(SaleLine {
                number: number.clone().unwrap_or_default(),
                contact: buyer.clone().unwrap_or_default(),
                reference: order
                    .clone()
                    .map(|o| format!("Order {o}"))
                    .unwrap_or_default(),
                date,
                due: due.unwrap_or(date),
                description: l.1,
                quantity: l.2,
                unit_amount: l.3,
                vat_rate: l.4,
                vat: l.5,
                amount: l.6,
            });
        }
    }
    Ok(Chunk {
        rows: Rows::Sales(rows),
        documents: docs.len(),
        last: docs.last().map(|d| (d.3.unwrap_or(run.from_date), d.0)),
    })
}

fn credits(conn: &mut PgConnection, run: &Run, after: Key, size: i64) -> QueryResult<Chunk> {
    type Doc = (Uuid, String, Date, String, Option<String>, Option<String>);
    let docs: Vec<Doc> = credit_notes::table
        .inner_join(invoices::table)
        .filter(credit_notes::provider_id.eq(run.provider_id.unwrap_or_default()))
        .filter(credit_notes::issue_date.between(run.from_date, run.to_date))
        .filter(
            credit_notes::issue_date
                .gt(after.0)
                .or(credit_notes::issue_date
                    .eq(after.0)
                    .and(credit_notes::id.gt(after.1))),
        )
        .order((credit_notes::issue_date, credit_notes::id))
        .limit(size)
        .select((
            credit_notes::id,
            credit_notes::number,
            credit_notes::issue_date,
            credit_notes::reason,
            invoices::number,
            invoices::buyer_name,
        ))
        .load(conn)?;
    let ids: Vec<Uuid> = docs.iter().map(|d| d.0).collect();
    let lines: Vec<(Uuid, Decimal, Decimal, Decimal)> = credit_note_lines::table
        .filter(credit_note_lines::credit_note_id.eq_any(&ids))
        .order((credit_note_lines::credit_note_id, credit_note_lines::id))
        .select((
            credit_note_lines::credit_note_id,
            credit_note_lines::vat_rate,
            credit_note_lines::net,
            credit_note_lines::vat,
        ))
        .load(conn)?;
    let mut by_note = by_document(lines, |l| l.0);
    let mut rows = Vec::new();
    for (id, number, date, reason, invoice, buyer) in &docs {
        for (_, rate, net, vat) in by_note.remove(id).unwrap_or_default() {
            rows.push(SaleLine {
                number: number.clone(),
                contact: buyer.clone().unwrap_or_default(),
                reference: invoice.clone().unwrap_or_default(),
                date: *date,
                due: *date,
                description: format!(
                    "Credit against {}: {reason}",
                    invoice.as_deref().unwrap_or("an invoice")
                ),
                quantity: Decimal::ONE,
                unit_amount: -net,
                vat_rate: rate,
                vat: -vat,
                amount: -net,
            });
        }
    }
    Ok(Chunk {
        rows: Rows::Sales(rows),
        documents: docs.len(),
        last: docs.last().map(|d| (d.2, d.0)),
    })
}

fn fees(conn: &mut PgConnection, run: &Run, after: Key, size: i64) -> QueryResult<Chunk> {
    let docs: Vec<(Uuid, String, Date, String)> = fee_invoices::table
        .filter(fee_invoices::issue_date.between(run.from_date, run.to_date))
        .filter(
            fee_invoices::issue_date
                .gt(after.0)
                .or(fee_invoices::issue_date
                    .eq(after.0)
                    .and(fee_invoices::id.gt(after.1))),
        )
        .order((fee_invoices::issue_date, fee_invoices::id))
        .limit(size)
        .select((
            fee_invoices::id,
            fee_invoices::number,
            fee_invoices::issue_date,
            fee_invoices::buyer_name,
        ))
        .load(conn)?;
    let ids: Vec<Uuid> = docs.iter().map(|d| d.0).collect();
    let lines: Vec<(Uuid, String, Decimal, Decimal)> = fee_invoice_lines::table
        .filter(fee_invoice_lines::fee_invoice_id.eq_any(&ids))
        .order((
            fee_invoice_lines::fee_invoice_id,
            fee_invoice_lines::occurred_at,
        ))
        .select((
            fee_invoice_lines::fee_invoice_id,
            fee_invoice_lines::description,
            fee_invoice_lines::net,
            fee_invoice_lines::vat,
        ))
        .load(conn)?;
    let mut by_invoice = by_document(lines, |l| l.0);
    let mut rows = Vec::new();
    for (id, number, date, provider) in &docs {
        for (_, description, net, vat) in by_invoice.remove(id).unwrap_or_default() {
            rows.push(SaleLine {
                number: number.clone(),
                contact: provider.clone(),
                reference: String::new(),
                date: *date,
                due: *date,
                description,
                quantity: Decimal::ONE,
                unit_amount: net,
                vat_rate: crate::ledger::rules::FEE_VAT_RATE,
                vat,
                amount: net,
            });
        }
    }
    Ok(Chunk {
        rows: Rows::Sales(rows),
        documents: docs.len(),
        last: docs.last().map(|d| (d.2, d.0)),
    })
}

fn payouts_chunk(conn: &mut PgConnection, run: &Run, after: Key, size: i64) -> QueryResult<Chunk> {
    let docs: Vec<(Uuid, Date, Decimal, String)> = payouts::table
        .filter(payouts::provider_id.eq(run.provider_id.unwrap_or_default()))
        .filter(payouts::status.eq("paid"))
        .filter(payouts::arrival_date.between(run.from_date, run.to_date))
        .filter(
            payouts::arrival_date.gt(after.0).or(payouts::arrival_date
                .eq(after.0)
                .and(payouts::id.gt(after.1))),
        )
        .order((payouts::arrival_date, payouts::id))
        .limit(size)
        .select((
            payouts::id,
            payouts::arrival_date,
            payouts::amount,
            payouts::stripe_payout_id,
        ))
        .load(conn)?;
    let rows = docs
        .iter()
        .map(|(_, date, amount, reference)| PayoutLine {
            date: *date,
            amount: *amount,
            reference: reference.clone(),
        })
        .collect();
    Ok(Chunk {
        rows: Rows::Payouts(rows),
        documents: docs.len(),
        last: docs.last().map(|d| (d.1, d.0)),
    })
}

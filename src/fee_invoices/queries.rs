//! Issuing the platform's fee invoices from the journal, and reading them back.

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::rules::{self, FeeEntry};
use crate::config::PlatformSeller;
use crate::db::schema::{fee_invoice_lines, fee_invoices, platform_fee_counter, providers};
use crate::ids::ProviderId;
use crate::statements::rules::StatementMonth;
use crate::web::AppError;

#[derive(Debug, Clone, QueryableByName)]
struct EntryRow {
    #[diesel(sql_type = SqlUuid)]
    entry_id: Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    invoice_id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    invoice_number: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: OffsetDateTime,
    #[diesel(sql_type = Numeric)]
    net: Decimal,
    #[diesel(sql_type = Numeric)]
    vat: Decimal,
}

const ENTRY_COLUMNS: &str = "e.id AS entry_id, e.kind, e.invoice_id AS invoice_id,
        i.number AS invoice_number, e.occurred_at,
        coalesce(-sum(l.amount) FILTER (WHERE l.account = 'platform_fee_revenue'), 0) AS net,
        coalesce(-sum(l.amount) FILTER (WHERE l.account = 'vat_on_fees'), 0) AS vat";

/// The provider's fee entries before `before` on no fee invoice yet: read from its invoices
/// (by their provider index), so the cost follows the provider's history, not everyone's.
fn uninvoiced(
    conn: &mut PgConnection,
    before: OffsetDateTime,
    provider: Uuid,
) -> QueryResult<Vec<EntryRow>> {
    diesel::sql_query(format!(
        "SELECT {ENTRY_COLUMNS}
           FROM invoices i
           JOIN journal_entries e ON e.invoice_id = i.id
           JOIN journal_lines l ON l.entry_id = e.id
          WHERE i.provider_id = $2
            AND e.kind IN ('platform_fee', 'fee_refunded') AND e.occurred_at < $1
            AND NOT EXISTS (SELECT 1 FROM fee_invoice_lines f WHERE f.entry_id = e.id)
          GROUP BY e.id, i.number
          ORDER BY e.occurred_at, e.id"
    ))
    .bind::<Timestamptz, _>(before)
    .bind::<SqlUuid, _>(provider)
    .load(conn)
}

#[derive(QueryableByName)]
struct ProviderRow {
    #[diesel(sql_type = SqlUuid)]
    provider_id: Uuid,
}

/// Providers with fee entries before `before` on no fee invoice yet (the fee entries' partial
/// index by date serves it).
fn providers_due(conn: &mut PgConnection, before: OffsetDateTime) -> QueryResult<Vec<Uuid>> {
    let rows: Vec<ProviderRow> = diesel::sql_query(
        "SELECT DISTINCT i.provider_id
           FROM journal_entries e JOIN invoices i ON i.id = e.invoice_id
          WHERE e.kind IN ('platform_fee', 'fee_refunded') AND e.occurred_at < $1
            AND NOT EXISTS (SELECT 1 FROM fee_invoice_lines f WHERE f.entry_id = e.id)
          ORDER BY i.provider_id",
    )
    .bind::<Timestamptz, _>(before)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.provider_id).collect())
}

/// Issues `month`'s fee invoice to every provider with fees not yet invoiced by its end, each
/// in its own transaction; returns the numbers issued. Safe to run again: a provider invoiced
/// for the month already is skipped, and fees arriving late go on the next month's invoice.
pub fn issue_month(
    conn: &mut PgConnection,
    month: StatementMonth,
    seller: &PlatformSeller,
    base_url: &str,
) -> Result<Vec<String>, AppError> {
    let end = rules::month_end(month);
    let mut issued = Vec::new();
    for provider in providers_due(conn, end)? {
        if let Some(number) = issue_one(conn, ProviderId(provider), month, seller, base_url)? {
            issued.push(number);
        }
    }
    Ok(issued)
}

fn issue_one(
    conn: &mut PgConnection,
    provider: ProviderId,
    month: StatementMonth,
    seller: &PlatformSeller,
    base_url: &str,
) -> Result<Option<String>, AppError> {
    conn.transaction(|conn| {
        // The counter's row lock serialises issuers: the re-read below sees every fee line
        // written before it, and the sequence has no gaps.
        let last: i32 = platform_fee_counter::table
            .select(platform_fee_counter::last_number)
            .for_update()
            .first(conn)?;
        let first_day = month.first_day();
        let exists: i64 = fee_invoices::table
            .filter(fee_invoices::provider_id.eq(provider.0))
            .filter(fee_invoices::month.eq(first_day))
            .count()
            .get_result(conn)?;
        let rows = uninvoiced(conn, rules::month_end(month), provider.0)?;
        if exists > 0 || rows.is_empty() {
            return Ok(None);
        }
        let entries: Vec<FeeEntry> = rows
            .iter()
            .map(|r| FeeEntry {
                kind: r.kind.clone(),
                invoice_number: r.invoice_number.clone(),
                net: r.net,
                vat: r.vat,
            })
            .collect();
        let (net, vat, total) = rules::totals(&entries);
        let n = last + 1;
        diesel::update(platform_fee_counter::table)
            .set(platform_fee_counter::last_number.eq(n))
            .execute(conn)?;
        let (name, address, vat_number): (String, Option<String>, Option<String>) =
            providers::table
                .find(provider.0)
                .select((providers::name, providers::address, providers::vat_number))
                .first(conn)?;
        let number = rules::number(n);
        let id: Uuid = diesel::insert_into(fee_invoices::table)
            .values((
                fee_invoices::provider_id.eq(provider.0),
                fee_invoices::month.eq(first_day),
                fee_invoices::sequence_number.eq(n),
                fee_invoices::number.eq(&number),
                fee_invoices::issue_date.eq(rules::issue_date(month)),
                fee_invoices::seller_name.eq(&seller.name),
                fee_invoices::seller_address.eq(&seller.address),
                fee_invoices::seller_vat_number.eq(&seller.vat_number),
                fee_invoices::buyer_name.eq(&name),
                fee_invoices::buyer_address.eq(address),
                fee_invoices::buyer_vat_number.eq(vat_number),
                fee_invoices::net.eq(net),
                fee_invoices::vat.eq(vat),
                fee_invoices::total.eq(total),
                // Every fee here was an application fee Stripe took from the card payment.
                fee_invoices::paid.eq(total),
            ))
            .returning(fee_invoices::id)
            .get_result(conn)?;
        let lines: Vec<_> = rows
            .iter()
            .zip(&entries)
            .map(|(r, e)| {
                (
                    fee_invoice_lines::fee_invoice_id.eq(id),
                    fee_invoice_lines::entry_id.eq(r.entry_id),
                    fee_invoice_lines::invoice_id.eq(Some(r.invoice_id)),
                    fee_invoice_lines::description.eq(rules::describe(e)),
                    fee_invoice_lines::occurred_at.eq(r.occurred_at),
                    fee_invoice_lines::net.eq(r.net),
                    fee_invoice_lines::vat.eq(r.vat),
                )
            })
            .collect();
        diesel::insert_into(fee_invoice_lines::table)
            .values(&lines)
            .execute(conn)?;
        super::notify::issued(conn, provider, id, &number, total, base_url)?;
        Ok(Some(number))
    })
}

#[derive(Debug, Clone, Queryable)]
pub struct FeeInvoice {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub month: Date,
    pub number: String,
    pub issue_date: Date,
    pub seller_name: String,
    pub seller_address: String,
    pub seller_vat_number: String,
    pub buyer_name: String,
    pub buyer_address: Option<String>,
    pub buyer_vat_number: Option<String>,
    pub net: Decimal,
    pub vat: Decimal,
    pub total: Decimal,
    pub paid: Decimal,
}

type Columns = (
    fee_invoices::id,
    fee_invoices::provider_id,
    fee_invoices::month,
    fee_invoices::number,
    fee_invoices::issue_date,
    fee_invoices::seller_name,
    fee_invoices::seller_address,
    fee_invoices::seller_vat_number,
    fee_invoices::buyer_name,
    fee_invoices::buyer_address,
    fee_invoices::buyer_vat_number,
    fee_invoices::net,
    fee_invoices::vat,
    fee_invoices::total,
    fee_invoices::paid,
);

const COLUMNS: Columns = (
    fee_invoices::id,
    fee_invoices::provider_id,
    fee_invoices::month,
    fee_invoices::number,
    fee_invoices::issue_date,
    fee_invoices::seller_name,
    fee_invoices::seller_address,
    fee_invoices::seller_vat_number,
    fee_invoices::buyer_name,
    fee_invoices::buyer_address,
    fee_invoices::buyer_vat_number,
    fee_invoices::net,
    fee_invoices::vat,
    fee_invoices::total,
    fee_invoices::paid,
);

/// One fee invoice: the provider's own (`Some`), or any for an admin (`None`).
pub fn find(
    conn: &mut PgConnection,
    provider: Option<ProviderId>,
    id: Uuid,
) -> QueryResult<Option<FeeInvoice>> {
    let mut q = fee_invoices::table
        .filter(fee_invoices::id.eq(id))
        .select(COLUMNS)
        .into_boxed();
    if let Some(p) = provider {
        q = q.filter(fee_invoices::provider_id.eq(p.0));
    }
    q.first(conn).optional()
}

/// Newest first, a page at a time: the provider's, or every provider's for an admin.
pub fn list(
    conn: &mut PgConnection,
    provider: Option<ProviderId>,
    page: crate::web::pagination::PageRequest,
) -> QueryResult<Vec<FeeInvoice>> {
    let mut q = fee_invoices::table
        .select(COLUMNS)
        .order(fee_invoices::sequence_number.desc())
        .limit(page.fetch_limit())
        .offset(page.offset())
        .into_boxed();
    if let Some(p) = provider {
        q = q.filter(fee_invoices::provider_id.eq(p.0));
    }
    q.load(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct Line {
    pub description: String,
    pub occurred_at: OffsetDateTime,
    pub net: Decimal,
    pub vat: Decimal,
}

pub fn lines(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<Line>> {
    fee_invoice_lines::table
        .filter(fee_invoice_lines::fee_invoice_id.eq(id))
        .order((fee_invoice_lines::occurred_at, fee_invoice_lines::id))
        .select((
            fee_invoice_lines::description,
            fee_invoice_lines::occurred_at,
            fee_invoice_lines::net,
            fee_invoice_lines::vat,
        ))
        .load(conn)
}

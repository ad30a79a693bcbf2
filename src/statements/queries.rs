//! What a provider's statement lists for one month, always within that provider.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use super::rules::{self, StatementMonth};
use crate::db::schema::{credit_notes, invoices, payouts};
use crate::ids::ProviderId;
use crate::invoicing::rules::InvoiceStatus;

/// An invoice issued in the month, with Larder's fee as it stands (credits lower it).
#[derive(Debug, Clone, Queryable)]
pub struct InvoiceLine {
    pub id: Uuid,
    pub number: Option<String>,
    pub buyer: Option<String>,
    pub issue_date: Option<Date>,
    pub status: InvoiceStatus,
    pub total: Decimal,
    pub fee: Decimal,
    pub fee_vat: Decimal,
}

impl InvoiceLine {
    pub fn net(&self) -> Decimal {
        rules::net(self.total, self.fee, self.fee_vat)
    }

    pub fn date_text(&self) -> String {
        self.issue_date
            .map(crate::timefmt::date)
            .unwrap_or_default()
    }
}

/// A credit note issued in the month, against which invoice.
#[derive(Debug, Clone, Queryable)]
pub struct CreditLine {
    pub invoice_id: Uuid,
    pub number: String,
    pub invoice_number: Option<String>,
    pub issue_date: Date,
    pub total: Decimal,
}

/// A payout due to arrive in the month.
#[derive(Debug, Clone, Queryable)]
pub struct PayoutLine {
    pub id: Uuid,
    pub arrival_date: Date,
    pub status: String,
    pub amount: Decimal,
}

/// The month's lines, oldest first. A month holds at most a few thousand of each for the
/// busiest provider, and the statement lists them all, as its CSV does.
pub struct Statement {
    pub invoices: Vec<InvoiceLine>,
    pub credits: Vec<CreditLine>,
    pub payouts: Vec<PayoutLine>,
}

pub fn statement(
    conn: &mut PgConnection,
    provider: ProviderId,
    month: StatementMonth,
) -> QueryResult<Statement> {
    let (from, to) = (month.first_day(), month.next().first_day());
    let invoices = invoices::table
        .filter(invoices::provider_id.eq(provider.0))
        .filter(invoices::status.ne(InvoiceStatus::Draft))
        .filter(invoices::issue_date.ge(from))
        .filter(invoices::issue_date.lt(to))
        .order((invoices::issue_date, invoices::sequence_number))
        .select((
            invoices::id,
            invoices::number,
            invoices::buyer_name,
            invoices::issue_date,
            invoices::status,
            invoices::total,
            invoices::platform_fee,
            invoices::platform_fee_vat,
        ))
        .load(conn)?;
    let credits = credit_notes::table
        .inner_join(invoices::table)
        .filter(credit_notes::provider_id.eq(provider.0))
        .filter(credit_notes::issue_date.ge(from))
        .filter(credit_notes::issue_date.lt(to))
        .order((credit_notes::issue_date, credit_notes::sequence_number))
        .select((
            credit_notes::invoice_id,
            credit_notes::number,
            invoices::number,
            credit_notes::issue_date,
            credit_notes::total,
        ))
        .load(conn)?;
    let payouts = payouts::table
        .filter(payouts::provider_id.eq(provider.0))
        .filter(payouts::arrival_date.ge(from))
        .filter(payouts::arrival_date.lt(to))
        .order((payouts::arrival_date, payouts::id))
        .select((
            payouts::id,
            payouts::arrival_date,
            payouts::status,
            payouts::amount,
        ))
        .load(conn)?;
    Ok(Statement {
        invoices,
        credits,
        payouts,
    })
}

//! Credit notes: numbered per provider without gaps (the invoice counter row's lock
//! serialises them), split by VAT rate against what the invoice has left, and emailed to the
//! buyer's people and the provider.

use askama::Template;
use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::rules::{self, RatePart};
use crate::db::schema::{
    credit_note_lines, credit_notes, invoice_lines, invoices, provider_invoice_counters, providers,
};
use crate::email::{self, OutgoingEmail};
use crate::ids::{CreditNoteId, InvoiceId, RefundId};
use crate::ledger::rules::Parties;
use crate::tenancy::members::buyer_emails_allowed;
use crate::tenancy::{Permission, Scope};
use crate::web::AppError;

/// The invoice's net and VAT by rate, less every credit note against it so far.
fn left_to_credit(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<Vec<RatePart>> {
    let lines: Vec<(Decimal, Decimal, Decimal)> = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice.0))
        .select((
            invoice_lines::line_total,
            invoice_lines::vat_rate,
            invoice_lines::line_vat,
        ))
        .load(conn)?;
    let invoiced: Vec<RatePart> = crate::money::Totals::from_lines(lines)
        .by_rate
        .into_iter()
        .map(|(rate, net, vat)| RatePart { rate, net, vat })
        .collect();
    let credited: Vec<RatePart> = credit_note_lines::table
        .inner_join(credit_notes::table)
        .filter(credit_notes::invoice_id.eq(invoice.0))
        .select((
            credit_note_lines::vat_rate,
            credit_note_lines::net,
            credit_note_lines::vat,
        ))
        .load::<(Decimal, Decimal, Decimal)>(conn)?
        .into_iter()
        .map(|(rate, net, vat)| RatePart { rate, net, vat })
        .collect();
    Ok(rules::remaining(&invoiced, &credited))
}

/// What a credit note records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteFor {
    Refund(RefundId),
    /// The whole of what was left on an unpaid invoice, voided.
    Void,
    /// Part of an unpaid invoice, credited before payment.
    Credit,
}

impl NoteFor {
    fn kind(self) -> &'static str {
        match self {
            Self::Refund(_) => "refund",
            Self::Void => "void",
            Self::Credit => "credit",
        }
    }
    fn refund(self) -> Option<RefundId> {
        match self {
            Self::Refund(r) => Some(r),
            Self::Void | Self::Credit => None,
        }
    }
}

/// Issues a credit note for `amount` (VAT included) against the invoice, in the caller's
/// transaction. Returns its id and number.
pub fn issue(
    conn: &mut PgConnection,
    (invoice, parties): (InvoiceId, Parties),
    what: NoteFor,
    (amount, reason): (Decimal, &str),
    (at, today): (OffsetDateTime, Date),
) -> Result<(CreditNoteId, String), AppError> {
    let parts = rules::credit_parts(&left_to_credit(conn, invoice)?, amount);
    let credited: Decimal = parts.iter().map(|p| p.gross()).sum();
    if credited != amount {
        // The invoice has less left to credit than this refund: never write a note that
        // doesn't add up.
        return Err(AppError::Unexpected(anyhow::anyhow!(
            "credit note for {amount} on {invoice} could only cover {credited}"
        )));
    }
    let n: i32 = diesel::update(provider_invoice_counters::table.find(parties.provider.0))
        .set(
            provider_invoice_counters::last_credit_note
                .eq(provider_invoice_counters::last_credit_note + 1),
        )
        .returning(provider_invoice_counters::last_credit_note)
        .get_result(conn)?;
    let number = rules::credit_note_number(n);
    let subtotal: Decimal = parts.iter().map(|p| p.net).sum();
    let id: Uuid = diesel::insert_into(credit_notes::table)
        .values((
            credit_notes::provider_id.eq(parties.provider.0),
            credit_notes::business_id.eq(parties.business.0),
            credit_notes::invoice_id.eq(invoice.0),
            credit_notes::refund_id.eq(what.refund().map(|r| r.0)),
            credit_notes::kind.eq(what.kind()),
            credit_notes::sequence_number.eq(n),
            credit_notes::number.eq(&number),
            credit_notes::reason.eq(reason.chars().take(rules::MAX_REASON).collect::<String>()),
            credit_notes::issue_date.eq(today),
            credit_notes::subtotal.eq(subtotal),
            credit_notes::vat_total.eq(amount - subtotal),
            credit_notes::total.eq(amount),
            credit_notes::created_at.eq(at),
        ))
        .returning(credit_notes::id)
        .get_result(conn)?;
    let rows: Vec<_> = parts
        .iter()
        .map(|p| {
            (
                credit_note_lines::credit_note_id.eq(id),
                credit_note_lines::vat_rate.eq(p.rate),
                credit_note_lines::net.eq(p.net),
                credit_note_lines::vat.eq(p.vat),
            )
        })
        .collect();
    diesel::insert_into(credit_note_lines::table)
        .values(&rows)
        .execute(conn)?;
    Ok((CreditNoteId(id), number))
}

/// The number of the credit note recording this refund.
pub fn for_refund(conn: &mut PgConnection, refund: RefundId) -> QueryResult<Option<String>> {
    credit_notes::table
        .filter(credit_notes::refund_id.eq(refund.0))
        .select(credit_notes::number)
        .first(conn)
        .optional()
}

/// A credit note as its page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct CreditNote {
    pub id: CreditNoteId,
    pub invoice_id: InvoiceId,
    pub number: String,
    pub reason: String,
    pub issue_date: Date,
    pub subtotal: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
    pub invoice_number: Option<String>,
    pub seller_name: Option<String>,
    pub seller_address: Option<String>,
    pub seller_vat_number: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_address: Option<String>,
}

impl CreditNote {
    pub fn total_text(&self) -> String {
        crate::money::format_gbp(self.total)
    }
    pub fn subtotal_text(&self) -> String {
        crate::money::format_gbp(self.subtotal)
    }
    pub fn vat_text(&self) -> String {
        crate::money::format_gbp(self.vat_total)
    }
    pub fn date_text(&self) -> String {
        crate::timefmt::date(self.issue_date)
    }
    pub fn invoice_number(&self) -> &str {
        self.invoice_number.as_deref().unwrap_or("")
    }
}

/// One credit note, if the scope may see it (another tenant's id is simply not found).
pub fn find(
    conn: &mut PgConnection,
    scope: Scope,
    id: CreditNoteId,
) -> Result<CreditNote, AppError> {
    let mut q = credit_notes::table
        .inner_join(invoices::table)
        .filter(credit_notes::id.eq(id.0))
        .into_boxed();
    q = match scope {
        Scope::Buyer(b) => q.filter(credit_notes::business_id.eq(b.0)),
        Scope::Provider(p) => q.filter(credit_notes::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => q,
    };
    Ok(q.select((
        credit_notes::id,
        credit_notes::invoice_id,
        credit_notes::number,
        credit_notes::reason,
        credit_notes::issue_date,
        credit_notes::subtotal,
        credit_notes::vat_total,
        credit_notes::total,
        invoices::number,
        invoices::seller_name,
        invoices::seller_address,
        invoices::seller_vat_number,
        invoices::buyer_name,
        invoices::buyer_address,
    ))
    .first(conn)?)
}

/// ("20%", net, VAT) rows of a credit note, lowest rate first.
pub fn lines(conn: &mut PgConnection, id: CreditNoteId) -> QueryResult<Vec<RatePart>> {
    Ok(credit_note_lines::table
        .filter(credit_note_lines::credit_note_id.eq(id.0))
        .order(credit_note_lines::vat_rate)
        .select((
            credit_note_lines::vat_rate,
            credit_note_lines::net,
            credit_note_lines::vat,
        ))
        .load::<(Decimal, Decimal, Decimal)>(conn)?
        .into_iter()
        .map(|(rate, net, vat)| RatePart { rate, net, vat })
        .collect())
}

/// A credit note in the invoice page's list.
#[derive(Debug, Clone, Queryable)]
pub struct NoteRow {
    pub id: CreditNoteId,
    pub number: String,
    pub total: Decimal,
    pub reason: String,
}

impl NoteRow {
    pub fn total_text(&self) -> String {
        crate::money::format_gbp(self.total)
    }
}

pub fn for_invoice(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<Vec<NoteRow>> {
    credit_notes::table
        .filter(credit_notes::invoice_id.eq(invoice.0))
        .order(credit_notes::sequence_number)
        .select((
            credit_notes::id,
            credit_notes::number,
            credit_notes::total,
            credit_notes::reason,
        ))
        .load(conn)
}

#[derive(Template)]
#[template(path = "emails/credit_note.txt")]
struct NoteText<'a> {
    number: &'a str,
    invoice: &'a str,
    amount: &'a str,
    reason: &'a str,
    other: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/credit_note.html")]
struct NoteHtml<'a> {
    number: &'a str,
    invoice: &'a str,
    amount: &'a str,
    reason: &'a str,
    other: &'a str,
    link: &'a str,
}

/// Emails the credit note to the buyer's invoice readers and the provider, in the caller's
/// transaction (queued, so a rollback sends nothing).
pub fn notify(conn: &mut PgConnection, id: CreditNoteId, base_url: &str) -> Result<(), AppError> {
    let note = find(conn, Scope::System, id)?;
    let (business, provider): (Uuid, Uuid) = credit_notes::table
        .find(id.0)
        .select((credit_notes::business_id, credit_notes::provider_id))
        .first(conn)?;
    let (provider_name, provider_email): (String, String) = providers::table
        .find(provider)
        .select((providers::name, providers::contact_email))
        .first(conn)?;
    let buyer_name = note.buyer_name.clone().unwrap_or_default();
    let mut recipients = vec![(
        provider_email,
        format!("{base_url}/provider/credit-notes/{id}"),
        buyer_name,
    )];
    for to in buyer_emails_allowed(
        conn,
        crate::ids::BusinessId(business),
        Permission::ViewInvoices,
    )? {
        recipients.push((
            to,
            format!("{base_url}/credit-notes/{id}"),
            provider_name.clone(),
        ));
    }
    let amount = note.total_text();
    for (to, link, other) in recipients {
        let (number, invoice) = (note.number.as_str(), note.invoice_number());
        let message = OutgoingEmail {
            subject: format!("Credit note {number} for invoice {invoice}: {amount}"),
            text: NoteText {
                number,
                invoice,
                amount: &amount,
                reason: &note.reason,
                other: &other,
                link: &link,
            }
            .render()?,
            html: NoteHtml {
                number,
                invoice,
                amount: &amount,
                reason: &note.reason,
                other: &other,
                link: &link,
            }
            .render()?,
            to: to.clone(),
        };
        email::queue(conn, &message, &format!("credit_note:{id}:{to}"))?;
    }
    Ok(())
}

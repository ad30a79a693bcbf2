//! Invoice SQL. Provider writes take the provider id from the session; buyer reads take the
//! business id and never see drafts.

use super::changes::{Change, after_change};
use crate::audit::Actor;
use diesel::prelude::*;

use crate::ledger::rules as ledger;
use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use super::draft_form::{DraftInput, FieldMessages};
use super::model::{Invoice, InvoiceLine, InvoiceRow};
use super::rules::{self, InvoiceStatus};
use crate::db::schema::{
    businesses, invoice_lines, invoices, order_lines, orders, provider_invoice_counters, providers,
};
use crate::ids::{InvoiceId, ProviderId};
use crate::money;
use crate::orders::model::OrderLine;
use crate::orders::rules::OrderStatus;
use crate::providers::rules::Trade;
use crate::tenancy::Scope;
use crate::web::AppError;
use crate::web::pagination::PageRequest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceFilter {
    All,
    Unpaid,
    Overdue,
    Paid,
    Draft,
}

impl InvoiceFilter {
    pub fn parse(raw: Option<&str>) -> Self {
        match raw {
            Some("unpaid") => Self::Unpaid,
            Some("overdue") => Self::Overdue,
            Some("paid") => Self::Paid,
            Some("draft") => Self::Draft,
            _ => Self::All,
        }
    }
}

pub fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: InvoiceFilter,
    today: Date,
    page: PageRequest,
) -> QueryResult<Vec<InvoiceRow>> {
    let mut q = invoices::table
        .inner_join(businesses::table)
        .inner_join(providers::table)
        .select((Invoice::as_select(), businesses::name, providers::name))
        .into_boxed();
    q = match scope {
        Scope::Buyer(b) => q
            .filter(invoices::business_id.eq(b.0))
            .filter(invoices::status.ne(InvoiceStatus::Draft)),
        Scope::Provider(p) => q.filter(invoices::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => q,
    };
    q = match filter {
        InvoiceFilter::All => q,
        InvoiceFilter::Unpaid => q.filter(invoices::status.eq(InvoiceStatus::Issued)),
        InvoiceFilter::Overdue => q
            .filter(invoices::status.eq(InvoiceStatus::Issued))
            .filter(invoices::due_date.lt(today)),
        InvoiceFilter::Paid => q.filter(invoices::status.eq_any([
            InvoiceStatus::Paid,
            InvoiceStatus::PartiallyRefunded,
            InvoiceStatus::Refunded,
        ])),
        InvoiceFilter::Draft => q.filter(invoices::status.eq(InvoiceStatus::Draft)),
    };
    let buyer = matches!(scope, Scope::Buyer(_));
    q.order((invoices::created_at.desc(), invoices::id.desc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .load::<(Invoice, String, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(invoice, business, provider)| InvoiceRow {
                    invoice,
                    counterparty: if buyer { provider } else { business },
                })
                .collect()
        })
}

/// Total still owed on issued invoices (and how much of it is overdue), summed by the
/// database over the (scope, status, due date) index rather than read row by row.
pub fn outstanding(
    conn: &mut PgConnection,
    scope: Scope,
    today: Date,
) -> QueryResult<(Decimal, Decimal)> {
    let issued = || {
        let q = invoices::table
            .filter(invoices::status.eq(InvoiceStatus::Issued))
            .into_boxed();
        match scope {
            Scope::Buyer(b) => q.filter(invoices::business_id.eq(b.0)),
            Scope::Provider(p) => q.filter(invoices::provider_id.eq(p.0)),
            Scope::Admin | Scope::System => q,
        }
    };
    let owed =
        || diesel::dsl::sum(invoices::total - invoices::amount_credited - invoices::amount_paid);
    let all: Option<Decimal> = issued().select(owed()).first(conn)?;
    let late: Option<Decimal> = issued()
        .filter(invoices::due_date.lt(today))
        .select(owed())
        .first(conn)?;
    Ok((all.unwrap_or_default(), late.unwrap_or_default()))
}

pub fn find(conn: &mut PgConnection, scope: Scope, id: InvoiceId) -> QueryResult<Invoice> {
    let q = invoices::table
        .filter(invoices::id.eq(id))
        .select(Invoice::as_select())
        .into_boxed();
    let q = match scope {
        Scope::Buyer(b) => q
            .filter(invoices::business_id.eq(b.0))
            .filter(invoices::status.ne(InvoiceStatus::Draft)),
        Scope::Provider(p) => q.filter(invoices::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => q,
    };
    q.first(conn)
}

pub fn lines(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<Vec<InvoiceLine>> {
    invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .order(invoice_lines::position)
        .select(InvoiceLine::as_select())
        .load(conn)
}

pub fn for_order(
    conn: &mut PgConnection,
    scope: Scope,
    order: Uuid,
) -> QueryResult<Option<Invoice>> {
    let q = invoices::table
        .filter(invoices::order_id.eq(order))
        .filter(invoices::status.ne(InvoiceStatus::Void))
        .select(Invoice::as_select())
        .into_boxed();
    let q = match scope {
        Scope::Buyer(b) => q
            .filter(invoices::business_id.eq(b.0))
            .filter(invoices::status.ne(InvoiceStatus::Draft)),
        Scope::Provider(p) => q.filter(invoices::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => q,
    };
    q.first(conn).optional()
}

/// Who the invoice is to, as it stands now: the buyer's name and the order's delivery
/// address. Issuing records these; a draft shows them.
pub fn buyer_as_now(
    conn: &mut PgConnection,
    invoice: &Invoice,
) -> QueryResult<(String, Option<String>)> {
    let name: String = businesses::table
        .find(invoice.business_id)
        .select(businesses::name)
        .first(conn)?;
    let address: Option<String> = match invoice.order_id {
        Some(order) => Some(
            orders::table
                .find(order)
                .select(orders::delivery_address)
                .first(conn)?,
        ),
        None => None,
    };
    Ok((name, address))
}

/// Recomputes the stored totals from the lines; returns the total with VAT.
fn write_totals(conn: &mut PgConnection, id: InvoiceId) -> QueryResult<Decimal> {
    let t = super::model::totals(&lines(conn, id)?);
    diesel::update(invoices::table.find(id))
        .set((
            invoices::subtotal.eq(t.subtotal),
            invoices::vat_total.eq(t.vat_total),
            invoices::total.eq(t.total),
        ))
        .execute(conn)?;
    Ok(t.total)
}

/// A draft from a confirmed or delivered order, lines as delivered (shorts excluded).
/// The order's live invoice, if it has one already, is returned instead of a second.
pub fn create_from_order(
    conn: &mut PgConnection,
    provider: ProviderId,
    order_id: Uuid,
) -> Result<InvoiceId, AppError> {
    conn.transaction(|conn| {
        let (business, status): (Uuid, OrderStatus) = orders::table
            .filter(orders::id.eq(order_id))
            .filter(orders::provider_id.eq(provider.0))
            .select((orders::business_id, orders::status))
            .for_update()
            .first(conn)?;
        if let Some(existing) = for_order(conn, Scope::Provider(provider), order_id)? {
            return Ok(existing.id);
        }
        crate::providers::queries::ensure_may_trade(conn, provider, Trade::Invoice)?;
        if !status.can_invoice() {
            return Err(AppError::Conflict(
                "Only confirmed or delivered orders can be invoiced.".into(),
            ));
        }
        let id = crate::ids::new_id();
        diesel::insert_into(invoices::table)
            .values((
                invoices::id.eq(id),
                invoices::provider_id.eq(provider.0),
                invoices::business_id.eq(business),
                invoices::order_id.eq(Some(order_id)),
            ))
            .execute(conn)?;
        let lines: Vec<OrderLine> = order_lines::table
            .filter(order_lines::order_id.eq(order_id))
            .order(order_lines::position)
            .select(OrderLine::as_select())
            .load(conn)?;
        let rows: Vec<_> = lines
            .iter()
            .filter(|l| !l.delivered_quantity().is_zero())
            .enumerate()
            .map(|(i, l)| {
                let q = l.delivered_quantity();
                let (net, vat) = money::price_line(l.unit_price, q, l.vat_rate);
                let description = if l.pack_size.is_empty() {
                    l.product_name.clone()
                } else {
                    format!("{} ({})", l.product_name, l.pack_size)
                };
                (
                    invoice_lines::id.eq(crate::ids::new_id()),
                    invoice_lines::invoice_id.eq(id),
                    invoice_lines::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                    invoice_lines::description
                        .eq(description.chars().take(200).collect::<String>()),
                    invoice_lines::unit.eq(l.unit.clone()),
                    invoice_lines::quantity.eq(q),
                    invoice_lines::fractional.eq(l.fractional),
                    invoice_lines::unit_price.eq(l.unit_price),
                    invoice_lines::vat_rate.eq(l.vat_rate),
                    invoice_lines::line_total.eq(net),
                    invoice_lines::line_vat.eq(vat),
                    invoice_lines::customer_price.eq(l.customer_price),
                )
            })
            .collect();
        diesel::insert_into(invoice_lines::table)
            .values(&rows)
            .execute(conn)?;
        let charge: rust_decimal::Decimal = orders::table
            .find(order_id)
            .select(orders::delivery_charge)
            .first(conn)?;
        if !charge.is_zero() {
            let (net, rate, vat) = crate::availability::rules::delivery_charge_line(charge);
            diesel::insert_into(invoice_lines::table)
                .values((
                    invoice_lines::id.eq(crate::ids::new_id()),
                    invoice_lines::invoice_id.eq(id),
                    invoice_lines::position.eq(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
                    invoice_lines::description.eq("Delivery"),
                    invoice_lines::unit.eq("delivery"),
                    invoice_lines::quantity.eq(rust_decimal::Decimal::ONE),
                    invoice_lines::fractional.eq(false),
                    invoice_lines::unit_price.eq(net),
                    invoice_lines::vat_rate.eq(rate),
                    invoice_lines::line_total.eq(net),
                    invoice_lines::line_vat.eq(vat),
                ))
                .execute(conn)?;
        }
        write_totals(conn, InvoiceId(id))?;
        Ok(InvoiceId(id))
    })
}

fn lock(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: InvoiceId,
) -> Result<InvoiceStatus, AppError> {
    let status: String = invoices::table
        .filter(invoices::id.eq(id))
        .filter(invoices::provider_id.eq(provider.0))
        .select(invoices::status)
        .for_update()
        .first(conn)?;
    InvoiceStatus::parse(&status)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("unknown invoice status {status}")))
}

/// Why a draft write stopped: messages for the form (the transaction rolls back), or an error.
enum DraftFail {
    Fields(FieldMessages),
    App(AppError),
}

impl From<diesel::result::Error> for DraftFail {
    fn from(e: diesel::result::Error) -> Self {
        Self::App(e.into())
    }
}

impl From<AppError> for DraftFail {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

fn settle_draft<T>(result: Result<T, DraftFail>) -> Result<Result<T, FieldMessages>, AppError> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(DraftFail::Fields(messages)) => Ok(Err(messages)),
        Err(DraftFail::App(e)) => Err(e),
    }
}

/// Saves the draft as typed; `Ok(Err(messages))` means nothing was saved.
pub fn update_draft(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: InvoiceId,
    input: &DraftInput,
) -> Result<Result<(), FieldMessages>, AppError> {
    settle_draft(conn.transaction(|conn| {
        rules::can_edit(lock(conn, provider, id)?).map_err(AppError::Conflict)?;
        apply_draft(conn, id, input)
    }))
}

/// Writes the edits and charge to a locked draft, then checks what it now comes to.
fn apply_draft(
    conn: &mut PgConnection,
    id: InvoiceId,
    input: &DraftInput,
) -> Result<(), DraftFail> {
    let mut errors = FieldMessages::new();
    for edit in &input.edits {
        let scoped = invoice_lines::table
            .filter(invoice_lines::invoice_id.eq(id))
            .filter(invoice_lines::id.eq(edit.id));
        let Some((rate, fractional)) = scoped
            .select((invoice_lines::vat_rate, invoice_lines::fractional))
            .first::<(Decimal, bool)>(conn)
            .optional()?
        else {
            return Err(AppError::Conflict(
                "A line you edited isn't on this draft any more. Reload the page and try again."
                    .into(),
            )
            .into());
        };
        if edit.remove {
            diesel::delete(scoped).execute(conn)?;
            continue;
        }
        if !fractional && edit.quantity.fract() != Decimal::ZERO {
            errors.insert(
                format!("qty_{}", edit.id),
                "This is sold in whole units.".into(),
            );
            continue;
        }
        let (net, vat) = money::price_line(edit.unit_price, edit.quantity, rate);
        diesel::update(scoped)
            .set((
                invoice_lines::quantity.eq(edit.quantity),
                invoice_lines::unit_price.eq(edit.unit_price),
                invoice_lines::line_total.eq(net),
                invoice_lines::line_vat.eq(vat),
            ))
            .execute(conn)?;
    }
    if let Some(charge) = &input.charge {
        diesel::delete(
            invoice_lines::table
                .filter(invoice_lines::invoice_id.eq(id))
                .filter(invoice_lines::kind.eq("delivery")),
        )
        .execute(conn)?;
        let next: Option<i32> = invoice_lines::table
            .filter(invoice_lines::invoice_id.eq(id))
            .select(diesel::dsl::max(invoice_lines::position))
            .first(conn)?;
        diesel::insert_into(invoice_lines::table)
            .values((
                invoice_lines::id.eq(crate::ids::new_id()),
                invoice_lines::invoice_id.eq(id),
                invoice_lines::position.eq(next.map_or(0, |n| n + 1)),
                invoice_lines::kind.eq("delivery"),
                invoice_lines::description.eq(&charge.description),
                invoice_lines::quantity.eq(Decimal::ONE),
                invoice_lines::fractional.eq(false),
                invoice_lines::unit_price.eq(charge.price),
                invoice_lines::vat_rate.eq(charge.vat_rate),
                invoice_lines::line_total.eq(charge.price),
                invoice_lines::line_vat.eq(money::vat(charge.price, charge.vat_rate)),
            ))
            .execute(conn)?;
    }
    let left: i64 = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(id))
        .count()
        .get_result(conn)?;
    if left == 0 {
        errors.insert(
            "lines".into(),
            "An invoice needs at least one line: keep one, or void the draft.".into(),
        );
    }
    let total = write_totals(conn, id)?;
    if let Err(why) = money::check_document_total(total) {
        errors.insert("lines".into(), why);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DraftFail::Fields(errors))
    }
}

/// Issues a draft exactly as the provider sees it: the form's unsaved edits are applied first,
/// in this transaction, so nothing typed is lost. Takes the provider's next number (the
/// counter row lock makes concurrent issues wait, and a rollback returns the number), sets
/// the dates and records seller and buyer as they are now. A total of £0 or less can't be
/// paid, so it can't be issued.
pub fn issue(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: InvoiceId,
    input: &DraftInput,
    today: Date,
    (actor, base_url): (&Actor, &str),
) -> Result<Result<String, FieldMessages>, AppError> {
    settle_draft(conn.transaction(|conn| {
        rules::can_edit(lock(conn, provider, id)?)
            .map_err(|_| AppError::Conflict("Only a draft can be issued.".into()))?;
        crate::providers::queries::ensure_may_trade(conn, provider, Trade::Invoice)?;
        if !input.is_empty() {
            apply_draft(conn, id, input)?;
        }
        let total: Decimal = invoices::table
            .find(id)
            .select(invoices::total)
            .first(conn)?;
        rules::can_issue(total)
            .map_err(|why| DraftFail::Fields(FieldMessages::from([("lines".to_owned(), why)])))?;
        let n: i32 = diesel::update(provider_invoice_counters::table.find(provider.0))
            .set(
                provider_invoice_counters::last_number
                    .eq(provider_invoice_counters::last_number + 1),
            )
            .returning(provider_invoice_counters::last_number)
            .get_result(conn)?;
        let (prefix, name, address, vat, terms): (
            String,
            String,
            Option<String>,
            Option<String>,
            i32,
        ) = providers::table
            .find(provider.0)
            .select((
                providers::invoice_prefix,
                providers::name,
                providers::address,
                providers::vat_number,
                providers::payment_terms_days,
            ))
            .first(conn)?;
        let invoice = find(conn, Scope::Provider(provider), id)?;
        let (buyer_name, buyer_address) = buyer_as_now(conn, &invoice)?;
        let number = rules::number(&prefix, n);
        diesel::update(invoices::table.find(id))
            .set((
                invoices::status.eq(InvoiceStatus::Issued),
                invoices::sequence_number.eq(Some(n)),
                invoices::number.eq(Some(&number)),
                invoices::issue_date.eq(Some(today)),
                invoices::due_date.eq(Some(rules::due_date(today, terms))),
                invoices::seller_name.eq(Some(name)),
                invoices::seller_address.eq(address),
                invoices::seller_vat_number.eq(vat),
                invoices::buyer_name.eq(Some(buyer_name)),
                invoices::buyer_address.eq(buyer_address),
                invoices::issued_at.eq(Some(time::OffsetDateTime::now_utc())),
            ))
            .execute(conn)?;
        // The fee is fixed now: a later rule change never alters an issued invoice.
        let fee =
            crate::ledger::queries::rule_for(conn, provider, time::OffsetDateTime::now_utc())?
                .fee(total);
        diesel::update(invoices::table.find(id))
            .set((
                invoices::platform_fee.eq(fee.net),
                invoices::platform_fee_vat.eq(fee.vat),
            ))
            .execute(conn)?;
        let parties = ledger::Parties {
            business: invoice.business_id,
            provider,
        };
        crate::ledger::queries::post(
            conn,
            &ledger_posting("invoice_issued", id, &number),
            &ledger::invoice_issued(parties, total),
        )?;
        after_change(conn, id, Change::Issued, actor, base_url)?;
        Ok(number)
    }))
}

pub fn void(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: InvoiceId,
    reason: &str,
    (actor, base_url): (&Actor, &str),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let status = lock(conn, provider, id)?;
        rules::can_void(status).map_err(AppError::Conflict)?;
        crate::payments::queries::close_attempts(conn, id, "Closed: the invoice was voided.")?;
        if status == InvoiceStatus::Issued {
            // Credit notes already issued against it have cancelled their part.
            let (business, total): (crate::ids::BusinessId, Decimal) = invoices::table
                .find(id)
                .select((
                    invoices::business_id,
                    invoices::total - invoices::amount_credited,
                ))
                .first(conn)?;
            let parties = ledger::Parties { business, provider };
            crate::ledger::queries::post(
                conn,
                &ledger_posting("invoice_voided", id, reason),
                &ledger::invoice_voided(parties, total),
            )?;
            // An issued invoice is a tax record: voiding it issues a credit note for all of it
            // rather than erasing it.
            let now = time::OffsetDateTime::now_utc();
            let today = crate::timefmt::to_london(now).date();
            let (note, _) = crate::refunds::credit_notes::issue(
                conn,
                (id, parties),
                crate::refunds::credit_notes::NoteFor::Void,
                (total, reason),
                (now, today),
            )?;
            crate::refunds::credit_notes::notify(conn, note, base_url)?;
        }
        diesel::update(invoices::table.find(id))
            .set((
                invoices::status.eq(InvoiceStatus::Void),
                invoices::void_reason.eq(Some(reason)),
                invoices::voided_at.eq(Some(time::OffsetDateTime::now_utc())),
            ))
            .execute(conn)?;
        after_change(conn, id, Change::Voided, actor, base_url)
    })
}

fn ledger_posting<'a>(
    kind: &'a str,
    invoice: InvoiceId,
    memo: &str,
) -> crate::ledger::queries::Posting<'a> {
    crate::ledger::queries::Posting {
        kind,
        source: invoice.to_string(),
        invoice: Some(invoice),
        payment: None,
        refund: None,
        payout: None,
        at: time::OffsetDateTime::now_utc(),
        memo: memo.to_owned(),
    }
}

/// What settling an invoice found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Paid,
    /// Not issued (void, already paid, draft): the money must go back.
    NotPayable(String),
}

/// The one place an invoice becomes paid: only from `issued`, by exactly what is due, in the
/// caller's transaction (the payment that paid it is written there too), telling both sides.
pub fn settle(
    conn: &mut PgConnection,
    (invoice, amount): (InvoiceId, Decimal),
    at: time::OffsetDateTime,
    (actor, base_url): (&Actor, &str),
) -> Result<Settled, AppError> {
    let (status, total, credited, paid): (InvoiceStatus, Decimal, Decimal, Decimal) =
        invoices::table
            .find(invoice)
            .select((
                invoices::status,
                invoices::total,
                invoices::amount_credited,
                invoices::amount_paid,
            ))
            .for_update()
            .first(conn)?;
    if status != InvoiceStatus::Issued {
        return Ok(Settled::NotPayable(status.label().to_lowercase()));
    }
    let due = rules::due(total, credited, paid);
    if amount != due {
        // A checkout opened before a credit note lowered the invoice: the money goes back
        // and the buyer pays what is due now.
        return Ok(Settled::NotPayable(format!(
            "credited since, so it asks for {} now",
            crate::money::format_gbp(due)
        )));
    }
    diesel::update(
        invoices::table
            .filter(invoices::id.eq(invoice))
            .filter(invoices::status.eq(InvoiceStatus::Issued)),
    )
    .set((
        invoices::status.eq(InvoiceStatus::Paid),
        invoices::amount_paid.eq(total - credited),
        invoices::paid_at.eq(Some(at)),
    ))
    .execute(conn)?;
    after_change(conn, invoice, Change::Paid, actor, base_url)?;
    Ok(Settled::Paid)
}

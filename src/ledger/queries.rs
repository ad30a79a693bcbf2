//! Writing entries and reading balances.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rules::{Account, FeeRule, Line};
use crate::db::schema::{fee_rules, journal_entries, journal_lines};
use crate::ids::{BusinessId, InvoiceId, PaymentId, PayoutId, ProviderId, RefundId};

/// What caused an entry; `(kind, source)` is unique, so posting the same event twice writes
/// nothing the second time.
#[derive(Debug, Clone)]
pub struct Posting<'a> {
    pub kind: &'a str,
    pub source: String,
    pub invoice: Option<InvoiceId>,
    pub payment: Option<PaymentId>,
    pub refund: Option<RefundId>,
    pub payout: Option<PayoutId>,
    pub at: OffsetDateTime,
    pub memo: String,
}

/// Writes one entry in the caller's transaction. The database checks the balance at commit;
/// checking here too turns a bug into a clear error before anything is written.
pub fn post(conn: &mut PgConnection, posting: &Posting, lines: &[Line]) -> QueryResult<bool> {
    if lines.is_empty() {
        return Ok(false);
    }
    if !super::rules::balanced(lines) {
        tracing::error!(kind = posting.kind, source = %posting.source, "unbalanced journal entry refused");
        return Err(diesel::result::Error::RollbackTransaction);
    }
    let id: Option<Uuid> = diesel::insert_into(journal_entries::table)
        .values((
            journal_entries::kind.eq(posting.kind),
            journal_entries::source.eq(&posting.source),
            journal_entries::invoice_id.eq(posting.invoice.map(|i| i.0)),
            journal_entries::payment_id.eq(posting.payment.map(|p| p.0)),
            journal_entries::refund_id.eq(posting.refund.map(|r| r.0)),
            journal_entries::payout_id.eq(posting.payout.map(|p| p.0)),
            journal_entries::occurred_at.eq(posting.at),
            journal_entries::memo.eq(posting.memo.chars().take(500).collect::<String>()),
        ))
        .on_conflict((journal_entries::kind, journal_entries::source))
        .do_nothing()
        .returning(journal_entries::id)
        .get_result(conn)
        .optional()?;
    let Some(id) = id else {
        return Ok(false);
    };
    let rows: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                journal_lines::entry_id.eq(id),
                journal_lines::account.eq(l.account),
                journal_lines::business_id.eq(l.business.map(|b| b.0)),
                journal_lines::provider_id.eq(l.provider.map(|p| p.0)),
                journal_lines::amount.eq(l.amount),
            )
        })
        .collect();
    diesel::insert_into(journal_lines::table)
        .values(&rows)
        .execute(conn)?;
    Ok(true)
}

/// What the buyer still owes on an invoice, from the journal.
pub fn invoice_due(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<Decimal> {
    let sum: Option<Decimal> = journal_lines::table
        .inner_join(journal_entries::table)
        .filter(journal_entries::invoice_id.eq(invoice.0))
        .filter(journal_lines::account.eq(Account::BuyerReceivable))
        .select(diesel::dsl::sum(journal_lines::amount))
        .first(conn)?;
    Ok(sum.unwrap_or_default())
}

type RuleRow = (Decimal, Decimal, Decimal, Option<Decimal>);

const RULE_COLUMNS: (
    fee_rules::percent,
    fee_rules::fixed,
    fee_rules::minimum,
    fee_rules::maximum,
) = (
    fee_rules::percent,
    fee_rules::fixed,
    fee_rules::minimum,
    fee_rules::maximum,
);

fn rule(row: RuleRow) -> FeeRule {
    FeeRule {
        percent: row.0,
        fixed: row.1,
        minimum: row.2,
        maximum: row.3,
    }
}

/// The platform-wide rule.
pub fn platform_rule(conn: &mut PgConnection) -> QueryResult<FeeRule> {
    fee_rules::table
        .filter(fee_rules::provider_id.is_null())
        .select(RULE_COLUMNS)
        .first::<RuleRow>(conn)
        .optional()
        .map(|r| r.map(rule).unwrap_or_default())
}

/// The provider's own rule, if an admin set one.
pub fn provider_rule(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Option<FeeRule>> {
    fee_rules::table
        .filter(fee_rules::provider_id.eq(provider.0))
        .select(RULE_COLUMNS)
        .first::<RuleRow>(conn)
        .optional()
        .map(|r| r.map(rule))
}

/// The rule that applies to `provider`: its own, else the platform's.
pub fn rule_for(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<FeeRule> {
    match provider_rule(conn, provider)? {
        Some(r) => Ok(r),
        None => platform_rule(conn),
    }
}

/// Sets the platform rule (`provider` None) or a provider's override.
pub fn save_rule(
    conn: &mut PgConnection,
    provider: Option<ProviderId>,
    r: &FeeRule,
    by: Option<Uuid>,
) -> QueryResult<()> {
    let values = (
        fee_rules::percent.eq(r.percent),
        fee_rules::fixed.eq(r.fixed),
        fee_rules::minimum.eq(r.minimum),
        fee_rules::maximum.eq(r.maximum),
        fee_rules::updated_by.eq(by),
    );
    let updated = match provider {
        None => diesel::update(fee_rules::table.filter(fee_rules::provider_id.is_null()))
            .set(values)
            .execute(conn)?,
        Some(p) => diesel::update(fee_rules::table.filter(fee_rules::provider_id.eq(p.0)))
            .set(values)
            .execute(conn)?,
    };
    if updated == 0 {
        diesel::insert_into(fee_rules::table)
            .values((fee_rules::provider_id.eq(provider.map(|p| p.0)), values))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a provider's override: the platform rule applies again.
pub fn clear_rule(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<bool> {
    diesel::delete(fee_rules::table.filter(fee_rules::provider_id.eq(provider.0)))
        .execute(conn)
        .map(|n| n > 0)
}

/// A card payment that reached Stripe: the money received and, for a destination charge,
/// the platform's fee (the invoice's snapshot) and the transfer of the rest to the provider.
/// `applied` is false when the money arrived for an invoice that can't take it: it is then
/// owed back to the buyer, and nothing moves on to the provider.
pub fn post_card_payment(
    conn: &mut PgConnection,
    payment: PaymentId,
    at: OffsetDateTime,
    applied: bool,
) -> QueryResult<()> {
    use crate::db::schema::{invoices, payments};
    use crate::ledger::rules as r;
    let (invoice, amount, destination, business, provider, fee_net, fee_vat, number): (
        InvoiceId,
        Decimal,
        Option<String>,
        BusinessId,
        ProviderId,
        Decimal,
        Decimal,
        Option<String>,
    ) = payments::table
        .inner_join(invoices::table)
        .filter(payments::id.eq(payment.0))
        .select((
            payments::invoice_id,
            payments::amount,
            payments::destination_account,
            invoices::business_id,
            invoices::provider_id,
            invoices::platform_fee,
            invoices::platform_fee_vat,
            invoices::number,
        ))
        .first(conn)?;
    let p = r::Parties { business, provider };
    let posting = |kind| Posting {
        kind,
        source: payment.to_string(),
        invoice: Some(invoice),
        payment: Some(payment),
        refund: None,
        payout: None,
        at,
        memo: number.clone().unwrap_or_default(),
    };
    if !applied {
        post(
            conn,
            &posting("payment_unapplied"),
            &r::payment_received(p, amount),
        )?;
        return Ok(());
    }
    post(
        conn,
        &posting("payment_received"),
        &r::payment_received(p, amount),
    )?;
    if destination.is_some() {
        let fee = r::Fee {
            net: fee_net,
            vat: fee_vat,
        };
        post(conn, &posting("platform_fee"), &r::platform_fee(p, fee))?;
        post(
            conn,
            &posting("transfer"),
            &r::transfer(p, amount - fee.gross()),
        )?;
    }
    Ok(())
}

/// Money a provider received outside Larder, recorded by them.
pub fn post_paid_outside(
    conn: &mut PgConnection,
    payment: PaymentId,
    invoice: InvoiceId,
    parties: super::rules::Parties,
    amount: Decimal,
    at: OffsetDateTime,
) -> QueryResult<()> {
    post(
        conn,
        &Posting {
            kind: "paid_outside",
            source: payment.to_string(),
            invoice: Some(invoice),
            payment: Some(payment),
            refund: None,
            payout: None,
            at,
            memo: String::new(),
        },
        &super::rules::paid_outside(parties, amount),
    )
    .map(|_| ())
}

//! Writing entries and reading balances.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rules::{Account, FeeRule, Line};
use crate::db::schema::{fee_rules, journal_entries, journal_lines};
use crate::ids::{BusinessId, InvoiceId, PaymentId, PayoutId, ProviderId, RefundId};
use crate::plans::rules::{Version, in_force, rule_at};

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

type RuleRow = (
    OffsetDateTime,
    bool,
    Decimal,
    Decimal,
    Decimal,
    Option<Decimal>,
);

const RULE_COLUMNS: (
    fee_rules::starts_at,
    fee_rules::removes,
    fee_rules::percent,
    fee_rules::fixed,
    fee_rules::minimum,
    fee_rules::maximum,
) = (
    fee_rules::starts_at,
    fee_rules::removes,
    fee_rules::percent,
    fee_rules::fixed,
    fee_rules::minimum,
    fee_rules::maximum,
);

fn version(row: RuleRow) -> Version<Option<FeeRule>> {
    Version {
        starts_at: row.0,
        value: (!row.1).then_some(FeeRule {
            percent: row.2,
            fixed: row.3,
            minimum: row.4,
            maximum: row.5,
        }),
    }
}

/// Every version of a plan's rule, newest first.
pub fn plan_versions(conn: &mut PgConnection, plan: Uuid) -> QueryResult<Vec<Version<FeeRule>>> {
    let rows: Vec<RuleRow> = fee_rules::table
        .filter(fee_rules::plan_id.eq(plan))
        .order((fee_rules::starts_at.desc(), fee_rules::id.desc()))
        .select(RULE_COLUMNS)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(version)
        .filter_map(|v| {
            v.value.map(|value| Version {
                starts_at: v.starts_at,
                value,
            })
        })
        .collect())
}

/// Every plan's versions, newest first, in one read (pages listing the plans).
pub fn all_plan_versions(
    conn: &mut PgConnection,
) -> QueryResult<std::collections::HashMap<Uuid, Vec<Version<FeeRule>>>> {
    let rows: Vec<(Option<Uuid>, RuleRow)> = fee_rules::table
        .filter(fee_rules::plan_id.is_not_null())
        .order((fee_rules::starts_at.desc(), fee_rules::id.desc()))
        .select((fee_rules::plan_id, RULE_COLUMNS))
        .load(conn)?;
    let mut out: std::collections::HashMap<Uuid, Vec<Version<FeeRule>>> = Default::default();
    for (plan, row) in rows {
        let v = version(row);
        if let (Some(plan), Some(value)) = (plan, v.value) {
            out.entry(plan).or_default().push(Version {
                starts_at: v.starts_at,
                value,
            });
        }
    }
    Ok(out)
}

/// Every provider override's versions, newest first, in one read (the fees page).
pub fn all_override_versions(
    conn: &mut PgConnection,
) -> QueryResult<std::collections::HashMap<Uuid, Vec<Version<Option<FeeRule>>>>> {
    let rows: Vec<(Option<Uuid>, RuleRow)> = fee_rules::table
        .filter(fee_rules::provider_id.is_not_null())
        .order((fee_rules::starts_at.desc(), fee_rules::id.desc()))
        .select((fee_rules::provider_id, RULE_COLUMNS))
        .load(conn)?;
    let mut out: std::collections::HashMap<Uuid, Vec<Version<Option<FeeRule>>>> =
        Default::default();
    for (provider, row) in rows {
        if let Some(provider) = provider {
            out.entry(provider).or_default().push(version(row));
        }
    }
    Ok(out)
}

/// Every version of a provider's override, newest first (`None`: the override ended).
pub fn override_versions(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Vec<Version<Option<FeeRule>>>> {
    let rows: Vec<RuleRow> = fee_rules::table
        .filter(fee_rules::provider_id.eq(provider.0))
        .order((fee_rules::starts_at.desc(), fee_rules::id.desc()))
        .select(RULE_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(version).collect())
}

/// The default (free) plan's rule in force now: what a provider with no plan or override pays.
pub fn platform_rule(conn: &mut PgConnection) -> QueryResult<FeeRule> {
    let plan = crate::plans::queries::default_plan(conn)?;
    let versions = plan_versions(conn, plan)?;
    Ok(in_force(&versions, OffsetDateTime::now_utc()).unwrap_or_default())
}

/// The provider's own rule in force now, if an admin set one.
pub fn provider_rule(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Option<FeeRule>> {
    let versions = override_versions(conn, provider)?;
    Ok(in_force(&versions, OffsetDateTime::now_utc()).flatten())
}

/// The rule for `provider`'s invoice issued at `at`: their override in force then, else the
/// rule of the plan they were on then.
pub fn rule_for(
    conn: &mut PgConnection,
    provider: ProviderId,
    at: OffsetDateTime,
) -> QueryResult<FeeRule> {
    let overrides = override_versions(conn, provider)?;
    let plan = crate::plans::queries::plan_at(conn, provider, at)?;
    let plan_rules = plan_versions(conn, plan)?;
    Ok(rule_at(&overrides, &plan_rules, at))
}

/// Adds a version starting at `starts_at`: the default plan's rule (`provider` None) or a
/// provider's override. Versions are never edited in place.
pub fn add_version(
    conn: &mut PgConnection,
    scope: RuleScope,
    rule: Option<&FeeRule>,
    starts_at: OffsetDateTime,
    by: Option<Uuid>,
) -> QueryResult<()> {
    let r = rule.copied().unwrap_or_default();
    let (plan, provider) = match scope {
        RuleScope::Plan(p) => (Some(p), None),
        RuleScope::Provider(p) => (None, Some(p.0)),
    };
    diesel::insert_into(fee_rules::table)
        .values((
            fee_rules::plan_id.eq(plan),
            fee_rules::provider_id.eq(provider),
            fee_rules::percent.eq(r.percent),
            fee_rules::fixed.eq(r.fixed),
            fee_rules::minimum.eq(r.minimum),
            fee_rules::maximum.eq(r.maximum),
            fee_rules::removes.eq(rule.is_none()),
            fee_rules::starts_at.eq(starts_at),
            fee_rules::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whose rule a version belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    Plan(Uuid),
    Provider(ProviderId),
}

/// Sets the default plan's rule (`provider` None) or a provider's override, from now on.
pub fn save_rule(
    conn: &mut PgConnection,
    provider: Option<ProviderId>,
    r: &FeeRule,
    by: Option<Uuid>,
) -> QueryResult<()> {
    let scope = match provider {
        Some(p) => RuleScope::Provider(p),
        None => RuleScope::Plan(crate::plans::queries::default_plan(conn)?),
    };
    add_version(conn, scope, Some(r), OffsetDateTime::now_utc(), by)
}

/// Ends a provider's override from now: their plan's rule applies again. False when they
/// have none in force.
pub fn clear_rule(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<bool> {
    if provider_rule(conn, provider)?.is_none() {
        return Ok(false);
    }
    add_version(
        conn,
        RuleScope::Provider(provider),
        None,
        OffsetDateTime::now_utc(),
        None,
    )?;
    Ok(true)
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

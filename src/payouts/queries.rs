//! Payouts as Stripe reports them for connected accounts: recorded once however often the
//! webhook comes, matched to the payments and refunds they carried, journalled, and a failure
//! told to the provider and to admins.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::rules::{self, Breakdown, Movement};
use crate::db::schema::{invoices, payments, payout_accounts, payouts, refunds, users};
use crate::email::{self, OutgoingEmail};
use crate::ids::{PayoutId, ProviderId};
use crate::ledger::queries::{Posting, post};
use crate::ledger::rules as ledger;
use crate::web::AppError;

/// A payout event as we read it from Stripe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub stripe_id: String,
    pub amount: Decimal,
    pub arrival: Date,
    /// The bank's reason, for `payout.failed`.
    pub failure: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Paid {
        matched: bool,
    },
    Failed,
    /// Already recorded in this state (or a late `paid` for a payout that failed).
    Unchanged,
    /// Not one of our providers' accounts.
    UnknownAccount,
}

/// Money in and out of the provider's Stripe account not yet in any payout, oldest first.
fn unpaid_movements(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Vec<(OffsetDateTime, Movement)>> {
    let paid: Vec<(Uuid, Decimal, Decimal, Option<OffsetDateTime>)> = payments::table
        .inner_join(invoices::table)
        .filter(invoices::provider_id.eq(provider.0))
        .filter(payments::destination_account.is_not_null())
        .filter(payments::status.eq("succeeded"))
        .filter(payments::payout_id.is_null())
        .select((
            payments::id,
            payments::amount,
            payments::application_fee,
            payments::completed_at,
        ))
        .load(conn)?;
    let back: Vec<(Uuid, Decimal, Decimal, Decimal, Option<OffsetDateTime>)> = refunds::table
        .inner_join(payments::table.inner_join(invoices::table))
        .filter(invoices::provider_id.eq(provider.0))
        .filter(payments::destination_account.is_not_null())
        // Refunds of money that was never applied moved nothing we counted in.
        .filter(payments::status.eq("succeeded"))
        .filter(refunds::status.eq("succeeded"))
        .filter(refunds::payout_id.is_null())
        .select((
            refunds::id,
            refunds::amount,
            refunds::fee_refunded,
            refunds::fee_vat_refunded,
            refunds::completed_at,
        ))
        .load(conn)?;
    let mut all: Vec<(OffsetDateTime, Movement)> = paid
        .into_iter()
        .map(|(id, amount, fee, at)| {
            (
                at.unwrap_or(OffsetDateTime::UNIX_EPOCH),
                Movement::Payment { id, amount, fee },
            )
        })
        .chain(back.into_iter().map(|(id, amount, net, vat, at)| {
            (
                at.unwrap_or(OffsetDateTime::UNIX_EPOCH),
                Movement::Refund {
                    id,
                    amount,
                    fee_back: net + vat,
                },
            )
        }))
        .collect();
    all.sort_by_key(|(at, _)| *at);
    Ok(all)
}

fn assign(conn: &mut PgConnection, payout: Uuid, carried: &[Movement]) -> QueryResult<()> {
    for m in carried {
        match *m {
            Movement::Payment { id, .. } => diesel::update(payments::table.find(id))
                .set(payments::payout_id.eq(Some(payout)))
                .execute(conn)?,
            Movement::Refund { id, .. } => diesel::update(refunds::table.find(id))
                .set(refunds::payout_id.eq(Some(payout)))
                .execute(conn)?,
        };
    }
    Ok(())
}

fn posting<'a>(kind: &'a str, payout: Uuid, memo: &str, at: OffsetDateTime) -> Posting<'a> {
    Posting {
        kind,
        source: payout.to_string(),
        invoice: None,
        payment: None,
        refund: None,
        payout: Some(PayoutId(payout)),
        at,
        memo: memo.to_owned(),
    }
}

/// Records a `payout.paid` or `payout.failed` for the connected `account`, in the caller's
/// transaction (the webhook's, with the event's id stored).
pub fn record(
    conn: &mut PgConnection,
    account: &str,
    report: &Report,
    at: OffsetDateTime,
    base_url: &str,
) -> Result<Recorded, AppError> {
    let Some(provider) = payout_accounts::table
        .filter(payout_accounts::stripe_account_id.eq(account))
        .select(payout_accounts::provider_id)
        .first::<Uuid>(conn)
        .optional()?
        .map(ProviderId)
    else {
        tracing::warn!(account, payout = %report.stripe_id, "payout for an account we don't know");
        return Ok(Recorded::UnknownAccount);
    };
    let existing: Option<(Uuid, String)> = payouts::table
        .filter(payouts::stripe_payout_id.eq(&report.stripe_id))
        .select((payouts::id, payouts::status))
        .for_update()
        .first(conn)
        .optional()?;
    match (&report.failure, existing) {
        (None, Some(_)) => Ok(Recorded::Unchanged),
        (None, None) => {
            let id: Uuid = diesel::insert_into(payouts::table)
                .values((
                    payouts::provider_id.eq(provider.0),
                    payouts::stripe_payout_id.eq(&report.stripe_id),
                    payouts::amount.eq(report.amount),
                    payouts::status.eq("paid"),
                    payouts::arrival_date.eq(report.arrival),
                    payouts::created_at.eq(at),
                ))
                .returning(payouts::id)
                .get_result(conn)?;
            let moves: Vec<Movement> = unpaid_movements(conn, provider)?
                .into_iter()
                .map(|(_, m)| m)
                .collect();
            let matched = match rules::carried(&moves, report.amount) {
                Some(n) => {
                    assign(conn, id, &moves[..n])?;
                    true
                }
                None => false,
            };
            diesel::update(payouts::table.find(id))
                .set(payouts::matched.eq(matched))
                .execute(conn)?;
            post(
                conn,
                &posting("payout_paid", id, &report.stripe_id, at),
                &ledger::payout_paid(provider, report.amount),
            )?;
            Ok(Recorded::Paid { matched })
        }
        (Some(_), Some((_, status))) if status == "failed" => Ok(Recorded::Unchanged),
        (Some(why), existing) => {
            let why: String = why.chars().take(500).collect();
            let id = match existing {
                Some((id, _)) => {
                    // It was paid and came back: the money is in their Stripe account again,
                    // and its payments go out in a later payout.
                    diesel::update(payouts::table.find(id))
                        .set((
                            payouts::status.eq("failed"),
                            payouts::failure_message.eq(Some(&why)),
                            payouts::updated_at.eq(at),
                        ))
                        .execute(conn)?;
                    diesel::update(payments::table.filter(payments::payout_id.eq(id)))
                        .set(payments::payout_id.eq(None::<Uuid>))
                        .execute(conn)?;
                    diesel::update(refunds::table.filter(refunds::payout_id.eq(id)))
                        .set(refunds::payout_id.eq(None::<Uuid>))
                        .execute(conn)?;
                    post(
                        conn,
                        &posting("payout_failed", id, &why, at),
                        &ledger::payout_failed(provider, report.amount),
                    )?;
                    id
                }
                None => diesel::insert_into(payouts::table)
                    .values((
                        payouts::provider_id.eq(provider.0),
                        payouts::stripe_payout_id.eq(&report.stripe_id),
                        payouts::amount.eq(report.amount),
                        payouts::status.eq("failed"),
                        payouts::arrival_date.eq(report.arrival),
                        payouts::failure_message.eq(Some(&why)),
                        payouts::created_at.eq(at),
                    ))
                    .returning(payouts::id)
                    .get_result(conn)?,
            };
            tell_failed(conn, provider, id, (report, &why), base_url)?;
            Ok(Recorded::Failed)
        }
    }
}

#[derive(askama::Template)]
#[template(path = "emails/payout_failed.txt")]
struct FailedText<'a> {
    amount: &'a str,
    why: &'a str,
    /// Set for admins: whose payout it was.
    provider: Option<&'a str>,
    link: &'a str,
}

#[derive(askama::Template)]
#[template(path = "emails/payout_failed.html")]
struct FailedHtml<'a> {
    amount: &'a str,
    why: &'a str,
    provider: Option<&'a str>,
    link: &'a str,
}

/// Emails the provider's contact address and every admin that a payout failed.
fn tell_failed(
    conn: &mut PgConnection,
    provider: ProviderId,
    payout: Uuid,
    (report, why): (&Report, &str),
    base_url: &str,
) -> Result<(), AppError> {
    use crate::db::schema::providers;
    use askama::Template;
    let (name, contact): (String, String) = providers::table
        .find(provider.0)
        .select((providers::name, providers::contact_email))
        .first(conn)?;
    let admins: Vec<String> = users::table
        .filter(users::account_type.eq("admin"))
        .select(users::email)
        .load(conn)?;
    let amount = crate::money::format_gbp(report.amount);
    let mut to = vec![(contact, None, format!("{base_url}/provider/payouts"))];
    for admin in admins {
        to.push((
            admin,
            Some(name.as_str()),
            format!("{base_url}/admin/payouts"),
        ));
    }
    for (address, provider, link) in to {
        let message = OutgoingEmail {
            subject: format!("Payout of {amount} failed"),
            text: FailedText {
                amount: &amount,
                why,
                provider,
                link: &link,
            }
            .render()?,
            html: FailedHtml {
                amount: &amount,
                why,
                provider,
                link: &link,
            }
            .render()?,
            to: address.clone(),
        };
        email::queue(conn, &message, &format!("payout:{payout}:failed:{address}"))?;
    }
    Ok(())
}

/// A payout as the provider's list shows it.
#[derive(Debug, Clone)]
pub struct PayoutRow {
    pub id: Uuid,
    pub stripe_id: String,
    pub amount: Decimal,
    pub status: String,
    pub arrival: Date,
    pub failure: Option<String>,
    pub matched: bool,
    pub breakdown: Breakdown,
}

impl PayoutRow {
    pub fn failed(&self) -> bool {
        self.status == "failed"
    }
    pub fn arrival_text(&self) -> String {
        crate::timefmt::date(self.arrival)
    }
    pub fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        crate::money::format_gbp(*d.borrow())
    }
}

type Head = (Uuid, String, Decimal, String, Date, Option<String>, bool);

/// What each of `payouts` carried, in two queries however many payouts are listed.
fn carried_by(
    conn: &mut PgConnection,
    payouts: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, Vec<Movement>>> {
    let paid: Vec<(Option<Uuid>, Uuid, Decimal, Decimal)> = payments::table
        .filter(payments::payout_id.eq_any(payouts))
        .select((
            payments::payout_id,
            payments::id,
            payments::amount,
            payments::application_fee,
        ))
        .load(conn)?;
    let back: Vec<(Option<Uuid>, Uuid, Decimal, Decimal, Decimal)> = refunds::table
        .filter(refunds::payout_id.eq_any(payouts))
        .select((
            refunds::payout_id,
            refunds::id,
            refunds::amount,
            refunds::fee_refunded,
            refunds::fee_vat_refunded,
        ))
        .load(conn)?;
    let mut by_payout: std::collections::HashMap<Uuid, Vec<Movement>> = Default::default();
    let moves = paid
        .into_iter()
        .map(|(po, id, amount, fee)| (po, Movement::Payment { id, amount, fee }))
        .chain(back.into_iter().map(|(po, id, amount, n, v)| {
            (
                po,
                Movement::Refund {
                    id,
                    amount,
                    fee_back: n + v,
                },
            )
        }));
    for (po, m) in moves {
        if let Some(po) = po {
            by_payout.entry(po).or_default().push(m);
        }
    }
    Ok(by_payout)
}

/// Payouts as listed, each with its breakdown.
fn rows(conn: &mut PgConnection, heads: Vec<Head>) -> QueryResult<Vec<PayoutRow>> {
    let ids: Vec<Uuid> = heads.iter().map(|h| h.0).collect();
    let mut carried = carried_by(conn, &ids)?;
    Ok(heads
        .into_iter()
        .map(|h| {
            let moves = carried.remove(&h.0).unwrap_or_default();
            PayoutRow {
                id: h.0,
                stripe_id: h.1,
                amount: h.2,
                status: h.3,
                arrival: h.4,
                failure: h.5,
                matched: h.6,
                breakdown: rules::breakdown(&moves),
            }
        })
        .collect())
}

const HEAD: (
    payouts::id,
    payouts::stripe_payout_id,
    payouts::amount,
    payouts::status,
    payouts::arrival_date,
    payouts::failure_message,
    payouts::matched,
) = (
    payouts::id,
    payouts::stripe_payout_id,
    payouts::amount,
    payouts::status,
    payouts::arrival_date,
    payouts::failure_message,
    payouts::matched,
);

/// The provider's payouts, newest first, a page at a time.
pub fn for_provider(
    conn: &mut PgConnection,
    provider: ProviderId,
    page: crate::web::pagination::PageRequest,
) -> QueryResult<Vec<PayoutRow>> {
    let heads: Vec<Head> = payouts::table
        .filter(payouts::provider_id.eq(provider.0))
        .order((payouts::created_at.desc(), payouts::id.desc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .select(HEAD)
        .load(conn)?;
    rows(conn, heads)
}

/// What reached the provider's Stripe account and hasn't been paid out yet, from the journal.
pub fn awaiting_payout(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Decimal> {
    use crate::db::schema::journal_lines;
    let sum: Option<Decimal> = journal_lines::table
        .filter(journal_lines::provider_id.eq(provider.0))
        .filter(journal_lines::account.eq(ledger::Account::ProviderStripeBalance))
        .select(diesel::dsl::sum(journal_lines::amount))
        .first(conn)?;
    Ok(sum.unwrap_or_default())
}

/// Payouts admins should look at: failed, or not matched to our records.
pub fn needing_attention(conn: &mut PgConnection) -> QueryResult<Vec<(String, PayoutRow)>> {
    use crate::db::schema::providers;
    let heads: Vec<(String, Head)> = payouts::table
        .inner_join(providers::table)
        .filter(payouts::status.eq("failed").or(payouts::matched.eq(false)))
        .order(payouts::created_at.desc())
        .limit(200)
        .select((providers::name, HEAD))
        .load(conn)?;
    let (names, heads): (Vec<String>, Vec<Head>) = heads.into_iter().unzip();
    Ok(names.into_iter().zip(rows(conn, heads)?).collect())
}

/// One of the provider's payouts (another provider's id is not found).
pub fn find(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
) -> Result<PayoutRow, AppError> {
    let head: Head = payouts::table
        .filter(payouts::id.eq(id))
        .filter(payouts::provider_id.eq(provider.0))
        .select(HEAD)
        .first(conn)?;
    rows(conn, vec![head])?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// A payment or refund a payout carried, for its page.
#[derive(Debug, Clone)]
pub struct Carried {
    pub refund: bool,
    pub invoice_id: Uuid,
    pub invoice: String,
    pub amount: Decimal,
    pub fee: Decimal,
    pub net: Decimal,
}

pub fn carried_rows(conn: &mut PgConnection, payout: Uuid) -> QueryResult<Vec<Carried>> {
    let paid: Vec<(Uuid, Option<String>, Decimal, Decimal)> = payments::table
        .inner_join(invoices::table)
        .filter(payments::payout_id.eq(payout))
        .order(payments::completed_at)
        .select((
            invoices::id,
            invoices::number,
            payments::amount,
            payments::application_fee,
        ))
        .load(conn)?;
    let back: Vec<(Uuid, Option<String>, Decimal, Decimal, Decimal)> = refunds::table
        .inner_join(invoices::table)
        .filter(refunds::payout_id.eq(payout))
        .order(refunds::completed_at)
        .select((
            invoices::id,
            invoices::number,
            refunds::amount,
            refunds::fee_refunded,
            refunds::fee_vat_refunded,
        ))
        .load(conn)?;
    Ok(paid
        .into_iter()
        .map(|(invoice_id, number, amount, fee)| Carried {
            refund: false,
            invoice_id,
            invoice: number.unwrap_or_default(),
            amount,
            fee,
            net: amount - fee,
        })
        .chain(
            back.into_iter()
                .map(|(invoice_id, number, amount, n, v)| Carried {
                    refund: true,
                    invoice_id,
                    invoice: number.unwrap_or_default(),
                    amount: -amount,
                    fee: -(n + v),
                    net: n + v - amount,
                }),
        )
        .collect())
}

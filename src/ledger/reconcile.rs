//! The daily reconciliation: what the journal says card money did on a London day, against
//! Stripe's balance transactions for it. Card payments are compared as a day's total (Stripe
//! names a charge, we name its PaymentIntent); refunds one by one, by Stripe's refund id, and
//! so are refunds the card's bank sent back (Stripe's `refund_failure`).
//! Stripe's own processing fees aren't journalled, so gross amounts are compared.

use std::collections::BTreeMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::db::schema::{journal_entries, journal_lines, payments, reconciliations, refunds};
use crate::money::format_gbp;

/// One side's account of a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    pub charges: Decimal,
    /// Refund id → amount refunded.
    pub refunds: BTreeMap<String, Decimal>,
    /// Refund id → amount the card's bank sent back.
    pub returned: BTreeMap<String, Decimal>,
}

impl Side {
    pub fn refunded(&self) -> Decimal {
        self.refunds.values().copied().sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    pub what: String,
}

/// Every difference between the journal (`ours`) and Stripe (`theirs`) for a day.
pub fn compare(ours: &Side, theirs: &Side) -> Vec<Mismatch> {
    let mut found = Vec::new();
    if ours.charges != theirs.charges {
        found.push(Mismatch {
            what: format!(
                "Card payments: Stripe has {}, the journal {}.",
                format_gbp(theirs.charges),
                format_gbp(ours.charges)
            ),
        });
    }
    each(
        ("Refund", "Refund"),
        &ours.refunds,
        &theirs.refunds,
        &mut found,
    );
    each(
        ("Returned refund", "The return of refund"),
        &ours.returned,
        &theirs.returned,
        &mut found,
    );
    found
}

/// Differences between two id → amount maps, named with `label` ("Refund re_1 of £5.00 is …")
/// and `changed` ("Refund re_1: Stripe has …").
fn each(
    (label, changed): (&str, &str),
    ours: &BTreeMap<String, Decimal>,
    theirs: &BTreeMap<String, Decimal>,
    found: &mut Vec<Mismatch>,
) {
    for (id, amount) in theirs {
        match ours.get(id) {
            None => found.push(Mismatch {
                what: format!(
                    "{label} {id} of {} is in Stripe but not in Larder.",
                    format_gbp(*amount)
                ),
            }),
            Some(ours) if ours != amount => found.push(Mismatch {
                what: format!(
                    "{changed} {id}: Stripe has {}, Larder {}.",
                    format_gbp(*amount),
                    format_gbp(*ours)
                ),
            }),
            Some(_) => {}
        }
    }
    for (id, amount) in ours {
        if !theirs.contains_key(id) {
            found.push(Mismatch {
                what: format!(
                    "{label} {id} of {} is in Larder but not in Stripe.",
                    format_gbp(*amount)
                ),
            });
        }
    }
}

/// The London day as UTC bounds `[start, end)`, right across the clock changes.
pub fn bounds(day: Date) -> (OffsetDateTime, OffsetDateTime) {
    (
        crate::timefmt::london_midnight(day),
        crate::timefmt::london_midnight(day.next_day().unwrap_or(day)),
    )
}

/// The journal's side of the day: card money Stripe received, and refunds Stripe made.
pub fn ours(conn: &mut PgConnection, day: Date) -> QueryResult<Side> {
    let (start, end) = bounds(day);
    let charges: Option<Decimal> = journal_lines::table
        .inner_join(journal_entries::table.inner_join(payments::table))
        .filter(journal_entries::kind.eq_any(["payment_received", "payment_unapplied"]))
        .filter(journal_entries::occurred_at.ge(start))
        .filter(journal_entries::occurred_at.lt(end))
        .filter(payments::gateway.eq("stripe"))
        .filter(journal_lines::account.eq(super::rules::Account::StripeClearing))
        .select(diesel::dsl::sum(journal_lines::amount))
        .first(conn)?;
    // A refund sent back later was still made on its day.
    let refunded: Vec<(Option<String>, Decimal)> = refunds::table
        .inner_join(payments::table)
        .filter(refunds::status.eq_any(["succeeded", "returned"]))
        .filter(payments::gateway.eq("stripe"))
        .filter(refunds::completed_at.ge(start))
        .filter(refunds::completed_at.lt(end))
        .select((refunds::gateway_refund_id, refunds::amount))
        .load(conn)?;
    let returned: Vec<(Option<String>, Decimal)> = refunds::table
        .inner_join(payments::table)
        .filter(refunds::status.eq("returned"))
        .filter(payments::gateway.eq("stripe"))
        .filter(refunds::returned_at.ge(start))
        .filter(refunds::returned_at.lt(end))
        .select((refunds::gateway_refund_id, refunds::amount))
        .load(conn)?;
    let by_id = |rows: Vec<(Option<String>, Decimal)>| {
        rows.into_iter()
            .filter_map(|(id, amount)| id.map(|id| (id, amount)))
            .collect()
    };
    Ok(Side {
        charges: charges.unwrap_or_default(),
        refunds: by_id(refunded),
        returned: by_id(returned),
    })
}

/// Stores the day's result (checking a day again replaces it).
pub fn save(
    conn: &mut PgConnection,
    day: Date,
    (ours, theirs): (&Side, &Side),
    mismatches: &[Mismatch],
) -> QueryResult<()> {
    let found = serde_json::to_value(mismatches).unwrap_or_default();
    let row = (
        reconciliations::day.eq(day),
        reconciliations::checked_at.eq(OffsetDateTime::now_utc()),
        reconciliations::ours_charges.eq(ours.charges),
        reconciliations::stripe_charges.eq(theirs.charges),
        reconciliations::ours_refunds.eq(ours.refunded()),
        reconciliations::stripe_refunds.eq(theirs.refunded()),
        reconciliations::mismatches.eq(&found),
    );
    diesel::insert_into(reconciliations::table)
        .values(row)
        .on_conflict(reconciliations::day)
        .do_update()
        .set(row)
        .execute(conn)
        .map(|_| ())
}

/// A checked day, for the admin page.
#[derive(Debug, Clone)]
pub struct Checked {
    pub day: Date,
    pub ours_charges: Decimal,
    pub stripe_charges: Decimal,
    pub ours_refunds: Decimal,
    pub stripe_refunds: Decimal,
    pub mismatches: Vec<Mismatch>,
}

impl Checked {
    pub fn day_text(&self) -> String {
        crate::timefmt::date(self.day)
    }
    pub fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        format_gbp(*d.borrow())
    }
}

/// The last 60 days checked, newest first.
pub fn recent(conn: &mut PgConnection) -> QueryResult<Vec<Checked>> {
    let rows: Vec<(Date, Decimal, Decimal, Decimal, Decimal, serde_json::Value)> =
        reconciliations::table
            .order(reconciliations::day.desc())
            .limit(60)
            .select((
                reconciliations::day,
                reconciliations::ours_charges,
                reconciliations::stripe_charges,
                reconciliations::ours_refunds,
                reconciliations::stripe_refunds,
                reconciliations::mismatches,
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(day, oc, sc, or, sr, m)| Checked {
            day,
            ours_charges: oc,
            stripe_charges: sc,
            ours_refunds: or,
            stripe_refunds: sr,
            mismatches: serde_json::from_value(m).unwrap_or_default(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn matching_days_have_no_mismatches_and_each_difference_is_named() {
        let ours = Side {
            charges: d("53.93"),
            refunds: BTreeMap::from([("re_1".into(), d("10.00")), ("re_2".into(), d("5.00"))]),
            returned: BTreeMap::from([("re_0".into(), d("2.00"))]),
        };
        assert!(compare(&ours, &ours.clone()).is_empty());
        let theirs = Side {
            charges: d("63.93"),
            refunds: BTreeMap::from([("re_1".into(), d("9.00")), ("re_3".into(), d("1.00"))]),
            returned: BTreeMap::from([("re_9".into(), d("4.00"))]),
        };
        let found: Vec<String> = compare(&ours, &theirs)
            .into_iter()
            .map(|m| m.what)
            .collect();
        assert_eq!(
            found,
            [
                "Card payments: Stripe has £63.93, the journal £53.93.",
                "Refund re_1: Stripe has £9.00, Larder £10.00.",
                "Refund re_3 of £1.00 is in Stripe but not in Larder.",
                "Refund re_2 of £5.00 is in Larder but not in Stripe.",
                "Returned refund re_9 of £4.00 is in Stripe but not in Larder.",
                "Returned refund re_0 of £2.00 is in Larder but not in Stripe.",
            ]
        );
    }

    #[test]
    fn a_london_day_is_23_or_25_hours_across_the_clock_changes() {
        use time::macros::date;
        let span = |day| {
            let (a, b) = bounds(day);
            (b - a).whole_hours()
        };
        assert_eq!(span(date!(2026 - 03 - 29)), 23);
        assert_eq!(span(date!(2026 - 10 - 25)), 25);
        assert_eq!(span(date!(2026 - 11 - 24)), 24);
    }
}

//! The money side of the admin analytics page, over a range `[from, to)` of London days:
//! what was invoiced (GMV), what Larder earned in fees (from the journal, so it is what was
//! actually taken), refunds, failed payments, what is still owed to providers, and the
//! journal's trial balance for the range.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Numeric, Text, Timestamptz};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::queries::WEEKS;
use crate::money::format_gbp;

#[derive(Debug, Clone, Default, QueryableByName)]
pub struct Money {
    /// Invoices issued in the range (void or not), by their totals with VAT.
    #[diesel(sql_type = Numeric)]
    pub gmv: Decimal,
    #[diesel(sql_type = BigInt)]
    pub invoices: i64,
    /// Larder's fee revenue and the VAT on it, as the journal recorded them in the range.
    #[diesel(sql_type = Numeric)]
    pub fees: Decimal,
    #[diesel(sql_type = Numeric)]
    pub fee_vat: Decimal,
    /// Refunds that reached buyers in the range.
    #[diesel(sql_type = Numeric)]
    pub refunds: Decimal,
    #[diesel(sql_type = BigInt)]
    pub failed_payments: i64,
    /// Owed to providers now, whatever the range: invoices issued through Larder not yet paid
    /// out to their banks.
    #[diesel(sql_type = Numeric)]
    pub owed_to_providers: Decimal,
}

impl Money {
    pub fn gmv_text(&self) -> String {
        format_gbp(self.gmv)
    }
    pub fn fees_text(&self) -> String {
        format_gbp(self.fees)
    }
    pub fn fee_vat_text(&self) -> String {
        format_gbp(self.fee_vat)
    }
    pub fn refunds_text(&self) -> String {
        format_gbp(self.refunds)
    }
    pub fn owed_text(&self) -> String {
        format_gbp(self.owed_to_providers)
    }
}

/// The London days of a range whose bounds are London midnights: `[first, last)`.
fn days((from, to): (OffsetDateTime, OffsetDateTime)) -> (time::Date, time::Date) {
    (
        crate::timefmt::to_london(from).date(),
        crate::timefmt::to_london(to).date(),
    )
}

#[derive(QueryableByName)]
struct WeekMoney {
    #[diesel(sql_type = Text)]
    week: String,
    #[diesel(sql_type = Numeric)]
    gmv: Decimal,
    #[diesel(sql_type = Numeric)]
    fees: Decimal,
}

/// GMV (invoices issued) and fee revenue (the journal's, net of fees given back) per London
/// week starting Monday: `(monday, gmv, fees)`.
pub fn per_week(
    conn: &mut PgConnection,
    (from, to): (OffsetDateTime, OffsetDateTime),
) -> QueryResult<Vec<(String, Decimal, Decimal)>> {
    let (first, last) = days((from, to));
    let rows: Vec<WeekMoney> = diesel::sql_query(format!(
        "{WEEKS}, g AS (
           SELECT to_char(w.monday, 'YYYY-MM-DD') AS week,
                  (SELECT sum(total) FROM invoices
                    WHERE status NOT IN ('draft', 'void') AND issued_at >= w.starts AND issued_at < w.ends) AS gmv
             FROM w),
         f AS (
           SELECT to_char(date_trunc('week', day), 'YYYY-MM-DD') AS week, sum(credits - debits) AS fees
             FROM journal_daily
            WHERE account = 'platform_fee_revenue' AND day >= $3 AND day < $4
            GROUP BY 1)
         SELECT coalesce(g.week, f.week) AS week, coalesce(g.gmv, 0) AS gmv, coalesce(f.fees, 0) AS fees
           FROM g FULL JOIN f ON f.week = g.week ORDER BY 1"
    ))
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.week, r.gmv, r.fees)).collect())
}

pub fn money(
    conn: &mut PgConnection,
    (from, to): (OffsetDateTime, OffsetDateTime),
) -> QueryResult<Money> {
    let (first, last) = days((from, to));
    // The journal's sums come from its daily totals (kept as lines are written).
    diesel::sql_query(
        "WITH g AS (SELECT coalesce(sum(total), 0) AS gmv, count(*) AS n FROM invoices
                     WHERE status NOT IN ('draft', 'void') AND issued_at >= $1 AND issued_at < $2),
              d AS (SELECT account, sum(credits - debits) AS credit FROM journal_daily
                     WHERE day >= $3 AND day < $4 AND account IN ('platform_fee_revenue', 'vat_on_fees')
                     GROUP BY account)
         SELECT g.gmv, g.n AS invoices,
           coalesce((SELECT credit FROM d WHERE account = 'platform_fee_revenue'), 0) AS fees,
           coalesce((SELECT credit FROM d WHERE account = 'vat_on_fees'), 0) AS fee_vat,
           (SELECT coalesce(sum(amount), 0) FROM refunds
             WHERE status = 'succeeded' AND completed_at >= $1 AND completed_at < $2) AS refunds,
           (SELECT count(*) FROM payments
             WHERE status = 'failed' AND updated_at >= $1 AND updated_at < $2) AS failed_payments,
           (SELECT coalesce(sum(credits - debits), 0) FROM journal_daily
             WHERE account = 'provider_payable') AS owed_to_providers
         FROM g",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .get_result(conn)
}

/// One account's movements in the range: debits, credits (both positive) and the net.
#[derive(Debug, Clone, QueryableByName)]
pub struct TrialLine {
    #[diesel(sql_type = Text)]
    pub account: String,
    #[diesel(sql_type = Numeric)]
    pub debits: Decimal,
    #[diesel(sql_type = Numeric)]
    pub credits: Decimal,
}

impl TrialLine {
    pub fn net(&self) -> Decimal {
        self.debits - self.credits
    }
}

pub fn trial_balance(
    conn: &mut PgConnection,
    (from, to): (OffsetDateTime, OffsetDateTime),
) -> QueryResult<Vec<TrialLine>> {
    let (first, last) = days((from, to));
    diesel::sql_query(
        "SELECT account, sum(debits) AS debits, sum(credits) AS credits
           FROM journal_daily
          WHERE day >= $1 AND day < $2
          GROUP BY account ORDER BY account",
    )
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .load(conn)
}

/// The trial balance as CSV: account, debits, credits, net, and a totals row whose net is
/// zero when the journal balances.
pub fn trial_balance_csv(lines: &[TrialLine]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["account", "debits", "credits", "net"])?;
    let (mut debits, mut credits) = (Decimal::ZERO, Decimal::ZERO);
    for l in lines {
        debits += l.debits;
        credits += l.credits;
        out.write_record([
            l.account.as_str(),
            &crate::money::plain(l.debits),
            &crate::money::plain(l.credits),
            &crate::money::plain(l.net()),
        ])?;
    }
    out.write_record([
        "total",
        &crate::money::plain(debits),
        &crate::money::plain(credits),
        &crate::money::plain(debits - credits),
    ])?;
    out.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trial_balance_totals_to_zero_when_the_journal_balances() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let lines = vec![
            TrialLine {
                account: "buyer_receivable".into(),
                debits: d("120.00"),
                credits: d("120.00"),
            },
            TrialLine {
                account: "platform_fee_revenue".into(),
                debits: d("0"),
                credits: d("3.00"),
            },
            TrialLine {
                account: "provider_payable".into(),
                debits: d("3.60"),
                credits: d("120.00"),
            },
            TrialLine {
                account: "stripe_clearing".into(),
                debits: d("120.00"),
                credits: d("0"),
            },
            TrialLine {
                account: "vat_on_fees".into(),
                debits: d("0"),
                credits: d("0.60"),
            },
        ];
        let csv = String::from_utf8(trial_balance_csv(&lines).unwrap()).unwrap();
        assert!(csv.starts_with("account,debits,credits,net\n"));
        assert!(csv.contains("platform_fee_revenue,0.00,3.00,-3.00\n"));
        assert!(csv.ends_with("total,243.60,243.60,0.00\n"));
    }
}

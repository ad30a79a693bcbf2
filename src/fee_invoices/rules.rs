//! The platform's fee invoices as pure rules: which month to issue, the number, each line's
//! words and the totals.

use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use crate::statements::rules::StatementMonth;

/// The month whose fees are invoiced at `now`: the London month before this one.
pub fn month_due(now: OffsetDateTime) -> StatementMonth {
    StatementMonth::of(crate::timefmt::to_london(now).date()).previous()
}

/// When the month ends (its next month's London midnight): fees before it go on its invoice.
pub fn month_end(month: StatementMonth) -> OffsetDateTime {
    crate::timefmt::london_midnight(month.next().first_day())
}

/// The invoice's date: the last day of the month it covers.
pub fn issue_date(month: StatementMonth) -> Date {
    month
        .next()
        .first_day()
        .previous_day()
        .unwrap_or(month.first_day())
}

/// `LDR-F-000042`: the platform's own gap-free sequence, apart from providers' numbers.
pub fn number(n: i32) -> String {
    format!("LDR-F-{n:06}")
}

/// A journal fee entry as a line of the fee invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeEntry {
    pub kind: String,
    pub invoice_number: Option<String>,
    pub net: Decimal,
    pub vat: Decimal,
}

pub fn describe(e: &FeeEntry) -> String {
    let invoice = e.invoice_number.as_deref().unwrap_or("an invoice");
    match e.kind.as_str() {
        "fee_refunded" => format!("Fee given back with a refund on {invoice}"),
        _ => format!("Fee on {invoice}, paid by card"),
    }
}

/// Net, VAT and total of the lines.
pub fn totals(entries: &[FeeEntry]) -> (Decimal, Decimal, Decimal) {
    let net: Decimal = entries.iter().map(|e| e.net).sum();
    let vat: Decimal = entries.iter().map(|e| e.vat).sum();
    (net, vat, net + vat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;
    use time::macros::{date, datetime};

    #[test]
    fn the_month_due_is_the_london_month_before() {
        let m = month_due(datetime!(2026-12-01 0:30 UTC));
        assert_eq!((m.year, m.month), (2026, Month::November));
        // 23:30 UTC on 31 March is already 1 April in London (BST).
        let m = month_due(datetime!(2027-03-31 23:30 UTC));
        assert_eq!((m.year, m.month), (2027, Month::March));
        let m = month_due(datetime!(2027-01-15 12:00 UTC));
        assert_eq!((m.year, m.month), (2026, Month::December));
    }

    #[test]
    fn a_month_ends_at_london_midnight_and_is_dated_its_last_day() {
        let march = StatementMonth {
            year: 2027,
            month: Month::March,
        };
        assert_eq!(month_end(march), datetime!(2027-03-31 23:00 UTC));
        assert_eq!(issue_date(march), date!(2027 - 03 - 31));
        let feb = StatementMonth {
            year: 2028,
            month: Month::February,
        };
        assert_eq!(issue_date(feb), date!(2028 - 02 - 29));
    }

    #[test]
    fn numbers_lines_and_totals() {
        assert_eq!(number(42), "LDR-F-000042");
        let fee = FeeEntry {
            kind: "platform_fee".into(),
            invoice_number: Some("VEG-000001".into()),
            net: Decimal::new(250, 2),
            vat: Decimal::new(50, 2),
        };
        let back = FeeEntry {
            kind: "fee_refunded".into(),
            invoice_number: Some("VEG-000001".into()),
            net: Decimal::new(-100, 2),
            vat: Decimal::new(-20, 2),
        };
        assert_eq!(describe(&fee), "Fee on VEG-000001, paid by card");
        assert_eq!(
            describe(&back),
            "Fee given back with a refund on VEG-000001"
        );
        assert_eq!(
            totals(&[fee, back]),
            (
                Decimal::new(150, 2),
                Decimal::new(30, 2),
                Decimal::new(180, 2)
            )
        );
    }
}

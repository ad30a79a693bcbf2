//! A provider's monthly statement, as pure rules: which month is asked for, and what each
//! line nets to the provider.

use rust_decimal::Decimal;
use time::{Date, Month};

/// A London calendar month: statements group by the dates on invoices, credit notes and
/// payouts, which are London dates already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementMonth {
    pub year: i32,
    pub month: Month,
}

impl StatementMonth {
    /// The month containing `day`.
    pub fn of(day: Date) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    /// `YYYY-MM`, as a month field sends it; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
        (2000..=2999)
            .contains(&year)
            .then_some(Self { year, month })
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    /// The first day after the month: the range is `first_day..next().first_day()`.
    pub fn next(self) -> Self {
        match self.month {
            Month::December => Self {
                year: self.year + 1,
                month: Month::January,
            },
            m => Self {
                year: self.year,
                month: m.next(),
            },
        }
    }

    pub fn previous(self) -> Self {
        match self.month {
            Month::January => Self {
                year: self.year - 1,
                month: Month::December,
            },
            m => Self {
                year: self.year,
                month: m.previous(),
            },
        }
    }

    /// `2026-11`: the value of a month field and of the address.
    pub fn key(self) -> String {
        format!("{}-{:02}", self.year, u8::from(self.month))
    }

    /// "November 2026".
    pub fn label(self) -> String {
        format!("{} {}", self.month, self.year)
    }
}

/// What an invoice nets to its provider: the total less Larder's fee and the VAT on it.
pub fn net(total: Decimal, fee: Decimal, fee_vat: Decimal) -> Decimal {
    total - fee - fee_vat
}

/// The month in totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Invoices issued, at their totals.
    pub invoiced: Decimal,
    /// Credit notes issued against them.
    pub credited: Decimal,
    /// Larder's fee with its VAT, as it stands on those invoices.
    pub fees: Decimal,
    /// Invoiced, less credits and fees.
    pub net: Decimal,
    /// Payouts that reached the bank.
    pub paid_out: Decimal,
}

impl Summary {
    /// From each invoice's (total, fee, VAT on the fee), each credit note's total and each
    /// payout's (status, amount).
    pub fn of(
        invoices: impl IntoIterator<Item = (Decimal, Decimal, Decimal)>,
        credits: impl IntoIterator<Item = Decimal>,
        payouts: impl IntoIterator<Item = (bool, Decimal)>,
    ) -> Self {
        let (mut invoiced, mut fees) = (Decimal::ZERO, Decimal::ZERO);
        for (total, fee, fee_vat) in invoices {
            invoiced += total;
            fees += fee + fee_vat;
        }
        let credited: Decimal = credits.into_iter().sum();
        let paid_out = payouts
            .into_iter()
            .filter(|(paid, _)| *paid)
            .map(|(_, amount)| amount)
            .sum();
        Self {
            invoiced,
            credited,
            fees,
            net: invoiced - credited - fees,
            paid_out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn months_parse_only_as_a_month_field_sends_them() {
        let nov = StatementMonth::parse("2026-11").expect("month");
        assert_eq!(nov.key(), "2026-11");
        assert_eq!(nov.label(), "November 2026");
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026/11",
            "",
            "x",
            "1999-12",
            "2026-11-01",
        ] {
            assert_eq!(StatementMonth::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_step_across_the_year_end() {
        let dec_2026 = StatementMonth::parse("2026-12").expect("month");
        assert_eq!(dec_2026.next().key(), "2027-01");
        assert_eq!(dec_2026.next().previous(), dec_2026);
        assert_eq!(
            dec_2026.next().first_day(),
            Date::from_calendar_date(2027, Month::January, 1).expect("date")
        );
        let march = StatementMonth::parse("2026-03").expect("month");
        assert_eq!(march.previous().key(), "2026-02");
        assert_eq!(
            StatementMonth::of(Date::from_calendar_date(2026, Month::March, 29).expect("date")),
            march
        );
    }

    #[test]
    fn an_invoice_nets_its_total_less_the_fee_and_its_vat() {
        assert_eq!(net(dec("120.00"), dec("3.00"), dec("0.60")), dec("116.40"));
        assert_eq!(net(dec("0"), dec("0"), dec("0")), dec("0"));
    }

    #[test]
    fn the_summary_nets_credits_and_fees_and_counts_only_payouts_that_arrived() {
        let s = Summary::of(
            [
                (dec("120.00"), dec("3.00"), dec("0.60")),
                (dec("80.00"), dec("2.00"), dec("0.40")),
            ],
            [dec("20.00")],
            [(true, dec("150.00")), (false, dec("40.00"))],
        );
        assert_eq!(s.invoiced, dec("200.00"));
        assert_eq!(s.credited, dec("20.00"));
        assert_eq!(s.fees, dec("6.00"));
        assert_eq!(s.net, dec("174.00"));
        assert_eq!(s.paid_out, dec("150.00"));
        assert_eq!(Summary::of([], [], []), Summary::default());
    }
}

//! Money: GBP amounts as `Decimal` pennies, parsed strictly from what people type and
//! formatted for pages. VAT arithmetic joins this module with the ordering work.

use rust_decimal::{Decimal, RoundingStrategy};

/// The largest price or amount a form may carry (NUMERIC(12,2) holds far more).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(99_999_999, 0, 0, false, 2); // 999,999.99

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber,
    /// Commas that could mean thousands or pence ("1,250,00", "1.250,50").
    Ambiguous,
    TooManyDecimals,
    Negative,
    TooLarge,
}

impl MoneyError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "Enter an amount in pounds, like 12.50.",
            Self::NotANumber => "Enter an amount in pounds, like 12.50.",
            Self::Ambiguous => {
                "We can't tell where the pence start: write it like 1250.00 or 12.50."
            }
            Self::TooManyDecimals => "Use at most 2 decimal places (whole pence).",
            Self::Negative => "The amount can't be negative.",
            Self::TooLarge => "That amount is too large.",
        }
    }
}

/// How a typed number was written, before it becomes a `Decimal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    Empty,
    NotANumber,
    Ambiguous,
}

/// Reads a number as people type it here, into plain digits with at most one dot. A dot is
/// the decimal point and commas group thousands ("1,234.50"), except that a single comma
/// followed by 1 to `decimal_comma_digits` digits and nothing else is a decimal comma
/// ("12,50" from a continental keyboard). Anything else with commas ("1,250,00", "1.250,5")
/// is refused as ambiguous, never guessed. No signs, exponents or spaces inside.
pub fn normalise_number(raw: &str, decimal_comma_digits: usize) -> Result<String, NumberError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(NumberError::Empty);
    }
    if raw.len() > 24
        || !raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(NumberError::NotANumber);
    }
    if !raw.chars().any(|c| c.is_ascii_digit()) || raw.matches('.').count() > 1 {
        return Err(NumberError::NotANumber);
    }
    let (whole, fraction) = match raw.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (raw, None),
    };
    if fraction.is_some_and(|f| f.contains(',')) {
        return Err(NumberError::Ambiguous);
    }
    if !whole.contains(',') {
        return Ok(raw.to_owned());
    }
    let groups: Vec<&str> = whole.split(',').collect();
    if fraction.is_none() && groups.len() == 2 {
        let after = groups[1].len();
        if (1..=decimal_comma_digits).contains(&after) && !groups[0].is_empty() {
            // "12,50": a decimal comma, unless three digits could equally be thousands.
            if after == 3 {
                return Err(NumberError::Ambiguous);
            }
            return Ok(format!("{}.{}", groups[0], groups[1]));
        }
    }
    let grouped = (1..=3).contains(&groups[0].len())
        && !groups[0].starts_with('0')
        && groups[1..].iter().all(|g| g.len() == 3);
    if !grouped {
        return Err(NumberError::Ambiguous);
    }
    let digits = groups.concat();
    Ok(match fraction {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    })
}

/// Parses "12.5", "£1,234.50", "12,50" into pounds. Never rounds: 3 decimals is an error.
pub fn parse_gbp(raw: &str) -> Result<Decimal, MoneyError> {
    let trimmed = raw.trim();
    let (negative, unsigned) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed),
    };
    let unsigned = unsigned.strip_prefix('£').unwrap_or(unsigned).trim_start();
    let plain = normalise_number(unsigned, 2).map_err(|e| match e {
        NumberError::Empty if !negative => MoneyError::Empty,
        NumberError::Ambiguous => MoneyError::Ambiguous,
        _ => MoneyError::NotANumber,
    })?;
    let value: Decimal = plain.parse().map_err(|_| MoneyError::NotANumber)?;
    if value.normalize().scale() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }
    if negative && !value.is_zero() {
        return Err(MoneyError::Negative);
    }
    if value > MAX_AMOUNT {
        return Err(MoneyError::TooLarge);
    }
    Ok(value.round_dp(2))
}

/// The most one order or invoice line may come to before VAT, and one order or invoice in
/// all. Far above any real kitchen's order, far below what the database columns hold, so a
/// typo like 10,000 × £999,999.99 is a message, not an overflow.
pub const MAX_LINE_NET: Decimal = Decimal::from_parts(25_000_000, 0, 0, false, 2); // 250,000.00
pub const MAX_DOCUMENT_TOTAL: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 2); // 1,000,000.00

/// A line's net amount, if it stays within `MAX_LINE_NET`.
pub fn bounded_line_net(unit_price: Decimal, quantity: Decimal) -> Result<Decimal, String> {
    let net = unit_price
        .checked_mul(quantity)
        .map(round_pennies)
        .filter(|net| *net <= MAX_LINE_NET)
        .ok_or_else(|| {
            format!(
                "That line would come to more than {}, the most one line can be. Order less, or split it across orders.",
                format_gbp(MAX_LINE_NET)
            )
        })?;
    Ok(net)
}

/// Refuses a total (VAT included) above `MAX_DOCUMENT_TOTAL`.
pub fn check_document_total(total: Decimal) -> Result<(), String> {
    if total > MAX_DOCUMENT_TOTAL {
        return Err(format!(
            "This comes to {}, more than the {} one order or invoice can be. Split it into smaller ones.",
            format_gbp(total),
            format_gbp(MAX_DOCUMENT_TOTAL)
        ));
    }
    Ok(())
}

/// Rounds to pennies, half away from zero ("half-up" for the positive amounts we keep).
pub fn round_pennies(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A line's net amount: unit price × quantity, rounded half-up to pennies.
pub fn line_net(unit_price: Decimal, quantity: Decimal) -> Decimal {
    round_pennies(unit_price * quantity)
}

/// VAT on a net amount at `rate` percent (0, 5, 20), rounded half-up to pennies.
pub fn vat(net: Decimal, rate: Decimal) -> Decimal {
    round_pennies(net * rate / Decimal::ONE_HUNDRED)
}

/// A priced line: (net, VAT), each rounded half-up to pennies. The one way every cart,
/// order and invoice line is priced.
pub fn price_line(unit_price: Decimal, quantity: Decimal, vat_rate: Decimal) -> (Decimal, Decimal) {
    let net = line_net(unit_price, quantity);
    (net, vat(net, vat_rate))
}

/// Totals of priced lines: VAT is worked out per line and summed, and shown by rate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub subtotal: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
    /// (rate, net at that rate, VAT at that rate), lowest rate first.
    pub by_rate: Vec<(Decimal, Decimal, Decimal)>,
}

impl Totals {
    /// `lines` are (net, rate, line VAT) as stored on each line.
    pub fn from_lines(lines: impl IntoIterator<Item = (Decimal, Decimal, Decimal)>) -> Self {
        let mut totals = Self::default();
        for (net, rate, line_vat) in lines {
            totals.subtotal += net;
            totals.vat_total += line_vat;
            match totals.by_rate.iter_mut().find(|(r, _, _)| *r == rate) {
                Some((_, n, v)) => {
                    *n += net;
                    *v += line_vat;
                }
                None => totals.by_rate.push((rate, net, line_vat)),
            }
        }
        totals.by_rate.sort_by_key(|r| r.0);
        totals.total = totals.subtotal + totals.vat_total;
        totals
    }

    pub fn subtotal_text(&self) -> String {
        format_gbp(self.subtotal)
    }

    pub fn vat_text(&self) -> String {
        format_gbp(self.vat_total)
    }

    pub fn total_text(&self) -> String {
        format_gbp(self.total)
    }

    /// ("20%", "£10.00", "£2.00") rows for the VAT breakdown table.
    pub fn rate_rows(&self) -> Vec<(String, String, String)> {
        self.by_rate
            .iter()
            .map(|(rate, net, vat)| {
                (
                    format!("{}%", rate.normalize()),
                    format_gbp(*net),
                    format_gbp(*vat),
                )
            })
            .collect()
    }
}

/// "£1,234.50".
pub fn format_gbp(value: Decimal) -> String {
    let value = round_pennies(value);
    let negative = value.is_sign_negative() && !value.is_zero();
    let text = format!("{:.2}", value.abs());
    let (whole, pence) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}£{grouped}.{pence}", if negative { "-" } else { "" })
}

/// "12.50" for form fields (no symbol, no grouping).
pub fn plain(value: Decimal) -> String {
    format!("{:.2}", round_pennies(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal literal")
    }

    #[test]
    fn typed_amounts_parse_exactly() {
        assert_eq!(parse_gbp("12.5"), Ok(dec("12.50")));
        assert_eq!(parse_gbp(" £1,234.56 "), Ok(dec("1234.56")));
        assert_eq!(parse_gbp("3"), Ok(dec("3")));
        assert_eq!(parse_gbp("0.10"), Ok(dec("0.10")));
        assert_eq!(parse_gbp("1.50"), Ok(dec("1.5")));
    }

    #[test]
    fn a_decimal_comma_is_pence_only_where_it_cannot_be_thousands() {
        assert_eq!(parse_gbp("12,50"), Ok(dec("12.50")));
        assert_eq!(parse_gbp("4,5"), Ok(dec("4.50")));
        assert_eq!(parse_gbp("£0,99"), Ok(dec("0.99")));
        assert_eq!(parse_gbp("1,250"), Ok(dec("1250")));
        assert_eq!(parse_gbp("12,345,678"), Err(MoneyError::TooLarge));
        assert_eq!(parse_gbp("1,234.50"), Ok(dec("1234.50")));
        for ambiguous in [
            "1,250,00", "1.250,50", "12,5,0", "1,2345", ",50", "01,250", "1,25.00",
        ] {
            assert_eq!(
                parse_gbp(ambiguous),
                Err(MoneyError::Ambiguous),
                "{ambiguous}"
            );
        }
    }

    #[test]
    fn numbers_normalise_the_same_way_for_quantities() {
        assert_eq!(normalise_number("1,5", 3).as_deref(), Ok("1.5"));
        assert_eq!(normalise_number("2,25", 3).as_deref(), Ok("2.25"));
        assert_eq!(normalise_number("1,250", 3), Err(NumberError::Ambiguous));
        assert_eq!(normalise_number("10,000", 2).as_deref(), Ok("10000"));
        assert_eq!(normalise_number("1e12", 3), Err(NumberError::NotANumber));
        assert_eq!(normalise_number("-2", 3), Err(NumberError::NotANumber));
        assert_eq!(normalise_number("1 000", 3), Err(NumberError::NotANumber));
        assert_eq!(normalise_number("  ", 3), Err(NumberError::Empty));
    }

    #[test]
    fn malformed_amounts_say_why() {
        assert_eq!(parse_gbp(""), Err(MoneyError::Empty));
        assert_eq!(parse_gbp("abc"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("1.2.3"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("1e5"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("NaN"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("12.345"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_gbp("-1"), Err(MoneyError::Negative));
        assert_eq!(parse_gbp("1000000"), Err(MoneyError::TooLarge));
        assert_eq!(parse_gbp("-£3"), Err(MoneyError::Negative));
        assert_eq!(parse_gbp("12 50"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp(&"9".repeat(40)), Err(MoneyError::NotANumber));
    }

    #[test]
    fn line_and_document_amounts_are_bounded_below_the_columns() {
        assert_eq!(bounded_line_net(dec("2.35"), dec("1.5")), Ok(dec("3.53")));
        assert_eq!(
            bounded_line_net(dec("25"), dec("10000")),
            Ok(dec("250000.00"))
        );
        assert!(bounded_line_net(dec("999999.99"), dec("10000")).is_err());
        assert!(bounded_line_net(dec("25.01"), dec("10000")).is_err());
        assert!(check_document_total(dec("1000000.00")).is_ok());
        let too_big = check_document_total(dec("1000000.01")).unwrap_err();
        assert!(too_big.contains("£1,000,000.01"), "{too_big}");
    }

    #[test]
    fn rounding_is_half_up_to_pennies() {
        assert_eq!(round_pennies(dec("0.005")), dec("0.01"));
        assert_eq!(round_pennies(dec("0.0049")), dec("0.00"));
        assert_eq!(round_pennies(dec("2.675")), dec("2.68"));
    }

    #[test]
    fn lines_round_half_up_and_vat_is_per_line() {
        assert_eq!(line_net(dec("2.35"), dec("1.5")), dec("3.53")); // 3.525
        assert_eq!(line_net(dec("0.99"), dec("3")), dec("2.97"));
        assert_eq!(vat(dec("3.53"), dec("20")), dec("0.71")); // 0.706
        assert_eq!(vat(dec("0.125"), dec("20")), dec("0.03")); // 0.025 -> half up
        assert_eq!(vat(dec("10.00"), dec("0")), dec("0.00"));
    }

    #[test]
    fn mixed_rate_totals_match_hand_computed_values() {
        // 2 × £4.99 at 20%, 1.25 kg × £7.20 at 0%, 3 × £1.15 at 5%.
        let lines = [
            (dec("4.99"), dec("2"), dec("20")),
            (dec("7.20"), dec("1.25"), dec("0")),
            (dec("1.15"), dec("3"), dec("5")),
        ];
        let priced: Vec<_> = lines
            .iter()
            .map(|(p, q, r)| {
                let net = line_net(*p, *q);
                (net, *r, vat(net, *r))
            })
            .collect();
        let t = Totals::from_lines(priced);
        assert_eq!(t.subtotal, dec("22.43")); // 9.98 + 9.00 + 3.45
        assert_eq!(t.vat_total, dec("2.17")); // 2.00 (1.996) + 0 + 0.17 (0.1725)
        assert_eq!(t.total, dec("24.60"));
        assert_eq!(
            t.rate_rows(),
            vec![
                ("0%".into(), "£9.00".into(), "£0.00".into()),
                ("5%".into(), "£3.45".into(), "£0.17".into()),
                ("20%".into(), "£9.98".into(), "£2.00".into())
            ]
        );
    }

    /// A property over many random baskets: every line is whole pence, the breakdown adds
    /// up to the totals, and subtotal + VAT = total, so no penny is lost or invented.
    #[test]
    fn totals_never_lose_a_penny() {
        let mut seed: u64 = 0x5eed;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..2_000 {
            let n = 1 + next(12);
            let mut lines = Vec::new();
            for _ in 0..n {
                let price = Decimal::new(1 + next(99_999) as i64, 2);
                let qty = Decimal::new(1 + next(50_000) as i64, 3);
                let rate = Decimal::from([0, 5, 20][next(3) as usize]);
                let net = line_net(price, qty);
                let v = vat(net, rate);
                assert_eq!(net, net.round_dp(2));
                assert_eq!(v, v.round_dp(2));
                lines.push((net, rate, v));
            }
            let t = Totals::from_lines(lines.clone());
            let nets: Decimal = lines.iter().map(|l| l.0).sum();
            let vats: Decimal = lines.iter().map(|l| l.2).sum();
            assert_eq!(t.subtotal, nets);
            assert_eq!(t.vat_total, vats);
            assert_eq!(t.total, t.subtotal + t.vat_total);
            assert_eq!(t.by_rate.iter().map(|r| r.1).sum::<Decimal>(), t.subtotal);
            assert_eq!(t.by_rate.iter().map(|r| r.2).sum::<Decimal>(), t.vat_total);
        }
    }

    #[test]
    fn amounts_format_as_pounds() {
        assert_eq!(format_gbp(dec("1234.5")), "£1,234.50");
        assert_eq!(format_gbp(dec("0")), "£0.00");
        assert_eq!(format_gbp(dec("999999.99")), "£999,999.99");
        assert_eq!(format_gbp(dec("12")), "£12.00");
        assert_eq!(plain(dec("7.5")), "7.50");
    }
}

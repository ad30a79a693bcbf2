//! Money: GBP amounts as `Decimal` pennies, parsed strictly from what people type and
//! formatted for pages. VAT arithmetic joins this module with the ordering work.

use rust_decimal::{Decimal, RoundingStrategy};

/// The largest price or amount a form may carry (NUMERIC(12,2) holds far more).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(99_999_999, 0, 0, false, 2); // 999,999.99

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber,
    TooManyDecimals,
    Negative,
    TooLarge,
}

impl MoneyError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "Enter an amount in pounds, like 12.50.",
            Self::NotANumber => "Enter an amount in pounds, like 12.50.",
            Self::TooManyDecimals => "Use at most 2 decimal places (whole pence).",
            Self::Negative => "The amount can't be negative.",
            Self::TooLarge => "That amount is too large.",
        }
    }
}

/// Parses "12.5", "£1,234.50", " 3 " into pounds. Never rounds: 3 decimals is an error.
pub fn parse_gbp(raw: &str) -> Result<Decimal, MoneyError> {
    let cleaned: String = raw
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Err(MoneyError::Empty);
    }
    let valid_shape = cleaned
        .strip_prefix('-')
        .unwrap_or(&cleaned)
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.')
        && cleaned.matches('.').count() <= 1
        && cleaned.chars().any(|c| c.is_ascii_digit());
    if !valid_shape || cleaned.len() > 20 {
        return Err(MoneyError::NotANumber);
    }
    let value: Decimal = cleaned.parse().map_err(|_| MoneyError::NotANumber)?;
    if value.scale() > 2 && value.normalize().scale() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }
    if value.is_sign_negative() && !value.is_zero() {
        return Err(MoneyError::Negative);
    }
    if value > MAX_AMOUNT {
        return Err(MoneyError::TooLarge);
    }
    Ok(value.round_dp(2))
}

/// Rounds to pennies, half away from zero ("half-up" for the positive amounts we keep).
pub fn round_pennies(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
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
    fn malformed_amounts_say_why() {
        assert_eq!(parse_gbp(""), Err(MoneyError::Empty));
        assert_eq!(parse_gbp("abc"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("1.2.3"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("1e5"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("NaN"), Err(MoneyError::NotANumber));
        assert_eq!(parse_gbp("12.345"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_gbp("-1"), Err(MoneyError::Negative));
        assert_eq!(parse_gbp("1000000"), Err(MoneyError::TooLarge));
        assert_eq!(parse_gbp(&"9".repeat(40)), Err(MoneyError::NotANumber));
    }

    #[test]
    fn rounding_is_half_up_to_pennies() {
        assert_eq!(round_pennies(dec("0.005")), dec("0.01"));
        assert_eq!(round_pennies(dec("0.0049")), dec("0.00"));
        assert_eq!(round_pennies(dec("2.675")), dec("2.68"));
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

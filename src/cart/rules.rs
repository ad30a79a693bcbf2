//! Cart rules: what a typed quantity may be.

use rust_decimal::Decimal;

pub const MAX_QUANTITY: i64 = 10_000;

/// A quantity as typed: positive, at most 10,000, whole unless the product is sold by
/// weight or volume (then up to 3 decimals). Written as money is ("1,5" is 1.5).
pub fn quantity(raw: &str, fractional: bool) -> Result<Decimal, &'static str> {
    parse_quantity(raw, fractional, false)
}

/// What a provider confirms of a line: as `quantity`, but 0 means "none available".
pub fn confirmed_quantity(raw: &str, fractional: bool) -> Result<Decimal, &'static str> {
    parse_quantity(raw, fractional, true)
}

fn parse_quantity(raw: &str, fractional: bool, allow_zero: bool) -> Result<Decimal, &'static str> {
    let plain = crate::money::normalise_number(raw, 3).map_err(|e| match e {
        crate::money::NumberError::Ambiguous => {
            "We can't tell if the comma marks thousands or decimals: write it like 1250 or 1.25."
        }
        _ => "Enter a quantity, like 2 or 1.5.",
    })?;
    let q: Decimal = plain
        .parse()
        .map_err(|_| "Enter a quantity, like 2 or 1.5.")?;
    if q.is_zero() && !allow_zero {
        return Err("The quantity must be more than 0.");
    }
    if q > Decimal::from(MAX_QUANTITY) {
        return Err("That's more than we can take in one order (10,000 at most).");
    }
    if q.normalize().scale() > 3 {
        return Err("Use at most 3 decimal places.");
    }
    if !fractional && q.fract() != Decimal::ZERO {
        return Err("This product is sold in whole units.");
    }
    Ok(q.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_positive_bounded_and_whole_where_needed() {
        assert_eq!(quantity("2", false), Ok(Decimal::from(2)));
        assert_eq!(quantity(" 1.250 ", true), Ok(Decimal::new(125, 2)));
        for (raw, fractional) in [
            ("0", true),
            ("-1", true),
            ("1.5", false),
            ("abc", true),
            ("", true),
            ("10001", true),
            ("1.2345", true),
            ("1e3", true),
            ("99999999999999", true),
            ("1e12", true),
            ("1,250", true),
            ("2,5", false),
        ] {
            assert!(quantity(raw, fractional).is_err(), "{raw}");
        }
        assert_eq!(quantity("1,5", true), Ok(Decimal::new(15, 1)));
        assert!(
            quantity("10,000", false)
                .unwrap_err()
                .contains("thousands or decimals"),
            "three digits after one comma could be either"
        );
    }

    #[test]
    fn confirmed_quantities_follow_the_same_rules_and_allow_none() {
        assert_eq!(confirmed_quantity("0", false), Ok(Decimal::ZERO));
        assert_eq!(confirmed_quantity("1,5", true), Ok(Decimal::new(15, 1)));
        for raw in ["1e12", "-1", "2.5", "10001", "abc", ""] {
            assert!(confirmed_quantity(raw, false).is_err(), "{raw}");
        }
    }
}

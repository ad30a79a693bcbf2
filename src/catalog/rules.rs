//! Field rules for products, shared by the product form and the CSV import.

use std::sync::OnceLock;

use regex::Regex;
use rust_decimal::Decimal;

use crate::categories::CATEGORIES;
use crate::money;

pub fn sku(raw: &str) -> Result<String, &'static str> {
    static SHAPE: OnceLock<Regex> = OnceLock::new();
    let shape = SHAPE
        .get_or_init(|| Regex::new(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$").expect("sku pattern"));
    let value = raw.trim();
    if value.is_empty() {
        return Err("Enter a SKU (your product code).");
    }
    if !shape.is_match(value) {
        return Err("Use up to 40 letters, digits, dots, dashes, slashes or underscores.");
    }
    Ok(value.to_owned())
}

/// A category by slug ("dairy_eggs") or by its label ("Dairy & eggs"), any case.
pub fn category(raw: &str) -> Result<String, &'static str> {
    let value = raw.trim();
    CATEGORIES
        .iter()
        .find(|(slug, label)| slug.eq_ignore_ascii_case(value) || label.eq_ignore_ascii_case(value))
        .map(|(slug, _)| (*slug).to_owned())
        .ok_or("Choose a category from the list.")
}

pub fn price(raw: &str) -> Result<Decimal, &'static str> {
    let value = money::parse_gbp(raw).map_err(money::MoneyError::message)?;
    if value < Decimal::new(1, 2) {
        return Err("The price must be at least £0.01.");
    }
    Ok(value)
}

/// VAT at 0, 5 or 20 %, written "20", "20%" or "20.0".
pub fn vat_rate(raw: &str) -> Result<Decimal, &'static str> {
    let value = raw.trim().trim_end_matches('%').trim();
    let rate: Decimal = value
        .parse()
        .map_err(|_| "Choose a VAT rate of 0, 5 or 20%.")?;
    if [0, 5, 20].iter().any(|r| Decimal::from(*r) == rate) {
        Ok(rate.normalize())
    } else {
        Err("Choose a VAT rate of 0, 5 or 20%.")
    }
}

/// "yes"/"no" style CSV flags; empty means the default.
pub fn flag(raw: &str, default: bool) -> Result<bool, &'static str> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err("Use yes or no."),
    }
}

/// Units sold by weight or volume may be ordered in fractions by default.
pub fn fractional_by_default(unit: &str) -> bool {
    matches!(
        unit.trim().to_ascii_lowercase().as_str(),
        "kg" | "g" | "l" | "litre" | "litres" | "ml"
    )
}

/// Text a spreadsheet would run as a formula gets a leading apostrophe on export.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_need_pennies_and_at_least_one() {
        assert_eq!(price("2.50"), Ok(Decimal::new(250, 2)));
        assert!(price("0").is_err());
        assert!(price("0.001").is_err());
        assert!(price("-3").is_err());
        assert!(price("abc").is_err());
        assert!(price("1.234").is_err());
    }

    #[test]
    fn vat_is_zero_five_or_twenty() {
        assert_eq!(vat_rate("20%"), Ok(Decimal::from(20)));
        assert_eq!(vat_rate(" 5 "), Ok(Decimal::from(5)));
        assert_eq!(vat_rate("0.0"), Ok(Decimal::ZERO));
        for bad in ["17.5", "0.2", "", "twenty"] {
            assert!(vat_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn categories_by_slug_or_label() {
        assert_eq!(category("Dairy & eggs"), Ok("dairy_eggs".into()));
        assert_eq!(category("FROZEN"), Ok("frozen".into()));
        assert!(category("weapons").is_err());
    }

    #[test]
    fn skus_are_codes_not_prose() {
        assert_eq!(sku(" VEG-001 "), Ok("VEG-001".into()));
        assert!(sku("").is_err());
        assert!(sku("has space").is_err());
        assert!(sku("=cmd|' /C calc'!A0").is_err());
        assert!(sku(&"A".repeat(41)).is_err());
    }

    #[test]
    fn formulas_are_defused_on_export() {
        assert_eq!(
            neutralise_formula("=cmd|' /C calc'!A0"),
            "'=cmd|' /C calc'!A0"
        );
        assert_eq!(neutralise_formula("+44 20"), "'+44 20");
        assert_eq!(neutralise_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_formula("Tomatoes"), "Tomatoes");
    }
}

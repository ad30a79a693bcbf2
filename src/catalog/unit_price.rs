//! Price per base unit (per kg, per litre, per item) from a product's unit and pack size,
//! so buyers can compare "£18.40 for 12 × 1 L" with "£4.10 for 2 L".

use rust_decimal::Decimal;
use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseUnit {
    Kg,
    Litre,
    Each,
}

impl BaseUnit {
    pub fn label(self) -> &'static str {
        match self {
            Self::Kg => "kg",
            Self::Litre => "litre",
            Self::Each => "item",
        }
    }
}

/// How much of a base unit one amount-with-unit is: "500g" → 0.5 kg, "75cl" → 0.75 L.
fn measure(amount: Decimal, unit: &str) -> Option<(Decimal, BaseUnit)> {
    let thousand = Decimal::from(1000);
    let hundred = Decimal::from(100);
    match unit.to_ascii_lowercase().as_str() {
        "kg" | "kgs" | "kilo" | "kilos" => Some((amount, BaseUnit::Kg)),
        "g" | "gr" | "gram" | "grams" => Some((amount / thousand, BaseUnit::Kg)),
        "l" | "ltr" | "litre" | "litres" | "liter" | "liters" => Some((amount, BaseUnit::Litre)),
        "ml" => Some((amount / thousand, BaseUnit::Litre)),
        "cl" => Some((amount / hundred, BaseUnit::Litre)),
        "each" | "ea" | "item" | "items" | "pc" | "pcs" | "piece" | "pieces" => {
            Some((amount, BaseUnit::Each))
        }
        _ => None,
    }
}

/// Reads a pack description: "12 x 1 L", "case of 6 × 75cl", "5kg", "2.5 kg bag", "30 eggs".
fn pack_quantity(text: &str) -> Option<(Decimal, BaseUnit)> {
    static MULTI: OnceLock<Regex> = OnceLock::new();
    static SINGLE: OnceLock<Regex> = OnceLock::new();
    static COUNT: OnceLock<Regex> = OnceLock::new();
    let multi = MULTI.get_or_init(|| {
        Regex::new(r"(?i)(\d+)\s*[x×]\s*(\d+(?:\.\d+)?)\s*([a-z]+)\b").expect("pattern")
    });
    let single =
        SINGLE.get_or_init(|| Regex::new(r"(?i)(\d+(?:\.\d+)?)\s*([a-z]+)\b").expect("pattern"));
    let count = COUNT.get_or_init(|| {
        Regex::new(r"(?i)^(?:case|box|pack|tray)?\s*(?:of\s*)?(\d+)\b").expect("pattern")
    });

    if let Some(c) = multi.captures(text) {
        let n: Decimal = c[1].parse().ok()?;
        let amount: Decimal = c[2].parse().ok()?;
        let (each, unit) = measure(amount, &c[3])?;
        return Some((n * each, unit));
    }
    for c in single.captures_iter(text) {
        let amount: Decimal = c[1].parse().ok()?;
        if let Some(m) = measure(amount, &c[2]) {
            return Some(m);
        }
    }
    // "case of 12", "30 eggs", "tray of 30": items.
    if let Some(c) = count.captures(text.trim()) {
        let n: Decimal = c[1].parse().ok()?;
        if n > Decimal::ZERO {
            return Some((n, BaseUnit::Each));
        }
    }
    None
}

/// Price per base unit, when the unit or pack says how much one selling unit holds.
pub fn per_base_unit(price: Decimal, unit: &str, pack_size: &str) -> Option<(Decimal, BaseUnit)> {
    let quantity = if pack_size.trim().is_empty() {
        measure(Decimal::ONE, unit.trim())
    } else {
        pack_quantity(pack_size).or_else(|| measure(Decimal::ONE, unit.trim()))
    };
    let (amount, base) = quantity?;
    if amount <= Decimal::ZERO {
        return None;
    }
    Some((crate::money::round_pennies(price / amount), base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn packs_of_litres_compare_per_litre() {
        assert_eq!(
            per_base_unit(d("18.40"), "case", "case of 12 × 1 L"),
            Some((d("1.53"), BaseUnit::Litre))
        );
        assert_eq!(
            per_base_unit(d("4.10"), "each", "2 L"),
            Some((d("2.05"), BaseUnit::Litre))
        );
        assert_eq!(
            per_base_unit(d("54.00"), "case", "6 x 75cl"),
            Some((d("12.00"), BaseUnit::Litre))
        );
    }

    #[test]
    fn weights_compare_per_kg() {
        assert_eq!(
            per_base_unit(d("7.20"), "kg", ""),
            Some((d("7.20"), BaseUnit::Kg))
        );
        assert_eq!(
            per_base_unit(d("3.00"), "bag", "500g"),
            Some((d("6.00"), BaseUnit::Kg))
        );
        assert_eq!(
            per_base_unit(d("21.00"), "tin", "6 × 2.5kg"),
            Some((d("1.40"), BaseUnit::Kg))
        );
    }

    #[test]
    fn counts_compare_per_item() {
        assert_eq!(
            per_base_unit(d("9.00"), "tray", "tray of 30"),
            Some((d("0.30"), BaseUnit::Each))
        );
        assert_eq!(
            per_base_unit(d("2.40"), "each", ""),
            Some((d("2.40"), BaseUnit::Each))
        );
    }

    #[test]
    fn unknowable_packs_give_no_figure() {
        assert_eq!(per_base_unit(d("5.00"), "bunch", ""), None);
        assert_eq!(per_base_unit(d("5.00"), "box", "assorted"), None);
        assert_eq!(per_base_unit(d("5.00"), "case", "0 x 1 L"), None);
    }
}

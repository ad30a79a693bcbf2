//! What a one-click reorder tells the buyer before anything is submitted: what went into the
//! cart, what was skipped, whose price moved since the order, and what is out of stock.

use rust_decimal::Decimal;

use crate::money::format_gbp;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reordered {
    pub added: usize,
    /// Products no longer listed (or whose provider stopped trading).
    pub skipped: Vec<String>,
    /// (product, price on the order, price now).
    pub repriced: Vec<(String, Decimal, Decimal)>,
    pub out_of_stock: Vec<String>,
}

impl Reordered {
    pub fn message(&self) -> String {
        let mut parts = vec![format!(
            "{} item(s) from this order are in your cart.",
            self.added
        )];
        if !self.skipped.is_empty() {
            parts.push(format!(
                "Not available any more, so skipped: {}.",
                self.skipped.join(", ")
            ));
        }
        if !self.repriced.is_empty() {
            let moved: Vec<String> = self
                .repriced
                .iter()
                .map(|(name, was, now)| {
                    format!("{name} {} (was {})", format_gbp(*now), format_gbp(*was))
                })
                .collect();
            parts.push(format!("Prices changed since: {}.", moved.join(", ")));
        }
        if !self.out_of_stock.is_empty() {
            parts.push(format!(
                "Out of stock for now, so checkout will ask you to remove: {}.",
                self.out_of_stock.join(", ")
            ));
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reorder_says_what_changed_before_anything_is_submitted() {
        let plain = Reordered {
            added: 3,
            ..Default::default()
        };
        assert_eq!(
            plain.message(),
            "3 item(s) from this order are in your cart."
        );
        let changed = Reordered {
            added: 2,
            skipped: vec!["House red".into()],
            repriced: vec![(
                "Double cream".into(),
                Decimal::new(560, 2),
                Decimal::new(590, 2),
            )],
            out_of_stock: vec!["Leeks".into()],
        };
        assert_eq!(
            changed.message(),
            "2 item(s) from this order are in your cart. Not available any more, so skipped: House red. Prices changed since: Double cream £5.90 (was £5.60). Out of stock for now, so checkout will ask you to remove: Leeks."
        );
    }
}

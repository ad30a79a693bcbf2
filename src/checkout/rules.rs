//! Checkout rules as pure functions: delivery dates and what stops a checkout.

use rust_decimal::Decimal;
use time::Date;

/// The next few dates a provider delivers on (ISO weekdays), for tests and seeds that need a
/// valid delivery day without a zone at hand.
pub fn next_delivery_dates(today: Date, days: &[i16], count: usize) -> Vec<Date> {
    (0..92)
        .map(|d| today + time::Duration::days(d))
        .filter(|d| days.contains(&i16::from(d.weekday().number_from_monday())))
        .take(count)
        .collect()
}

/// The order's totals: the cart's lines plus the zone's delivery charge, if any, as a line
/// at the standard rate.
pub fn order_totals(
    lines: &[crate::cart::queries::CartLine],
    delivery_charge: Decimal,
) -> crate::money::Totals {
    let charge = (!delivery_charge.is_zero())
        .then(|| crate::availability::rules::delivery_charge_line(delivery_charge));
    crate::money::Totals::from_lines(
        lines
            .iter()
            .map(|l| (l.net(), l.vat_rate, l.vat()))
            .chain(charge),
    )
}

/// What checkout knows about a cart, for `checkout_problems`.
#[derive(Debug, Clone, Default)]
pub struct CheckoutFacts {
    pub empty: bool,
    pub business_active: bool,
    pub provider_open: bool,
    pub location_covered: bool,
    pub min_order: Decimal,
    pub subtotal: Decimal,
    /// The total with VAT, bounded by `money::MAX_DOCUMENT_TOTAL`.
    pub total: Decimal,
    /// Names of items that are out of stock or no longer listed.
    pub unavailable: Vec<String>,
    /// Names of items in fractions that the provider now sells only whole.
    pub not_whole: Vec<String>,
    /// Names of items whose line exceeds `money::MAX_LINE_NET`.
    pub oversized: Vec<String>,
}

impl CheckoutFacts {
    /// Everything a checkout is judged on, gathered in one place for the page and for
    /// submit (which re-checks inside its transaction): the business, the provider, the
    /// delivery zone covering the chosen location (none: not covered), and the cart's lines.
    pub fn gather(
        business_active: bool,
        provider: &crate::providers::model::Provider,
        zone: Option<&crate::availability::rules::Zone>,
        lines: &[crate::cart::queries::CartLine],
    ) -> Self {
        Self {
            business_active,
            provider_open: crate::providers::rules::is_open_for_orders(&provider.status),
            location_covered: zone.is_some(),
            min_order: zone.map_or(provider.min_order_value, |z| z.min_order_value),
            ..Self::from_lines(lines)
        }
    }

    /// The facts that come from the cart's own lines.
    pub fn from_lines(lines: &[crate::cart::queries::CartLine]) -> Self {
        let totals = crate::cart::queries::totals(lines);
        let names = |keep: &dyn Fn(&crate::cart::queries::CartLine) -> bool| {
            lines
                .iter()
                .filter(|l| keep(l))
                .map(|l| l.label())
                .collect()
        };
        Self {
            empty: lines.is_empty(),
            subtotal: totals.subtotal,
            total: totals.total,
            unavailable: names(&|l| !l.available()),
            not_whole: names(&|l| !l.fractional && l.quantity.fract() != Decimal::ZERO),
            oversized: names(&|l| crate::money::bounded_line_net(l.price, l.quantity).is_err()),
            ..Self::default()
        }
    }
}

/// Everything that stops this cart becoming an order, in words for the buyer.
pub fn checkout_problems(f: &CheckoutFacts) -> Vec<String> {
    let mut problems = Vec::new();
    if f.empty {
        problems.push("Your cart for this provider is empty.".to_owned());
        return problems;
    }
    if !f.business_active {
        problems.push(
            "Your business is suspended, so it can't place orders. Contact Larder support."
                .to_owned(),
        );
    }
    if !f.provider_open {
        problems.push("This provider isn't taking orders at the moment.".to_owned());
    }
    if !f.location_covered {
        problems.push(
            "This provider doesn't deliver to that address: it is outside every area they cover. Choose another address or provider."
                .to_owned(),
        );
    }
    if !f.unavailable.is_empty() {
        problems.push(format!(
            "Remove what's no longer available: {}.",
            f.unavailable.join(", ")
        ));
    }
    if !f.not_whole.is_empty() {
        problems.push(format!(
            "These are now sold in whole units only; change their quantities: {}.",
            f.not_whole.join(", ")
        ));
    }
    if !f.oversized.is_empty() {
        problems.push(format!(
            "These lines come to more than {} each; order less: {}.",
            crate::money::format_gbp(crate::money::MAX_LINE_NET),
            f.oversized.join(", ")
        ));
    }
    if let Err(why) = crate::money::check_document_total(f.total) {
        problems.push(why);
    }
    if f.subtotal < f.min_order {
        problems.push(format!(
            "This provider's minimum order for your area is {} before VAT; your cart comes to {}.",
            crate::money::format_gbp(f.min_order),
            crate::money::format_gbp(f.subtotal)
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;
    #[test]
    fn checkout_lists_every_problem_in_words() {
        let ok = CheckoutFacts {
            business_active: true,
            provider_open: true,
            location_covered: true,
            min_order: Decimal::from(50),
            subtotal: Decimal::from(60),
            ..Default::default()
        };
        assert!(checkout_problems(&ok).is_empty());
        let below = CheckoutFacts {
            subtotal: Decimal::new(4999, 2),
            ..ok.clone()
        };
        assert_eq!(
            checkout_problems(&below),
            vec![
                "This provider's minimum order for your area is £50.00 before VAT; your cart comes to £49.99."
            ]
        );
        let bad = CheckoutFacts {
            business_active: false,
            provider_open: false,
            location_covered: false,
            unavailable: vec!["Leeks".into()],
            ..ok.clone()
        };
        assert_eq!(checkout_problems(&bad).len(), 4);
        assert_eq!(
            checkout_problems(&CheckoutFacts { empty: true, ..bad }).len(),
            1
        );
    }

    #[test]
    fn delivery_dates_follow_the_providers_days() {
        let today = date!(2026 - 11 - 24); // a Tuesday
        assert_eq!(
            next_delivery_dates(today, &[1, 4], 3),
            vec![
                date!(2026 - 11 - 26),
                date!(2026 - 11 - 30),
                date!(2026 - 12 - 03)
            ]
        );
    }
}

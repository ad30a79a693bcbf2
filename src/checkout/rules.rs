//! Checkout rules as pure functions: delivery dates and what stops a checkout.

use rust_decimal::Decimal;
use time::Date;

/// Hour of the London day after which a same-day delivery is no longer offered. Providers'
/// own cut-offs replace this with the availability work.
pub const SAME_DAY_CUTOFF_HOUR: u8 = 12;

/// The earliest delivery date a buyer may ask for at `now`: today until noon London time,
/// tomorrow after it (whatever the clocks did).
pub fn earliest_delivery(now: time::OffsetDateTime) -> Date {
    let london = crate::timefmt::to_london(now);
    if london.hour() < SAME_DAY_CUTOFF_HOUR {
        london.date()
    } else {
        london.date().next_day().unwrap_or(london.date())
    }
}

/// A requested delivery date: not in the past, on one of the provider's days (ISO weekday),
/// within three months.
pub fn delivery_date(date: Date, today: Date, days: &[i16]) -> Result<(), String> {
    if date < today {
        return Err(format!(
            "Choose a delivery date from {} onwards.",
            crate::timefmt::date(today)
        ));
    }
    if date > today + time::Duration::days(92) {
        return Err("Choose a date within the next three months.".into());
    }
    let weekday = i16::from(date.weekday().number_from_monday());
    if !days.contains(&weekday) {
        return Err(format!(
            "This provider doesn't deliver on {}s.",
            date.weekday()
        ));
    }
    Ok(())
}

/// The next few dates a provider delivers on, for the checkout's date choice.
pub fn next_delivery_dates(today: Date, days: &[i16], count: usize) -> Vec<Date> {
    (0..92)
        .map(|d| today + time::Duration::days(d))
        .filter(|d| days.contains(&i16::from(d.weekday().number_from_monday())))
        .take(count)
        .collect()
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
    /// delivery location's outcode if one is chosen, and the cart's lines.
    pub fn gather(
        business_active: bool,
        provider: &crate::providers::model::Provider,
        outcode: Option<&str>,
        lines: &[crate::cart::queries::CartLine],
    ) -> Self {
        Self {
            business_active,
            provider_open: crate::providers::rules::is_open_for_orders(&provider.status),
            location_covered: outcode.is_some_and(|o| provider.delivers_to(o)),
            min_order: provider.min_order_value,
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
            "This provider doesn't deliver to that address. Choose another address or provider."
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
            "This provider's minimum order is {} before VAT; your cart comes to {}.",
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
    fn same_day_delivery_is_offered_only_before_noon_london_time() {
        use time::macros::datetime;
        let winter_morning = datetime!(2026-01-15 11:59 UTC);
        assert_eq!(
            earliest_delivery(winter_morning),
            time::macros::date!(2026 - 01 - 15)
        );
        let winter_noon = datetime!(2026-01-15 12:00 UTC);
        assert_eq!(
            earliest_delivery(winter_noon),
            time::macros::date!(2026 - 01 - 16)
        );
        // In summer London is UTC+1: 11:30 UTC is already 12:30 there.
        let summer = datetime!(2026-07-15 11:30 UTC);
        assert_eq!(
            earliest_delivery(summer),
            time::macros::date!(2026 - 07 - 16)
        );
        // The night the clocks go back: 23:30 UTC on 24 Oct is 00:30 BST on the 25th.
        let clocks = datetime!(2026-10-24 23:30 UTC);
        assert_eq!(
            earliest_delivery(clocks),
            time::macros::date!(2026 - 10 - 25)
        );
        let year_end = datetime!(2026-12-31 13:00 UTC);
        assert_eq!(
            earliest_delivery(year_end),
            time::macros::date!(2027 - 01 - 01)
        );
    }

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
            vec!["This provider's minimum order is £50.00 before VAT; your cart comes to £49.99."]
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
        let weekdays = [1, 2, 3, 4, 5];
        assert!(delivery_date(date!(2026 - 11 - 24), today, &weekdays).is_ok());
        assert!(
            delivery_date(date!(2026 - 11 - 23), today, &weekdays)
                .unwrap_err()
                .contains("from 24 Nov 2026 onwards")
        );
        assert!(
            delivery_date(date!(2026 - 11 - 28), today, &weekdays)
                .unwrap_err()
                .contains("Saturdays")
        );
        assert!(delivery_date(date!(2027 - 06 - 01), today, &weekdays).is_err());
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

//! Order guide rules: what a typed count or par may be, the quantity that tops a shelf up to
//! par, a price that moved since the last order, and a provider's block against its minimum.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::money::format_gbp;

/// How far back a location's orders make its guide.
pub const HISTORY_DAYS: i64 = 90;

/// A count on hand or a par level as typed: blank is "not given"; 0 is allowed; at most
/// 10,000 and 3 decimals. Fractions are fine for any product: half a case is on the shelf.
pub fn amount(raw: &str) -> Result<Option<Decimal>, &'static str> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    crate::cart::rules::confirmed_quantity(raw, true).map(Some)
}

/// What to order to bring `on_hand` up to `par`, in the product's unit of sale: nothing when
/// the shelf is already there; whole units round up (two and a half short needs three).
pub fn suggest(par: Decimal, on_hand: Decimal, fractional: bool) -> Decimal {
    let short = par - on_hand;
    if short <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    if fractional {
        short
            .round_dp_with_strategy(3, RoundingStrategy::AwayFromZero)
            .normalize()
    } else {
        short.ceil().normalize()
    }
}

/// "Was £4.20 when last ordered, now £4.50 (up 7.1%)", or `None` when it hasn't moved.
pub fn price_change(last: Option<Decimal>, now: Decimal) -> Option<String> {
    let was = last.filter(|was| *was != now)?;
    let direction = if now > was { "up" } else { "down" };
    let percent = if was.is_zero() {
        String::new()
    } else {
        let p = ((now - was).abs() * Decimal::from(100) / was)
            .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
        format!(" ({direction} {p:.1}%)")
    };
    Some(format!(
        "Was {} when last ordered, now {}{percent}",
        format_gbp(was),
        format_gbp(now)
    ))
}

/// "£12.50 more reaches the £50.00 minimum", when the block's subtotal is under it.
pub fn short_of_minimum(subtotal: Decimal, minimum: Decimal) -> Option<String> {
    (subtotal > Decimal::ZERO && subtotal < minimum).then(|| {
        format!(
            "{} more reaches the {} minimum.",
            format_gbp(minimum - subtotal),
            format_gbp(minimum)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn counts_and_pars_may_be_blank_or_zero_but_not_negative_or_huge() {
        assert_eq!(amount(""), Ok(None));
        assert_eq!(amount("  "), Ok(None));
        assert_eq!(amount("0"), Ok(Some(Decimal::ZERO)));
        assert_eq!(amount("2,5"), Ok(Some(d("2.5"))));
        assert_eq!(amount("1.250"), Ok(Some(d("1.25"))));
        for bad in ["-1", "abc", "10001", "1.2345", "1e3", "<b>"] {
            assert!(amount(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_suggestion_tops_up_to_par_and_rounds_whole_units_up() {
        assert_eq!(suggest(d("10"), d("4"), false), d("6"));
        assert_eq!(suggest(d("10"), d("7.5"), false), d("3"));
        assert_eq!(suggest(d("10"), d("7.5"), true), d("2.5"));
        assert_eq!(suggest(d("2"), d("1.2345"), true), d("0.766"));
        assert_eq!(suggest(d("4"), d("4"), false), Decimal::ZERO);
        assert_eq!(suggest(d("4"), d("9"), true), Decimal::ZERO);
        assert_eq!(suggest(d("0"), d("0"), false), Decimal::ZERO);
    }

    #[test]
    fn a_moved_price_says_from_what_to_what_and_by_how_much() {
        assert_eq!(price_change(None, d("4.5")), None);
        assert_eq!(price_change(Some(d("4.50")), d("4.5")), None);
        assert_eq!(
            price_change(Some(d("4.20")), d("4.50")).as_deref(),
            Some("Was £4.20 when last ordered, now £4.50 (up 7.1%)")
        );
        assert_eq!(
            price_change(Some(d("8")), d("6")).as_deref(),
            Some("Was £8.00 when last ordered, now £6.00 (down 25.0%)")
        );
        assert_eq!(
            price_change(Some(d("0")), d("1")).as_deref(),
            Some("Was £0.00 when last ordered, now £1.00")
        );
    }

    #[test]
    fn a_block_under_its_minimum_says_how_much_more() {
        assert_eq!(
            short_of_minimum(d("37.50"), d("50")).as_deref(),
            Some("£12.50 more reaches the £50.00 minimum.")
        );
        assert_eq!(short_of_minimum(d("50"), d("50")), None);
        assert_eq!(short_of_minimum(Decimal::ZERO, d("50")), None);
    }
}

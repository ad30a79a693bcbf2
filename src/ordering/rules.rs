//! Ordering rules as pure functions: order states and their transitions, quantities,
//! delivery dates, and what stops a checkout.

use rust_decimal::Decimal;
use time::Date;

use crate::tenancy::roles::{self, Permission, Role, Side};

crate::text_enum! {
    /// An order's state, as `orders.status` stores it (declaration order is the filter's).
    pub enum OrderStatus {
        Submitted = "submitted",
        Confirmed = "confirmed",
        OutForDelivery = "out_for_delivery",
        Delivered = "delivered",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderAction {
    Confirm,
    Reject,
    Cancel,
    Schedule,
    Dispatch,
    Deliver,
}

impl OrderAction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Reject => "reject",
            Self::Cancel => "cancel",
            Self::Schedule => "schedule",
            Self::Dispatch => "dispatch",
            Self::Deliver => "deliver",
        }
    }
}

impl OrderAction {
    /// What a member's role must allow to take this action.
    pub fn permission(self) -> Permission {
        match self {
            Self::Confirm | Self::Reject => Permission::ConfirmOrders,
            Self::Cancel => Permission::PlaceOrders,
            Self::Schedule | Self::Dispatch | Self::Deliver => Permission::FulfilOrders,
        }
    }
}

/// The actions this side and role may take on an order in `status`, primary first: what the
/// order page offers, so it never shows a button that could only answer "can't be done now"
/// or a 404.
pub fn actions_for(status: OrderStatus, side: Side, role: Role) -> Vec<OrderAction> {
    state_actions(status, side)
        .iter()
        .copied()
        .filter(|a| roles::allows(side, role, a.permission()))
        .collect()
}

fn state_actions(status: OrderStatus, side: Side) -> &'static [OrderAction] {
    use OrderAction as A;
    use OrderStatus as S;
    match (status, side) {
        (S::Submitted, Side::Provider) => &[A::Confirm, A::Reject],
        (S::Confirmed, Side::Provider) => &[A::Schedule, A::Dispatch, A::Deliver],
        (S::OutForDelivery, Side::Provider) => &[A::Deliver],
        (S::Submitted, Side::Buyer) => &[A::Cancel],
        _ => &[],
    }
}

impl OrderStatus {
    /// Orders a provider may invoice: accepted ones, not those still waiting or turned down.
    pub fn can_invoice(self) -> bool {
        matches!(
            self,
            Self::Confirmed | Self::OutForDelivery | Self::Delivered
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Submitted => "Awaiting confirmation",
            Self::Confirmed => "Confirmed",
            Self::Rejected => "Rejected",
            Self::Cancelled => "Cancelled",
            Self::OutForDelivery => "Out for delivery",
            Self::Delivered => "Delivered",
        }
    }
}

/// The state an action leads to, or why it can't be taken now (shown to the user as a 409).
pub fn transition(from: OrderStatus, action: OrderAction) -> Result<OrderStatus, String> {
    use OrderAction as A;
    use OrderStatus as S;
    match (from, action) {
        (S::Submitted, A::Confirm) => Ok(S::Confirmed),
        (S::Submitted, A::Reject) => Ok(S::Rejected),
        (S::Submitted, A::Cancel) => Ok(S::Cancelled),
        (S::Confirmed, A::Schedule) => Ok(S::Confirmed),
        (S::Confirmed, A::Dispatch) => Ok(S::OutForDelivery),
        (S::OutForDelivery, A::Deliver) => Ok(S::Delivered),
        (S::Confirmed, A::Deliver) => Ok(S::Delivered),
        (from, action) => Err(format!(
            "This order is {}, so it can't be {} now.",
            from.label().to_lowercase(),
            match action {
                A::Confirm => "confirmed",
                A::Reject => "rejected",
                A::Cancel => "cancelled",
                A::Schedule => "scheduled for delivery",
                A::Dispatch => "sent out for delivery",
                A::Deliver => "marked delivered",
            }
        )),
    }
}

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
    /// The facts that come from the cart's own lines.
    pub fn from_lines(lines: &[super::cart::CartLine]) -> Self {
        let totals = super::cart::totals(lines);
        let names = |keep: &dyn Fn(&super::cart::CartLine) -> bool| {
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
    fn the_order_lifecycle_only_moves_forward() {
        use OrderAction as A;
        use OrderStatus as S;
        assert_eq!(transition(S::Submitted, A::Confirm), Ok(S::Confirmed));
        assert_eq!(transition(S::Submitted, A::Cancel), Ok(S::Cancelled));
        assert_eq!(transition(S::Confirmed, A::Dispatch), Ok(S::OutForDelivery));
        assert_eq!(transition(S::OutForDelivery, A::Deliver), Ok(S::Delivered));
        for (from, action) in [
            (S::Confirmed, A::Cancel),
            (S::Rejected, A::Confirm),
            (S::Cancelled, A::Confirm),
            (S::Delivered, A::Dispatch),
            (S::Submitted, A::Deliver),
            (S::Confirmed, A::Confirm),
        ] {
            let err = transition(from, action).unwrap_err();
            assert!(err.starts_with("This order is "), "{err}");
        }
    }

    /// Every action offered is one the state machine allows, and every allowed action is
    /// offered to the side that takes it.
    #[test]
    fn pages_offer_exactly_the_actions_the_state_allows() {
        let all = [
            OrderAction::Confirm,
            OrderAction::Reject,
            OrderAction::Cancel,
            OrderAction::Schedule,
            OrderAction::Dispatch,
            OrderAction::Deliver,
        ];
        for &status in OrderStatus::ALL {
            for side in [Side::Provider, Side::Buyer] {
                let provider_side = side.is_provider();
                let offered = actions_for(status, side, Role::Owner);
                for action in all {
                    let by_this_side = (action == OrderAction::Cancel) != provider_side;
                    let allowed = transition(status, action).is_ok() && by_this_side;
                    assert_eq!(
                        offered.contains(&action),
                        allowed,
                        "{status:?} {action:?} provider_side={provider_side}"
                    );
                }
            }
        }
        assert_eq!(
            actions_for(OrderStatus::Submitted, Side::Provider, Role::Owner)[0],
            OrderAction::Confirm,
            "the primary action comes first"
        );
        assert!(actions_for(OrderStatus::Rejected, Side::Provider, Role::Owner).is_empty());
    }

    /// A role sees only the buttons its permissions back: a dispatcher fulfils but can't
    /// confirm, a viewer or finance member can't cancel, an orderer can.
    #[test]
    fn roles_narrow_what_a_state_offers() {
        use OrderAction as A;
        use OrderStatus as S;
        assert!(actions_for(S::Submitted, Side::Provider, Role::Dispatcher).is_empty());
        assert_eq!(
            actions_for(S::Confirmed, Side::Provider, Role::Dispatcher),
            vec![A::Schedule, A::Dispatch, A::Deliver]
        );
        assert!(actions_for(S::Confirmed, Side::Provider, Role::Finance).is_empty());
        assert_eq!(
            actions_for(S::Submitted, Side::Provider, Role::Manager),
            vec![A::Confirm, A::Reject]
        );
        assert_eq!(
            actions_for(S::Submitted, Side::Buyer, Role::Orderer),
            vec![A::Cancel]
        );
        for role in [Role::Viewer, Role::Finance] {
            assert!(actions_for(S::Submitted, Side::Buyer, role).is_empty());
        }
    }

    #[test]
    fn only_accepted_orders_can_be_invoiced() {
        let invoiceable: Vec<_> = OrderStatus::ALL
            .iter()
            .filter(|s| s.can_invoice())
            .collect();
        assert_eq!(
            invoiceable,
            [
                &OrderStatus::Confirmed,
                &OrderStatus::OutForDelivery,
                &OrderStatus::Delivered
            ]
        );
    }

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
    fn statuses_round_trip_their_names() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }

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

//! Order rules as pure functions: the states, which actions each side and role may take in
//! each, and where an action leads.

use crate::tenancy::roles::{self, Permission, Role, Side};

crate::text_enum! {
    /// An order's state, as `orders.status` stores it (declaration order is the filter's).
    pub enum OrderStatus {
        /// Over the orderer's limit: waits for a manager or owner; the provider can't see it.
        AwaitingApproval = "awaiting_approval",
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
    /// Buyer manager or owner: lets an order over an orderer's limit go to the provider.
    Approve,
    /// Buyer manager or owner: turns it down, with a reason.
    Decline,
    Confirm,
    Reject,
    Cancel,
    /// Buyer: change quantities before the provider confirms (and before the cut-off).
    Change,
    Schedule,
    Dispatch,
    Deliver,
}

impl OrderAction {
    pub fn name(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Confirm => "confirm",
            Self::Reject => "reject",
            Self::Cancel => "cancel",
            Self::Change => "change",
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
            Self::Approve | Self::Decline => Permission::ApproveOrders,
            Self::Confirm | Self::Reject => Permission::ConfirmOrders,
            Self::Cancel | Self::Change => Permission::PlaceOrders,
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
        (S::Submitted, Side::Buyer) => &[A::Change, A::Cancel],
        (S::AwaitingApproval, Side::Buyer) => &[A::Approve, A::Decline, A::Cancel],
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
            Self::AwaitingApproval => "Awaiting approval",
            Self::Submitted => "Awaiting confirmation",
            Self::Confirmed => "Confirmed",
            Self::Rejected => "Rejected",
            Self::Cancelled => "Cancelled",
            Self::OutForDelivery => "Out for delivery",
            Self::Delivered => "Delivered",
        }
    }
}

/// Why an orderer's order needs approval, if it does: over their per-order limit, or over
/// their monthly limit counting what they already placed this month. `None` when neither
/// limit is set or both hold.
pub fn needs_approval(
    total: rust_decimal::Decimal,
    placed_this_month: rust_decimal::Decimal,
    order_limit: Option<rust_decimal::Decimal>,
    monthly_limit: Option<rust_decimal::Decimal>,
) -> Option<String> {
    use crate::money::format_gbp;
    if let Some(limit) = order_limit.filter(|l| total > *l) {
        return Some(format!(
            "It comes to {}, over your limit of {} per order.",
            format_gbp(total),
            format_gbp(limit)
        ));
    }
    if let Some(limit) = monthly_limit.filter(|l| placed_this_month + total > *l) {
        return Some(format!(
            "With {} already ordered this month it would pass your monthly limit of {}.",
            format_gbp(placed_this_month),
            format_gbp(limit)
        ));
    }
    None
}

/// The state an action leads to, or why it can't be taken now (shown to the user as a 409).
pub fn transition(from: OrderStatus, action: OrderAction) -> Result<OrderStatus, String> {
    use OrderAction as A;
    use OrderStatus as S;
    match (from, action) {
        (S::AwaitingApproval, A::Approve) => Ok(S::Submitted),
        (S::AwaitingApproval, A::Decline | A::Cancel) => Ok(S::Cancelled),
        (S::Submitted, A::Confirm) => Ok(S::Confirmed),
        (S::Submitted, A::Reject) => Ok(S::Rejected),
        (S::Submitted, A::Cancel) => Ok(S::Cancelled),
        (S::Submitted, A::Change) => Ok(S::Submitted),
        (S::Confirmed, A::Schedule) => Ok(S::Confirmed),
        (S::Confirmed, A::Dispatch) => Ok(S::OutForDelivery),
        (S::OutForDelivery, A::Deliver) => Ok(S::Delivered),
        (S::Confirmed, A::Deliver) => Ok(S::Delivered),
        (from, action) => Err(format!(
            "This order is {}, so it can't be {} now.",
            from.label().to_lowercase(),
            match action {
                A::Approve => "approved",
                A::Decline => "declined",
                A::Confirm => "confirmed",
                A::Reject => "rejected",
                A::Cancel => "cancelled",
                A::Change => "changed",
                A::Schedule => "scheduled for delivery",
                A::Dispatch => "sent out for delivery",
                A::Deliver => "marked delivered",
            }
        )),
    }
}

/// "Double cream 3 → 5; Leeks removed": what a buyer's change did, for the provider.
/// `before` and `after` are (name, quantity) per line, after holding 0 for a removed one.
pub fn change_summary(
    before: &[(String, rust_decimal::Decimal)],
    after: &[(String, rust_decimal::Decimal)],
) -> String {
    let parts: Vec<String> = before
        .iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|((name, b), (_, a))| {
            if a.is_zero() {
                format!("{name} removed")
            } else {
                format!("{name} {} → {}", b.normalize(), a.normalize())
            }
        })
        .collect();
    if parts.is_empty() {
        "No quantities changed".to_owned()
    } else {
        parts.join("; ")
    }
}

/// A buyer may cancel a submitted order (and a manager approve one) only until the cut-off
/// it was placed against: after it the provider is already picking for that delivery.
/// Orders from before cut-offs existed have none.
pub fn before_cutoff(
    cutoff_at: Option<time::OffsetDateTime>,
    now: time::OffsetDateTime,
) -> Result<(), String> {
    match cutoff_at {
        Some(cutoff) if now >= cutoff => Err(format!(
            "Ordering for this delivery closed at {}. Contact the provider to change or cancel it.",
            crate::timefmt::datetime(cutoff)
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_summary_names_each_changed_line() {
        use rust_decimal::Decimal;
        let before = [
            ("Cream".to_owned(), Decimal::from(3)),
            ("Leeks".to_owned(), Decimal::new(15, 1)),
            ("Eggs".to_owned(), Decimal::ONE),
        ];
        let after = [
            ("Cream".to_owned(), Decimal::from(5)),
            ("Leeks".to_owned(), Decimal::ZERO),
            ("Eggs".to_owned(), Decimal::ONE),
        ];
        assert_eq!(
            change_summary(&before, &after),
            "Cream 3 → 5; Leeks removed"
        );
        assert_eq!(change_summary(&before, &before), "No quantities changed");
    }

    #[test]
    fn buyers_change_orders_only_before_the_cut_off() {
        use time::macros::datetime;
        let cutoff = Some(datetime!(2026-11-24 14:00 UTC));
        assert!(before_cutoff(cutoff, datetime!(2026-11-24 13:59:59 UTC)).is_ok());
        assert_eq!(
            before_cutoff(cutoff, datetime!(2026-11-24 14:00 UTC)).unwrap_err(),
            "Ordering for this delivery closed at 24 Nov 2026, 14:00. Contact the provider to change or cancel it."
        );
        assert!(before_cutoff(None, datetime!(2030-01-01 00:00 UTC)).is_ok());
    }

    #[test]
    fn orders_over_an_orderers_limits_wait_for_approval() {
        let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(needs_approval(d("500"), d("0"), None, None), None);
        assert_eq!(
            needs_approval(d("200.00"), d("0"), Some(d("200.00")), None),
            None,
            "at the limit is fine"
        );
        assert!(
            needs_approval(d("200.01"), d("0"), Some(d("200")), None)
                .is_some_and(|w| w.contains("per order"))
        );
        assert_eq!(
            needs_approval(d("100"), d("900"), None, Some(d("1000"))),
            None
        );
        assert!(
            needs_approval(d("100.01"), d("900"), None, Some(d("1000")))
                .is_some_and(|w| w.contains("monthly limit"))
        );
    }

    #[test]
    fn an_order_awaiting_approval_is_approved_declined_or_withdrawn_by_the_buyer_only() {
        use OrderAction as A;
        use OrderStatus as S;
        assert_eq!(
            actions_for(S::AwaitingApproval, Side::Buyer, Role::Manager),
            vec![A::Approve, A::Decline, A::Cancel]
        );
        assert_eq!(
            actions_for(S::AwaitingApproval, Side::Buyer, Role::Orderer),
            vec![A::Cancel]
        );
        assert!(actions_for(S::AwaitingApproval, Side::Provider, Role::Owner).is_empty());
        assert_eq!(
            transition(S::AwaitingApproval, A::Approve),
            Ok(S::Submitted)
        );
        assert_eq!(
            transition(S::AwaitingApproval, A::Decline),
            Ok(S::Cancelled)
        );
        assert!(transition(S::Submitted, A::Approve).is_err());
    }

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
            OrderAction::Change,
            OrderAction::Schedule,
            OrderAction::Dispatch,
            OrderAction::Deliver,
        ];
        for &status in OrderStatus::ALL {
            for side in [Side::Provider, Side::Buyer] {
                let provider_side = side.is_provider();
                let offered = actions_for(status, side, Role::Owner);
                for action in all {
                    let buyers = matches!(action, OrderAction::Cancel | OrderAction::Change);
                    let by_this_side = buyers != provider_side;
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
            vec![A::Change, A::Cancel]
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
    fn statuses_round_trip_their_names() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }
}

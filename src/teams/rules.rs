//! Team rules as pure functions: invite lifetime and state, and the last-owner rule.

use time::{Duration, OffsetDateTime};

use crate::tenancy::Role;

/// An invite link works for a week.
pub const INVITE_LIFETIME: Duration = Duration::days(7);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteState {
    Open,
    Expired,
    Accepted,
    Revoked,
}

pub fn invite_state(
    accepted: Option<OffsetDateTime>,
    revoked: Option<OffsetDateTime>,
    expires: OffsetDateTime,
    now: OffsetDateTime,
) -> InviteState {
    match (accepted, revoked) {
        (Some(_), _) => InviteState::Accepted,
        (_, Some(_)) => InviteState::Revoked,
        _ if now >= expires => InviteState::Expired,
        _ => InviteState::Open,
    }
}

/// Why a member's role can't become `to` (or, with `None`, why they can't be removed):
/// an organisation always keeps an owner.
pub fn keeps_an_owner(owners: usize, current: Role, to: Option<Role>) -> Result<(), &'static str> {
    let loses_owner = current == Role::Owner && to != Some(Role::Owner);
    if loses_owner && owners <= 1 {
        return Err(
            "This is the only owner. Make someone else an owner first, so the organisation always has one.",
        );
    }
    Ok(())
}

/// May a member assigned to `assigned` locations order for `location`? No assignment means
/// every address of the business.
pub fn may_order_for(assigned: &[uuid::Uuid], location: uuid::Uuid) -> bool {
    assigned.is_empty() || assigned.contains(&location)
}

/// A spending limit as typed: empty is "no limit"; otherwise pounds and pence, like prices.
pub fn limit(raw: &str) -> Result<Option<rust_decimal::Decimal>, &'static str> {
    use crate::money::{MoneyError, parse_gbp};
    match parse_gbp(raw) {
        Ok(v) => Ok(Some(v)),
        Err(MoneyError::Empty) => Ok(None),
        Err(e) => Err(e.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_assignment_means_every_address() {
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        assert!(may_order_for(&[], a));
        assert!(may_order_for(&[a], a));
        assert!(!may_order_for(&[a], b));
    }

    #[test]
    fn a_limit_is_money_or_nothing() {
        assert_eq!(limit(""), Ok(None));
        assert_eq!(limit("  "), Ok(None));
        assert_eq!(limit("250"), Ok(Some(rust_decimal::Decimal::new(25000, 2))));
        assert_eq!(
            limit("£1,500.00").map(|v| v.map(|d| d.to_string())),
            Ok(Some("1500.00".into()))
        );
        assert!(limit("-5").is_err());
        assert!(limit("lots").is_err());
    }
    use time::macros::datetime;

    #[test]
    fn an_invite_is_open_until_it_expires_is_used_or_is_revoked() {
        let sent = datetime!(2026-11-24 10:00 UTC);
        let expires = sent + INVITE_LIFETIME;
        assert_eq!(invite_state(None, None, expires, sent), InviteState::Open);
        assert_eq!(
            invite_state(None, None, expires, expires - Duration::seconds(1)),
            InviteState::Open
        );
        assert_eq!(
            invite_state(None, None, expires, expires),
            InviteState::Expired
        );
        assert_eq!(
            invite_state(Some(sent), None, expires, sent),
            InviteState::Accepted
        );
        assert_eq!(
            invite_state(None, Some(sent), expires, sent),
            InviteState::Revoked
        );
    }

    #[test]
    fn the_last_owner_can_be_neither_demoted_nor_removed() {
        assert!(keeps_an_owner(1, Role::Owner, Some(Role::Manager)).is_err());
        assert!(keeps_an_owner(1, Role::Owner, None).is_err());
        assert!(keeps_an_owner(1, Role::Owner, Some(Role::Owner)).is_ok());
        assert!(keeps_an_owner(2, Role::Owner, None).is_ok());
        assert!(keeps_an_owner(1, Role::Manager, None).is_ok());
    }
}

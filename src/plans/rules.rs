//! Plans as pure functions: which rule version is in force, what a switch means, and how a
//! subscription's state follows Stripe's.

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use crate::ledger::rules::FeeRule;

/// How long a provider whose plan payment failed keeps the plan before falling back to free.
pub const GRACE: Duration = Duration::days(7);

/// A version of a rule (or a plan choice) and the moment it takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version<T> {
    pub starts_at: OffsetDateTime,
    pub value: T,
}

/// The version in force at `at`: the latest that has started. Versions may come in any order;
/// of two starting at the same moment, the one listed first wins (queries list newest first).
pub fn in_force<T: Copy>(versions: &[Version<T>], at: OffsetDateTime) -> Option<T> {
    let mut best: Option<&Version<T>> = None;
    for v in versions.iter().filter(|v| v.starts_at <= at) {
        if best.is_none_or(|b| v.starts_at > b.starts_at) {
            best = Some(v);
        }
    }
    best.map(|v| v.value)
}

/// The next version still ahead of `at`, if one is scheduled.
pub fn scheduled<T: Copy>(versions: &[Version<T>], at: OffsetDateTime) -> Option<Version<T>> {
    versions
        .iter()
        .filter(|v| v.starts_at > at)
        .min_by_key(|v| v.starts_at)
        .copied()
}

/// A provider's override version: a rule, or the end of the override.
pub type Override = Option<FeeRule>;

/// The rule for an invoice issued at `at`: the provider's override in force, else their plan's
/// rule in force, else no fee.
pub fn rule_at(
    overrides: &[Version<Override>],
    plan_rules: &[Version<FeeRule>],
    at: OffsetDateTime,
) -> FeeRule {
    match in_force(overrides, at) {
        Some(Some(rule)) => rule,
        _ => in_force(plan_rules, at).unwrap_or_default(),
    }
}

/// A plan as a provider chooses between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub paid: bool,
}

/// What asking for another plan does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    /// Already on it, with nothing scheduled to end it.
    AlreadyOn,
    /// A paid plan from the free one: pay through Stripe Checkout, then it starts.
    Checkout,
    /// Back to free: the paid plan runs to the end of the period already paid for.
    DowngradeAtPeriodEnd,
    /// Back to the paid plan they are on, whose end was scheduled: the end is called off.
    KeepCurrent,
    /// From one paid plan to another: the current one must end first.
    EndCurrentFirst,
}

/// `current` is the plan in force, `ending` whether its end is already scheduled.
pub fn switch(current: Choice, same: bool, target: Choice, ending: bool) -> Switch {
    match (same, current.paid, target.paid) {
        (true, true, _) if ending => Switch::KeepCurrent,
        (true, _, _) => Switch::AlreadyOn,
        (false, false, true) => Switch::Checkout,
        (false, true, false) if ending => Switch::AlreadyOn,
        (false, true, false) => Switch::DowngradeAtPeriodEnd,
        (false, true, true) => Switch::EndCurrentFirst,
        // Between two free plans: nothing to pay, but still a choice the admin made for them.
        (false, false, false) => Switch::AlreadyOn,
    }
}

crate::text_enum! {
    /// Our state of a subscription.
    pub enum SubStatus {
        Pending = "pending",
        Active = "active",
        PastDue = "past_due",
        Cancelled = "cancelled",
        Abandoned = "abandoned",
    }
}

impl SubStatus {
    /// Stripe's subscription status, as ours. `None`: a state that changes nothing here
    /// (incomplete: the first payment is still being made).
    pub fn from_stripe(status: &str) -> Option<Self> {
        match status {
            "active" | "trialing" => Some(Self::Active),
            "past_due" | "unpaid" => Some(Self::PastDue),
            "canceled" | "incomplete_expired" => Some(Self::Cancelled),
            _ => None,
        }
    }

    /// Does the provider have the paid plan in this state?
    pub fn has_plan(self) -> bool {
        matches!(self, Self::Active | Self::PastDue)
    }

    /// Moves that may happen: a cancelled subscription never comes back, and a pending one
    /// only starts or is abandoned.
    pub fn can_become(self, next: Self) -> bool {
        use SubStatus::*;
        match (self, next) {
            (a, b) if a == b => false,
            (Cancelled | Abandoned, _) => false,
            (Pending, Active | PastDue | Abandoned | Cancelled) => true,
            (Active, PastDue | Cancelled) | (PastDue, Active | Cancelled) => true,
            _ => false,
        }
    }
}

/// When a failed payment's grace ends: set once, at the first failure.
pub fn grace_until(existing: Option<OffsetDateTime>, now: OffsetDateTime) -> OffsetDateTime {
    existing.unwrap_or(now + GRACE)
}

/// The end of a month's period that began at `start`: the same day next month, or the
/// month's last day when it has no such day (31 January → 28/29 February).
pub fn month_after(start: OffsetDateTime) -> OffsetDateTime {
    let date = start.date();
    let (mut year, month) = (date.year(), date.month());
    let next = month.next();
    if next == time::Month::January {
        year += 1;
    }
    let last = next.length(year);
    let day = date.day().min(last);
    match time::Date::from_calendar_date(year, next, day) {
        Ok(d) => start.replace_date(d),
        Err(_) => start + Duration::days(30),
    }
}

/// What `rule` would have charged on `totals` (the invoices' totals): for showing a provider
/// what another plan would have cost them.
pub fn would_charge(rule: &FeeRule, totals: &[Decimal]) -> Decimal {
    totals.iter().map(|t| rule.fee(*t).gross()).sum()
}

#[cfg(test)]
mod tests;

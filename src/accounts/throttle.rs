//! Login throttling: too many failures for one account or from one address in a
//! window locks further attempts for a while, with a message saying how long.

use time::{Duration, OffsetDateTime};

pub const WINDOW: Duration = Duration::minutes(15);
pub const ACCOUNT_LIMIT: usize = 5;
pub const ADDRESS_LIMIT: usize = 30;

/// How long until the next attempt is allowed, if locked. Failure times are newest first.
pub fn lockout(
    now: OffsetDateTime,
    account_failures: &[OffsetDateTime],
    address_failures: &[OffsetDateTime],
) -> Option<Duration> {
    let wait = |failures: &[OffsetDateTime], limit: usize| {
        // The lock lifts when the limit-th newest failure leaves the window.
        failures
            .get(limit - 1)
            .map(|t| *t + WINDOW - now)
            .filter(|d| d.is_positive())
    };
    match (
        wait(account_failures, ACCOUNT_LIMIT),
        wait(address_failures, ADDRESS_LIMIT),
    ) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Actions that send email or make accounts, limited per client address per hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Signup,
    PasswordReset,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::PasswordReset => "password_reset",
        }
    }

    /// How many an address may make in `REQUEST_WINDOW`: a busy office shares one address,
    /// so enough for a team, too few to flood anything.
    pub fn limit(self) -> usize {
        match self {
            Self::Signup => 10,
            Self::PasswordReset => 10,
        }
    }
}

pub const REQUEST_WINDOW: Duration = Duration::hours(1);

/// Reset emails one account may be sent per window, whoever asks.
pub const RESETS_PER_ACCOUNT: usize = 3;

/// May one more `action` go ahead, given how many this address made in the window?
pub fn request_allowed(action: Action, recent: usize) -> bool {
    recent < action.limit()
}

/// "1 minute", "7 minutes": rounded up, never "0 minutes".
pub fn minutes_text(wait: Duration) -> String {
    let minutes = ((wait.whole_seconds() + 59) / 60).max(1);
    if minutes == 1 {
        "1 minute".into()
    } else {
        format!("{minutes} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_a_team_sized_allowance_per_hour() {
        assert!(request_allowed(Action::Signup, 0));
        assert!(request_allowed(Action::Signup, 9));
        assert!(!request_allowed(Action::Signup, 10));
        assert!(!request_allowed(Action::PasswordReset, 10));
    }
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    fn ago(minutes: i64) -> OffsetDateTime {
        NOW - Duration::minutes(minutes)
    }

    #[test]
    fn four_failures_do_not_lock() {
        let f = [ago(1), ago(2), ago(3), ago(4)];
        assert_eq!(lockout(NOW, &f, &f), None);
    }

    #[test]
    fn the_fifth_failure_locks_until_it_leaves_the_window() {
        let f = [ago(1), ago(2), ago(3), ago(4), ago(5)];
        assert_eq!(lockout(NOW, &f, &[]), Some(Duration::minutes(10)));
        assert_eq!(minutes_text(Duration::minutes(10)), "10 minutes");
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let f = [ago(1), ago(2), ago(3), ago(4), ago(16)];
        assert_eq!(lockout(NOW, &f, &[]), None);
    }

    #[test]
    fn one_address_guessing_many_accounts_is_locked_too() {
        let f: Vec<_> = (0..30).map(|i| NOW - Duration::seconds(i * 20)).collect();
        assert!(lockout(NOW, &[], &f).is_some());
        assert!(lockout(NOW, &[], &f[..29]).is_none());
    }

    #[test]
    fn waits_round_up_to_whole_minutes() {
        assert_eq!(minutes_text(Duration::seconds(1)), "1 minute");
        assert_eq!(minutes_text(Duration::seconds(61)), "2 minutes");
    }
}

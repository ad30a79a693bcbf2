//! Periodic jobs: each due run is queued exactly once across any number of workers, by a
//! dedup key naming the job and the period (the `jobs.dedup_key` unique index decides).

use diesel::PgConnection;
use time::{Duration, OffsetDateTime};

use super::registry::{
    AutoPay, JobType, PlaceStandingOrders, PurgeThrottleLogs, RecomputeTrust, ReconcileStripe,
    SettleStalePayments,
};

/// A job kind and how often it runs.
pub struct Periodic {
    pub kind: &'static str,
    pub every: Duration,
}

pub const PERIODIC: &[Periodic] = &[
    Periodic {
        kind: PurgeThrottleLogs::NAME,
        every: Duration::hours(6),
    },
    Periodic {
        kind: PlaceStandingOrders::NAME,
        every: Duration::minutes(1),
    },
    Periodic {
        kind: AutoPay::NAME,
        every: Duration::minutes(30),
    },
    Periodic {
        kind: SettleStalePayments::NAME,
        every: Duration::minutes(15),
    },
    Periodic {
        kind: ReconcileStripe::NAME,
        every: Duration::hours(6),
    },
    Periodic {
        kind: RecomputeTrust::NAME,
        every: Duration::hours(1),
    },
    Periodic {
        kind: crate::plans::lifecycle::SweepPlans::NAME,
        every: Duration::minutes(15),
    },
    Periodic {
        kind: crate::fee_invoices::IssueFeeInvoices::NAME,
        every: Duration::hours(1),
    },
];

/// The key of the period `now` falls in: periods are whole multiples of `every` since the
/// Unix epoch, so every worker computes the same key whatever its clock's second.
pub fn period_key(kind: &str, every: Duration, now: OffsetDateTime) -> String {
    let seconds = every.whole_seconds().max(1);
    format!(
        "periodic:{kind}:{}",
        now.unix_timestamp().div_euclid(seconds)
    )
}

/// The key of a run: the real period, and also the app clock's when a test has set that
/// elsewhere, so a job whose work depends on the clock (last month's fee invoices) runs again
/// once the clock moves. On the system clock the two are the same period.
pub fn run_key(kind: &str, every: Duration, now: OffsetDateTime, clock: OffsetDateTime) -> String {
    let real = period_key(kind, every, now);
    let set = period_key(kind, every, clock);
    if set == real {
        real
    } else {
        format!("{real}@{set}")
    }
}

/// Queues every periodic job whose current period has no run yet; returns how many this call
/// queued (0 when another worker got there first).
pub fn enqueue_due(
    conn: &mut PgConnection,
    now: OffsetDateTime,
    clock: OffsetDateTime,
) -> diesel::QueryResult<usize> {
    let mut queued = 0;
    for p in PERIODIC {
        let key = run_key(p.kind, p.every, now, clock);
        if super::queries::enqueue_new(conn, p.kind, &serde_json::json!({}), &key)? {
            queued += 1;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn one_key_per_period_whatever_the_moment_within_it() {
        let hour = Duration::hours(1);
        let a = period_key("x", hour, datetime!(2026-11-24 10:00:00 UTC));
        let b = period_key("x", hour, datetime!(2026-11-24 10:59:59 UTC));
        let c = period_key("x", hour, datetime!(2026-11-24 11:00:00 UTC));
        assert_eq!(a, b);
        assert_ne!(b, c);
        assert_ne!(period_key("y", hour, datetime!(2026-11-24 10:00:00 UTC)), a);
    }

    #[test]
    fn a_clock_set_elsewhere_gives_runs_of_their_own() {
        let hour = Duration::hours(1);
        let now = datetime!(2026-11-24 10:15:00 UTC);
        assert_eq!(run_key("x", hour, now, now), period_key("x", hour, now));
        let moved = run_key("x", hour, now, datetime!(2026-12-01 10:00:00 UTC));
        assert_ne!(moved, period_key("x", hour, now));
        assert_eq!(
            moved,
            run_key(
                "x",
                hour,
                now + Duration::minutes(5),
                datetime!(2026-12-01 10:30:00 UTC)
            )
        );
    }
}

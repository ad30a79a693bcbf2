//! The PostgreSQL job queue: rows claimed with `FOR UPDATE SKIP LOCKED`, so any number of
//! workers share it; failures retry with exponential backoff and keep the last error.
//!
//! Jobs are **at-least-once**: a worker that dies, or outlives the ten-minute claim, leaves
//! its job to be taken again, so the same job can run twice. Every handler must be
//! idempotent (an email carries its dedup key; a payment step checks the row's state).
//! Finishing checks the claim is still this worker's, so a late finisher can't overwrite
//! the record of the worker that took over.

pub mod queries;
pub mod registry;
pub mod schedule;
pub mod worker;

use time::Duration;

/// Backoff before retry number `attempts` (1-based): 1 min, 2, 4, … capped at an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 7) - 1;
    Duration::minutes((1i64 << exp).min(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(7), Duration::minutes(60));
        assert_eq!(backoff(50), Duration::minutes(60));
        assert_eq!(backoff(0), Duration::minutes(1));
    }
}

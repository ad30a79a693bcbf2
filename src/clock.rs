//! The time rules run on. Production reads the system clock; tests (and the browser suite,
//! with `TEST_CLOCK=true`, which production refuses) set it, so cut-offs and standing orders
//! are tested at the exact second without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

/// Unset: follow the system clock.
const SYSTEM: i64 = i64::MIN;

#[derive(Clone, Debug)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock tests may set; it follows the system clock until they do.
    pub fn settable() -> Self {
        Self(Some(Arc::new(AtomicI64::new(SYSTEM))))
    }

    pub fn now(&self) -> OffsetDateTime {
        let set = self.0.as_ref().map_or(SYSTEM, |t| t.load(Ordering::SeqCst));
        if set == SYSTEM {
            return OffsetDateTime::now_utc();
        }
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(set) * 1_000_000)
            .unwrap_or_else(|_| OffsetDateTime::now_utc())
    }

    /// Stops the clock at `at` (to the millisecond). `false` on the system clock.
    pub fn set(&self, at: OffsetDateTime) -> bool {
        let Some(t) = &self.0 else { return false };
        let millis = i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(SYSTEM + 1);
        t.store(millis, Ordering::SeqCst);
        true
    }

    /// Back to the system clock.
    pub fn release(&self) {
        if let Some(t) = &self.0 {
            t.store(SYSTEM, Ordering::SeqCst);
        }
    }

    pub fn is_settable(&self) -> bool {
        self.0.is_some()
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SetForm {
    /// RFC 3339; empty to follow the system clock again.
    #[serde(default)]
    pub at: String,
}

/// Sets or releases the clock. Registered only when the clock is settable, which
/// production's configuration refuses.
/// Setting it also queues the standing-order sweep, so a test sees what the worker does at
/// the new time without waiting for the next minute's run.
async fn set_clock(
    clock: actix_web::web::Data<Clock>,
    pool: actix_web::web::Data<crate::db::DbPool>,
    form: actix_web::web::Form<SetForm>,
) -> Result<actix_web::HttpResponse, crate::web::AppError> {
    let raw = form.at.trim();
    if raw.is_empty() {
        clock.release();
    } else {
        let at = OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
            .map_err(|_| crate::web::AppError::BadRequest("at: an RFC 3339 time".into()))?;
        clock.set(at);
        let key = format!("test-clock:{}", at.unix_timestamp_nanos());
        crate::web::with_conn(&pool, move |conn| {
            crate::jobs::registry::enqueue::<crate::jobs::registry::PlaceStandingOrders>(
                conn,
                &serde_json::json!({}),
                Some(&key),
            )
        })
        .await?;
    }
    Ok(actix_web::HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.route("/test/clock", web::post().to(set_clock));
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_settable_clock_stops_where_it_is_set_and_the_system_clock_never_does() {
        let clock = Clock::settable();
        assert!(clock.set(datetime!(2026-03-29 00:59:59.250 UTC)));
        assert_eq!(clock.now(), datetime!(2026-03-29 00:59:59.250 UTC));
        assert_eq!(clock.clone().now(), datetime!(2026-03-29 00:59:59.250 UTC));
        clock.release();
        assert!(clock.now() > datetime!(2026-11-01 00:00 UTC));
        let system = Clock::system();
        assert!(!system.set(datetime!(2020-01-01 00:00 UTC)));
        assert!(system.now() > datetime!(2026-11-01 00:00 UTC));
    }
}

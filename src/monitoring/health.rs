//! What the admin health page reads: recent server errors (from every instance), failed
//! jobs and their retry, and the payment failure rate.

use diesel::prelude::*;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::schema::{jobs, payments, server_errors};

/// How long server errors are kept.
const KEEP_DAYS: i64 = 30;

/// Records a 5xx by its route pattern, and forgets those older than 30 days.
pub fn record_server_error(
    conn: &mut PgConnection,
    (method, route): (&str, &str),
    status: u16,
    request_id: &str,
) -> QueryResult<()> {
    diesel::insert_into(server_errors::table)
        .values((
            server_errors::method.eq(method.chars().take(10).collect::<String>()),
            server_errors::route.eq(route.chars().take(200).collect::<String>()),
            server_errors::status.eq(i16::try_from(status).unwrap_or(500)),
            server_errors::request_id.eq(request_id.chars().take(64).collect::<String>()),
        ))
        .execute(conn)?;
    let cutoff = OffsetDateTime::now_utc() - Duration::days(KEEP_DAYS);
    diesel::delete(server_errors::table.filter(server_errors::occurred_at.lt(cutoff)))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct ServerError {
    pub occurred_at: OffsetDateTime,
    pub method: String,
    pub route: String,
    pub status: i16,
    pub request_id: String,
}

impl ServerError {
    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.occurred_at)
    }
}

/// The latest `limit` server errors, and how many there were since `since`.
pub fn server_errors(
    conn: &mut PgConnection,
    limit: i64,
    since: OffsetDateTime,
) -> QueryResult<(Vec<ServerError>, i64)> {
    let rows = server_errors::table
        .order(server_errors::occurred_at.desc())
        .limit(limit)
        .select((
            server_errors::occurred_at,
            server_errors::method,
            server_errors::route,
            server_errors::status,
            server_errors::request_id,
        ))
        .load(conn)?;
    let count = server_errors::table
        .filter(server_errors::occurred_at.ge(since))
        .count()
        .get_result(conn)?;
    Ok((rows, count))
}

#[derive(Debug, Clone, Queryable)]
pub struct FailedJob {
    pub id: Uuid,
    pub kind: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub finished_at: Option<OffsetDateTime>,
}

impl FailedJob {
    pub fn when(&self) -> String {
        self.finished_at
            .map(crate::timefmt::datetime)
            .unwrap_or_default()
    }
    /// The error's first line, short enough for a table cell.
    pub fn error_text(&self) -> String {
        let first = self
            .last_error
            .as_deref()
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("");
        first.chars().take(300).collect()
    }
}

/// Failed jobs, newest first.
pub fn failed_jobs(conn: &mut PgConnection, limit: i64) -> QueryResult<Vec<FailedJob>> {
    jobs::table
        .filter(jobs::status.eq("failed"))
        .order(jobs::finished_at.desc())
        .limit(limit)
        .select((
            jobs::id,
            jobs::kind,
            jobs::attempts,
            jobs::last_error,
            jobs::finished_at,
        ))
        .load(conn)
}

/// What retrying a job found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retried {
    Queued,
    /// It exists but isn't failed (already retried, or never failed).
    NotFailed,
    Missing,
}

/// Queues a failed job again from scratch: attempts reset, due now. Only a failed job.
pub fn retry_job(conn: &mut PgConnection, id: Uuid, now: OffsetDateTime) -> QueryResult<Retried> {
    let updated = diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq("failed")),
    )
    .set((
        jobs::status.eq("queued"),
        jobs::attempts.eq(0),
        jobs::run_at.eq(now),
        jobs::finished_at.eq(None::<OffsetDateTime>),
        jobs::locked_at.eq(None::<OffsetDateTime>),
        jobs::locked_by.eq(None::<String>),
    ))
    .execute(conn)?;
    if updated == 1 {
        return Ok(Retried::Queued);
    }
    let exists: bool =
        diesel::select(diesel::dsl::exists(jobs::table.find(id))).get_result(conn)?;
    Ok(if exists {
        Retried::NotFailed
    } else {
        Retried::Missing
    })
}

/// Card and bank payments since `since`: (succeeded, failed).
pub fn payments_since(conn: &mut PgConnection, since: OffsetDateTime) -> QueryResult<(i64, i64)> {
    let count = |conn: &mut PgConnection, status: &str| -> QueryResult<i64> {
        payments::table
            .filter(payments::created_at.ge(since))
            .filter(payments::status.eq(status))
            .count()
            .get_result(conn)
    };
    Ok((count(conn, "succeeded")?, count(conn, "failed")?))
}

/// "2.5%" of `failed` in `succeeded + failed`, or a dash when there were none.
pub fn failure_rate(succeeded: i64, failed: i64) -> String {
    let all = succeeded + failed;
    if all == 0 {
        return "–".to_owned();
    }
    let tenths = (failed * 1000 + all / 2) / all;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failure_rate_reads_in_tenths_of_a_percent() {
        assert_eq!(failure_rate(0, 0), "–");
        assert_eq!(failure_rate(39, 1), "2.5%");
        assert_eq!(failure_rate(0, 3), "100.0%");
        assert_eq!(failure_rate(2, 1), "33.3%");
        assert_eq!(failure_rate(1999, 1), "0.1%");
    }
}

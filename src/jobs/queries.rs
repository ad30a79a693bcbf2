//! Job rows: enqueue inside the caller's transaction, claim, finish, fail.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::schema::jobs;
use crate::ids::new_id;

#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedJob {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Integer)]
    pub max_attempts: i32,
}

/// Adds a job; with a `dedup_key`, a second enqueue of the same key is a no-op.
pub fn enqueue(
    conn: &mut PgConnection,
    kind: &str,
    payload: &serde_json::Value,
    dedup_key: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(new_id()),
            jobs::kind.eq(kind),
            jobs::payload.eq(payload),
            jobs::dedup_key.eq(dedup_key),
        ))
        .on_conflict(jobs::dedup_key)
        .do_nothing()
        .execute(conn)
        .map(|_| ())
}

/// Adds a job under a dedup key unless one with that key exists; true if this call added it.
pub fn enqueue_new(
    conn: &mut PgConnection,
    kind: &str,
    payload: &serde_json::Value,
    dedup_key: &str,
) -> QueryResult<bool> {
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(new_id()),
            jobs::kind.eq(kind),
            jobs::payload.eq(payload),
            jobs::dedup_key.eq(Some(dedup_key)),
        ))
        .on_conflict(jobs::dedup_key)
        .do_nothing()
        .execute(conn)
        .map(|n| n == 1)
}

/// Claims the next due job. A job left `running` by a worker that died is taken again
/// after ten minutes.
pub fn claim_next(conn: &mut PgConnection, worker: &str) -> QueryResult<Option<ClaimedJob>> {
    diesel::sql_query(
        "UPDATE jobs SET status = 'running', locked_at = now(), locked_by = $1, attempts = attempts + 1
          WHERE id = (
                SELECT id FROM jobs
                 WHERE (status = 'queued' AND run_at <= now())
                    OR (status = 'running' AND locked_at < now() - interval '10 minutes')
                 ORDER BY run_at
                 LIMIT 1
                 FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind::<Text, _>(worker)
    .get_result(conn)
    .optional()
}

/// The claim a worker holds: still `running`, locked by this worker, on this attempt. A job
/// taken over after the ten-minute reclaim has another attempt number, so the first worker,
/// finishing late, can't overwrite what the second one records.
type Condition = Box<
    dyn diesel::BoxableExpression<
            jobs::table,
            diesel::pg::Pg,
            SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >,
>;

fn held_by(job: &ClaimedJob, worker: &str) -> Condition {
    Box::new(
        jobs::id
            .eq(job.id)
            .and(jobs::status.eq("running"))
            .and(jobs::locked_by.eq(worker.to_owned()))
            .and(jobs::attempts.eq(job.attempts)),
    )
}

/// Marks the job done if this worker still holds it; `false` if another took it over.
pub fn complete(conn: &mut PgConnection, job: &ClaimedJob, worker: &str) -> QueryResult<bool> {
    diesel::update(jobs::table.filter(held_by(job, worker)))
        // last_error stays: a job that succeeded on a retry still says why it had to.
        .set((
            jobs::status.eq("done"),
            jobs::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Records a failure if this worker still holds the job: back in the queue after a backoff,
/// or `failed` for good. `false` if another worker took it over meanwhile.
pub fn fail(
    conn: &mut PgConnection,
    job: &ClaimedJob,
    worker: &str,
    error: &str,
) -> QueryResult<bool> {
    let error: String = error.chars().take(2000).collect();
    let updated = if job.attempts >= job.max_attempts {
        diesel::update(jobs::table.filter(held_by(job, worker)))
            .set((
                jobs::status.eq("failed"),
                jobs::finished_at.eq(diesel::dsl::now),
                jobs::last_error.eq(error),
            ))
            .execute(conn)?
    } else {
        let run_at = time::OffsetDateTime::now_utc() + super::backoff(job.attempts);
        diesel::update(jobs::table.filter(held_by(job, worker)))
            .set((
                jobs::status.eq("queued"),
                jobs::run_at.eq(run_at),
                jobs::locked_at.eq(None::<time::OffsetDateTime>),
                jobs::locked_by.eq(None::<String>),
                jobs::last_error.eq(error),
            ))
            .execute(conn)?
    };
    Ok(updated == 1)
}

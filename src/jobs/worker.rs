//! Runs jobs: in-process by default (a background thread), or alone as `larder worker`.

use std::sync::Arc;
use std::time::Duration;

use diesel::PgConnection;

use super::queries::{self, ClaimedJob};
use crate::db::DbPool;
use crate::email::{self, Mailer};

/// What jobs need from the outside world.
pub struct JobContext {
    pub mailer: Mailer,
}

/// Runs every due job, one at a time, and returns how many ran (succeeded or not).
pub fn run_pending(
    conn: &mut PgConnection,
    ctx: &JobContext,
    worker: &str,
) -> anyhow::Result<usize> {
    let mut ran = 0;
    while let Some(job) = queries::claim_next(conn, worker)? {
        ran += 1;
        let held = match execute(&job, ctx) {
            Ok(()) => queries::complete(conn, &job, worker)?,
            Err(e) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed");
                queries::fail(conn, &job, worker, &format!("{e:#}"))?
            }
        };
        if !held {
            // Another worker reclaimed it after the timeout; its record stands. The job may
            // have run twice, which is why handlers must be idempotent.
            tracing::warn!(job = %job.id, kind = %job.kind, "job was taken over before it finished");
        }
    }
    Ok(ran)
}

fn execute(job: &ClaimedJob, ctx: &JobContext) -> anyhow::Result<()> {
    match job.kind.as_str() {
        email::JOB_KIND => {
            let message: email::OutgoingEmail = serde_json::from_value(job.payload.clone())?;
            ctx.mailer.send(&message)
        }
        other => Err(anyhow::anyhow!("unknown job kind {other:?}")),
    }
}

/// Polls for work until the process ends. Runs on its own thread: jobs block.
pub fn spawn(pool: DbPool, ctx: Arc<JobContext>) {
    let name = format!("worker-{}-{}", hostname(), std::process::id());
    let spawned = std::thread::Builder::new()
        .name("larder-worker".into())
        .spawn(move || {
            loop {
                let outcome = pool
                    .get()
                    .map_err(anyhow::Error::from)
                    .and_then(|mut conn| run_pending(&mut conn, &ctx, &name));
                if let Err(e) = outcome {
                    tracing::error!(error = %e, "job worker could not run jobs");
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the job worker");
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "local".into())
}

//! Runs jobs: in-process by default (a background thread), or alone as `larder worker`.

use std::sync::Arc;
use std::time::Duration;

use diesel::PgConnection;

use super::queries::{self, ClaimedJob};
use crate::db::DbPool;
use crate::email::Mailer;

/// What jobs need from the outside world.
pub struct JobContext {
    pub mailer: Mailer,
    /// The app's clock: standing orders are placed by it.
    pub clock: crate::clock::Clock,
    pub base_url: String,
    pub standing_place_before: time::Duration,
    /// For jobs that call Stripe (auto-pay): each builds its own client from it.
    pub config: crate::config::Config,
}

impl JobContext {
    pub fn new(config: &crate::config::Config, clock: crate::clock::Clock) -> anyhow::Result<Self> {
        Ok(Self {
            mailer: Mailer::from_config(config)?,
            clock,
            base_url: config.base_url.clone(),
            standing_place_before: config.standing_place_before,
            config: config.clone(),
        })
    }
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
        let span = tracing::info_span!("job", kind = %job.kind, id = %job.id);
        let held = match span.in_scope(|| execute(conn, &job, ctx)) {
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

fn execute(conn: &mut PgConnection, job: &ClaimedJob, ctx: &JobContext) -> anyhow::Result<()> {
    let run = super::registry::runner_for(&job.kind)
        .ok_or_else(|| anyhow::anyhow!("unknown job kind {:?}", job.kind))?;
    run(job.payload.clone(), conn, ctx)
}

/// The running worker thread; `stop` ends it after the job in hand.
pub struct WorkerHandle {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl WorkerHandle {
    /// Stops polling and waits for the current job to finish, so whatever shuts down next
    /// (the database, on Ctrl-C locally) never pulls the ground from under a running job.
    pub fn stop(self) {
        drop(self.stop);
        if self.thread.join().is_err() {
            tracing::error!("the job worker panicked");
        }
    }
}

/// Polls for work (each second) until stopped. Runs on its own thread: jobs block.
pub fn spawn(pool: DbPool, ctx: Arc<JobContext>) -> std::io::Result<WorkerHandle> {
    let name = format!("worker-{}-{}", hostname(), std::process::id());
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("larder-worker".into())
        .spawn(move || {
            loop {
                let outcome = pool
                    .get()
                    .map_err(anyhow::Error::from)
                    .and_then(|mut conn| {
                        super::schedule::enqueue_due(
                            &mut conn,
                            time::OffsetDateTime::now_utc(),
                            ctx.clock.now(),
                        )?;
                        run_pending(&mut conn, &ctx, &name)
                    });
                if let Err(e) = outcome {
                    tracing::error!(error = %e, "job worker could not run jobs");
                }
                match stopped.recv_timeout(Duration::from_secs(1)) {
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
        })?;
    Ok(WorkerHandle { stop, thread })
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "local".into())
}

//! The admin health page: the database, the job queue (failed jobs with a retry button),
//! recent server errors from every instance, and the payment failure rate over the last day.
//! Readable without database shell access.

use actix_web::{HttpResponse, web};
use askama::Template;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::DbPool;
use crate::monitoring::health::{self, FailedJob, Retried, ServerError};
use crate::monitoring::scrape::{Queue, queue};
use crate::tenancy::AdminCtx;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Template)]
#[template(path = "admin/health.html")]
struct HealthPage {
    meta: PageMeta,
    db_ms: String,
    pool: (u32, u32, u32),
    queue: Queue,
    failed: Vec<FailedJob>,
    errors: Vec<ServerError>,
    errors_today: i64,
    payments: (i64, i64),
}

impl HealthPage {
    fn oldest_text(&self) -> String {
        match self.queue.oldest_due_seconds.round() as i64 {
            0 => "none waiting".to_owned(),
            s => crate::analytics::rules::duration_text(s),
        }
    }
    fn failure_rate(&self) -> String {
        health::failure_rate(self.payments.0, self.payments.1)
    }
}

pub async fn show(admin: AdminCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    let now = admin.user.now;
    let state = pool.state();
    let max = pool.max_size();
    let (db_ms, queue, failed, (errors, errors_today), payments) = with_conn(&pool, move |conn| {
        let started = std::time::Instant::now();
        diesel::RunQueryDsl::execute(diesel::sql_query("SELECT 1"), conn)?;
        let db_ms = format!("{:.1} ms", started.elapsed().as_secs_f64() * 1000.0);
        let day = now - Duration::hours(24);
        Ok((
            db_ms,
            queue(conn, OffsetDateTime::now_utc())?,
            health::failed_jobs(conn, 50)?,
            health::server_errors(conn, 20, day)?,
            health::payments_since(conn, day)?,
        ))
    })
    .await?;
    render(&HealthPage {
        meta: admin.user.meta("Health"),
        db_ms,
        pool: (state.connections, state.idle_connections, max),
        queue,
        failed,
        errors,
        errors_today,
        payments,
    })
}

pub async fn retry(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (id, now, actor) = (id.into_inner(), admin.user.now, admin.user.actor.clone());
    let retried = with_conn(&pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            let r = health::retry_job(conn, id, now)?;
            if r == Retried::Queued {
                let entry = crate::audit::Entry::new("admin.job_retried", "job", Some(id));
                crate::audit::record(conn, &actor, entry)?;
            }
            Ok::<_, AppError>(r)
        })
    })
    .await?;
    match retried {
        Retried::Queued => {
            admin
                .user
                .session
                .flash(FlashKind::Ok, "Queued again: the worker runs it next.");
            Ok(see_other("/admin/health#jobs"))
        }
        Retried::NotFailed => Err(AppError::conflict(
            "That job isn't failed any more: it was retried already, or finished.",
        )),
        Retried::Missing => Err(AppError::NotFound),
    }
}

//! `GET /metrics`: reads the pool, the job queue and the database's health at scrape time,
//! then renders everything recorded.

use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use time::OffsetDateTime;

use crate::config::Config;
use crate::db::DbPool;
use crate::db::schema::jobs;
use crate::web::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

/// The bearer token matches the configured one (compared in constant time).
pub fn authorised(header: Option<&str>, token: Option<&str>) -> bool {
    let (Some(header), Some(token)) = (header, token) else {
        return false;
    };
    let Some(given) = header.strip_prefix("Bearer ") else {
        return false;
    };
    !token.is_empty() && crate::web::csrf::constant_time_eq(given, token)
}

/// The queue as alerts see it: jobs due now, how long the oldest has waited, failed jobs.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Queue {
    pub due: i64,
    pub oldest_due_seconds: f64,
    pub failed: i64,
}

pub fn queue(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Queue> {
    let (due, oldest): (i64, Option<OffsetDateTime>) = jobs::table
        .filter(jobs::status.eq("queued"))
        .filter(jobs::run_at.le(now))
        .select((count_star(), min(jobs::run_at)))
        .first(conn)?;
    let failed: i64 = jobs::table
        .filter(jobs::status.eq("failed"))
        .count()
        .get_result(conn)?;
    Ok(Queue {
        due,
        oldest_due_seconds: oldest.map_or(0.0, |o| (now - o).as_seconds_f64().max(0.0)),
        failed,
    })
}

async fn metrics(
    req: HttpRequest,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !authorised(header, config.metrics_token.as_deref()) {
        return Err(AppError::NotFound);
    }
    let Some(handle) = super::handle() else {
        return Err(AppError::Unavailable("Metrics aren't recording.".into()));
    };
    let state = pool.state();
    metrics::gauge!("db_pool_connections").set(f64::from(state.connections));
    metrics::gauge!("db_pool_idle_connections").set(f64::from(state.idle_connections));
    metrics::gauge!("db_pool_max_connections").set(f64::from(pool.max_size()));
    let read =
        crate::web::with_conn(&pool, |conn| Ok(queue(conn, OffsetDateTime::now_utc())?)).await;
    match read {
        Ok(q) => {
            metrics::gauge!("larder_ready").set(1.0);
            metrics::gauge!("larder_jobs_due").set(q.due as f64);
            metrics::gauge!("larder_jobs_oldest_due_seconds").set(q.oldest_due_seconds);
            metrics::gauge!("larder_jobs_failed").set(q.failed as f64);
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics scrape could not read the database");
            metrics::gauge!("larder_ready").set(0.0);
        }
    }
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/plain; version=0.0.4"))
        .body(handle.render()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_bearer_token_opens_metrics() {
        let t = Some("s3cret-token");
        assert!(authorised(Some("Bearer s3cret-token"), t));
        assert!(!authorised(Some("Bearer s3cret-tokeN"), t));
        assert!(!authorised(Some("Bearer s3cret"), t));
        assert!(!authorised(Some("s3cret-token"), t));
        assert!(!authorised(None, t));
        assert!(!authorised(Some("Bearer "), Some("")));
        assert!(!authorised(Some("Bearer anything"), None));
    }
}

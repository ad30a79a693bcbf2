//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: it can reach the
//! database). Plain text, no session, cheap enough for a load balancer to poll.

use std::time::Duration;

use actix_web::{HttpResponse, web};

use crate::db::{self, DbPool};
use crate::web::AppError;
use crate::web::errors::KeepBody;

async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body("ok")
}

async fn readyz(pool: web::Data<DbPool>) -> HttpResponse {
    // A probe must answer quickly: wait at most two seconds for a connection.
    let pool = pool.clone();
    let outcome = web::block(move || -> Result<(), AppError> {
        let mut conn = pool.get_timeout(Duration::from_secs(2))?;
        Ok(db::ping(&mut conn)?)
    })
    .await
    .map_err(AppError::from)
    .and_then(|r| r);
    let (mut res, body) = match outcome {
        Ok(()) => (HttpResponse::Ok(), "ready"),
        Err(e) => {
            tracing::warn!(error = ?e, "readiness check failed");
            (HttpResponse::ServiceUnavailable(), "database unavailable")
        }
    };
    let mut res = res
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body);
    res.extensions_mut().insert(KeepBody);
    res
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz));
}

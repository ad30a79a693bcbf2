//! Cross-cutting HTTP: errors to pages, rendering, htmx helpers, security headers.

pub mod csrf;
pub mod error;
pub mod errors;
pub mod forms;
pub mod htmx;
pub mod nav;
pub mod pagination;
pub mod security;
pub mod session;

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use askama::Template;

pub use error::{AppError, PublicError};

use crate::db::{DbConn, DbPool};

/// What every page's layout needs to know.
#[derive(Debug, Clone, Default)]
pub struct PageMeta {
    pub title: String,
    pub user: Option<nav::NavUser>,
    /// Sent by every form and (as a header) by every htmx request.
    pub csrf: String,
    pub flash: Option<session::Flash>,
    /// The request's time, from the app's clock (logged-in pages).
    pub now: Option<time::OffsetDateTime>,
    /// The socket that keeps this page current, when it shows more than the bell.
    pub live: Option<String>,
}

impl PageMeta {
    /// For pages rendered without a session (error pages).
    pub fn titled(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }
}

/// The client's address for throttling: the trusted proxy's header when configured
/// (`CLIENT_IP_HEADER`), else the TCP peer.
pub fn client_ip(req: &actix_web::HttpRequest, config: &crate::config::Config) -> String {
    let from_header = config.client_ip_header.as_ref().and_then(|name| {
        req.headers()
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().chars().take(64).collect::<String>())
            .filter(|v| !v.is_empty())
    });
    from_header.unwrap_or_else(|| {
        req.peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    })
}

/// Post/redirect/get: a 303 to `location`.
/// A CSV file to save as `filename`, never cached (it is the tenant's own data).
pub fn csv_download(
    filename: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

pub fn render_with_status(
    status: StatusCode,
    tpl: &impl Template,
) -> Result<HttpResponse, AppError> {
    let body = tpl.render()?;
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(body))
}

pub fn render(tpl: &impl Template) -> Result<HttpResponse, AppError> {
    render_with_status(StatusCode::OK, tpl)
}

/// Runs blocking Diesel work on the blocking thread pool with a pooled connection.
pub async fn with_conn<T, F>(pool: &web::Data<DbPool>, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    // The database work is a child of the request's span, though it runs on another thread.
    let span = tracing::info_span!("db");
    web::block(move || {
        let _in = span.enter();
        // How long requests wait for a connection: the first sign the pool is too small.
        let waited = std::time::Instant::now();
        let mut conn = pool.get()?;
        metrics::histogram!("db_pool_wait_seconds").record(waited.elapsed().as_secs_f64());
        work(&mut conn)
    })
    .await?
}

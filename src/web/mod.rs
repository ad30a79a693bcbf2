//! Cross-cutting HTTP: errors to pages, rendering, htmx helpers, security headers.

pub mod error;
pub mod errors;
pub mod htmx;
pub mod security;

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
}

impl PageMeta {
    pub fn titled(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
        }
    }
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
    web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

//! The audit log pages: admins browse every tenant's entries; owners their organisation's.
//! Both filter by action and actor and export what they see as CSV.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::queries::{self, AuditFilter, AuditRow};
use crate::db::DbPool;
use crate::tenancy::{AdminCtx, MemberCtx, Permission, Scope};
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, with_conn};

/// The most rows one export holds; narrow the filters for more.
const EXPORT_LIMIT: i64 = 10_000;

#[derive(Debug, Deserialize, Default)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    org: Option<String>,
    page: Option<String>,
}

impl AuditQuery {
    fn filter(&self, admin: bool) -> AuditFilter {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(100).collect::<String>())
        };
        AuditFilter {
            action: clean(&self.action).filter(|a| {
                a.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            }),
            actor: clean(&self.actor),
            org: admin
                .then(|| {
                    self.org
                        .as_deref()
                        .and_then(|o| Uuid::parse_str(o.trim()).ok())
                })
                .flatten(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit/log.html")]
struct LogPage {
    meta: PageMeta,
    base: &'static str,
    admin: bool,
    rows: Paged<AuditRow>,
    action: String,
    actor: String,
    org: String,
}

impl LogPage {
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("action", self.action.as_str()),
            ("actor", self.actor.as_str()),
            ("org", self.org.as_str()),
        ])
        .unwrap_or_default()
    }
    fn page_link(&self, page: i64) -> String {
        format!("{}?{}&page={page}", self.base, self.query())
    }
    fn csv_link(&self) -> String {
        format!("{}.csv?{}", self.base, self.query())
    }
}

async fn log_page(
    meta: PageMeta,
    pool: &web::Data<DbPool>,
    scope: Scope,
    base: &'static str,
    query: &AuditQuery,
) -> Result<HttpResponse, AppError> {
    let admin = scope == Scope::Admin;
    let filter = query.filter(admin);
    let page = PageRequest::from_query(query.page.as_deref());
    let shown = filter.clone();
    let rows = with_conn(pool, move |conn| {
        Ok(queries::list(conn, scope, &filter, page)?)
    })
    .await?;
    render(&LogPage {
        meta,
        base,
        admin,
        rows: Paged::new(rows, page),
        action: shown.action.unwrap_or_default(),
        actor: shown.actor.unwrap_or_default(),
        org: shown.org.map(|o| o.to_string()).unwrap_or_default(),
    })
}

async fn csv(
    pool: &web::Data<DbPool>,
    scope: Scope,
    query: &AuditQuery,
) -> Result<HttpResponse, AppError> {
    let filter = query.filter(scope == Scope::Admin);
    let rows = with_conn(pool, move |conn| {
        Ok(queries::export(conn, scope, &filter, EXPORT_LIMIT)?)
    })
    .await?;
    let body = queries::to_csv(&rows).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"larder-audit-log.csv\"",
        ))
        .body(body))
}

pub async fn admin_log(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    log_page(
        admin.user.meta("Audit log"),
        &pool,
        Scope::Admin,
        "/admin/audit",
        &query,
    )
    .await
}

pub async fn admin_csv(
    _admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    csv(&pool, Scope::Admin, &query).await
}

pub async fn team_log(
    ctx: MemberCtx,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewAudit)?;
    let meta = ctx.user.meta("Audit log");
    log_page(meta, &pool, ctx.acting.scope, "/team/audit", &query).await
}

pub async fn team_csv(
    ctx: MemberCtx,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewAudit)?;
    csv(&pool, ctx.acting.scope, &query).await
}

//! The exports pages: ask for an export (it runs in the background), watch its progress, and
//! download the file. Providers export their own documents; admins the platform's.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::Connection;
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use super::job::{Payload, RunExport};
use super::queries::{self, NewRun, Owner, Run};
use super::rules::{self, Format, Kind, RunStatus};
use crate::db::DbPool;
use crate::tenancy::{AdminCtx, CurrentUser, Permission, ProviderCtx};
use crate::web::forms::{FieldErrors, Form};
use crate::web::htmx::{is_htmx, with_vary};
use crate::web::session::FlashKind;
use crate::web::{
    AppError, PageMeta, csv_download, render, render_with_status, see_other, with_conn,
};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExportForm {
    pub kind: String,
    pub format: String,
    pub from: String,
    pub to: String,
}

fn documents(n: i32) -> String {
    if n == 1 {
        "1 document".into()
    } else {
        format!("{n} documents")
    }
}

#[derive(Template)]
#[template(path = "exports/_runs.html")]
struct RunsPart {
    runs: Vec<Run>,
    base: &'static str,
}

impl RunsPart {
    fn pending(&self) -> bool {
        self.runs.iter().any(|r| r.status.pending())
    }

    fn progress(&self, r: &Run) -> String {
        match (r.status, r.total_rows) {
            (RunStatus::Queued, _) => "Waiting to start".into(),
            (RunStatus::Running, Some(t)) => format!("{} of {}", r.done_rows, documents(t)),
            (RunStatus::Done, Some(t)) => documents(t),
            (RunStatus::Failed, _) => r.error.clone().unwrap_or_else(|| "Failed".into()),
            _ => String::new(),
        }
    }

    fn range(&self, r: &Run) -> String {
        format!(
            "{} to {}",
            crate::timefmt::date(r.from_date),
            crate::timefmt::date(r.to_date)
        )
    }
}

#[derive(Template)]
#[template(path = "exports/exports.html")]
struct ExportsPage {
    meta: PageMeta,
    kinds: Vec<Kind>,
    formats: [Format; 2],
    form: ExportForm,
    errors: FieldErrors,
    /// The runs region, rendered on its own too for htmx's polls.
    runs: String,
    base: &'static str,
}

struct Scope<'a> {
    user: &'a CurrentUser,
    owner: Owner,
    base: &'static str,
    title: &'static str,
}

impl Scope<'_> {
    fn kinds(&self) -> Vec<Kind> {
        [
            Kind::SalesInvoices,
            Kind::CreditNotes,
            Kind::Payouts,
            Kind::FeeInvoices,
        ]
        .into_iter()
        .filter(|k| k.for_platform() == self.owner.is_none())
        .collect()
    }
}

/// Last month, as the form suggests it.
fn last_month(user: &CurrentUser) -> (Date, Date) {
    let today = crate::timefmt::to_london(user.now).date();
    let this = crate::statements::rules::StatementMonth::of(today);
    let last = this.previous();
    (
        last.first_day(),
        this.first_day().previous_day().unwrap_or(today),
    )
}

async fn page(
    req: &HttpRequest,
    pool: &web::Data<DbPool>,
    scope: Scope<'_>,
    form: Option<(ExportForm, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let owner = scope.owner;
    let runs = with_conn(pool, move |conn| Ok(queries::recent(conn, owner)?)).await?;
    let runs = RunsPart {
        runs,
        base: scope.base,
    };
    if is_htmx(req.headers()) && form.is_none() {
        return Ok(with_vary(render(&runs)?));
    }
    let failed = form.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let (form, errors) = form.unwrap_or_else(|| {
        let (from, to) = last_month(scope.user);
        (
            ExportForm {
                kind: String::new(),
                format: "xero".into(),
                from: from.to_string(),
                to: to.to_string(),
            },
            FieldErrors::new(),
        )
    });
    let body = ExportsPage {
        meta: scope.user.meta(scope.title),
        kinds: scope.kinds(),
        formats: [Format::Xero, Format::QuickBooks],
        form,
        errors,
        runs: runs.render()?,
        base: scope.base,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(with_vary(render_with_status(status, &body)?))
}

fn parse_date(raw: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), format).ok()
}

async fn request(
    req: &HttpRequest,
    pool: &web::Data<DbPool>,
    scope: Scope<'_>,
    form: ExportForm,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let kind = Kind::parse(&form.kind).filter(|k| scope.kinds().contains(k));
    if kind.is_none() {
        errors.add("kind", "Choose what to export.");
    }
    let format = Format::parse(&form.format);
    if format.is_none() {
        errors.add("format", "Choose Xero or QuickBooks Online.");
    }
    let range = match rules::range(parse_date(&form.from), parse_date(&form.to)) {
        Ok(r) => Some(r),
        Err(message) => {
            errors.add("from", message);
            None
        }
    };
    let (Some(kind), Some(format), Some((from, to))) = (kind, format, range) else {
        return page(req, pool, scope, Some((form, errors))).await;
    };
    let run = NewRun {
        owner: scope.owner,
        by: scope.user.id.0,
        kind,
        format,
        from,
        to,
    };
    with_conn(pool, move |conn| {
        conn.transaction(|conn| {
            let id = queries::create(conn, &run)?;
            crate::jobs::registry::enqueue::<RunExport>(
                conn,
                &Payload { run: id },
                Some(&format!("export:{id}")),
            )?;
            Ok(())
        })
    })
    .await?;
    scope.user.session.flash(
        FlashKind::Ok,
        format!(
            "{} for {} is being prepared; it appears below when ready.",
            kind.label(),
            format.label()
        ),
    );
    Ok(see_other(scope.base))
}

async fn download(
    pool: &web::Data<DbPool>,
    owner: Owner,
    id: Uuid,
) -> Result<HttpResponse, AppError> {
    let (run, body) = with_conn(pool, move |conn| {
        queries::content(conn, owner, id)?.ok_or(AppError::NotFound)
    })
    .await?;
    Ok(csv_download(
        &rules::filename(run.kind, run.format, run.from_date, run.to_date),
        body,
    ))
}

fn provider_scope(ctx: &ProviderCtx) -> Scope<'_> {
    Scope {
        user: &ctx.user,
        owner: Some(ctx.provider_id),
        base: "/provider/exports",
        title: "Exports for your accounts",
    }
}

fn admin_scope(admin: &AdminCtx) -> Scope<'_> {
    Scope {
        user: &admin.user,
        owner: None,
        base: "/admin/exports",
        title: "Finance exports",
    }
}

pub async fn provider_page(
    req: HttpRequest,
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    page(&req, &pool, provider_scope(&ctx), None).await
}

pub async fn provider_request(
    req: HttpRequest,
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ExportForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    request(&req, &pool, provider_scope(&ctx), form).await
}

pub async fn provider_download(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    download(&pool, Some(ctx.provider_id), id.into_inner()).await
}

pub async fn admin_page(
    req: HttpRequest,
    admin: AdminCtx,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    page(&req, &pool, admin_scope(&admin), None).await
}

pub async fn admin_request(
    req: HttpRequest,
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ExportForm>,
) -> Result<HttpResponse, AppError> {
    request(&req, &pool, admin_scope(&admin), form).await
}

pub async fn admin_download(
    _admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    download(&pool, None, id.into_inner()).await
}

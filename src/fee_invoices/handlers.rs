//! Fee invoice pages: a provider's own (list and printable invoice), and every provider's for
//! admins.

use actix_web::{HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::queries::{self, FeeInvoice, Line};
use crate::db::DbPool;
use crate::ids::ProviderId;
use crate::money::format_gbp;
use crate::tenancy::{AdminCtx, Permission, ProviderCtx};
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, with_conn};

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "fee_invoices/list.html")]
struct ListPage {
    meta: PageMeta,
    invoices: Paged<FeeInvoice>,
    base: &'static str,
    admin: bool,
}

impl ListPage {
    fn money(&self, d: &rust_decimal::Decimal) -> String {
        format_gbp(*d)
    }

    fn month(&self, i: &FeeInvoice) -> String {
        format!("{} {}", i.month.month(), i.month.year())
    }
}

#[derive(Template)]
#[template(path = "fee_invoices/invoice.html")]
struct InvoicePage {
    meta: PageMeta,
    invoice: FeeInvoice,
    lines: Vec<Line>,
    back: &'static str,
}

impl InvoicePage {
    fn money(&self, d: &rust_decimal::Decimal) -> String {
        format_gbp(*d)
    }

    fn when(&self, l: &Line) -> String {
        crate::timefmt::date(crate::timefmt::to_london(l.occurred_at).date())
    }

    fn month(&self) -> String {
        format!(
            "{} {}",
            self.invoice.month.month(),
            self.invoice.month.year()
        )
    }

    fn issued(&self) -> String {
        crate::timefmt::date(self.invoice.issue_date)
    }
}

async fn list(
    pool: &web::Data<DbPool>,
    meta: PageMeta,
    provider: Option<ProviderId>,
    query: &ListQuery,
    base: &'static str,
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::from_query(query.page.as_deref());
    let rows = with_conn(pool, move |conn| Ok(queries::list(conn, provider, page)?)).await?;
    render(&ListPage {
        meta,
        invoices: Paged::new(rows, page),
        base,
        admin: provider.is_none(),
    })
}

async fn one(
    pool: &web::Data<DbPool>,
    meta: impl FnOnce(&FeeInvoice) -> PageMeta,
    provider: Option<ProviderId>,
    id: Uuid,
    back: &'static str,
) -> Result<HttpResponse, AppError> {
    let (invoice, lines) = with_conn(pool, move |conn| {
        let invoice = queries::find(conn, provider, id)?.ok_or(AppError::NotFound)?;
        let lines = queries::lines(conn, id)?;
        Ok((invoice, lines))
    })
    .await?;
    render(&InvoicePage {
        meta: meta(&invoice),
        invoice,
        lines,
        back,
    })
}

pub async fn provider_list(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let meta = ctx.user.meta("Larder's fee invoices");
    list(
        &pool,
        meta,
        Some(ctx.provider_id),
        &query,
        "/provider/fee-invoices",
    )
    .await
}

pub async fn provider_one(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let user = &ctx.user;
    one(
        &pool,
        |i| user.meta(format!("Fee invoice {}", i.number)),
        Some(ctx.provider_id),
        id.into_inner(),
        "/provider/fee-invoices",
    )
    .await
}

pub async fn admin_list(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let meta = admin.user.meta("Fee invoices");
    list(&pool, meta, None, &query, "/admin/fee-invoices").await
}

pub async fn admin_one(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let user = &admin.user;
    one(
        &pool,
        |i| user.meta(format!("Fee invoice {}", i.number)),
        None,
        id.into_inner(),
        "/admin/fee-invoices",
    )
    .await
}

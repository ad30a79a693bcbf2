//! The provider's payouts and what each carried; admins' list of payouts needing attention.

use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::queries::{self, Carried, PayoutRow};
use crate::db::DbPool;
use crate::tenancy::{AdminCtx, Permission, ProviderCtx};
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, with_conn};

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "payouts/list.html")]
struct ListPage {
    meta: PageMeta,
    rows: Paged<PayoutRow>,
    awaiting: String,
    settings: bool,
}

impl ListPage {
    fn page_link(&self, page: i64) -> String {
        format!("/provider/payouts?page={page}")
    }
}

pub async fn list(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let (provider, page) = (
        ctx.provider_id,
        PageRequest::from_query(query.page.as_deref()),
    );
    let (rows, awaiting) = with_conn(&pool, move |conn| {
        Ok((
            queries::for_provider(conn, provider, page)?,
            queries::awaiting_payout(conn, provider)?,
        ))
    })
    .await?;
    render(&ListPage {
        meta: ctx.user.meta("Payouts"),
        rows: Paged::new(rows, page),
        awaiting: crate::money::format_gbp(awaiting),
        settings: ctx.acting().may(Permission::ManagePayouts),
    })
}

#[derive(Template)]
#[template(path = "payouts/show.html")]
struct ShowPage {
    meta: PageMeta,
    payout: PayoutRow,
    carried: Vec<Carried>,
}

impl ShowPage {
    fn money(&self, d: impl std::borrow::Borrow<Decimal>) -> String {
        crate::money::format_gbp(*d.borrow())
    }
}

pub async fn show(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let (payout, carried) = with_conn(&pool, move |conn| {
        let payout = queries::find(conn, provider, id)?;
        let carried = queries::carried_rows(conn, id)?;
        Ok((payout, carried))
    })
    .await?;
    render(&ShowPage {
        meta: ctx
            .user
            .meta(format!("Payout of {}", payout.money(payout.amount))),
        payout,
        carried,
    })
}

#[derive(Template)]
#[template(path = "payouts/attention.html")]
struct AttentionPage {
    meta: PageMeta,
    rows: Vec<(String, PayoutRow)>,
}

pub async fn attention(admin: AdminCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    let rows = with_conn(&pool, |conn| Ok(queries::needing_attention(conn)?)).await?;
    render(&AttentionPage {
        meta: admin.user.meta("Payouts needing attention"),
        rows,
    })
}

#[derive(Template)]
#[template(path = "admin/reconciliation.html")]
struct ReconciliationPage {
    meta: PageMeta,
    days: Vec<crate::ledger::reconcile::Checked>,
}

/// The daily checks of the journal against Stripe, with every mismatch.
pub async fn reconciliation(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let days = with_conn(&pool, |conn| Ok(crate::ledger::reconcile::recent(conn)?)).await?;
    render(&ReconciliationPage {
        meta: admin.user.meta("Reconciliation with Stripe"),
        days,
    })
}

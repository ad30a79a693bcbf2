//! Order lists and order pages for both sides, and the actions on them. Action answers to
//! htmx are the order's status region; plain forms redirect back to the order.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;
use time::{Date, Time};
use uuid::Uuid;

use super::actions;
use super::model::{OrderDetail, OrderRow, totals};
use super::queries::{self, OrderFilter, Scope};
use super::rules::OrderStatus;
use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::money::Totals;
use crate::web::auth::{BuyerCtx, CurrentUser, ProviderCtx};
use crate::web::forms::Form;
use crate::web::htmx::{is_htmx, with_vary};
use crate::web::pagination::{PageRequest, Paged};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    provider: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "ordering/orders.html")]
struct OrdersPage {
    meta: PageMeta,
    provider_side: bool,
    rows: Paged<OrderRow>,
    status: String,
    provider: String,
    providers: Vec<(Uuid, String)>,
    statuses: Vec<(&'static str, &'static str)>,
}

impl OrdersPage {
    fn page_link(&self, page: i64) -> String {
        let base = if self.provider_side {
            "/provider/orders"
        } else {
            "/orders"
        };
        let qs = serde_urlencoded::to_string([
            ("status", self.status.as_str()),
            ("provider", &self.provider),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default();
        format!("{base}?{qs}")
    }

    fn order_link(&self, id: &Uuid) -> String {
        if self.provider_side {
            format!("/provider/orders/{id}")
        } else {
            format!("/orders/{id}")
        }
    }
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    OrderStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

fn filter(query: &ListQuery) -> (OrderFilter, String, String) {
    let status = query
        .status
        .clone()
        .filter(|s| OrderStatus::parse(s).is_some())
        .unwrap_or_default();
    let provider = query
        .provider
        .as_deref()
        .and_then(|p| Uuid::parse_str(p).ok());
    (
        OrderFilter {
            status: (!status.is_empty()).then(|| status.clone()),
            provider,
        },
        status,
        provider.map(|p| p.to_string()).unwrap_or_default(),
    )
}

pub async fn buyer_orders(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (f, status, provider) = filter(&query);
    let page = PageRequest::from_query(query.page.as_deref());
    let business = ctx.business_id;
    let (rows, providers) = with_conn(&pool, move |conn| {
        Ok((
            queries::list(conn, Scope::Buyer(business), &f, page)?,
            queries::ordered_from(conn, business)?,
        ))
    })
    .await?;
    render(&OrdersPage {
        meta: ctx.user.meta("Your orders"),
        provider_side: false,
        rows: Paged::new(rows, page),
        status,
        provider,
        providers,
        statuses: statuses(),
    })
}

pub async fn provider_orders(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (f, status, _) = filter(&query);
    let f = OrderFilter {
        provider: None,
        ..f
    };
    let page = PageRequest::from_query(query.page.as_deref());
    let provider = ctx.provider_id;
    let rows = with_conn(&pool, move |conn| {
        Ok(queries::list(conn, Scope::Provider(provider), &f, page)?)
    })
    .await?;
    render(&OrdersPage {
        meta: ctx.user.meta("Incoming orders"),
        provider_side: true,
        rows: Paged::new(rows, page),
        status,
        provider: String::new(),
        providers: Vec::new(),
        statuses: statuses(),
    })
}

/// The status region: status, timeline, delivery and the actions this side may take.
#[derive(Template)]
#[template(path = "ordering/_status.html")]
struct StatusPartial {
    meta: PageMeta,
    d: OrderDetail,
    provider_side: bool,
    today: String,
}

impl StatusPartial {
    fn base(&self) -> String {
        if self.provider_side {
            format!("/provider/orders/{}", self.d.order.id)
        } else {
            format!("/orders/{}", self.d.order.id)
        }
    }
    fn can(&self, s: &str) -> bool {
        self.d.order.status == s
    }
}

#[derive(Template)]
#[template(path = "ordering/order.html")]
struct OrderPage {
    meta: PageMeta,
    status: StatusPartial,
    totals: Totals,
    /// The order's live invoice: (id, title), if there is one this side may see.
    invoice: Option<(Uuid, String)>,
}

impl OrderPage {
    fn invoice_link(&self, id: &Uuid) -> String {
        if self.status.provider_side {
            format!("/provider/invoices/{id}")
        } else {
            format!("/invoices/{id}")
        }
    }

    fn can_invoice(&self) -> bool {
        self.status.provider_side
            && ["confirmed", "out_for_delivery", "delivered"]
                .contains(&self.status.d.order.status.as_str())
    }
}

type WithInvoice = (OrderDetail, Option<(Uuid, String)>);

async fn load_with_invoice(
    pool: &web::Data<DbPool>,
    scope: Scope,
    id: Uuid,
) -> Result<WithInvoice, AppError> {
    with_conn(pool, move |conn| {
        let d = queries::detail(conn, scope, id)?;
        let invoice =
            crate::invoicing::queries::for_order(conn, scope, id)?.map(|i| (i.id, i.title()));
        Ok((d, invoice))
    })
    .await
}

fn status_partial(meta: PageMeta, d: OrderDetail, provider_side: bool) -> StatusPartial {
    StatusPartial {
        meta,
        d,
        provider_side,
        today: super::checkout::london_today().to_string(),
    }
}

fn order_page(
    meta: PageMeta,
    (d, invoice): WithInvoice,
    provider_side: bool,
) -> Result<HttpResponse, AppError> {
    let totals = totals(&d.lines);
    render(&OrderPage {
        invoice,
        meta: meta.clone(),
        status: status_partial(meta, d, provider_side),
        totals,
    })
}

pub async fn buyer_order(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let loaded = load_with_invoice(&pool, Scope::Buyer(ctx.business_id), id.into_inner()).await?;
    order_page(
        ctx.user.meta(format!("Order {}", loaded.0.order.number)),
        loaded,
        false,
    )
}

pub async fn buyer_status(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, AppError> {
    let scope = Scope::Buyer(ctx.business_id);
    status_response(ctx.user.meta(""), &pool, scope, id.into_inner(), &query).await
}

#[derive(Debug, Deserialize, Default)]
pub struct StatusQuery {
    v: Option<String>,
}

/// The poll's answer: 204 (htmx leaves the page alone) when nothing changed since the
/// version the page shows, the fresh status region otherwise. Open order pages poll every
/// 10 s, so the unchanged case reads only the version, not the whole order.
async fn status_response(
    meta: PageMeta,
    pool: &web::Data<DbPool>,
    scope: Scope,
    id: Uuid,
    query: &StatusQuery,
) -> Result<HttpResponse, AppError> {
    let shown = query.v.as_deref().and_then(|v| v.parse::<usize>().ok());
    let changed = with_conn(pool, move |conn| {
        if let Some(shown) = shown
            && shown == queries::version(conn, scope, id)?
        {
            return Ok(None);
        }
        Ok(Some(queries::detail(conn, scope, id)?))
    })
    .await?;
    let Some(d) = changed else {
        return Ok(with_vary(HttpResponse::NoContent().finish()));
    };
    let provider_side = matches!(scope, Scope::Provider(_));
    Ok(with_vary(render(&status_partial(meta, d, provider_side))?))
}

pub async fn provider_order(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let loaded =
        load_with_invoice(&pool, Scope::Provider(ctx.provider_id), id.into_inner()).await?;
    order_page(
        ctx.user.meta(format!("Order {}", loaded.0.order.number)),
        loaded,
        true,
    )
}

pub async fn provider_status(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, AppError> {
    let scope = Scope::Provider(ctx.provider_id);
    status_response(ctx.user.meta(""), &pool, scope, id.into_inner(), &query).await
}

/// Runs an order action, then answers htmx with the fresh status region (read on the same
/// connection, right after the action) and plain forms with a redirect and a flash.
async fn act<F>(
    req: &HttpRequest,
    user: &CurrentUser,
    pool: &web::Data<DbPool>,
    scope: Scope,
    id: Uuid,
    done: &str,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<(), AppError> + Send + 'static,
{
    let provider_side = matches!(scope, Scope::Provider(_));
    let htmx = is_htmx(req.headers());
    let detail = with_conn(pool, move |conn| {
        action(conn)?;
        Ok(if htmx {
            Some(queries::detail(conn, scope, id)?)
        } else {
            None
        })
    })
    .await?;
    if let Some(d) = detail {
        return render(&status_partial(user.meta(""), d, provider_side));
    }
    user.session.flash(FlashKind::Ok, done);
    let base = if provider_side {
        "/provider/orders"
    } else {
        "/orders"
    };
    Ok(see_other(&format!("{base}/{id}")))
}

pub async fn cancel(
    req: HttpRequest,
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (business, actor, id, base) = (
        ctx.business_id,
        ctx.user.id,
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        Scope::Buyer(business),
        id,
        "Order cancelled.",
        move |conn| actions::cancel(conn, business, id, actor, &base),
    )
    .await
}

pub async fn reorder(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (business, id) = (ctx.business_id, id.into_inner());
    let (added, skipped) = with_conn(&pool, move |conn| {
        let d = queries::detail(conn, Scope::Buyer(business), id)?;
        let mut added = 0;
        let mut skipped = Vec::new();
        for line in &d.lines {
            let quantity = line.quantity.normalize().to_string();
            let outcome = match line.product_id {
                Some(product) => super::cart::add(conn, business, product, &quantity)?,
                None => super::cart::Added::Unavailable,
            };
            match outcome {
                super::cart::Added::Added { .. } => added += 1,
                _ => skipped.push(line.product_name.clone()),
            }
        }
        Ok((added, skipped))
    })
    .await?;
    let mut message = format!("{added} item(s) from this order are in your cart.");
    if !skipped.is_empty() {
        message.push_str(&format!(
            " Not available any more, so skipped: {}.",
            skipped.join(", ")
        ));
    }
    ctx.user.session.flash(
        if added > 0 {
            FlashKind::Ok
        } else {
            FlashKind::Error
        },
        message,
    );
    Ok(see_other("/cart"))
}

pub async fn confirm(
    req: HttpRequest,
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let mut confirmed = HashMap::new();
    for (name, value) in &form {
        if let Some(line) = name.strip_prefix("qty_") {
            let line = Uuid::parse_str(line).map_err(|_| {
                AppError::BadRequest(
                    "The confirmation form was damaged. Reload and try again.".into(),
                )
            })?;
            let q: Decimal = value
                .trim()
                .parse()
                .ok()
                .filter(|q: &Decimal| !q.is_sign_negative() && q.normalize().scale() <= 3)
                .ok_or_else(|| {
                    AppError::Validation(format!(
                        "“{}” isn't a quantity: use a number like 2 or 1.5, or 0 if you have none.",
                        value.chars().take(20).collect::<String>()
                    ))
                })?;
            confirmed.insert(line, q);
        }
    }
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.id,
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        Scope::Provider(provider),
        id,
        "Order confirmed. The buyer has been told.",
        move |conn| actions::confirm(conn, provider, id, actor, &confirmed, &base),
    )
    .await
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    req: HttpRequest,
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<RejectForm>,
) -> Result<HttpResponse, AppError> {
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::Validation(
            "Give the buyer a reason (up to 500 characters).".into(),
        ));
    }
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.id,
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        Scope::Provider(provider),
        id,
        "Order rejected. The buyer has been told why.",
        move |conn| actions::reject(conn, provider, id, actor, &reason, &base),
    )
    .await
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    window_start: String,
    #[serde(default)]
    window_end: String,
}

fn parse_time(raw: &str) -> Option<Time> {
    let (h, m) = raw.trim().split_once(':')?;
    Time::from_hms(h.parse().ok()?, m.get(..2)?.parse().ok()?, 0).ok()
}

pub async fn schedule(
    req: HttpRequest,
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<ScheduleForm>,
) -> Result<HttpResponse, AppError> {
    let date = Date::parse(
        form.date.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| AppError::Validation("Choose a delivery date.".into()))?;
    if date < super::checkout::london_today() {
        return Err(AppError::Validation(
            "Choose a delivery date from today onwards.".into(),
        ));
    }
    let window = match (form.window_start.trim(), form.window_end.trim()) {
        ("", "") => None,
        (a, b) => match (parse_time(a), parse_time(b)) {
            (Some(a), Some(b)) if a < b => Some((a, b)),
            _ => {
                return Err(AppError::Validation(
                    "Give the window as two times, the first earlier, like 07:00 and 10:00.".into(),
                ));
            }
        },
    };
    let (provider, actor, id) = (ctx.provider_id, ctx.user.id, id.into_inner());
    act(
        &req,
        &ctx.user,
        &pool,
        Scope::Provider(provider),
        id,
        "Delivery scheduled.",
        move |conn| actions::schedule(conn, provider, id, actor, date, window),
    )
    .await
}

pub async fn dispatch(
    req: HttpRequest,
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.id,
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        Scope::Provider(provider),
        id,
        "Marked out for delivery.",
        move |conn| actions::dispatch(conn, provider, id, actor, &base),
    )
    .await
}

#[derive(Deserialize)]
pub struct DeliverForm {
    #[serde(default)]
    received_by: String,
}

pub async fn deliver(
    req: HttpRequest,
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<DeliverForm>,
) -> Result<HttpResponse, AppError> {
    let received_by = form.received_by.trim().to_owned();
    if received_by.is_empty() || received_by.chars().count() > 100 {
        return Err(AppError::Validation(
            "Say who received the delivery (up to 100 characters).".into(),
        ));
    }
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.id,
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        Scope::Provider(provider),
        id,
        "Marked delivered.",
        move |conn| actions::deliver(conn, provider, id, actor, &received_by, &base),
    )
    .await
}

//! Order lists and order pages for both sides, and the status region they poll. The
//! actions on an order are in `order_actions`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::actions::LineErrors;
use super::model::{OrderDetail, OrderLine, OrderRow, totals};
use super::queries::{self, OrderFilter};
use super::rules::{OrderStatus, actions_for};
use crate::db::{DbConn, DbPool};
use crate::ids::{InvoiceId, OrderId};
use crate::money::Totals;
use crate::tenancy::{Acting, BuyerCtx, Permission, ProviderCtx, Scope, Side};
use crate::web::htmx::with_vary;
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, render_with_status, with_conn};

#[derive(Debug, Deserialize, Default, Clone)]
pub struct ListQuery {
    pub status: Option<String>,
    pub provider: Option<String>,
    pub page: Option<String>,
}

#[derive(Template)]
#[template(path = "ordering/orders.html")]
struct OrdersPage {
    meta: PageMeta,
    side: Side,
    /// The rendered list region (`OrderList`), which the page's socket replaces.
    list: String,
    status: String,
    provider: String,
    providers: Vec<(Uuid, String)>,
    statuses: Vec<(&'static str, &'static str)>,
}

/// The results under the filters: rows, empty state and pages.
#[derive(Template)]
#[template(path = "ordering/_order_list.html")]
struct OrderList {
    side: Side,
    rows: Paged<OrderRow>,
    status: String,
    provider: String,
}

impl OrderList {
    fn page_link(&self, page: i64) -> String {
        format!("{}?{}", self.side.orders_path(), self.query(page))
    }

    fn query(&self, page: i64) -> String {
        serde_urlencoded::to_string([
            ("status", self.status.as_str()),
            ("provider", &self.provider),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default()
    }

    fn order_link(&self, id: &OrderId) -> String {
        format!("{}/{id}", self.side.orders_path())
    }
}

/// A side's order list under `query`, in the member's scope.
fn order_list(
    conn: &mut DbConn,
    scope: Scope,
    side: Side,
    query: &ListQuery,
) -> Result<OrderList, AppError> {
    let (f, status, provider) = filter(query);
    // Providers see one provider's orders: theirs.
    let (f, provider) = match side {
        Side::Buyer => (f, provider),
        Side::Provider => (
            OrderFilter {
                provider: None,
                ..f
            },
            String::new(),
        ),
    };
    let page = PageRequest::from_query(query.page.as_deref());
    let rows = queries::list(conn, scope, &f, page)?;
    Ok(OrderList {
        side,
        rows: Paged::new(rows, page),
        status,
        provider,
    })
}

/// For a socket: the list region re-read, unless it still reads as the `shown` fingerprint.
pub fn live_list(
    conn: &mut DbConn,
    acting: Acting,
    query: &ListQuery,
    shown: Option<&str>,
) -> Result<Option<(String, String)>, AppError> {
    let html = order_list(conn, acting.scope, acting.side, query)?.render()?;
    let version = crate::live::fingerprint(&html);
    Ok((shown != Some(version.as_str())).then_some((version, html)))
}

/// The list page, with its socket named by the list's query and fingerprint.
fn orders_page(
    mut meta: PageMeta,
    list: &OrderList,
    providers: Vec<(Uuid, String)>,
) -> Result<HttpResponse, AppError> {
    let html = list.render()?;
    meta.live = Some(format!(
        "/live{}?{}&v={}",
        list.side.orders_path(),
        list.query(list.rows.page),
        crate::live::fingerprint(&html)
    ));
    render(&OrdersPage {
        meta,
        side: list.side,
        list: html,
        status: list.status.clone(),
        provider: list.provider.clone(),
        providers,
        statuses: statuses(list.side),
    })
}

/// The status filter's choices; providers never see orders awaiting a buyer's approval.
fn statuses(side: Side) -> Vec<(&'static str, &'static str)> {
    OrderStatus::ALL
        .iter()
        .filter(|s| side == Side::Buyer || **s != OrderStatus::AwaitingApproval)
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

/// The approval queue: the business's orders waiting for a manager or owner.
pub async fn approvals(ctx: BuyerCtx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApproveOrders)?;
    Ok(crate::web::see_other("/orders?status=awaiting_approval"))
}

fn filter(query: &ListQuery) -> (OrderFilter, String, String) {
    let parsed = query.status.as_deref().and_then(OrderStatus::parse);
    let status = parsed.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let provider = query
        .provider
        .as_deref()
        .and_then(|p| Uuid::parse_str(p).ok());
    (
        OrderFilter {
            status: parsed,
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
    ctx.require(Permission::ViewOrders)?;
    let business = ctx.business_id;
    let query = query.into_inner();
    let (list, providers) = with_conn(&pool, move |conn| {
        Ok((
            order_list(conn, Scope::Buyer(business), Side::Buyer, &query)?,
            queries::ordered_from(conn, business)?,
        ))
    })
    .await?;
    orders_page(ctx.user.meta("Your orders"), &list, providers)
}

pub async fn provider_orders(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let scope = ctx.scope();
    let query = query.into_inner();
    let list = with_conn(&pool, move |conn| {
        order_list(conn, scope, Side::Provider, &query)
    })
    .await?;
    orders_page(ctx.user.meta("Incoming orders"), &list, Vec::new())
}

/// The status region: status, timeline, delivery and the fulfilment actions this side may
/// take. An action's htmx answer carries the order body too, swapped out of band, so no
/// button survives that the new state no longer allows.
#[derive(Template)]
#[template(path = "ordering/_status.html")]
pub(super) struct StatusPartial {
    meta: PageMeta,
    d: OrderDetail,
    side: Side,
    acting: Acting,
    today: String,
    body: Option<OrderBody>,
}

impl StatusPartial {
    fn base(&self) -> String {
        format!("{}/{}", self.side.orders_path(), self.d.order.id)
    }

    fn acting(&self) -> Acting {
        self.acting
    }
    fn offers(&self, action: &str) -> bool {
        offers(&self.d, self.acting(), action, self.meta.now)
    }
}

/// Does the order page offer `action` ("confirm", "reject", …) to this member at `now`?
/// The buyer's cancel and approve go once the order's cut-off has passed.
fn offers(
    d: &OrderDetail,
    acting: Acting,
    action: &str,
    now: Option<time::OffsetDateTime>,
) -> bool {
    let buyer_timed =
        acting.side == Side::Buyer && matches!(action, "cancel" | "approve" | "change");
    if buyer_timed
        && now.is_some_and(|now| super::rules::before_cutoff(d.order.cutoff_at, now).is_err())
    {
        return false;
    }
    actions_for(d.order.status, acting.side, acting.role)
        .iter()
        .any(|a| a.name() == action)
}

/// The items (with the confirm and reject forms while the order awaits them) and the
/// invoice panel.
#[derive(Template)]
#[template(path = "ordering/_order_body.html")]
pub(super) struct OrderBody {
    meta: PageMeta,
    d: OrderDetail,
    side: Side,
    acting: Acting,
    totals: Totals,
    /// The order's live invoice: (id, title), if there is one this side may see.
    invoice: Option<(InvoiceId, String)>,
    /// Quantities as the provider typed them, shown again beside their errors.
    typed: HashMap<Uuid, String>,
    errors: LineErrors,
    oob: bool,
}

impl OrderBody {
    /// How a line at the buyer's own price is marked: for the buyer, theirs.
    fn own_price_label(&self) -> &'static str {
        if self.side == Side::Buyer {
            "Your price"
        } else {
            "Customer price"
        }
    }

    /// A buyer who checks deliveries in, on a delivered order: check-in and credit links.
    fn can_receive(&self) -> bool {
        self.side == Side::Buyer
            && self.acting.may(Permission::ReceiveDeliveries)
            && self.d.order.status == super::rules::OrderStatus::Delivered
    }

    fn offers(&self, action: &str) -> bool {
        offers(&self.d, self.acting(), action, self.meta.now)
    }

    /// The lines' quantities are a form: the provider's confirmation, or the buyer's change.
    fn editing(&self) -> bool {
        self.offers("confirm") || self.offers("change")
    }

    fn typed_quantity(&self, line: &OrderLine) -> String {
        self.typed
            .get(&line.id)
            .cloned()
            .unwrap_or_else(|| line.quantity_text())
    }

    fn error(&self, line: &OrderLine) -> Option<&String> {
        self.errors.get(&line.id)
    }

    fn invoice_link(&self, id: &InvoiceId) -> String {
        format!("{}/{id}", self.side.invoices_path())
    }

    fn can_invoice(&self) -> bool {
        self.acting().may(Permission::ManageInvoices) && self.d.order.status.can_invoice()
    }

    fn acting(&self) -> Acting {
        self.acting
    }
}

#[derive(Template)]
#[template(path = "ordering/order.html")]
struct OrderPage {
    meta: PageMeta,
    status: StatusPartial,
    body: OrderBody,
}

pub(super) type WithInvoice = (OrderDetail, Option<(InvoiceId, String)>);

pub(super) fn with_invoice(
    conn: &mut DbConn,
    scope: Scope,
    id: Uuid,
) -> Result<WithInvoice, AppError> {
    let d = queries::detail(conn, scope, id)?;
    let invoice = crate::invoicing::queries::for_order(conn, scope, id)?.map(|i| (i.id, i.title()));
    Ok((d, invoice))
}

async fn load_with_invoice(
    pool: &web::Data<DbPool>,
    scope: Scope,
    id: Uuid,
) -> Result<WithInvoice, AppError> {
    with_conn(pool, move |conn| with_invoice(conn, scope, id)).await
}

fn body(
    meta: PageMeta,
    (d, invoice): WithInvoice,
    acting: Acting,
    entered: Option<(HashMap<Uuid, String>, LineErrors)>,
    oob: bool,
) -> OrderBody {
    let (typed, errors) = entered.unwrap_or_default();
    OrderBody {
        meta,
        totals: totals(&d.lines, d.order.delivery_charge),
        d,
        side: acting.side,
        acting,
        invoice,
        typed,
        errors,
        oob,
    }
}

/// The status region alone (the poll), or with the body out of band (after an action).
pub(super) fn status_partial(
    meta: PageMeta,
    loaded: WithInvoice,
    acting: Acting,
    with_body: bool,
) -> StatusPartial {
    let (d, body) = if with_body {
        let d = loaded.0.clone();
        (d, Some(body(meta.clone(), loaded, acting, None, true)))
    } else {
        (loaded.0, None)
    };
    StatusPartial {
        body,
        meta,
        d,
        side: acting.side,
        acting,
        today: crate::timefmt::london_today().to_string(),
    }
}

/// The status region with the body out of band, for a live update: `None` when the order
/// still reads as the `shown` version.
pub fn live_status(
    conn: &mut DbConn,
    meta: PageMeta,
    acting: Acting,
    id: Uuid,
    shown: Option<usize>,
) -> Result<Option<(usize, String)>, AppError> {
    let version = queries::version(conn, acting.scope, id)?;
    if shown == Some(version) {
        return Ok(None);
    }
    let loaded = with_invoice(conn, acting.scope, id)?;
    let html = status_partial(meta, loaded, acting, true).render()?;
    Ok(Some((version, html)))
}

/// The whole order page; `entered` re-shows a refused confirmation with its messages.
pub(super) fn order_page(
    mut meta: PageMeta,
    loaded: WithInvoice,
    acting: Acting,
    entered: Option<(HashMap<Uuid, String>, LineErrors)>,
) -> Result<HttpResponse, AppError> {
    meta.live = Some(format!(
        "{}/{}/live?v={}",
        acting.side.orders_path(),
        loaded.0.order.id,
        loaded.0.version()
    ));
    let status = if entered.is_some() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    render_with_status(
        status,
        &OrderPage {
            status: status_partial(meta.clone(), (loaded.0.clone(), None), acting, false),
            body: body(meta.clone(), loaded, acting, entered, false),
            meta,
        },
    )
}

pub async fn buyer_order(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let loaded = load_with_invoice(&pool, ctx.scope(), id.into_inner()).await?;
    order_page(
        ctx.user.meta(format!("Order {}", loaded.0.order.number)),
        loaded,
        ctx.acting(),
        None,
    )
}

pub async fn buyer_status(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    status_response(
        ctx.user.meta(""),
        &pool,
        ctx.acting(),
        id.into_inner(),
        &query,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
pub struct StatusQuery {
    v: Option<String>,
}

/// The poll's answer: 204 (htmx leaves the page alone) when nothing changed since the
/// version the page shows, the fresh status region otherwise. Changes arrive over the page's
/// socket (`live`); the once-a-minute poll is the fallback when the socket can't connect, so
/// the unchanged case reads only the version, not the whole order.
async fn status_response(
    meta: PageMeta,
    pool: &web::Data<DbPool>,
    acting: Acting,
    id: Uuid,
    query: &StatusQuery,
) -> Result<HttpResponse, AppError> {
    let scope = acting.scope;
    let shown = query.v.as_deref().and_then(|v| v.parse::<usize>().ok());
    let changed = with_conn(pool, move |conn| {
        if let Some(shown) = shown
            && shown == queries::version(conn, scope, id)?
        {
            return Ok(None);
        }
        Ok(Some(with_invoice(conn, scope, id)?))
    })
    .await?;
    let Some(loaded) = changed else {
        return Ok(with_vary(HttpResponse::NoContent().finish()));
    };
    // A change made elsewhere (the other side, another tab) may change what the body offers.
    Ok(with_vary(render(&status_partial(
        meta, loaded, acting, true,
    ))?))
}

pub async fn provider_order(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let loaded = load_with_invoice(&pool, ctx.scope(), id.into_inner()).await?;
    order_page(
        ctx.user.meta(format!("Order {}", loaded.0.order.number)),
        loaded,
        ctx.acting(),
        None,
    )
}

pub async fn provider_status(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    query: web::Query<StatusQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    status_response(
        ctx.user.meta(""),
        &pool,
        ctx.acting(),
        id.into_inner(),
        &query,
    )
    .await
}

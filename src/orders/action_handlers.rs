//! The actions on an order, for both sides. Answers to htmx are the order's status region
//! with the order body out of band; plain forms redirect back to the order with a flash.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use time::{Date, Time};
use uuid::Uuid;

use super::actions;
use super::handlers::{WithInvoice, order_page, status_partial, with_invoice};
use super::queries;
use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::tenancy::{Acting, BuyerCtx, CurrentUser, Permission, ProviderCtx, Scope};
use crate::web::forms::Form;
use crate::web::htmx::is_htmx;
use crate::web::session::FlashKind;
use crate::web::{AppError, render, see_other, with_conn};

/// Runs an order action, then answers htmx with the fresh status region (read on the same
/// connection, right after the action) and plain forms with a redirect and a flash.
async fn act<F>(
    req: &HttpRequest,
    user: &CurrentUser,
    pool: &web::Data<DbPool>,
    acting: Acting,
    id: Uuid,
    done: &str,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<(), AppError> + Send + 'static,
{
    let (scope, htmx) = (acting.scope, is_htmx(req.headers()));
    let detail = with_conn(pool, move |conn| {
        action(conn)?;
        Ok(if htmx {
            Some(with_invoice(conn, scope, id)?)
        } else {
            None
        })
    })
    .await?;
    answer(user, acting, id, done, detail)
}

/// After an action: the status region (with the body out of band) when htmx asked and it
/// was read, else a redirect to the order with `done` as the flash.
fn answer(
    user: &CurrentUser,
    acting: Acting,
    id: Uuid,
    done: &str,
    loaded: Option<WithInvoice>,
) -> Result<HttpResponse, AppError> {
    if let Some(loaded) = loaded {
        return render(&status_partial(user.meta(""), loaded, acting, true));
    }
    user.session.flash(FlashKind::Ok, done);
    Ok(see_other(&format!("{}/{id}", acting.side.orders_path())))
}

pub async fn cancel(
    req: HttpRequest,
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let now = ctx.user.now;
    let (business, actor, id, base) = (
        ctx.business_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Order cancelled.",
        move |conn| actions::cancel(conn, business, id, &actor, now, &base),
    )
    .await
}

pub async fn approve(
    req: HttpRequest,
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApproveOrders)?;
    let now = ctx.user.now;
    let (business, actor, id, base) = (
        ctx.business_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Approved: the order has gone to the provider.",
        move |conn| actions::approve(conn, business, id, &actor, now, &base),
    )
    .await
}

#[derive(Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    reason: String,
}

pub async fn decline(
    req: HttpRequest,
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<DeclineForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ApproveOrders)?;
    let (business, actor, id, base) = (
        ctx.business_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Declined. The orderer has been told why.",
        move |conn| actions::decline(conn, business, id, &actor, &form.reason, &base),
    )
    .await
}

pub async fn reorder(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, id) = (ctx.business_id, id.into_inner());
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let report = with_conn(&pool, move |conn| {
        let d = queries::detail(conn, Scope::Buyer(business), id)?;
        let mut report = super::reorder::Reordered::default();
        for line in &d.lines {
            let quantity = line.quantity.normalize().to_string();
            let outcome = match line.product_id {
                Some(product) => crate::cart::queries::add(conn, business, product, &quantity)?,
                None => crate::cart::queries::Added::Unavailable,
            };
            match outcome {
                crate::cart::queries::Added::Added { .. } => report.added += 1,
                _ => report.skipped.push(line.product_name.clone()),
            }
        }
        // What the cart now says about the same products: today's price (the buyer's own,
        // if they have one) and stock.
        let now = crate::cart::queries::lines(conn, business, Some(d.order.provider_id), today)?;
        for line in &d.lines {
            let Some(current) = now.iter().find(|c| Some(c.product_id) == line.product_id) else {
                continue;
            };
            if current.price != line.unit_price {
                report
                    .repriced
                    .push((current.label(), line.unit_price, current.price));
            }
            if !current.in_stock {
                report.out_of_stock.push(current.label());
            }
        }
        Ok(report)
    })
    .await?;
    ctx.user.session.flash(
        if report.added > 0 {
            FlashKind::Ok
        } else {
            FlashKind::Error
        },
        report.message(),
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
    ctx.require(Permission::ConfirmOrders)?;
    let typed = typed_quantities(form)?;
    let (provider, actor, base) = (
        ctx.provider_id,
        ctx.user.actor.clone(),
        config.base_url.clone(),
    );
    with_quantities(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id.into_inner(),
        typed,
        "Order confirmed. The buyer has been told.",
        move |conn, id, typed| actions::confirm(conn, provider, id, &actor, typed, &base),
    )
    .await
}

/// The lines' `qty_<id>` fields from a quantities form.
fn typed_quantities(form: HashMap<String, String>) -> Result<HashMap<Uuid, String>, AppError> {
    let mut typed = HashMap::new();
    for (name, value) in form {
        if let Some(line) = name.strip_prefix("qty_") {
            let line = Uuid::parse_str(line).map_err(|_| {
                AppError::BadRequest("The form was damaged. Reload and try again.".into())
            })?;
            typed.insert(line, value);
        }
    }
    Ok(typed)
}

/// A buyer changes quantities before the provider confirms and before the cut-off.
pub async fn change(
    req: HttpRequest,
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let typed = typed_quantities(form)?;
    let (business, actor, base, now) = (
        ctx.business_id,
        ctx.user.actor.clone(),
        config.base_url.clone(),
        ctx.user.now,
    );
    with_quantities(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id.into_inner(),
        typed,
        "Order changed. The provider has been told what changed.",
        move |conn, id, typed| super::change::change(conn, business, id, &actor, now, typed, &base),
    )
    .await
}

/// Runs a quantities action (a confirmation, a buyer's change). Done: the fresh status for
/// htmx, else a redirect with `done`. Refused: the order page again with the quantities as
/// typed and each message beside its field, nothing written.
#[allow(clippy::too_many_arguments)]
async fn with_quantities<F>(
    req: &HttpRequest,
    user: &CurrentUser,
    pool: &web::Data<DbPool>,
    acting: Acting,
    id: Uuid,
    typed: HashMap<Uuid, String>,
    done: &str,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(
            &mut DbConn,
            Uuid,
            &HashMap<Uuid, String>,
        ) -> Result<Result<(), actions::LineErrors>, AppError>
        + Send
        + 'static,
{
    let (scope, htmx) = (acting.scope, is_htmx(req.headers()));
    let outcome = with_conn(pool, move |conn| match action(conn, id, &typed)? {
        Ok(()) if htmx => Ok(Ok(Some(with_invoice(conn, scope, id)?))),
        Ok(()) => Ok(Ok(None)),
        Err(errors) => Ok(Err((with_invoice(conn, scope, id)?, typed, errors))),
    })
    .await?;
    match outcome {
        Ok(loaded) => answer(user, acting, id, done, loaded),
        Err((loaded, typed, errors)) => {
            let meta = user.meta(format!("Order {}", loaded.0.order.number));
            order_page(meta, loaded, acting, Some((typed, errors)))
        }
    }
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
    ctx.require(Permission::ConfirmOrders)?;
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::Validation(
            "Give the buyer a reason (up to 500 characters).".into(),
        ));
    }
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Order rejected. The buyer has been told why.",
        move |conn| actions::reject(conn, provider, id, &actor, &reason, &base),
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
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<ScheduleForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::FulfilOrders)?;
    let date = Date::parse(
        form.date.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| AppError::Validation("Choose a delivery date.".into()))?;
    if date < crate::timefmt::london_today() {
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
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Delivery scheduled. The buyer has been told.",
        move |conn| actions::schedule(conn, provider, id, &actor, date, window, &base),
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
    ctx.require(Permission::FulfilOrders)?;
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Marked out for delivery.",
        move |conn| actions::dispatch(conn, provider, id, &actor, &base),
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
    ctx.require(Permission::FulfilOrders)?;
    let received_by = form.received_by.trim().to_owned();
    if received_by.is_empty() || received_by.chars().count() > 100 {
        return Err(AppError::Validation(
            "Say who received the delivery (up to 100 characters).".into(),
        ));
    }
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    act(
        &req,
        &ctx.user,
        &pool,
        ctx.acting(),
        id,
        "Marked delivered.",
        move |conn| actions::deliver(conn, provider, id, &actor, &received_by, &base),
    )
    .await
}

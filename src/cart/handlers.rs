//! The buyer's carts: add from provider and compare pages, change quantities, remove.
//! htmx swaps the provider's cart section and the header badge; plain forms redirect.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::queries::{self as cart, Added, CartLine};
use crate::accounts::forms::safe_next;
use crate::db::DbPool;
use crate::ids::ProviderId;
use crate::money::{self, Totals};
use crate::tenancy::BuyerCtx;
use crate::tenancy::Permission;
use crate::web::forms::Form;
use crate::web::htmx::is_htmx;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

/// One provider's part of the cart page.
pub struct ProviderCart {
    pub provider_id: Uuid,
    pub provider_name: String,
    pub provider_slug: String,
    /// Taking orders now? A suspended provider's cart can't be checked out.
    pub open: bool,
    pub min_order: rust_decimal::Decimal,
    pub lines: Vec<CartLine>,
    pub totals: Totals,
}

impl ProviderCart {
    /// "Add £12.40 more to reach the £50.00 minimum", or `None` once it is reached.
    pub fn short_of_minimum(&self) -> Option<String> {
        let short = self.min_order - self.totals.subtotal;
        (short > rust_decimal::Decimal::ZERO).then(|| {
            format!(
                "{} has a minimum order of {} before VAT: add {} more to check out.",
                self.provider_name,
                money::format_gbp(self.min_order),
                money::format_gbp(short)
            )
        })
    }
}

pub fn group(lines: Vec<CartLine>) -> Vec<ProviderCart> {
    let mut carts: Vec<ProviderCart> = Vec::new();
    for line in lines {
        match carts.iter_mut().find(|c| c.provider_id == line.provider_id) {
            Some(c) => c.lines.push(line),
            None => carts.push(ProviderCart {
                provider_id: line.provider_id,
                provider_name: line.provider_name.clone(),
                provider_slug: line.provider_slug.clone(),
                open: crate::providers::rules::is_open_for_orders(&line.provider_status),
                min_order: line.provider_min_order,
                lines: vec![line],
                totals: Totals::default(),
            }),
        }
    }
    for c in &mut carts {
        c.totals = cart::totals(&c.lines);
    }
    carts
}

#[derive(Template)]
#[template(path = "ordering/cart.html")]
struct CartPage {
    meta: PageMeta,
    carts: Vec<ProviderCart>,
}

#[derive(Template)]
#[template(path = "ordering/_provider_cart.html")]
struct ProviderCartPartial {
    meta: PageMeta,
    c: ProviderCart,
    badge: i64,
}

#[derive(Template)]
#[template(path = "ordering/_added.html")]
struct AddedPartial {
    product_id: Uuid,
    message: String,
    ok: bool,
    badge: i64,
}

pub async fn cart_page(ctx: BuyerCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, today) = (
        ctx.business_id,
        crate::timefmt::to_london(ctx.user.now).date(),
    );
    let lines = with_conn(&pool, move |conn| {
        Ok(cart::lines(conn, business, None, today)?)
    })
    .await?;
    render(&CartPage {
        meta: ctx.user.meta("Your cart"),
        carts: group(lines),
    })
}

#[derive(Debug, Deserialize)]
pub struct AddForm {
    product_id: Uuid,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    back: String,
}

pub async fn add(
    req: HttpRequest,
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let business = ctx.business_id;
    let (product, quantity) = (form.product_id, form.quantity.clone());
    let (outcome, badge) = with_conn(&pool, move |conn| {
        let outcome = cart::add(conn, business, product, &quantity)?;
        Ok((outcome, cart::item_count(conn, business)?))
    })
    .await?;
    let (ok, message) = match outcome {
        Added::Added {
            name,
            quantity_in_cart,
        } => (
            true,
            format!(
                "Added: {} in your cart ({name}).",
                quantity_in_cart.normalize()
            ),
        ),
        Added::Unavailable => (false, "That product can't be ordered right now.".to_owned()),
        Added::Refused(why) => (false, why),
    };
    if is_htmx(req.headers()) {
        let status = if ok {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return render_with_status(
            status,
            &AddedPartial {
                product_id: product,
                message,
                ok,
                badge,
            },
        );
    }
    ctx.user
        .session
        .flash(if ok { FlashKind::Ok } else { FlashKind::Error }, message);
    Ok(see_other(safe_next(&form.back).unwrap_or("/cart")))
}

#[derive(Debug, Deserialize)]
pub struct QuantityForm {
    #[serde(default)]
    quantity: String,
}

async fn provider_section(
    req: &HttpRequest,
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    provider: ProviderId,
    problem: Option<String>,
) -> Result<HttpResponse, AppError> {
    let (business, today) = (
        ctx.business_id,
        crate::timefmt::to_london(ctx.user.now).date(),
    );
    let (lines, badge) = with_conn(pool, move |conn| {
        Ok((
            cart::lines(conn, business, Some(provider), today)?,
            cart::item_count(conn, business)?,
        ))
    })
    .await?;
    if !is_htmx(req.headers()) {
        if let Some(p) = problem {
            ctx.user.session.flash(FlashKind::Error, p);
        }
        return Ok(see_other("/cart"));
    }
    let c = group(lines).pop().unwrap_or(ProviderCart {
        provider_id: provider.0,
        provider_name: String::new(),
        provider_slug: String::new(),
        open: true,
        min_order: rust_decimal::Decimal::ZERO,
        lines: Vec::new(),
        totals: Totals::default(),
    });
    let mut meta = ctx.user.meta("");
    if let Some(p) = problem {
        meta.flash = Some(crate::web::session::Flash {
            kind: FlashKind::Error,
            message: p,
        });
    }
    render(&ProviderCartPartial { meta, c, badge })
}

pub async fn update(
    req: HttpRequest,
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    item: web::Path<Uuid>,
    Form(form): Form<QuantityForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, item) = (ctx.business_id, item.into_inner());
    let found = with_conn(&pool, move |conn| {
        Ok(cart::item_facts(conn, business, item)?)
    })
    .await?;
    let facts = found.ok_or(AppError::NotFound)?;
    let provider = facts.provider;
    let checked = super::rules::quantity(&form.quantity, facts.fractional)
        .map_err(str::to_owned)
        .and_then(|q| money::bounded_line_net(facts.price, q).map(|_| q));
    let problem = match checked {
        Ok(q) => {
            with_conn(&pool, move |conn| {
                Ok(cart::set_quantity(conn, business, item, q)?)
            })
            .await?;
            None
        }
        Err(why) => Some(why),
    };
    provider_section(&req, &ctx, &pool, provider, problem).await
}

pub async fn remove(
    req: HttpRequest,
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    item: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, item) = (ctx.business_id, item.into_inner());
    let found = with_conn(&pool, move |conn| {
        Ok(cart::item_facts(conn, business, item)?)
    })
    .await?;
    let provider = found.ok_or(AppError::NotFound)?.provider;
    with_conn(&pool, move |conn| Ok(cart::remove(conn, business, item)?)).await?;
    provider_section(&req, &ctx, &pool, provider, None).await
}

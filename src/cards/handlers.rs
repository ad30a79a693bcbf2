//! The buyer's saved cards (add on Stripe's page, choose the default, remove) and paying an
//! invoice with the default card in one click, with the bank's check when it asks for one.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::gateway::{self as cards_gateway, PayOrder, PayOutcome};
use super::queries::{self, SavedCard};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::{BusinessId, InvoiceId};
use crate::payments::gateway::{Gateway, GatewayError};
use crate::payments::queries::{self as payment_queries, Reserved};
use crate::tenancy::{BuyerCtx, Permission};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

fn unreachable(e: GatewayError) -> AppError {
    tracing::warn!(error = %e, "card request not answered");
    AppError::Unavailable(
        "We couldn't reach the payment provider. Nothing was saved or charged; try again in a few minutes.".into(),
    )
}

#[derive(Template)]
#[template(path = "cards/list.html")]
struct ListPage {
    meta: PageMeta,
    cards: Vec<SavedCard>,
    autopay: bool,
}

pub async fn list(ctx: BuyerCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let business = ctx.business_id;
    let (cards, autopay) = with_conn(&pool, move |conn| {
        Ok((
            queries::list(conn, business)?,
            super::autopay::is_on(conn, business)?,
        ))
    })
    .await?;
    render(&ListPage {
        meta: ctx.user.meta("Saved cards"),
        cards,
        autopay,
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct AutopayForm {
    autopay: String,
}

/// Turns auto-pay on or off for the business (recorded in the audit log).
pub async fn autopay(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    crate::web::forms::Form(form): crate::web::forms::Form<AutopayForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, on, actor) = (
        ctx.business_id,
        form.autopay == "on",
        ctx.user.actor.clone(),
    );
    with_conn(&pool, move |conn| {
        super::autopay::turn(conn, business, on, &actor)
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        if on {
            "Auto-pay is on: issued invoices are paid with your default card on their due date."
        } else {
            "Auto-pay is off."
        },
    );
    Ok(see_other("/buyer/cards"))
}

/// The business's Customer at Stripe, made the first time it is needed.
async fn customer_of(
    pool: &web::Data<DbPool>,
    gateway: &Gateway,
    business: BusinessId,
    email: &str,
) -> Result<String, AppError> {
    let (known, name) = with_conn(pool, move |conn| {
        Ok((
            queries::customer(conn, business)?,
            queries::business_name(conn, business)?,
        ))
    })
    .await?;
    if let Some(id) = known {
        return Ok(id);
    }
    let id = cards_gateway::create_customer(gateway, business, (&name, email))
        .await
        .map_err(unreachable)?;
    let stored = id.clone();
    with_conn(pool, move |conn| {
        Ok(queries::set_customer(conn, business, &stored)?)
    })
    .await?;
    Ok(id)
}

/// Sends the buyer to Stripe's page to save a card.
pub async fn add(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let business = ctx.business_id;
    let customer = customer_of(&pool, &gateway, business, &ctx.user.email).await?;
    let by = ctx.user.actor.user_id();
    let setup = with_conn(&pool, move |conn| {
        Ok(queries::new_setup(conn, business, by)?)
    })
    .await?;
    let (session, url) = cards_gateway::start_setup(&gateway, setup, &customer, &config.base_url)
        .await
        .map_err(unreachable)?;
    with_conn(&pool, move |conn| {
        Ok(queries::attach_setup(conn, setup, &session)?)
    })
    .await?;
    Ok(see_other(&url))
}

#[derive(Debug, Deserialize, Default)]
pub struct SetupQuery {
    #[serde(default)]
    pub(super) setup: Option<Uuid>,
}

pub(super) async fn saved(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    setup: Uuid,
    card: cards_gateway::CardDetails,
) -> Result<HttpResponse, AppError> {
    let (business, by) = (ctx.business_id, ctx.user.actor.user_id());
    let label = with_conn(pool, move |conn| {
        queries::save(conn, business, setup, &card, by)
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, format!("{label} is saved."));
    Ok(see_other("/buyer/cards"))
}

/// Back from Stripe's page: the card it saved is stored (once, however often this loads).
pub async fn added(
    ctx: BuyerCtx,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    query: web::Query<SetupQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let business = ctx.business_id;
    let setup = query.setup.ok_or(AppError::NotFound)?;
    let session = with_conn(&pool, move |conn| {
        Ok(queries::setup_session(conn, business, setup)?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    match cards_gateway::finish_setup(&gateway, &session)
        .await
        .map_err(unreachable)?
    {
        Some(card) => saved(&ctx, &pool, setup, card).await,
        None => {
            ctx.user.session.flash(
                FlashKind::Error,
                "The card wasn't saved: the page was left before it finished.",
            );
            Ok(see_other("/buyer/cards"))
        }
    }
}

pub async fn make_default(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, card) = (ctx.business_id, id.into_inner());
    with_conn(&pool, move |conn| {
        queries::make_default(conn, business, card)
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Default card changed.");
    Ok(see_other("/buyer/cards"))
}

pub async fn remove(
    ctx: BuyerCtx,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, card) = (ctx.business_id, id.into_inner());
    let found = with_conn(&pool, move |conn| queries::find(conn, business, card)).await?;
    cards_gateway::detach(&gateway, &found.payment_method_id, card)
        .await
        .map_err(unreachable)?;
    with_conn(&pool, move |conn| queries::remove(conn, business, card)).await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, format!("{} is removed.", found.label()));
    Ok(see_other("/buyer/cards"))
}

/// Tells the buyer what became of a one-click payment and where to look.
pub(super) fn after(ctx: &BuyerCtx, invoice: InvoiceId, outcome: &PayOutcome) -> HttpResponse {
    let page = format!("/invoices/{invoice}");
    match outcome {
        PayOutcome::NeedsAction { url, .. } => return see_other(url),
        PayOutcome::Succeeded { .. } => ctx
            .user
            .session
            .flash(FlashKind::Ok, "Paid. Thank you: the receipt is on its way."),
        PayOutcome::Processing { .. } => ctx.user.session.flash(
            FlashKind::Ok,
            "Your card payment is being processed; we'll email you when it completes.",
        ),
        PayOutcome::Declined { reason, .. } => ctx.user.session.flash(
            FlashKind::Error,
            format!("{reason} Nothing was charged: try another card or pay by bank transfer."),
        ),
    }
    see_other(&page)
}

/// A checkout the buyer left open on Stripe's page is closed there first, so the invoice can
/// never be paid twice; if Stripe won't close it, it may be being paid right now.
async fn close_checkouts(
    pool: &web::Data<DbPool>,
    gateway: &Gateway,
    business: BusinessId,
    invoice: InvoiceId,
) -> Result<(), AppError> {
    let open = with_conn(pool, move |conn| {
        Ok(queries::open_checkouts(conn, business, invoice)?)
    })
    .await?;
    for (payment, session) in open {
        gateway.expire_session(&session, payment).await.map_err(|e| {
            tracing::warn!(error = %e, %session, "could not close a checkout for one-click");
            AppError::conflict(
                "Your payment on Stripe's page may be going through right now. Wait a minute and reload the invoice before paying again.",
            )
        })?;
        with_conn(pool, move |conn| {
            Ok(queries::closed_checkout(conn, payment)?)
        })
        .await?;
    }
    Ok(())
}

/// Pays the invoice with the business's default card, in one click.
pub async fn pay_saved(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, invoice, name) = (ctx.business_id, id.into_inner(), gateway.name());
    let card = with_conn(&pool, move |conn| {
        if !payment_queries::owns_invoice(conn, business, invoice)? {
            return Err(AppError::NotFound);
        }
        Ok(queries::default_card(conn, business)?)
    })
    .await?
    .ok_or_else(|| AppError::conflict("There's no saved card to pay with. Add one under Saved cards, or pay by card on Stripe's page."))?;
    if card.expired() {
        return Err(AppError::conflict(format!(
            "{} has expired. Add a new card under Saved cards.",
            card.label()
        )));
    }
    crate::payments::reconcile::resolve(&pool, &gateway, invoice, &config.base_url).await?;
    close_checkouts(&pool, &gateway, business, invoice).await?;
    let customer = customer_of(&pool, &gateway, business, &ctx.user.email).await?;
    let card_id = card.id;
    let reserved = with_conn(&pool, move |conn| {
        let reserved = payment_queries::reserve(conn, business, invoice, name)?;
        if let Reserved::New { payment, .. } = &reserved {
            queries::mark_card(conn, *payment, card_id)?;
        }
        Ok(reserved)
    })
    .await?;
    let Reserved::New {
        payment,
        amount,
        number,
        destination,
    } = reserved
    else {
        return Err(AppError::conflict(
            "A card payment for this invoice is already open on Stripe's page. Finish it there, or wait for it to expire.",
        ));
    };
    let order = PayOrder {
        payment,
        invoice,
        amount,
        description: format!("Invoice {number}"),
        customer,
        payment_method: card.payment_method_id.clone(),
        destination,
        return_url: format!(
            "{}/invoices/{invoice}/pay-saved/return?payment={payment}",
            config.base_url
        ),
        off_session: false,
    };
    let outcome = match cards_gateway::pay(&gateway, &order).await {
        Ok(outcome) => outcome,
        Err(e) => {
            let reason = e.to_string();
            with_conn(&pool, move |conn| {
                Ok(payment_queries::setup_failed(conn, payment, &reason)?)
            })
            .await?;
            return Err(unreachable(e));
        }
    };
    let (recorded, base) = (outcome.clone(), config.base_url.clone());
    with_conn(&pool, move |conn| {
        queries::record(conn, (payment, invoice), &recorded, &base)
    })
    .await?;
    Ok(after(&ctx, invoice, &outcome))
}

#[derive(Debug, Deserialize, Default)]
pub struct ReturnQuery {
    pub(super) payment: Option<Uuid>,
}

/// Back from the bank's check: Stripe is asked how it went.
pub async fn returned(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    query: web::Query<ReturnQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, invoice) = (ctx.business_id, id.into_inner());
    let payment = query.payment.ok_or(AppError::NotFound)?;
    let (payment, intent) = with_conn(&pool, move |conn| {
        Ok(queries::saved_payment(conn, business, invoice, payment)?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    let intent = intent.ok_or(AppError::NotFound)?;
    let outcome = cards_gateway::intent_outcome(&gateway, &intent)
        .await
        .map_err(unreachable)?;
    let (recorded, base) = (outcome.clone(), config.base_url.clone());
    with_conn(&pool, move |conn| {
        queries::record(conn, (payment, invoice), &recorded, &base)
    })
    .await?;
    Ok(after(&ctx, invoice, &outcome))
}

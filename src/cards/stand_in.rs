//! The test gateway's stand-ins for Stripe's card page and a bank's "is it you?" check, so
//! saved cards and one-click payment work end to end without a Stripe key. Each answers 404
//! when Stripe is configured.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::gateway::{self as cards_gateway, PayOutcome, TEST_CARDS};
use super::handlers::{ReturnQuery, SetupQuery, after, saved};
use super::queries;
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::InvoiceId;
use crate::payments::gateway::Gateway;
use crate::tenancy::{BuyerCtx, Permission};
use crate::web::forms::Form;
use crate::web::{AppError, PageMeta, render, with_conn};

#[derive(Template)]
#[template(path = "cards/test_setup.html")]
struct TestSetupPage {
    meta: PageMeta,
    setup: Uuid,
    cards: Vec<(&'static str, &'static str)>,
}

/// The test gateway's stand-in for Stripe's card page (404 when Stripe is configured).
pub async fn test_setup(
    ctx: BuyerCtx,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    query: web::Query<SetupQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let business = ctx.business_id;
    let setup = query.setup.ok_or(AppError::NotFound)?;
    if !gateway.is_test()
        || with_conn(&pool, move |conn| {
            Ok(queries::setup_session(conn, business, setup)?)
        })
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    render(&TestSetupPage {
        meta: ctx.user.meta("Test card page"),
        setup,
        cards: TEST_CARDS.to_vec(),
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct TestSetupForm {
    setup: String,
    card: String,
}

pub async fn test_setup_save(
    ctx: BuyerCtx,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    Form(form): Form<TestSetupForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let setup = Uuid::parse_str(&form.setup).map_err(|_| AppError::NotFound)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let card = cards_gateway::test_details(&form.card)
        .ok_or_else(|| AppError::Validation("Choose one of the test cards.".into()))?;
    saved(&ctx, &pool, setup, card).await
}

#[derive(Template)]
#[template(path = "cards/test_authenticate.html")]
struct TestAuthPage {
    meta: PageMeta,
    invoice: InvoiceId,
    payment: Uuid,
}

/// The test gateway's stand-in for a bank's "is it you?" page.
pub async fn test_authenticate(
    ctx: BuyerCtx,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    query: web::Query<ReturnQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, invoice) = (ctx.business_id, id.into_inner());
    let payment = query.payment.ok_or(AppError::NotFound)?;
    let found = with_conn(&pool, move |conn| {
        Ok(queries::saved_payment(conn, business, invoice, payment)?)
    })
    .await?;
    if !gateway.is_test() || found.is_none() {
        return Err(AppError::NotFound);
    }
    render(&TestAuthPage {
        meta: ctx.user.meta("Test bank check"),
        invoice,
        payment,
    })
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct TestAuthForm {
    payment: String,
    outcome: String,
}

pub async fn test_authenticated(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<TestAuthForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, invoice) = (ctx.business_id, id.into_inner());
    let payment = Uuid::parse_str(&form.payment).map_err(|_| AppError::NotFound)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let (base, approve) = (config.base_url.clone(), form.outcome == "approve");
    let outcome = with_conn(&pool, move |conn| {
        let (payment, intent) =
            queries::saved_payment(conn, business, invoice, payment)?.ok_or(AppError::NotFound)?;
        let amount = queries::amount(conn, payment)?;
        let intent = intent.unwrap_or_default();
        let outcome = if approve {
            PayOutcome::Succeeded {
                intent,
                amount_minor: crate::payments::gateway::pennies(amount).unwrap_or_default(),
            }
        } else {
            PayOutcome::Declined {
                intent: Some(intent),
                reason: "You didn't complete your bank's check.".into(),
            }
        };
        queries::record(conn, (payment, invoice), &outcome, &base)?;
        Ok(outcome)
    })
    .await?;
    Ok(after(&ctx, invoice, &outcome))
}

//! The provider's invoice actions: create a draft from an order, save it, issue it exactly
//! as typed, void it. A refused form comes back with the values typed and a message per field.

use crate::ids::InvoiceId;
use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use uuid::Uuid;

use super::draft_form::{self, DraftInput, DraftProblem, FieldMessages};
use super::handlers::{Entered, page};
use super::queries;
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::ProviderId;
use crate::payments::gateway::Gateway;
use crate::payments::queries as payment_queries;
use crate::payments::rules as payment_rules;
use crate::tenancy::Permission;
use crate::tenancy::ProviderCtx;
use crate::timefmt::london_today;
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, see_other, with_conn};

pub async fn create(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    order: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageInvoices)?;
    let (provider, order) = (ctx.provider_id, order.into_inner());
    let id = with_conn(&pool, move |conn| {
        queries::create_from_order(conn, provider, order)
    })
    .await?;
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

fn parse(form: &HashMap<String, String>) -> Result<Result<DraftInput, FieldMessages>, AppError> {
    match draft_form::parse(form) {
        Ok(input) => Ok(Ok(input)),
        Err(DraftProblem::Fields(errors)) => Ok(Err(errors)),
        Err(DraftProblem::Damaged) => Err(AppError::BadRequest(
            "The invoice form was damaged. Reload the page and try again.".into(),
        )),
    }
}

/// The draft page again with what was typed and why it was refused (422).
async fn refused(
    ctx: &ProviderCtx,
    pool: &web::Data<DbPool>,
    id: InvoiceId,
    typed: HashMap<String, String>,
    errors: FieldMessages,
) -> Result<HttpResponse, AppError> {
    // A draft has no payments to settle.
    page(
        |i| ctx.user.meta(i.title()),
        pool,
        None,
        ctx.acting(),
        id,
        false,
        Some(Entered { typed, errors }),
    )
    .await
}

pub async fn update(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageInvoices)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let outcome = match parse(&form)? {
        Err(errors) => Err(errors),
        Ok(input) => {
            with_conn(&pool, move |conn| {
                queries::update_draft(conn, provider, id, &input)
            })
            .await?
        }
    };
    if let Err(errors) = outcome {
        return refused(&ctx, &pool, id, form, errors).await;
    }
    ctx.user.session.flash(FlashKind::Ok, "Draft saved.");
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

/// Issues what the provider sees: the draft form's button posts its fields here, and any
/// unsaved edits are saved in the same transaction as the issue.
pub async fn issue(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageInvoices)?;
    let (provider, id, base) = (ctx.provider_id, id.into_inner(), config.base_url.clone());
    let actor = ctx.user.actor.clone();
    let outcome = match parse(&form)? {
        Err(errors) => Err(errors),
        Ok(input) => {
            with_conn(&pool, move |conn| {
                queries::issue(conn, provider, id, &input, london_today(), (&actor, &base))
            })
            .await?
        }
    };
    match outcome {
        Ok(number) => {
            ctx.user.session.flash(
                FlashKind::Ok,
                format!("Invoice {number} issued. The buyer can see and pay it now."),
            );
            Ok(see_other(&format!("/provider/invoices/{id}")))
        }
        Err(errors) => refused(&ctx, &pool, id, form, errors).await,
    }
}

#[derive(Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    reason: String,
}

/// Closes the buyer's open card checkouts for this invoice at the gateway, first, so nothing
/// can be paid on it once it is void or marked paid. Refuses while a bank payment is on its way.
async fn close_checkouts(
    pool: &web::Data<DbPool>,
    gateway: &Gateway,
    provider: ProviderId,
    id: InvoiceId,
) -> Result<(), AppError> {
    let open = with_conn(pool, move |conn| {
        payment_queries::open_checkouts(conn, provider, id)
    })
    .await?;
    for (payment, session) in open {
        gateway.expire_session(&session, payment).await.map_err(|e| {
            tracing::warn!(error = %e, %session, "could not expire a checkout session");
            AppError::Unavailable(
                "We couldn't close the buyer's open card checkout for this invoice, so nothing was changed. The buyer may be paying right now: try again in a minute.".into(),
            )
        })?;
    }
    Ok(())
}

pub async fn void(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<VoidForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageInvoices)?;
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::Validation(
            "Say why the invoice is void (up to 500 characters).".into(),
        ));
    }
    let (provider, id, base) = (ctx.provider_id, id.into_inner(), config.base_url.clone());
    let actor = ctx.user.actor.clone();
    close_checkouts(&pool, &gateway, provider, id).await?;
    with_conn(&pool, move |conn| {
        queries::void(conn, provider, id, &reason, (&actor, &base))
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Invoice voided. Its number stays used.");
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaidForm {
    method: String,
    paid_on: String,
    reference: String,
}

/// The provider records money received outside Larder (bank transfer, cheque, cash): the
/// invoice is settled, both sides are told, and the payment row keeps who recorded it.
pub async fn mark_paid(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<PaidForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageInvoices)?;
    let today = london_today();
    let offline =
        payment_rules::offline_payment(&form.method, &form.paid_on, &form.reference, today)
            .map_err(|why| AppError::Validation(why.to_owned()))?;
    let (provider, actor, id, base) = (
        ctx.provider_id,
        ctx.user.actor.clone(),
        id.into_inner(),
        config.base_url.clone(),
    );
    close_checkouts(&pool, &gateway, provider, id).await?;
    with_conn(&pool, move |conn| {
        payment_queries::record_offline(conn, provider, id, &actor, &offline, &base)
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Payment recorded: the invoice is paid, and the buyer has been told.",
    );
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

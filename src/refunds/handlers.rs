//! Refunding an invoice (provider owners and managers) and reading credit notes (both sides).

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::credit_notes::{self, CreditNote};
use super::gateway::{self, RefundOutcome};
use super::queries::{self, Begun, Completed, Plan};
use super::rules::{Problems, RatePart};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::{CreditNoteId, InvoiceId};
use crate::invoicing::handlers::{Entered, page};
use crate::payments::gateway::{Gateway, GatewayError};
use crate::tenancy::{BuyerCtx, CurrentUser, Permission, ProviderCtx, Scope, Side};
use crate::timefmt::london_today;
use crate::web::forms::Form;
use crate::web::session::FlashKind;

use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RefundForm {
    refund_amount: String,
    refund_reason: String,
    /// The form's idempotency key, fresh each time the page draws the form.
    key: String,
    /// "1": send the refund already waiting on this invoice again.
    retry: String,
}

impl RefundForm {
    /// A refund asked for by another part of Larder (an accepted credit request), keyed by
    /// that part's own row so asking twice refunds once.
    pub fn new(amount: rust_decimal::Decimal, reason: String, key: uuid::Uuid) -> Self {
        Self {
            refund_amount: crate::money::plain(amount),
            refund_reason: reason,
            key: key.to_string(),
            retry: String::new(),
        }
    }

    /// The refused form as typed, for the page that shows it again.
    pub fn entered(self, problems: Problems) -> Entered {
        let typed = HashMap::from([
            ("refund_amount".to_owned(), self.refund_amount),
            ("refund_reason".to_owned(), self.refund_reason),
            ("key".to_owned(), self.key),
        ]);
        let errors = problems
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        Entered { typed, errors }
    }
}

/// Asks the gateway that took the payment. A test-gateway payment is refunded by the test
/// gateway whatever is configured now; money taken outside Larder was given back outside it.
async fn send(gateway: &Gateway, plan: &Plan) -> Result<RefundOutcome, GatewayError> {
    match (plan.gateway.as_str(), &plan.order) {
        ("offline", _) => Ok(RefundOutcome::Accepted { id: String::new() }),
        ("test", Some(order)) => gateway::refund(&Gateway::Test, order).await,
        ("stripe", Some(order)) if !gateway.is_test() => gateway::refund(gateway, order).await,
        _ => Err(GatewayError::Unreachable(
            "this payment's gateway isn't configured here".into(),
        )),
    }
}

/// What a refund form came to, for the page that sent it.
pub enum Made {
    /// Sent (or refused by Stripe, or sent before): the flash says which.
    Done,
    /// The form's problems, to show on the same form.
    Refused(RefundForm, Problems),
}

/// The whole refund, for a provider's invoice page or an admin's: writes the refund row,
/// asks Stripe under the row's key, records the answer (credit note, invoice, journal).
pub async fn make(
    parts: (&web::Data<DbPool>, &Gateway, &Config),
    user: &CurrentUser,
    scope: Scope,
    id: InvoiceId,
    form: RefundForm,
) -> Result<Made, AppError> {
    let (pool, gateway, config) = parts;
    let actor = user.actor.clone();
    let plan = if form.retry == "1" {
        with_conn(pool, move |conn| queries::retry(conn, scope, id)).await?
    } else {
        let key = uuid::Uuid::parse_str(form.key.trim()).ok();
        let (amount, reason) = (form.refund_amount.clone(), form.refund_reason.clone());
        let actor = actor.clone();
        let begun = with_conn(pool, move |conn| {
            let ask = queries::Ask {
                amount: &amount,
                reason: &reason,
                key,
            };
            queries::begin(conn, scope, id, ask, &actor)
        })
        .await?;
        match begun {
            Begun::Plan(plan) => plan,
            Begun::Refused(problems) => return Ok(Made::Refused(form, problems)),
            Begun::Replayed => return Ok(Made::Done),
        }
    };
    let outcome = send(gateway, &plan).await.map_err(|e| {
        tracing::warn!(error = %e, refund = %plan.refund, "refund not confirmed by the gateway");
        AppError::Unavailable(
            "We couldn't get an answer from Stripe, so this refund isn't confirmed yet. It is saved: send it again from the invoice page. It can never be paid out twice.".into(),
        )
    })?;
    let (refund, base) = (plan.refund, config.base_url.clone());
    let now = (time::OffsetDateTime::now_utc(), london_today());
    let done = with_conn(pool, move |conn| {
        queries::complete(conn, refund, &outcome, now, (&actor, &base))
    })
    .await?;
    let amount = crate::money::format_gbp(plan.amount);
    match done {
        Completed::Refunded { credit_note } => user.session.flash(
            FlashKind::Ok,
            format!("Refunded {amount}. Credit note {credit_note} is issued and has been emailed to the buyer."),
        ),
        Completed::Declined { reason } => user.session.flash(
            FlashKind::Error,
            format!("Stripe refused the refund of {amount}: {reason}. Nothing was refunded."),
        ),
    }
    Ok(Made::Done)
}

/// The refund a keyed form made, unless Stripe refused it (then the flash already says why):
/// for callers that key a refund by their own row and record it after `make`.
pub async fn made(
    pool: &web::Data<DbPool>,
    key: uuid::Uuid,
) -> Result<Option<crate::ids::RefundId>, AppError> {
    let found = with_conn(pool, move |conn| Ok(queries::by_form_key(conn, key)?)).await?;
    Ok(found.and_then(|(refund, status)| (status != "failed").then_some(refund)))
}

pub async fn refund(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<RefundForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::RefundInvoices)?;
    let (scope, id) = (Scope::Provider(ctx.provider_id), id.into_inner());
    match make((&pool, &gateway, &config), &ctx.user, scope, id, form).await? {
        Made::Done => Ok(see_other(&format!("/provider/invoices/{id}"))),
        Made::Refused(form, problems) => {
            page(
                |i| ctx.user.meta(i.title()),
                &pool,
                None,
                ctx.acting(),
                id,
                false,
                Some(form.entered(problems)),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "refunds/credit_note.html")]
struct NotePage {
    meta: PageMeta,
    note: CreditNote,
    lines: Vec<RatePart>,
    invoice_path: String,
}

impl NotePage {
    fn rate(&self, r: &RatePart) -> String {
        format!("{}%", r.rate.normalize())
    }
    fn money(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        crate::money::format_gbp(*d.borrow())
    }
}

pub async fn note_page(
    pool: &web::Data<DbPool>,
    meta: impl FnOnce(&CreditNote) -> PageMeta,
    scope: Scope,
    invoices_path: &str,
    id: CreditNoteId,
) -> Result<HttpResponse, AppError> {
    let (note, lines) = with_conn(pool, move |conn| {
        let note = credit_notes::find(conn, scope, id)?;
        let lines = credit_notes::lines(conn, id)?;
        Ok((note, lines))
    })
    .await?;
    render(&NotePage {
        meta: meta(&note),
        invoice_path: format!("{invoices_path}/{}", note.invoice_id),
        note,
        lines,
    })
}

pub async fn provider_note(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<CreditNoteId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewInvoices)?;
    note_page(
        &pool,
        |n| ctx.user.meta(format!("Credit note {}", n.number)),
        Scope::Provider(ctx.provider_id),
        Side::Provider.invoices_path(),
        id.into_inner(),
    )
    .await
}

pub async fn buyer_note(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<CreditNoteId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewInvoices)?;
    note_page(
        &pool,
        |n| ctx.user.meta(format!("Credit note {}", n.number)),
        Scope::Buyer(ctx.business_id),
        Side::Buyer.invoices_path(),
        id.into_inner(),
    )
    .await
}

/// An admin gives back money that arrived but couldn't be applied, through Stripe.
pub async fn refund_unapplied(
    admin: crate::tenancy::AdminCtx,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<crate::ids::PaymentId>,
) -> Result<HttpResponse, AppError> {
    let (payment, actor) = (id.into_inner(), admin.user.actor.clone());
    let begin_actor = actor.clone();
    let plan = with_conn(&pool, move |conn| {
        queries::begin_unapplied(conn, payment, &begin_actor)
    })
    .await?;
    let outcome = send(&gateway, &plan).await.map_err(|e| {
        tracing::warn!(error = %e, refund = %plan.refund, "refund not confirmed by the gateway");
        AppError::Unavailable(
            "We couldn't get an answer from Stripe, so this refund isn't confirmed. Check the payment in the Stripe dashboard before trying again.".into(),
        )
    })?;
    let (refund, now) = (plan.refund, time::OffsetDateTime::now_utc());
    let done = with_conn(&pool, move |conn| {
        queries::complete_unapplied(conn, refund, &outcome, (now, &actor))
    })
    .await?;
    let amount = crate::money::format_gbp(plan.amount);
    match done {
        Completed::Refunded { .. } => admin.user.session.flash(
            FlashKind::Ok,
            format!("Refunded {amount} to the buyer's card."),
        ),
        Completed::Declined { reason } => admin.user.session.flash(
            FlashKind::Error,
            format!("Stripe refused the refund of {amount}: {reason}."),
        ),
    }
    Ok(see_other("/admin/refunds"))
}

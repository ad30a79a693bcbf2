//! The provider's side: the requests waiting for them, and accepting or declining one.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::answers::{self, Money, Settle};
use super::handlers::{RequestPage, list_page};
use super::queries;
use super::rules;
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::CreditRequestId;
use crate::payments::gateway::Gateway;
use crate::refunds::handlers::{Made, RefundForm, make};
use crate::tenancy::{Permission, ProviderCtx, Scope};
use crate::web::forms::Form;
use crate::web::pagination::ListQuery;
use crate::web::session::FlashKind;
use crate::web::{AppError, render_with_status, see_other, with_conn};

pub async fn list(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    list_page(
        ctx.user.meta("Credit requests"),
        &pool,
        Scope::Provider(ctx.provider_id),
        &query,
    )
    .await
}

pub(super) async fn page(
    ctx: &ProviderCtx,
    pool: &web::Data<DbPool>,
    id: CreditRequestId,
    refused: Option<(String, String)>,
    refused_message: Option<super::thread_handlers::Refused>,
) -> Result<HttpResponse, AppError> {
    let scope = Scope::Provider(ctx.provider_id);
    let (r, lines, refunds, messages) = with_conn(pool, move |conn| {
        let r = queries::find(conn, scope, id)?;
        let lines = queries::lines(conn, id)?;
        let paid = crate::invoicing::queries::for_order(conn, scope, r.order_id.0)?
            .is_some_and(|i| i.status.was_paid());
        Ok((r, lines, paid, super::thread::messages(conn, id)?))
    })
    .await?;
    let meta = ctx
        .user
        .meta(format!("Credit request on order {}", r.order_number));
    let mut thread = super::thread::ThreadView::new(
        &meta.csrf,
        &r,
        messages,
        &format!("/provider/credit-requests/{id}"),
        ctx.acting().may(Permission::AnswerCredits),
    );
    let thread_refused = refused_message.is_some();
    if let Some(f) = refused_message {
        thread = thread.refused(f.error, f.typed, f.key);
    }
    let can_answer = ctx.acting().may(Permission::AnswerCredits)
        && matches!(r.state(), rules::Status::Open | rules::Status::Escalated);
    let (decline_error, typed_reason) = match refused {
        Some((e, typed)) => (Some(e), typed),
        None => (None, String::new()),
    };
    let code = if decline_error.is_some() || thread_refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(
        code,
        &RequestPage {
            meta,
            due: crate::timefmt::datetime(rules::answer_due(r.created_at)),
            r,
            lines,
            provider: true,
            can_answer,
            can_escalate: false,
            decline_error,
            typed_reason,
            refunds,
            thread,
        },
    )
}

pub async fn show(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    page(&ctx, &pool, id.into_inner(), None, None).await
}

/// The accept form: the credit request lines ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    line: Vec<i64>,
}

pub async fn accept(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
    Form(form): Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::AnswerCredits)?;
    let (scope, id) = (Scope::Provider(ctx.provider_id), id.into_inner());
    let lines = form.line;
    let chosen = lines.clone();
    let settle = with_conn(&pool, move |conn| answers::plan(conn, scope, id, &chosen)).await?;
    let money = Money::from(&settle);
    let (amount, money) = match settle {
        Settle::Record { amount } | Settle::Credit { amount, .. } => (amount, money),
        Settle::Refund {
            invoice,
            amount,
            reason,
        } => {
            let form = RefundForm::new(amount, reason, id.0);
            match make((&pool, &gateway, &config), &ctx.user, scope, invoice, form).await? {
                Made::Done => {}
                Made::Refused(_, problems) => {
                    let why = problems
                        .into_iter()
                        .map(|(_, m)| m)
                        .collect::<Vec<_>>()
                        .join(" ");
                    return Err(AppError::Conflict(format!(
                        "The refund couldn't be made: {why} Accept fewer lines, or refund from the invoice."
                    )));
                }
            }
            match crate::refunds::handlers::made(&pool, id.0).await? {
                Some(refund) => (amount, Money::Refunded(refund)),
                // Stripe refused it; the flash says why, and the request still waits.
                None => return Ok(see_other(&format!("/provider/credit-requests/{id}"))),
            }
        }
    };
    let (user, actor, now, base) = (
        ctx.user.id,
        ctx.user.actor.clone(),
        ctx.user.now,
        config.base_url.clone(),
    );
    let told = match &money {
        Money::Refunded(_) => None,
        Money::Credit { .. } => Some(format!(
            "Accepted {}. A credit note lowers the unpaid invoice by that much; both sides have it by email.",
            crate::money::format_gbp(amount)
        )),
        Money::Nothing => Some(format!(
            "Accepted {}. The order isn't invoiced yet: invoice what was delivered less this credit.",
            crate::money::format_gbp(amount)
        )),
    };
    with_conn(&pool, move |conn| {
        answers::accept(
            conn,
            scope,
            id,
            (&lines, amount, &money),
            (user, &actor, now, &base),
        )
    })
    .await?;
    if let Some(told) = told {
        ctx.user.session.flash(FlashKind::Ok, told);
    }
    Ok(see_other(&format!("/provider/credit-requests/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeclineForm {
    reason: String,
}

pub async fn decline(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
    Form(form): Form<DeclineForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::AnswerCredits)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let (user, actor, now, base) = (
        ctx.user.id,
        ctx.user.actor.clone(),
        ctx.user.now,
        config.base_url.clone(),
    );
    let reason = form.reason.clone();
    let done = with_conn(&pool, move |conn| {
        answers::decline(conn, provider, id, &reason, (user, &actor, now, &base))
    })
    .await?;
    match done {
        Ok(()) => {
            ctx.user
                .session
                .flash(FlashKind::Ok, "Declined. The buyer has been told why.");
            Ok(see_other(&format!("/provider/credit-requests/{id}")))
        }
        Err(problem) => page(&ctx, &pool, id, Some((problem, form.reason)), None).await,
    }
}

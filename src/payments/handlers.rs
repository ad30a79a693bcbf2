//! Paying an invoice: the buyer's "Pay", the local test checkout, and Stripe's webhook.

use crate::ids::InvoiceId;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::events::{self, EventKind, PaymentEvent};
use super::gateway::{CheckoutRequest, Gateway};
use super::queries::{self, Reserved};
use crate::config::Config;
use crate::db::DbPool;
use crate::tenancy::BuyerCtx;
use crate::tenancy::Permission;
use crate::web::errors::KeepBody;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};
use stripe_webhook::{Webhook, WebhookError};

pub async fn pay(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
    id: web::Path<InvoiceId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    let (business, invoice, name) = (ctx.business_id, id.into_inner(), gateway.name());
    if !with_conn(&pool, move |conn| {
        Ok(queries::owns_invoice(conn, business, invoice)?)
    })
    .await?
    {
        return Err(AppError::NotFound);
    }
    // Earlier attempts that ran out settle first, so one that did go through is found.
    super::reconcile::resolve(&pool, &gateway, invoice, &config.base_url).await?;
    let reserved = with_conn(&pool, move |conn| {
        queries::reserve(conn, business, invoice, name)
    })
    .await?;
    let (payment, amount, number, destination) = match reserved {
        Reserved::Reuse(url) => return Ok(see_other(&url)),
        Reserved::New {
            payment,
            amount,
            number,
            destination,
        } => (payment, amount, number, destination),
    };
    let base = &config.base_url;
    let request = CheckoutRequest {
        payment_id: payment,
        invoice_id: invoice,
        description: format!("Invoice {number}"),
        amount,
        customer_email: ctx.user.email.clone(),
        success_url: format!("{base}/invoices/{invoice}?payment=processing"),
        cancel_url: format!("{base}/invoices/{invoice}"),
        destination: Some(destination),
    };
    match gateway.create_checkout(&request).await {
        Ok(session) => {
            let url = session.url.clone();
            with_conn(&pool, move |conn| {
                Ok(queries::attach_session(conn, payment, &session)?)
            })
            .await?;
            Ok(see_other(&url))
        }
        Err(e) => {
            tracing::error!(error = %e, %invoice, "could not open a checkout session");
            let reason = e.to_string();
            with_conn(&pool, move |conn| {
                Ok(queries::setup_failed(conn, payment, &reason)?)
            })
            .await?;
            crate::telemetry::payment_failed();
            Err(AppError::Unavailable("We couldn't reach the payment provider. Nothing was charged; please try again in a few minutes.".into()))
        }
    }
}

#[derive(Template)]
#[template(path = "payments/test_checkout.html")]
struct TestCheckoutPage {
    meta: PageMeta,
    session: String,
    invoice: InvoiceId,
    amount: String,
    pending: bool,
}

pub async fn test_checkout(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
    session: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let (business, session) = (ctx.business_id, session.into_inner());
    let lookup = session.clone();
    let (invoice, status, amount) = with_conn(&pool, move |conn| {
        Ok(queries::test_session(conn, business, &lookup)?)
    })
    .await?;
    render(&TestCheckoutPage {
        meta: ctx.user.meta("Test checkout"),
        session,
        invoice,
        amount: crate::money::format_gbp(amount),
        pending: status == super::rules::PaymentStatus::Pending,
    })
}

/// The test gateway's Pay and Fail buttons: the same internal events a Stripe webhook makes.
pub async fn test_checkout_outcome(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PayInvoices)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let (session, outcome) = path.into_inner();
    let kind = match outcome.as_str() {
        "pay" => EventKind::Completed { paid: true },
        "fail" => EventKind::AsyncFailed,
        _ => return Err(AppError::NotFound),
    };
    let (business, base) = (ctx.business_id, config.base_url.clone());
    let applied = with_conn(&pool, move |conn| {
        let (invoice, _, amount) = queries::test_session(conn, business, &session)?;
        // The local gateway charges exactly what was asked, as Stripe reports it.
        let event = PaymentEvent {
            id: format!("evt_local_{}", Uuid::now_v7().simple()),
            kind,
            session_id: Some(session.clone()),
            payment_intent: Some(format!("pi_local_{}", Uuid::now_v7().simple())),
            amount_minor: super::gateway::pennies(amount),
            currency: Some("gbp".into()),
        };
        let payload = serde_json::json!({ "id": event.id, "type": event.type_name(), "local": true, "session": session });
        Ok((invoice, events::apply(conn, &event, &payload, &base)?))
    })
    .await?;
    let (invoice, applied) = applied;
    if matches!(applied, events::Applied::Failed) {
        ctx.user.session.flash(
            FlashKind::Error,
            "The payment failed: your bank declined it. Nothing was charged; you can try again.",
        );
        return Ok(see_other(&format!("/invoices/{invoice}")));
    }
    Ok(see_other(&format!(
        "/invoices/{invoice}?payment=processing"
    )))
}

fn plain(status: StatusCode, body: &'static str) -> HttpResponse {
    let mut res = HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(body);
    res.extensions_mut().insert(KeepBody);
    res
}

/// Stripe's webhook: the signature is checked before anything is read or stored.
pub async fn webhook(
    req: HttpRequest,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let Some(secret) = config.stripe_webhook_secret.clone() else {
        return Ok(plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "webhooks are not configured",
        ));
    };
    let header = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (Ok(text), now) = (
        std::str::from_utf8(&body),
        time::OffsetDateTime::now_utc().unix_timestamp(),
    ) else {
        return Ok(plain(StatusCode::BAD_REQUEST, "not a Stripe event"));
    };
    let event = match Webhook::construct_event_with_timestamp(text, header, &secret, now) {
        Ok(event) => event,
        Err(WebhookError::BadParse(e)) => {
            // Signed by Stripe but unreadable to this version: Stripe retries, and the
            // pending-payment check asks Stripe directly meanwhile.
            tracing::error!(error = %e, "signed webhook we could not read");
            return Ok(plain(StatusCode::BAD_REQUEST, "not a Stripe event"));
        }
        Err(e) => {
            tracing::warn!(error = %e, "webhook refused");
            return Ok(plain(StatusCode::BAD_REQUEST, "invalid signature"));
        }
    };
    let payload = serde_json::from_str::<serde_json::Value>(text)
        .map(events::without_nul)
        .unwrap_or_default();
    let base = config.base_url.clone();
    let applied = with_conn(&pool, move |conn| {
        events::dispatch(conn, &event, &payload, &base)
    })
    .await?;
    tracing::info!(?applied, "webhook applied");
    Ok(plain(StatusCode::OK, "ok"))
}

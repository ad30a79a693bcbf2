//! Invoice pages: the provider creates, edits, issues and voids; both sides list and read.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Invoice, InvoiceLine, InvoiceRow, totals};
use super::queries::{self, Charge, InvoiceFilter, LineEdit};
use crate::catalog::rules as fields;
use crate::db::DbPool;
use crate::money::{self, Totals};
use crate::ordering::checkout::london_today;
use crate::ordering::queries::Scope;
use crate::payments::queries::{self as payment_queries, PaymentRow};
use crate::web::auth::{BuyerCtx, ProviderCtx};
use crate::web::forms::Form;
use crate::web::pagination::{PageRequest, Paged};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    show: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "invoicing/invoices.html")]
struct InvoicesPage {
    meta: PageMeta,
    provider_side: bool,
    show: &'static str,
    rows: Paged<InvoiceRow>,
    outstanding: String,
    overdue: String,
    today: time::Date,
}

impl InvoicesPage {
    fn base(&self) -> &'static str {
        if self.provider_side {
            "/provider/invoices"
        } else {
            "/invoices"
        }
    }
    fn page_link(&self, page: i64) -> String {
        format!("{}?show={}&page={page}", self.base(), self.show)
    }
}

fn show_name(f: InvoiceFilter) -> &'static str {
    match f {
        InvoiceFilter::All => "all",
        InvoiceFilter::Unpaid => "unpaid",
        InvoiceFilter::Overdue => "overdue",
        InvoiceFilter::Paid => "paid",
        InvoiceFilter::Draft => "draft",
    }
}

async fn list(
    meta: PageMeta,
    pool: &web::Data<DbPool>,
    scope: Scope,
    query: &ListQuery,
) -> Result<HttpResponse, AppError> {
    let filter = InvoiceFilter::parse(query.show.as_deref());
    let page = PageRequest::from_query(query.page.as_deref());
    let today = london_today();
    let (rows, (outstanding, overdue)) = with_conn(pool, move |conn| {
        Ok((
            queries::list(conn, scope, filter, today, page)?,
            queries::outstanding(conn, scope, today)?,
        ))
    })
    .await?;
    render(&InvoicesPage {
        meta,
        provider_side: matches!(scope, Scope::Provider(_)),
        show: show_name(filter),
        rows: Paged::new(rows, page),
        outstanding: money::format_gbp(outstanding),
        overdue: money::format_gbp(overdue),
        today,
    })
}

pub async fn buyer_invoices(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    list(
        ctx.user.meta("Invoices"),
        &pool,
        Scope::Buyer(ctx.business_id),
        &query,
    )
    .await
}

pub async fn provider_invoices(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    list(
        ctx.user.meta("Invoices"),
        &pool,
        Scope::Provider(ctx.provider_id),
        &query,
    )
    .await
}

#[derive(Template)]
#[template(path = "invoicing/invoice.html")]
struct InvoicePage {
    meta: PageMeta,
    provider_side: bool,
    invoice: Invoice,
    lines: Vec<InvoiceLine>,
    totals: Totals,
    status: &'static str,
    payment: PaymentPartial,
}

/// The payment region: state, history, and (buyers) the Pay button. While a payment is
/// being processed it polls until the webhook lands.
#[derive(Template)]
#[template(path = "invoicing/_payment.html")]
struct PaymentPartial {
    meta: PageMeta,
    invoice_id: Uuid,
    provider_side: bool,
    invoice_status: String,
    outstanding: String,
    payments: Vec<PaymentRow>,
    processing: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct PaymentQuery {
    payment: Option<String>,
}

impl InvoicePage {
    fn editable(&self) -> bool {
        self.provider_side && self.invoice.status == "draft"
    }
}

async fn page(
    meta_of: impl FnOnce(&Invoice) -> PageMeta,
    pool: &web::Data<DbPool>,
    scope: Scope,
    id: Uuid,
    processing: bool,
) -> Result<HttpResponse, AppError> {
    let (invoice, lines, payments) = with_conn(pool, move |conn| {
        let invoice = queries::find(conn, scope, id)?;
        let lines = queries::lines(conn, invoice.id)?;
        let payments = payment_queries::for_invoice(conn, invoice.id)?;
        Ok((invoice, lines, payments))
    })
    .await?;
    let status = invoice.status_label(london_today());
    let meta = meta_of(&invoice);
    let provider_side = matches!(scope, Scope::Provider(_));
    render(&InvoicePage {
        payment: payment_partial(meta.clone(), &invoice, provider_side, payments, processing),
        meta,
        provider_side,
        totals: totals(&lines),
        invoice,
        lines,
        status,
    })
}

fn payment_partial(
    meta: PageMeta,
    invoice: &Invoice,
    provider_side: bool,
    payments: Vec<PaymentRow>,
    processing: bool,
) -> PaymentPartial {
    PaymentPartial {
        meta,
        invoice_id: invoice.id,
        provider_side,
        invoice_status: invoice.status.clone(),
        outstanding: invoice.outstanding_text(),
        processing: processing && invoice.status == "issued",
        payments,
    }
}

/// The payment region alone, for the success page's polling.
pub async fn payment_region(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (business, id) = (ctx.business_id, id.into_inner());
    let (invoice, payments) = with_conn(&pool, move |conn| {
        let invoice = queries::find(conn, Scope::Buyer(business), id)?;
        let payments = payment_queries::for_invoice(conn, id)?;
        Ok((invoice, payments))
    })
    .await?;
    let res = render(&payment_partial(
        ctx.user.meta(""),
        &invoice,
        false,
        payments,
        true,
    ))?;
    Ok(crate::web::htmx::with_vary(res))
}

pub async fn buyer_invoice(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    query: web::Query<PaymentQuery>,
) -> Result<HttpResponse, AppError> {
    let processing = query.payment.as_deref() == Some("processing");
    page(
        |i| ctx.user.meta(i.title()),
        &pool,
        Scope::Buyer(ctx.business_id),
        id.into_inner(),
        processing,
    )
    .await
}

pub async fn provider_invoice(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    page(
        |i| ctx.user.meta(i.title()),
        &pool,
        Scope::Provider(ctx.provider_id),
        id.into_inner(),
        false,
    )
    .await
}

pub async fn create(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    order: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (provider, order) = (ctx.provider_id, order.into_inner());
    let id = with_conn(&pool, move |conn| {
        queries::create_from_order(conn, provider, order)
    })
    .await?;
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

/// Parses "qty_<id>", "price_<id>", "remove_<id>" and the delivery charge fields.
fn parse_edits(
    form: &HashMap<String, String>,
) -> Result<(Vec<LineEdit>, Option<Charge>), AppError> {
    let bad = |what: &str| AppError::Validation(what.to_owned());
    let mut edits: HashMap<Uuid, LineEdit> = HashMap::new();
    for (name, value) in form {
        let Some((field, id)) = name
            .split_once('_')
            .filter(|(f, _)| matches!(*f, "qty" | "price" | "remove"))
        else {
            continue;
        };
        let id = Uuid::parse_str(id)
            .map_err(|_| bad("The invoice form was damaged. Reload and try again."))?;
        let edit = edits.entry(id).or_insert(LineEdit {
            id,
            quantity: Decimal::ONE,
            unit_price: Decimal::ZERO,
            remove: false,
        });
        match field {
            "qty" => edit.quantity = crate::ordering::rules::quantity(value, true).map_err(bad)?,
            "price" => edit.unit_price = money::parse_gbp(value).map_err(|e| bad(e.message()))?,
            _ => edit.remove = true,
        }
    }
    let get = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or("");
    let charge = match (get("delivery_description"), get("delivery_price")) {
        ("", "") => None,
        (description, price) => {
            let description = if description.is_empty() {
                "Delivery"
            } else {
                description
            };
            if description.chars().count() > 200 {
                return Err(bad("Keep the charge's description under 200 characters."));
            }
            Some(Charge {
                description: description.to_owned(),
                price: fields::price(price).map_err(bad)?,
                vat_rate: fields::vat_rate(if get("delivery_vat").is_empty() {
                    "20"
                } else {
                    get("delivery_vat")
                })
                .map_err(bad)?,
            })
        }
    };
    Ok((edits.into_values().collect(), charge))
}

pub async fn update(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (provider, id) = (ctx.provider_id, id.into_inner());
    with_conn(&pool, move |conn| {
        Ok(queries::find(conn, Scope::Provider(provider), id)?)
    })
    .await?;
    let (edits, charge) = parse_edits(&form)?;
    with_conn(&pool, move |conn| {
        queries::update_draft(conn, provider, id, &edits, charge.as_ref())
    })
    .await?;
    ctx.user.session.flash(FlashKind::Ok, "Draft saved.");
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

pub async fn issue(
    ctx: ProviderCtx,
    config: web::Data<crate::config::Config>,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (provider, id, base) = (ctx.provider_id, id.into_inner(), config.base_url.clone());
    let number = with_conn(&pool, move |conn| {
        queries::issue(conn, provider, id, london_today(), &base)
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        format!("Invoice {number} issued. The buyer can see and pay it now."),
    );
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

#[derive(Deserialize)]
pub struct VoidForm {
    #[serde(default)]
    reason: String,
}

pub async fn void(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<VoidForm>,
) -> Result<HttpResponse, AppError> {
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::Validation(
            "Say why the invoice is void (up to 500 characters).".into(),
        ));
    }
    let (provider, id) = (ctx.provider_id, id.into_inner());
    with_conn(&pool, move |conn| {
        queries::void(conn, provider, id, &reason)
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Invoice voided. Its number stays used.");
    Ok(see_other(&format!("/provider/invoices/{id}")))
}

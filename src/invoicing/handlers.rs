//! Invoice pages: both sides list and read; the provider's draft actions are in `draft_handlers`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::draft_form::FieldMessages;
use super::model::{Invoice, InvoiceLine, InvoiceRow, totals};
use super::queries::{self, InvoiceFilter};
use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::ids::InvoiceId;
use crate::money::{self, Totals};
use crate::payments::gateway::Gateway;
use crate::payments::queries::{self as payment_queries, PaymentRow};
use crate::payments::reconcile;
use crate::payments::rules::{Waiting, waiting};
use crate::refunds::credit_notes::{self, NoteRow};
use crate::refunds::queries::{self as refund_queries, RefundRow};
use crate::tenancy::{Acting, BuyerCtx, Permission, ProviderCtx, Scope, Side};
use crate::timefmt::london_today;
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, render_with_status, with_conn};

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    show: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "invoicing/invoices.html")]
struct InvoicesPage {
    meta: PageMeta,
    side: Side,
    show: &'static str,
    rows: Paged<InvoiceRow>,
    outstanding: String,
    overdue: String,
    today: time::Date,
}

impl InvoicesPage {
    fn base(&self) -> &'static str {
        self.side.invoices_path()
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
    side: Side,
    query: &ListQuery,
) -> Result<HttpResponse, AppError> {
    let filter = InvoiceFilter::parse(query.show.as_deref());
    let page = PageRequest::from_query(query.page.as_deref());
    // The request's own clock (tests move it), as every time rule does.
    let today = meta
        .now
        .map_or_else(london_today, |now| crate::timefmt::to_london(now).date());
    let (rows, (outstanding, overdue)) = with_conn(pool, move |conn| {
        Ok((
            queries::list(conn, scope, filter, today, page)?,
            queries::outstanding(conn, scope, today)?,
        ))
    })
    .await?;
    render(&InvoicesPage {
        meta,
        side,
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
    ctx.require(Permission::ViewInvoices)?;
    list(
        ctx.user.meta("Invoices"),
        &pool,
        ctx.scope(),
        Side::Buyer,
        &query,
    )
    .await
}

pub async fn provider_invoices(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewInvoices)?;
    list(
        ctx.user.meta("Invoices"),
        &pool,
        ctx.scope(),
        Side::Provider,
        &query,
    )
    .await
}

#[derive(Template)]
#[template(path = "invoicing/invoice.html")]
struct InvoicePage {
    meta: PageMeta,
    side: Side,
    acting: Acting,
    invoice: Invoice,
    lines: Vec<InvoiceLine>,
    totals: Totals,
    status: &'static str,
    payment: PaymentPartial,
    /// The draft (or refund) form as typed, shown again with its messages when it was refused.
    entered: Entered,
    refunds: Vec<RefundRow>,
    notes: Vec<NoteRow>,
}

/// A refused draft form: the fields as typed and a message per field.
#[derive(Debug, Clone, Default)]
pub struct Entered {
    pub typed: HashMap<String, String>,
    pub errors: FieldMessages,
}

/// The payment region: state, history, and (buyers) the Pay button. While a payment is
/// being processed it polls until the webhook lands.
#[derive(Template)]
#[template(path = "invoicing/_payment.html")]
pub(super) struct PaymentPartial {
    meta: PageMeta,
    invoice_id: InvoiceId,
    side: Side,
    paid: bool,
    unpaid: bool,
    /// A buyer who may pay: the Pay button.
    can_pay: bool,
    /// The provider's payout account takes cards.
    card_ready: bool,
    /// The buyer's default saved card, for one-click payment.
    saved_card: Option<String>,
    /// The buyer business pays issued invoices automatically on their due date.
    autopay: bool,
    due: String,
    /// A provider who may record money received outside Larder.
    can_record: bool,
    outstanding: String,
    payments: Vec<PaymentRow>,
    waiting: Waiting,
    poll: bool,
    today: String,
}

impl PaymentPartial {
    fn checkout_wait(&self) -> bool {
        self.waiting == Waiting::Checkout
    }
    fn bank_wait(&self) -> bool {
        self.waiting == Waiting::Bank
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct PaymentQuery {
    payment: Option<String>,
}

impl InvoicePage {
    /// The statement month the invoice counts in.
    fn statement_month(&self) -> String {
        self.invoice
            .issue_date
            .map(crate::statements::rules::StatementMonth::of)
            .map(|m| m.key())
            .unwrap_or_default()
    }

    /// The order behind a buyer's invoice, when they may ask for credit on its delivery.
    fn credit_order(&self) -> Option<crate::ids::OrderId> {
        let asks = self.side == Side::Buyer && self.acting.may(Permission::ReceiveDeliveries);
        self.invoice
            .order_id
            .filter(|_| asks && !self.invoice.is_draft())
    }

    fn manages(&self) -> bool {
        self.acting.may(Permission::ManageInvoices)
    }

    fn editable(&self) -> bool {
        self.manages() && self.invoice.is_draft()
    }

    fn typed_or(&self, field: String, shown: String) -> String {
        self.entered.typed.get(&field).cloned().unwrap_or(shown)
    }

    fn qty_value(&self, l: &InvoiceLine) -> String {
        self.typed_or(format!("qty_{}", l.id), l.quantity_text())
    }

    fn price_value(&self, l: &InvoiceLine) -> String {
        self.typed_or(format!("price_{}", l.id), l.price_plain())
    }

    fn removing(&self, l: &InvoiceLine) -> bool {
        self.entered.typed.contains_key(&format!("remove_{}", l.id))
    }

    fn field(&self, name: &str) -> String {
        self.typed_or(name.to_owned(), String::new())
    }

    fn error(&self, field: &str) -> Option<&String> {
        self.entered.errors.get(field)
    }

    fn qty_error(&self, l: &InvoiceLine) -> Option<&String> {
        self.error(&format!("qty_{}", l.id))
    }

    fn price_error(&self, l: &InvoiceLine) -> Option<&String> {
        self.error(&format!("price_{}", l.id))
    }

    /// A member who may refund, on an invoice with money left to give back and no refund in
    /// flight.
    fn can_refund(&self) -> bool {
        self.acting.may(Permission::RefundInvoices)
            && crate::refunds::rules::can_refund(self.invoice.status).is_ok()
            && !self.refunds.iter().any(|r| r.is_open())
    }

    fn may_retry(&self) -> bool {
        self.acting.may(Permission::RefundInvoices)
    }

    fn refund_form(&self) -> crate::refunds::form::RefundFormView {
        crate::refunds::form::RefundFormView::new(
            format!("/provider/invoices/{}/refund", self.invoice.id),
            &self.meta.csrf,
            self.invoice.amount_paid - self.invoice.amount_refunded,
            &self.entered,
        )
    }

    fn note_path(&self) -> &'static str {
        match self.side {
            Side::Buyer => "/credit-notes",
            Side::Provider => "/provider/credit-notes",
        }
    }
}

/// Where the page's payment facts come from: the gateway (to settle attempts that never
/// heard back) and the base URL for the emails that may cause.
pub(crate) struct PaymentSource<'a> {
    pub gateway: &'a Gateway,
    pub base_url: &'a str,
}

/// Settles this invoice's stale payment attempts, once the asker is known to see it.
async fn settle_stale(
    pool: &web::Data<DbPool>,
    source: &PaymentSource<'_>,
    scope: Scope,
    id: InvoiceId,
) -> Result<(), AppError> {
    let now = time::OffsetDateTime::now_utc();
    let stale = with_conn(pool, move |conn| {
        queries::find(conn, scope, id)?;
        Ok(!reconcile::stale_attempts(conn, id, now)?.is_empty())
    })
    .await?;
    if stale {
        reconcile::resolve(pool, source.gateway, id, source.base_url).await?;
    }
    Ok(())
}

pub(crate) async fn page(
    meta_of: impl FnOnce(&Invoice) -> PageMeta,
    pool: &web::Data<DbPool>,
    source: Option<PaymentSource<'_>>,
    acting: Acting,
    id: InvoiceId,
    processing: bool,
    entered: Option<Entered>,
) -> Result<HttpResponse, AppError> {
    // One read; only when it finds attempts that ran out are they settled and read again.
    let settle = source.is_some();
    let now = time::OffsetDateTime::now_utc();
    let scope = acting.scope;
    let load = move |conn: &mut DbConn| {
        let mut invoice = queries::find(conn, scope, id)?;
        if invoice.buyer_name.is_none() {
            // A draft names its buyer as it will when issued.
            let (name, address) = queries::buyer_as_now(conn, &invoice)?;
            invoice.buyer_name = Some(name);
            invoice.buyer_address = address;
        }
        let lines = queries::lines(conn, invoice.id)?;
        let payments = payment_queries::for_invoice(conn, invoice.id)?;
        let card =
            crate::connect::queries::chargeable_account(conn, invoice.provider_id)?.is_some();
        let card = (card, saved_card(conn, scope)?);
        let stale = settle && !reconcile::stale_attempts(conn, invoice.id, now)?.is_empty();
        let refunds = (
            refund_queries::for_invoice(conn, invoice.id)?,
            credit_notes::for_invoice(conn, invoice.id)?,
        );
        Ok((invoice, lines, (payments, card), (stale, refunds)))
    };
    let mut loaded = with_conn(pool, load).await?;
    if let (true, Some(source)) = (loaded.3.0, &source) {
        reconcile::resolve(pool, source.gateway, id, source.base_url).await?;
        loaded = with_conn(pool, load).await?;
    }
    let (invoice, lines, payments, (_, (refunds, notes))) = loaded;
    let status = invoice.status_label(london_today());
    let mut meta = meta_of(&invoice);
    // The socket sends the badge and payment panel again only once they read differently.
    let (version, _) = super::live::render(meta.clone(), &invoice, acting, payments.clone())?;
    meta.live = Some(format!(
        "{}/{}/live?v={version}",
        acting.side.invoices_path(),
        invoice.id
    ));
    let code = match entered {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    render_with_status(
        code,
        &InvoicePage {
            payment: payment_partial(meta.clone(), &invoice, acting, payments, processing),
            meta,
            side: acting.side,
            acting,
            totals: totals(&lines),
            invoice,
            lines,
            status,
            entered: entered.unwrap_or_default(),
            refunds,
            notes,
        },
    )
}

/// Whether the provider takes cards, and the buyer's default card and auto-pay.
pub(super) type CardFacts = (bool, (Option<String>, bool));

/// The label of the buyer business's default card, if it has a usable one, and whether
/// auto-pay will use it.
pub(super) fn saved_card(
    conn: &mut DbConn,
    scope: Scope,
) -> Result<(Option<String>, bool), AppError> {
    let Scope::Buyer(business) = scope else {
        return Ok((None, false));
    };
    let card = crate::cards::queries::default_card(conn, business)?
        .filter(|c| !c.expired())
        .map(|c| c.label());
    Ok((card, crate::cards::autopay::is_on(conn, business)?))
}

pub(super) fn payment_partial(
    meta: PageMeta,
    invoice: &Invoice,
    acting: Acting,
    (payments, (card_ready, (saved_card, autopay))): (Vec<PaymentRow>, CardFacts),
    back_from_checkout: bool,
) -> PaymentPartial {
    let newest = payments
        .first()
        .map(|p| (p.status, p.created_at))
        .filter(|_| invoice.is_unpaid());
    let (waiting, poll) = waiting(newest, back_from_checkout, time::OffsetDateTime::now_utc());
    PaymentPartial {
        meta,
        invoice_id: invoice.id,
        side: acting.side,
        paid: invoice.status.was_paid(),
        unpaid: invoice.is_unpaid(),
        can_pay: acting.side == Side::Buyer && acting.may(Permission::PayInvoices),
        card_ready,
        saved_card,
        autopay,
        due: invoice.due_text(),
        can_record: acting.side == Side::Provider && acting.may(Permission::ManageInvoices),
        outstanding: invoice.outstanding_text(),
        waiting,
        poll,
        today: london_today().to_string(),
        payments,
    }
}

/// The payment region alone, for the success page's polling.
pub async fn payment_region(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewInvoices)?;
    let (business, id) = (ctx.business_id, id.into_inner());
    let source = PaymentSource {
        gateway: &gateway,
        base_url: &config.base_url,
    };
    settle_stale(&pool, &source, Scope::Buyer(business), id).await?;
    let (invoice, payments) = with_conn(&pool, move |conn| {
        let invoice = queries::find(conn, Scope::Buyer(business), id)?;
        let payments = payment_queries::for_invoice(conn, id)?;
        let card =
            crate::connect::queries::chargeable_account(conn, invoice.provider_id)?.is_some();
        let card = (card, saved_card(conn, Scope::Buyer(business))?);
        Ok((invoice, (payments, card)))
    })
    .await?;
    let res = render(&payment_partial(
        ctx.user.meta(""),
        &invoice,
        ctx.acting(),
        payments,
        true,
    ))?;
    Ok(crate::web::htmx::with_vary(res))
}

pub async fn buyer_invoice(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    query: web::Query<PaymentQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewInvoices)?;
    let processing = query.payment.as_deref() == Some("processing");
    page(
        |i| ctx.user.meta(i.title()),
        &pool,
        Some(PaymentSource {
            gateway: &gateway,
            base_url: &config.base_url,
        }),
        ctx.acting(),
        id.into_inner(),
        processing,
        None,
    )
    .await
}

pub async fn provider_invoice(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewInvoices)?;
    page(
        |i| ctx.user.meta(i.title()),
        &pool,
        Some(PaymentSource {
            gateway: &gateway,
            base_url: &config.base_url,
        }),
        ctx.acting(),
        id.into_inner(),
        false,
        None,
    )
    .await
}

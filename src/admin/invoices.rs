//! Admins find any issued invoice, see how it was paid and refunded, and refund it (the same
//! refund path providers use: one place where money goes back).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::queries;
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::InvoiceId;
use crate::invoicing::handlers::Entered;
use crate::invoicing::model::Invoice;
use crate::payments::gateway::Gateway;
use crate::payments::queries::PaymentRow;
use crate::refunds::credit_notes::NoteRow;
use crate::refunds::form::RefundFormView;
use crate::refunds::handlers::{Made, RefundForm, make};
use crate::refunds::queries::RefundRow;
use crate::tenancy::{AdminCtx, Scope};
use crate::timefmt::london_today;
use crate::web::forms::Form;
use crate::web::pagination::{ListQuery, PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

#[derive(Template)]
#[template(path = "admin/invoices.html")]
struct ListPage {
    meta: PageMeta,
    q: String,
    rows: Paged<Invoice>,
}

impl ListPage {
    fn page_link(&self, page: i64) -> String {
        let query =
            serde_urlencoded::to_string([("q", self.q.as_str()), ("page", &page.to_string())])
                .unwrap_or_default();
        format!("/admin/invoices?{query}")
    }

    fn status(&self, i: &Invoice) -> &'static str {
        i.status_label(london_today())
    }
}

pub async fn list(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q: String = query
        .q
        .clone()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect();
    let req = PageRequest::from_query(query.page.as_deref());
    let search = q.clone();
    let rows = with_conn(&pool, move |conn| {
        Ok(queries::invoices(conn, &search, req)?)
    })
    .await?;
    render(&ListPage {
        meta: admin.user.meta("Invoices"),
        q,
        rows: Paged::new(rows, req),
    })
}

#[derive(Template)]
#[template(path = "admin/invoice.html")]
struct InvoicePage {
    meta: PageMeta,
    invoice: Invoice,
    payments: Vec<PaymentRow>,
    refunds: Vec<RefundRow>,
    notes: Vec<NoteRow>,
    entered: Entered,
}

impl InvoicePage {
    fn status(&self) -> &'static str {
        self.invoice.status_label(london_today())
    }

    fn money(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        crate::money::format_gbp(*d.borrow())
    }

    fn can_refund(&self) -> bool {
        crate::refunds::rules::can_refund(self.invoice.status).is_ok()
            && !self.refunds.iter().any(|r| r.is_open())
    }

    fn refund_form(&self) -> RefundFormView {
        RefundFormView::new(
            format!("/admin/invoices/{}/refund", self.invoice.id),
            &self.meta.csrf,
            self.invoice.amount_paid - self.invoice.amount_refunded,
            &self.entered,
        )
    }
}

async fn page(
    admin: &AdminCtx,
    pool: &web::Data<DbPool>,
    id: InvoiceId,
    entered: Option<Entered>,
) -> Result<HttpResponse, AppError> {
    let (invoice, payments, refunds, notes) = with_conn(pool, move |conn| {
        let invoice = crate::invoicing::queries::find(conn, Scope::Admin, id)?;
        if invoice.is_draft() {
            // A draft is the provider's own work in progress, not yet anyone's business.
            return Err(AppError::NotFound);
        }
        let payments = crate::payments::queries::for_invoice(conn, id)?;
        let refunds = crate::refunds::queries::for_invoice(conn, id)?;
        let notes = crate::refunds::credit_notes::for_invoice(conn, id)?;
        Ok((invoice, payments, refunds, notes))
    })
    .await?;
    let code = match entered {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    render_with_status(
        code,
        &InvoicePage {
            meta: admin.user.meta(invoice.title()),
            invoice,
            payments,
            refunds,
            notes,
            entered: entered.unwrap_or_default(),
        },
    )
}

pub async fn show(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
) -> Result<HttpResponse, AppError> {
    page(&admin, &pool, id.into_inner(), None).await
}

pub async fn refund(
    admin: AdminCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<InvoiceId>,
    Form(form): Form<RefundForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    match make(
        (&pool, &gateway, &config),
        &admin.user,
        Scope::Admin,
        id,
        form,
    )
    .await?
    {
        Made::Done => Ok(see_other(&format!("/admin/invoices/{id}"))),
        Made::Refused(form, problems) => {
            page(&admin, &pool, id, Some(form.entered(problems))).await
        }
    }
}

pub async fn credit_note(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<crate::ids::CreditNoteId>,
) -> Result<HttpResponse, AppError> {
    crate::refunds::handlers::note_page(
        &pool,
        |n| admin.user.meta(format!("Credit note {}", n.number)),
        Scope::Admin,
        "/admin/invoices",
        id.into_inner(),
    )
    .await
}

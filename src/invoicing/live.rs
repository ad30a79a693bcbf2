//! An invoice page's live region: its status badge and payment panel, read for one member,
//! with a fingerprint so a socket sends them only when they read differently.

use askama::Template;

use super::handlers::{CardFacts, PaymentPartial, payment_partial, saved_card};
use super::model::Invoice;
use super::queries;
use crate::db::DbConn;
use crate::ids::InvoiceId;
use crate::payments::queries::{self as payment_queries, PaymentRow};
use crate::tenancy::Acting;
use crate::timefmt::london_today;
use crate::web::{AppError, PageMeta};

#[derive(Template)]
#[template(path = "invoicing/_live.html")]
struct Live {
    status_class: String,
    status: &'static str,
    payment: PaymentPartial,
}

/// The badge and payment panel as they read now, and their fingerprint.
pub(super) fn render(
    meta: PageMeta,
    invoice: &Invoice,
    acting: Acting,
    payments: (Vec<PaymentRow>, CardFacts),
) -> Result<(String, String), AppError> {
    let html = Live {
        status_class: invoice.status.to_string(),
        status: invoice.status_label(london_today()),
        payment: payment_partial(meta, invoice, acting, payments, false),
    }
    .render()?;
    Ok((crate::live::fingerprint(&html), html))
}

/// For a socket: the region re-read within `acting`'s scope, unless it still reads as the
/// `shown` fingerprint. Another tenant's invoice is not found.
pub fn region(
    conn: &mut DbConn,
    meta: PageMeta,
    acting: Acting,
    id: InvoiceId,
    shown: Option<&str>,
) -> Result<Option<(String, String)>, AppError> {
    let invoice = queries::find(conn, acting.scope, id)?;
    let payments = payment_queries::for_invoice(conn, invoice.id)?;
    let card = crate::connect::queries::chargeable_account(conn, invoice.provider_id)?.is_some();
    let card = (card, saved_card(conn, acting.scope)?);
    let (version, html) = render(meta, &invoice, acting, (payments, card))?;
    Ok((shown != Some(version.as_str())).then_some((version, html)))
}

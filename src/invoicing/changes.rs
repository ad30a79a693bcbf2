//! The invoice aggregate's one after-change hook. Issuing, paying and voiding call
//! `after_change` inside the transaction that made the change; it queues the emails the
//! recipient rule asks for. In-app notifications, live updates, metrics and the audit log
//! join here, so no caller (invoicing's own actions, or payments settling an invoice) has
//! to remember them one by one.

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::notify;
use crate::audit::{Actor, Entry};
use crate::db::schema::invoices;
use crate::ids::{BusinessId, InvoiceId, ProviderId};
use crate::web::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Issued,
    Paid,
    Voided,
}

impl Change {
    fn action(self) -> &'static str {
        match self {
            Self::Issued => "invoice.issued",
            Self::Paid => "invoice.paid",
            Self::Voided => "invoice.voided",
        }
    }

    /// Does this change email anyone itself? A void doesn't: voiding an issued invoice issues a
    /// credit note, and that is what gets emailed (`refunds::credit_notes::notify`).
    pub fn emails(self) -> bool {
        matches!(self, Self::Issued | Self::Paid)
    }
}

pub fn after_change(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    change: Change,
    actor: &Actor,
    base_url: &str,
) -> Result<(), AppError> {
    tracing::info!(%invoice, ?change, "invoice changed");
    let (business, provider, number, (total, paid)): (
        BusinessId,
        ProviderId,
        Option<String>,
        (Decimal, Decimal),
    ) = invoices::table
        .find(invoice)
        .select((
            invoices::business_id,
            invoices::provider_id,
            invoices::number,
            (invoices::total, invoices::amount_paid),
        ))
        .first(conn)?;
    let entry = Entry::new(change.action(), "invoice", Some(invoice.0))
        .org(Some(business.0), Some(provider.0))
        .change(
            None,
            Some(serde_json::json!({ "number": number, "total": total.to_string() })),
        );
    crate::audit::record(conn, actor, entry)?;
    crate::live::publish(conn, crate::live::Topic::Invoice(invoice.0))?;
    match change {
        Change::Issued => notify::issued(conn, invoice, base_url),
        Change::Paid => {
            crate::monitoring::invoice_paid(paid);
            let about = crate::analytics::About {
                user: None,
                business: Some(business.0),
                provider: Some(provider.0),
                subject: Some(invoice.0),
            };
            crate::analytics::record(conn, crate::analytics::Kind::InvoicePaid, about)?;
            notify::paid(conn, invoice, base_url)
        }
        Change::Voided => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuing_and_paying_tell_people_voiding_does_not() {
        assert!(Change::Issued.emails());
        assert!(Change::Paid.emails());
        assert!(!Change::Voided.emails());
    }
}

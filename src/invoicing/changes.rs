//! The invoice aggregate's one after-change hook. Issuing, paying and voiding call
//! `after_change` inside the transaction that made the change; it queues the emails the
//! recipient rule asks for. In-app notifications, live updates, metrics and the audit log
//! join here, so no caller (invoicing's own actions, or payments settling an invoice) has
//! to remember them one by one.

use diesel::PgConnection;

use super::notify;
use crate::ids::InvoiceId;
use crate::web::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Issued,
    Paid,
    Voided,
}

impl Change {
    /// Does this change email anyone? A void does not today: the buyer sees it on the
    /// invoice, and nothing is owed.
    pub fn emails(self) -> bool {
        matches!(self, Self::Issued | Self::Paid)
    }
}

pub fn after_change(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    change: Change,
    base_url: &str,
) -> Result<(), AppError> {
    tracing::info!(%invoice, ?change, "invoice changed");
    match change {
        Change::Issued => notify::issued(conn, invoice, base_url),
        Change::Paid => notify::paid(conn, invoice, base_url),
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

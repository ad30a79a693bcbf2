//! Invoice rules: numbers, due dates, states, overdue.

use time::{Date, Duration};

/// "SMF-000042": the provider's prefix and its own gap-free sequence.
pub fn number(prefix: &str, n: i32) -> String {
    format!("{prefix}-{n:06}")
}

pub fn due_date(issued: Date, terms_days: i32) -> Date {
    issued + Duration::days(i64::from(terms_days.clamp(0, 120)))
}

crate::text_enum! {
    /// An invoice's state, as `invoices.status` stores it. `Issued` reads "Unpaid" to people.
    pub enum InvoiceStatus {
        Draft = "draft",
        Issued = "issued",
        Paid = "paid",
        /// Paid, then part of it refunded (each refund has its credit note).
        PartiallyRefunded = "partially_refunded",
        /// Paid, then refunded in full.
        Refunded = "refunded",
        /// Credited in full before it was paid: nothing is left to pay.
        Credited = "credited",
        Void = "void",
    }
}

impl InvoiceStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Issued => "Unpaid",
            Self::Paid => "Paid",
            Self::PartiallyRefunded => "Part refunded",
            Self::Refunded => "Refunded",
            Self::Credited => "Credited",
            Self::Void => "Void",
        }
    }

    /// Paid in full at some point, whatever was refunded since.
    pub fn was_paid(self) -> bool {
        matches!(self, Self::Paid | Self::PartiallyRefunded | Self::Refunded)
    }
}

/// Why an invoice in `status` can't be edited, issued or voided, if it can't.
pub fn can_edit(status: InvoiceStatus) -> Result<(), String> {
    match status {
        InvoiceStatus::Draft => Ok(()),
        other => Err(format!(
            "This invoice is {}, so it can't be changed.",
            other.label().to_lowercase()
        )),
    }
}

/// An invoice must ask for money: at £0 or less it could never be paid.
pub fn can_issue(total: rust_decimal::Decimal) -> Result<(), String> {
    if total <= rust_decimal::Decimal::ZERO {
        return Err(format!(
            "This invoice comes to {}, so there's nothing to pay: add a line or a charge, or void the draft.",
            crate::money::format_gbp(total)
        ));
    }
    Ok(())
}

pub fn can_void(status: InvoiceStatus) -> Result<(), String> {
    match status {
        InvoiceStatus::Draft | InvoiceStatus::Issued => Ok(()),
        InvoiceStatus::Paid | InvoiceStatus::PartiallyRefunded => {
            Err("This invoice is paid, so it can't be voided; refund it instead.".into())
        }
        InvoiceStatus::Refunded => {
            Err("This invoice was refunded: its credit notes already cancel it.".into())
        }
        InvoiceStatus::Credited => {
            Err("This invoice was credited in full: its credit notes already cancel it.".into())
        }
        InvoiceStatus::Void => Err("This invoice is already void.".into()),
    }
}

/// What the buyer still has to pay: the total less credit notes issued before payment and
/// what was paid.
pub fn due(
    total: rust_decimal::Decimal,
    credited: rust_decimal::Decimal,
    paid: rust_decimal::Decimal,
) -> rust_decimal::Decimal {
    (total - credited - paid).max(rust_decimal::Decimal::ZERO)
}

pub fn is_overdue(status: InvoiceStatus, due: Option<Date>, today: Date) -> bool {
    status == InvoiceStatus::Issued && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_invoice_that_asks_for_money_can_be_issued() {
        use rust_decimal::Decimal;
        assert!(can_issue(Decimal::new(1, 2)).is_ok());
        assert!(can_issue(Decimal::ZERO).unwrap_err().contains("£0.00"));
        assert!(can_issue(Decimal::new(-500, 2)).is_err());
    }
    use time::macros::date;

    #[test]
    fn numbers_are_prefixed_and_padded() {
        assert_eq!(number("SMF", 42), "SMF-000042");
        assert_eq!(number("KVC", 1_234_567), "KVC-1234567");
    }

    #[test]
    fn due_dates_follow_terms() {
        assert_eq!(due_date(date!(2026 - 11 - 24), 14), date!(2026 - 12 - 08));
        assert_eq!(due_date(date!(2026 - 11 - 24), 0), date!(2026 - 11 - 24));
    }

    #[test]
    fn only_drafts_change_and_paid_invoices_are_never_voided() {
        assert!(can_edit(InvoiceStatus::Draft).is_ok());
        assert!(can_edit(InvoiceStatus::Issued).is_err());
        assert!(can_void(InvoiceStatus::Issued).is_ok());
        assert!(can_void(InvoiceStatus::Paid).is_err());
        assert!(can_void(InvoiceStatus::Void).is_err());
    }

    #[test]
    fn overdue_means_unpaid_past_its_due_date() {
        let today = date!(2026 - 11 - 24);
        assert!(is_overdue(
            InvoiceStatus::Issued,
            Some(date!(2026 - 11 - 23)),
            today
        ));
        assert!(!is_overdue(InvoiceStatus::Issued, Some(today), today));
        assert!(!is_overdue(
            InvoiceStatus::Paid,
            Some(date!(2026 - 01 - 01)),
            today
        ));
    }
}

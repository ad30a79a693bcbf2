//! What the payment region says while money is on its way, and whether it keeps asking.

use time::{Duration, OffsetDateTime};

/// How long a page keeps polling for a payment's outcome; after that it says an email will
/// follow, so a tab left open doesn't ask every 3 s for ever.
pub const POLL_FOR: Duration = Duration::minutes(10);

crate::text_enum! {
    /// A payment attempt's state, as `payments.status` stores it.
    pub enum PaymentStatus {
        /// A checkout session is open.
        Pending = "pending",
        /// A bank debit completed at checkout and is clearing.
        Processing = "processing",
        Succeeded = "succeeded",
        Failed = "failed",
        /// The checkout session ran out unused.
        Expired = "expired",
        /// Money arrived that must go back (void or already-paid invoice, wrong amount).
        NeedsRefund = "needs_refund",
        /// Such money, given back by an admin.
        Refunded = "refunded",
    }
}

impl PaymentStatus {
    /// Still open: a second attempt must wait for it.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Processing)
    }

    /// Money arrived for it, whatever became of it after.
    pub fn took_money(self) -> bool {
        matches!(self, Self::Succeeded | Self::NeedsRefund | Self::Refunded)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Nothing in flight: pay (buyer) or wait for payment (provider).
    Nothing,
    /// Back from checkout; its webhook hasn't landed yet.
    Checkout,
    /// A bank debit completed at checkout and clearing over days.
    Bank,
}

/// From the newest attempt (status, when it started), whether the buyer just came back from
/// checkout, and the time now: what to say, and whether to poll.
pub fn waiting(
    newest: Option<(PaymentStatus, OffsetDateTime)>,
    back_from_checkout: bool,
    now: OffsetDateTime,
) -> (Waiting, bool) {
    let Some((status, started)) = newest else {
        return (Waiting::Nothing, false);
    };
    let recent = now - started < POLL_FOR;
    match status {
        PaymentStatus::Processing => (Waiting::Bank, recent),
        PaymentStatus::Pending if back_from_checkout && recent => (Waiting::Checkout, true),
        _ => (Waiting::Nothing, false),
    }
}

/// A payment received outside Larder, as the provider records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflinePayment {
    pub method: &'static str,
    pub paid_on: time::Date,
    pub reference: Option<String>,
}

/// Parses the "record a payment" form: a known method, a date not in the future nor more than
/// a year back, and an optional reference of up to 100 characters.
pub fn offline_payment(
    method: &str,
    paid_on: &str,
    reference: &str,
    today: time::Date,
) -> Result<OfflinePayment, &'static str> {
    let method = match method.trim() {
        "bank_transfer" => "bank_transfer",
        "cheque" => "cheque",
        "cash" => "cash",
        "other" => "other",
        _ => return Err("Choose how the payment was made."),
    };
    let paid_on = time::Date::parse(
        paid_on.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| "Give the date the payment arrived.")?;
    if paid_on > today {
        return Err("The payment date can't be in the future.");
    }
    if paid_on < today - Duration::days(366) {
        return Err("The payment date is more than a year ago: check it.");
    }
    let reference = reference.trim();
    if reference.chars().count() > 100 {
        return Err("Keep the reference under 100 characters.");
    }
    Ok(OfflinePayment {
        method,
        paid_on,
        reference: (!reference.is_empty()).then(|| reference.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

    #[test]
    fn an_offline_payment_needs_a_method_and_a_past_date() {
        let today = time::macros::date!(2026 - 11 - 24);
        let ok = offline_payment("bank_transfer", "2026-11-20", " BACS 123 ", today).unwrap();
        assert_eq!(ok.reference.as_deref(), Some("BACS 123"));
        assert_eq!(
            offline_payment("cash", "2026-11-24", "", today)
                .unwrap()
                .reference,
            None
        );
        assert!(offline_payment("card", "2026-11-20", "", today).is_err());
        assert!(offline_payment("cheque", "2026-11-25", "", today).is_err());
        assert!(offline_payment("cheque", "20/11/2026", "", today).is_err());
        assert!(offline_payment("cheque", "2025-01-01", "", today).is_err());
        assert!(offline_payment("cheque", "2026-11-20", &"x".repeat(101), today).is_err());
    }

    #[test]
    fn a_page_polls_only_while_an_answer_is_due() {
        let just = NOW - Duration::seconds(5);
        let old = NOW - Duration::minutes(11);
        assert_eq!(waiting(None, true, NOW), (Waiting::Nothing, false));
        assert_eq!(
            waiting(Some((PaymentStatus::Pending, just)), true, NOW),
            (Waiting::Checkout, true)
        );
        assert_eq!(
            waiting(Some((PaymentStatus::Pending, just)), false, NOW),
            (Waiting::Nothing, false),
            "an open checkout the buyer left is not 'processing'"
        );
        assert_eq!(
            waiting(Some((PaymentStatus::Pending, old)), true, NOW),
            (Waiting::Nothing, false)
        );
        assert_eq!(
            waiting(Some((PaymentStatus::Processing, just)), false, NOW),
            (Waiting::Bank, true)
        );
        assert_eq!(
            waiting(Some((PaymentStatus::Processing, old)), false, NOW),
            (Waiting::Bank, false),
            "still on its way, but the page stops asking"
        );
        assert_eq!(
            waiting(Some((PaymentStatus::Failed, just)), true, NOW),
            (Waiting::Nothing, false)
        );
    }
}

//! The refund form, drawn on a provider's invoice page and an admin's.

use askama::Template;
use rust_decimal::Decimal;

use crate::invoicing::handlers::Entered;

#[derive(Template)]
#[template(path = "refunds/_form.html")]
pub struct RefundFormView {
    action: String,
    csrf: String,
    /// A fresh key each time the form is drawn (kept when a refused form comes back), so
    /// a double click or a resent form refunds once.
    key: String,
    amount: String,
    reason: String,
    entered: Entered,
}

impl RefundFormView {
    /// The form for `action`, offering all that is left (`refundable`) unless it came back
    /// refused with what was typed.
    pub fn new(action: String, csrf: &str, refundable: Decimal, entered: &Entered) -> Self {
        let typed = |k: &str| entered.typed.get(k).cloned();
        Self {
            action,
            csrf: csrf.to_owned(),
            key: typed("key")
                .filter(|k| uuid::Uuid::parse_str(k).is_ok())
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            amount: typed("refund_amount").unwrap_or_else(|| crate::money::plain(refundable)),
            reason: typed("refund_reason").unwrap_or_default(),
            entered: entered.clone(),
        }
    }

    fn error(&self, field: &str) -> Option<&String> {
        self.entered.errors.get(field)
    }

    fn refused(&self) -> bool {
        self.error("refund_amount").is_some() || self.error("refund_reason").is_some()
    }
}

//! Invoices as read back for lists and invoice pages.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use super::rules::{self, InvoiceStatus};
use crate::db::schema::{invoice_lines, invoices};
use crate::ids::{BusinessId, InvoiceId, OrderId, ProviderId};
use crate::money::{self, format_gbp};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoices, check_for_backend(diesel::pg::Pg))]
pub struct Invoice {
    pub id: InvoiceId,
    pub provider_id: ProviderId,
    pub business_id: BusinessId,
    pub order_id: Option<OrderId>,
    pub status: InvoiceStatus,
    pub number: Option<String>,
    pub issue_date: Option<Date>,
    pub due_date: Option<Date>,
    pub seller_name: Option<String>,
    pub seller_address: Option<String>,
    pub seller_vat_number: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_address: Option<String>,
    pub subtotal: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
    pub amount_paid: Decimal,
    pub void_reason: Option<String>,
    pub amount_refunded: Decimal,
    /// Credit notes issued before it was paid: they lower what is due.
    pub amount_credited: Decimal,
    /// Larder's fee and the VAT on it, fixed at issue (a credit lowers them in proportion).
    pub platform_fee: Decimal,
    pub platform_fee_vat: Decimal,
}

impl Invoice {
    /// For the provider's copy: Larder's fee, its VAT, and what the invoice nets them after
    /// credits and the fee.
    pub fn fee_breakdown(&self) -> (String, String, String) {
        let net = crate::statements::rules::net(
            self.total - self.amount_credited,
            self.platform_fee,
            self.platform_fee_vat,
        );
        (
            format_gbp(self.platform_fee),
            format_gbp(self.platform_fee_vat),
            format_gbp(net),
        )
    }

    pub fn is_draft(&self) -> bool {
        self.status == InvoiceStatus::Draft
    }

    /// Issued and not yet paid: the state that asks for money.
    pub fn is_unpaid(&self) -> bool {
        self.status == InvoiceStatus::Issued
    }

    pub fn is_paid(&self) -> bool {
        self.status == InvoiceStatus::Paid
    }

    pub fn is_overdue(&self, today: Date) -> bool {
        rules::is_overdue(self.status, self.due_date, today)
    }

    pub fn status_label(&self, today: Date) -> &'static str {
        if self.is_overdue(today) {
            "Overdue"
        } else {
            self.status.label()
        }
    }

    pub fn title(&self) -> String {
        self.number
            .clone()
            .map_or_else(|| "Draft invoice".to_owned(), |n| format!("Invoice {n}"))
    }

    pub fn outstanding(&self) -> Decimal {
        super::rules::due(self.total, self.amount_credited, self.amount_paid)
    }

    pub fn credited_text(&self) -> Option<String> {
        (!self.amount_credited.is_zero()).then(|| format_gbp(self.amount_credited))
    }

    pub fn total_text(&self) -> String {
        format_gbp(self.total)
    }

    pub fn outstanding_text(&self) -> String {
        format_gbp(self.outstanding())
    }

    pub fn issue_text(&self) -> String {
        self.issue_date
            .map(crate::timefmt::date)
            .unwrap_or_default()
    }

    pub fn due_text(&self) -> String {
        self.due_date.map(crate::timefmt::date).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoice_lines, check_for_backend(diesel::pg::Pg))]
pub struct InvoiceLine {
    pub id: Uuid,
    pub position: i32,
    pub kind: String,
    pub description: String,
    pub unit: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub vat_rate: Decimal,
    pub line_total: Decimal,
    pub line_vat: Decimal,
    pub fractional: bool,
    /// Priced at the buyer's own price (carried from the order line).
    pub customer_price: bool,
}

impl InvoiceLine {
    pub fn quantity_text(&self) -> String {
        self.quantity.normalize().to_string()
    }
    pub fn price_plain(&self) -> String {
        money::plain(self.unit_price)
    }
    pub fn price_text(&self) -> String {
        format_gbp(self.unit_price)
    }
    pub fn total_text(&self) -> String {
        format_gbp(self.line_total)
    }
    pub fn vat_text(&self) -> String {
        format!("{}%", self.vat_rate.normalize())
    }
    /// The VAT on this line, rounded per line, so the page can be checked by hand.
    pub fn vat_amount_text(&self) -> String {
        format_gbp(self.line_vat)
    }
}

pub fn totals(lines: &[InvoiceLine]) -> money::Totals {
    money::Totals::from_lines(lines.iter().map(|l| (l.line_total, l.vat_rate, l.line_vat)))
}

/// A row of an invoices list, with the other party's name.
#[derive(Debug, Clone)]
pub struct InvoiceRow {
    pub invoice: Invoice,
    pub counterparty: String,
}

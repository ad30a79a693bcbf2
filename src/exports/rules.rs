//! Finance exports as pure rules: the column layouts Xero's and QuickBooks Online's CSV
//! imports read, and each source row as the cells of those layouts.

use rust_decimal::Decimal;
use time::Date;

crate::text_enum! {
    /// What is exported.
    pub enum Kind {
        SalesInvoices = "sales_invoices",
        CreditNotes = "credit_notes",
        Payouts = "payouts",
        FeeInvoices = "fee_invoices",
    }
}

crate::text_enum! {
    /// Whose import layout.
    pub enum Format {
        Xero = "xero",
        QuickBooks = "quickbooks",
    }
}

crate::text_enum! {
    /// Where a run has got to.
    pub enum RunStatus {
        Queued = "queued",
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

impl RunStatus {
    /// Still to finish: its page keeps following it.
    pub fn pending(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }

    pub fn is_done(self) -> bool {
        self == Self::Done
    }
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Self::SalesInvoices => "Sales invoices",
            Self::CreditNotes => "Credit notes",
            Self::Payouts => "Payouts",
            Self::FeeInvoices => "Fee invoices",
        }
    }

    /// Providers export their own sales, credit notes and payouts; the platform its fee
    /// invoices (its own sales).
    pub fn for_platform(self) -> bool {
        matches!(self, Self::FeeInvoices)
    }
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Self::Xero => "Xero",
            Self::QuickBooks => "QuickBooks Online",
        }
    }
}

/// One line of an invoice or credit note, as both imports take them: one CSV row per line,
/// the document's fields repeated on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    pub number: String,
    pub contact: String,
    pub reference: String,
    pub date: Date,
    pub due: Date,
    pub description: String,
    pub quantity: Decimal,
    /// Before VAT.
    pub unit_amount: Decimal,
    pub vat_rate: Decimal,
    pub vat: Decimal,
    /// The line before VAT (quantity × unit, rounded).
    pub amount: Decimal,
}

/// A payout to the provider's bank, as a bank-statement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutLine {
    pub date: Date,
    pub amount: Decimal,
    pub reference: String,
}

/// A cell: text is defused against spreadsheet formulas, numbers are written as they are
/// (a credit's minus sign must survive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn write(&self) -> String {
        match self {
            Self::Text(t) => crate::catalog::rules::neutralise_formula(t).into_owned(),
            Self::Number(n) => n.clone(),
        }
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn num(d: Decimal) -> Cell {
    Cell::Number(format!("{:.2}", crate::money::round_pennies(d)))
}

fn qty(d: Decimal) -> Cell {
    Cell::Number(d.normalize().to_string())
}

/// UK dates, day first, as both imports expect for a UK organisation.
fn date(d: Date) -> Cell {
    Cell::Number(format!(
        "{:02}/{:02}/{}",
        d.day(),
        u8::from(d.month()),
        d.year()
    ))
}

pub const XERO_SALES: &[&str] = &[
    "*ContactName",
    "EmailAddress",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "InventoryItemCode",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "Discount",
    "*AccountCode",
    "*TaxType",
    "TaxAmount",
    "Currency",
];

pub const QUICKBOOKS_SALES: &[&str] = &[
    "InvoiceNo",
    "Customer",
    "InvoiceDate",
    "DueDate",
    "Memo",
    "Item(Product/Service)",
    "ItemDescription",
    "ItemQuantity",
    "ItemRate",
    "ItemAmount",
    "ItemTaxCode",
    "ItemTaxAmount",
    "Currency",
];

pub const XERO_BANK: &[&str] = &["*Date", "*Amount", "Payee", "Description", "Reference"];

pub const QUICKBOOKS_BANK: &[&str] = &["Date", "Description", "Amount"];

pub fn header(kind: Kind, format: Format) -> &'static [&'static str] {
    match (kind, format) {
        (Kind::Payouts, Format::Xero) => XERO_BANK,
        (Kind::Payouts, Format::QuickBooks) => QUICKBOOKS_BANK,
        (_, Format::Xero) => XERO_SALES,
        (_, Format::QuickBooks) => QUICKBOOKS_SALES,
    }
}

/// Xero's UK tax types for sales.
fn xero_tax(rate: Decimal) -> &'static str {
    match rate.normalize().to_string().as_str() {
        "20" => "20% (VAT on Income)",
        "5" => "5% (VAT on Income)",
        "0" => "Zero Rated Income",
        _ => "No VAT",
    }
}

/// QuickBooks Online's UK VAT codes.
fn quickbooks_tax(rate: Decimal) -> &'static str {
    match rate.normalize().to_string().as_str() {
        "20" => "20.0% S",
        "5" => "5.0% R",
        "0" => "0.0% Z",
        _ => "No VAT",
    }
}

/// Sales go to Xero's standard Sales account; the platform's fees to Other Revenue.
fn account(kind: Kind) -> &'static str {
    match kind {
        Kind::FeeInvoices => "260",
        _ => "200",
    }
}

pub fn sale_row(kind: Kind, format: Format, l: &SaleLine) -> Vec<Cell> {
    match format {
        Format::Xero => vec![
            text(&l.contact),
            text(""),
            text(&l.number),
            text(&l.reference),
            date(l.date),
            date(l.due),
            text(""),
            text(&l.description),
            qty(l.quantity),
            num(l.unit_amount),
            text(""),
            text(account(kind)),
            text(xero_tax(l.vat_rate)),
            num(l.vat),
            text("GBP"),
        ],
        Format::QuickBooks => vec![
            text(&l.number),
            text(&l.contact),
            date(l.date),
            date(l.due),
            text(&l.reference),
            text(match kind {
                Kind::FeeInvoices => "Platform fees",
                _ => "Sales",
            }),
            text(&l.description),
            qty(l.quantity),
            num(l.unit_amount),
            num(l.amount),
            text(quickbooks_tax(l.vat_rate)),
            num(l.vat),
            text("GBP"),
        ],
    }
}

pub fn payout_row(format: Format, p: &PayoutLine) -> Vec<Cell> {
    let description = "Payout from Larder (Stripe)";
    match format {
        Format::Xero => vec![
            date(p.date),
            num(p.amount),
            text("Stripe"),
            text(description),
            text(&p.reference),
        ],
        Format::QuickBooks => vec![
            date(p.date),
            text(&format!("{description} {}", p.reference)),
            num(p.amount),
        ],
    }
}

/// The file's name: what, whose layout and the dates, e.g.
/// `sales_invoices-xero-2026-11-01-to-2026-11-30.csv`.
pub fn filename(kind: Kind, format: Format, from: Date, to: Date) -> String {
    format!("{}-{}-{from}-to-{to}.csv", kind.as_str(), format.as_str())
}

/// The longest range one export covers: a year, so no run grows without bound.
pub const MAX_DAYS: i64 = 366;

/// Checks a requested range: `from` no later than `to`, at most a year.
pub fn range(from: Option<Date>, to: Option<Date>) -> Result<(Date, Date), &'static str> {
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err("The start date must be on or before the end date."),
        (Some(f), Some(t)) if (t - f).whole_days() >= MAX_DAYS => {
            Err("Export at most a year at a time.")
        }
        (Some(f), Some(t)) => Ok((f, t)),
        _ => Err("Enter both dates, like 2026-11-01."),
    }
}

#[cfg(test)]
mod tests;

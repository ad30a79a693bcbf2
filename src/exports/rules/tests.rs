use super::*;
use time::macros::date;

fn line() -> SaleLine {
    SaleLine {
        number: "VEG-000001".into(),
        contact: "=Bistro".into(),
        reference: "Order 12".into(),
        date: date!(2026 - 11 - 03),
        due: date!(2026 - 12 - 03),
        description: "Double cream".into(),
        quantity: Decimal::new(2500, 3),
        unit_amount: Decimal::new(560, 2),
        vat_rate: Decimal::new(20, 0),
        vat: Decimal::new(280, 2),
        amount: Decimal::new(1400, 2),
    }
}

fn written(cells: &[Cell]) -> Vec<String> {
    cells.iter().map(Cell::write).collect()
}

#[test]
fn a_sale_in_xeros_layout() {
    let row = written(&sale_row(Kind::SalesInvoices, Format::Xero, &line()));
    assert_eq!(row.len(), XERO_SALES.len());
    assert_eq!(
        row,
        [
            "'=Bistro",
            "",
            "VEG-000001",
            "Order 12",
            "03/11/2026",
            "03/12/2026",
            "",
            "Double cream",
            "2.5",
            "5.60",
            "",
            "200",
            "20% (VAT on Income)",
            "2.80",
            "GBP"
        ]
    );
}

#[test]
fn a_credit_in_quickbooks_layout_keeps_its_minus_sign() {
    let mut credit = line();
    credit.unit_amount = -credit.unit_amount;
    credit.amount = -credit.amount;
    credit.vat = -credit.vat;
    credit.vat_rate = Decimal::new(5, 0);
    let row = written(&sale_row(Kind::CreditNotes, Format::QuickBooks, &credit));
    assert_eq!(row.len(), QUICKBOOKS_SALES.len());
    assert_eq!(row[8], "-5.60");
    assert_eq!(row[9], "-14.00");
    assert_eq!(row[10], "5.0% R");
    assert_eq!(row[11], "-2.80");
}

#[test]
fn fees_go_to_other_revenue_and_payouts_to_the_bank() {
    let row = written(&sale_row(Kind::FeeInvoices, Format::Xero, &line()));
    assert_eq!(row[11], "260");
    let payout = PayoutLine {
        date: date!(2026 - 11 - 05),
        amount: Decimal::new(5207, 2),
        reference: "po_123".into(),
    };
    assert_eq!(
        written(&payout_row(Format::Xero, &payout)),
        [
            "05/11/2026",
            "52.07",
            "Stripe",
            "Payout from Larder (Stripe)",
            "po_123"
        ]
    );
    assert_eq!(written(&payout_row(Format::QuickBooks, &payout)).len(), 3);
    assert_eq!(header(Kind::Payouts, Format::QuickBooks), QUICKBOOKS_BANK);
}

#[test]
fn ranges_are_ordered_and_at_most_a_year() {
    let (a, b) = (date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    assert_eq!(range(Some(a), Some(b)), Ok((a, b)));
    assert!(range(Some(b), Some(a)).is_err());
    assert!(range(Some(a), Some(date!(2027 - 01 - 01))).is_ok());
    assert!(range(Some(a), Some(date!(2027 - 01 - 02))).is_err());
    assert!(range(None, Some(a)).is_err());
    assert_eq!(
        filename(Kind::Payouts, Format::QuickBooks, a, b),
        "payouts-quickbooks-2026-01-01-to-2026-12-31.csv"
    );
}

//! Credit before payment: a credit note against an issued, unpaid invoice lowers what the
//! buyer owes. No money moves, so there is no refund; the ledger takes the amount off the
//! buyer's debt to the provider, and the platform's fee shrinks in the same proportion (a fee
//! is a share of what is actually paid).

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::rules::{self, InvoiceStatus};
use crate::db::schema::invoices;
use crate::ids::{BusinessId, CreditNoteId, InvoiceId, ProviderId};
use crate::ledger::queries::Posting;
use crate::ledger::rules::{self as ledger, Fee, Parties};
use crate::tenancy::Scope;
use crate::web::AppError;

/// What was credited: the note and its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credited {
    pub note: CreditNoteId,
    pub number: String,
}

/// Why `amount` can't be credited against an invoice in `status` with `due` left to pay.
pub fn can_credit(status: InvoiceStatus, due: Decimal, amount: Decimal) -> Result<(), String> {
    if status != InvoiceStatus::Issued {
        return Err(format!(
            "The invoice is {}, so it can't be credited before payment.",
            status.label().to_lowercase()
        ));
    }
    if amount <= Decimal::ZERO {
        return Err("Credit more than £0.00.".into());
    }
    if amount > due {
        return Err(format!(
            "The invoice has only {} left to pay, so it can't be credited {}.",
            crate::money::format_gbp(due),
            crate::money::format_gbp(amount)
        ));
    }
    Ok(())
}

/// The fee snapshot once `amount` of the `due` is credited: what is left, in proportion.
pub fn fee_after(fee: Fee, due: Decimal, amount: Decimal) -> Fee {
    let back = crate::refunds::rules::fee_refunded_through(fee, due, amount);
    Fee {
        net: fee.net - back.net,
        vat: fee.vat - back.vat,
    }
}

/// Issues a credit note for `amount` (VAT included) against an issued, unpaid invoice the
/// scope may answer for, in the caller's transaction, and tells both sides. Open card
/// checkouts for the old amount are closed (a payment that still arrives on one is listed to
/// refund, since it no longer matches what is due); a bank payment on its way refuses.
pub fn credit_unpaid(
    conn: &mut PgConnection,
    scope: Scope,
    invoice: InvoiceId,
    (amount, reason): (Decimal, &str),
    (at, base_url): (OffsetDateTime, &str),
) -> Result<Credited, AppError> {
    type Row = (
        InvoiceStatus,
        BusinessId,
        ProviderId,
        (Decimal, Decimal, Decimal),
        (Decimal, Decimal),
    );
    let (status, business, provider, (total, credited, paid), (fee_net, fee_vat)): Row =
        invoices::table
            .filter(invoices::id.eq(invoice))
            .select((
                invoices::status,
                invoices::business_id,
                invoices::provider_id,
                (
                    invoices::total,
                    invoices::amount_credited,
                    invoices::amount_paid,
                ),
                (invoices::platform_fee, invoices::platform_fee_vat),
            ))
            .for_update()
            .first(conn)?;
    let ours = match scope {
        Scope::Provider(p) => p == provider,
        Scope::Admin | Scope::System => true,
        Scope::Buyer(_) => false,
    };
    if !ours {
        return Err(AppError::NotFound);
    }
    let due = rules::due(total, credited, paid);
    can_credit(status, due, amount).map_err(AppError::Conflict)?;
    if crate::payments::queries::bank_payment_on_its_way(conn, invoice)? {
        // The whole amount is already on its way and can't be called back: once it lands,
        // the same acceptance becomes a refund.
        return Err(AppError::conflict(
            "The buyer's bank payment for this invoice is on its way. Answer once it has cleared (a few working days): the credit is then refunded.",
        ));
    }
    crate::payments::queries::close_attempts(
        conn,
        invoice,
        "Closed: a credit note lowered the invoice.",
    )?;
    let parties = Parties { business, provider };
    let today = crate::timefmt::to_london(at).date();
    let (note, number) = crate::refunds::credit_notes::issue(
        conn,
        (invoice, parties),
        crate::refunds::credit_notes::NoteFor::Credit,
        (amount, reason),
        (at, today),
    )?;
    let fee = fee_after(
        Fee {
            net: fee_net,
            vat: fee_vat,
        },
        due,
        amount,
    );
    let status = if amount == due {
        InvoiceStatus::Credited
    } else {
        InvoiceStatus::Issued
    };
    diesel::update(invoices::table.find(invoice))
        .set((
            invoices::amount_credited.eq(credited + amount),
            invoices::platform_fee.eq(fee.net),
            invoices::platform_fee_vat.eq(fee.vat),
            invoices::status.eq(status),
        ))
        .execute(conn)?;
    crate::ledger::queries::post(
        conn,
        &Posting {
            kind: "invoice_credited",
            source: note.to_string(),
            invoice: Some(invoice),
            payment: None,
            refund: None,
            payout: None,
            at,
            memo: number.clone(),
        },
        &ledger::invoice_credited(parties, amount),
    )?;
    crate::refunds::credit_notes::notify(conn, note, base_url)?;
    Ok(Credited { note, number })
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! dec {
        ($x:expr) => {
            Decimal::from_str_exact(stringify!($x)).unwrap()
        };
    }

    #[test]
    fn only_an_unpaid_invoice_is_credited_and_never_below_nothing() {
        assert!(can_credit(InvoiceStatus::Issued, dec!(10), dec!(10)).is_ok());
        assert!(can_credit(InvoiceStatus::Issued, dec!(10), dec!(0.01)).is_ok());
        assert!(
            can_credit(InvoiceStatus::Issued, dec!(10), dec!(10.01))
                .unwrap_err()
                .contains("£10.00 left")
        );
        assert!(can_credit(InvoiceStatus::Issued, dec!(10), dec!(0)).is_err());
        for status in [
            InvoiceStatus::Draft,
            InvoiceStatus::Paid,
            InvoiceStatus::Credited,
            InvoiceStatus::Void,
        ] {
            assert!(can_credit(status, dec!(10), dec!(1)).is_err());
        }
    }

    #[test]
    fn the_fee_shrinks_with_what_is_left_to_pay() {
        let fee = Fee {
            net: dec!(5.00),
            vat: dec!(1.00),
        };
        assert_eq!(fee_after(fee, dec!(120), dec!(120)), Fee::default());
        assert_eq!(fee_after(fee, dec!(120), dec!(0)), fee);
        let half = fee_after(fee, dec!(120), dec!(60));
        assert_eq!(half.gross(), dec!(3.00));
        assert_eq!(half.net + half.vat, half.gross());
        assert!(half.vat <= fee.vat && half.net <= fee.net);
    }
}

//! Refunds and credit notes as pure functions: what may go back, how the platform fee comes
//! back with it, and how a credit note splits by VAT rate.

use rust_decimal::Decimal;

use crate::invoicing::rules::InvoiceStatus;
use crate::ledger::rules::Fee;
use crate::money::{MoneyError, format_gbp, parse_gbp, round_pennies};

/// "CN-000007": the provider's own gap-free credit note sequence.
pub fn credit_note_number(n: i32) -> String {
    format!("CN-{n:06}")
}

pub const MAX_REASON: usize = 500;

/// A refund form that can be acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub amount: Decimal,
    pub reason: String,
}

/// Field problems, keyed by the form's field names.
pub type Problems = Vec<(&'static str, String)>;

/// Checks a typed refund against what is still refundable on the invoice.
pub fn refund_request(
    amount: &str,
    reason: &str,
    refundable: Decimal,
) -> Result<RefundRequest, Problems> {
    let mut problems = Problems::new();
    let amount = match parse_gbp(amount) {
        Ok(a) if a.is_zero() => {
            problems.push(("refund_amount", "Enter more than £0.00.".into()));
            None
        }
        Ok(a) if a > refundable => {
            problems.push((
                "refund_amount",
                format!(
                    "At most {} can be refunded on this invoice.",
                    format_gbp(refundable)
                ),
            ));
            None
        }
        Ok(a) => Some(a),
        Err(MoneyError::TooLarge) => {
            problems.push((
                "refund_amount",
                format!(
                    "At most {} can be refunded on this invoice.",
                    format_gbp(refundable)
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(("refund_amount", e.message().into()));
            None
        }
    };
    let reason = reason.trim();
    if reason.is_empty() {
        problems.push((
            "refund_reason",
            "Say why: it is printed on the credit note.".into(),
        ));
    } else if reason.chars().count() > MAX_REASON {
        problems.push((
            "refund_reason",
            format!("Keep the reason to {MAX_REASON} characters."),
        ));
    }
    match amount {
        Some(amount) if problems.is_empty() => Ok(RefundRequest {
            amount,
            reason: reason.to_owned(),
        }),
        _ => Err(problems),
    }
}

/// Why an invoice in `status` can't be refunded, if it can't.
pub fn can_refund(status: InvoiceStatus) -> Result<(), &'static str> {
    match status {
        InvoiceStatus::Paid | InvoiceStatus::PartiallyRefunded => Ok(()),
        InvoiceStatus::Refunded => Err("This invoice has already been refunded in full."),
        _ => Err("Only a paid invoice can be refunded."),
    }
}

/// The invoice's state once `refunded` of the `paid` has gone back.
pub fn status_after(paid: Decimal, refunded: Decimal) -> InvoiceStatus {
    if refunded <= Decimal::ZERO {
        InvoiceStatus::Paid
    } else if refunded >= paid {
        InvoiceStatus::Refunded
    } else {
        InvoiceStatus::PartiallyRefunded
    }
}

/// How much of the platform `fee` has gone back once `refunded` of the `paid` has: the same
/// proportion, rounded half-up, so the last refund returns exactly what is left. Each
/// refund gives back `through(after) - through(before)`, which never exceeds the refund
/// itself (the fee is never more than what was paid) and never goes backwards.
pub fn fee_refunded_through(fee: Fee, paid: Decimal, refunded: Decimal) -> Fee {
    if paid <= Decimal::ZERO || refunded <= Decimal::ZERO {
        return Fee::default();
    }
    if refunded >= paid {
        return fee;
    }
    let gross = fee.gross();
    let back = round_pennies(gross * refunded / paid);
    let vat = if gross.is_zero() {
        Decimal::ZERO
    } else {
        round_pennies(back * fee.vat / gross)
    };
    Fee {
        net: back - vat,
        vat,
    }
}

/// The fee given back by one refund of `amount` after `before` had been refunded.
pub fn fee_refund(fee: Fee, paid: Decimal, before: Decimal, amount: Decimal) -> Fee {
    let after = fee_refunded_through(fee, paid, before + amount);
    let prior = fee_refunded_through(fee, paid, before);
    Fee {
        net: after.net - prior.net,
        vat: after.vat - prior.vat,
    }
}

/// Net and VAT at one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePart {
    pub rate: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

impl RatePart {
    pub fn gross(self) -> Decimal {
        self.net + self.vat
    }
}

/// What is left to credit at each rate: the invoice's totals by rate less every credit note
/// so far.
pub fn remaining(invoiced: &[RatePart], credited: &[RatePart]) -> Vec<RatePart> {
    invoiced
        .iter()
        .map(|i| {
            let (net, vat) = credited
                .iter()
                .filter(|c| c.rate == i.rate)
                .fold((i.net, i.vat), |(n, v), c| (n - c.net, v - c.vat));
            RatePart {
                rate: i.rate,
                net,
                vat,
            }
        })
        .collect()
}

/// A credit note for `amount` (VAT included) against what is `remaining` by rate. The amount
/// is shared across rates in proportion to what is left at each (largest remainder, so the
/// pennies add up), then split into net and VAT at that rate. Crediting everything left gives
/// back exactly the invoice's own net and VAT, so a full refund cancels the invoice to the
/// penny. Rates with nothing credited are left out.
pub fn credit_parts(remaining: &[RatePart], amount: Decimal) -> Vec<RatePart> {
    let left: Decimal = remaining.iter().map(|r| r.gross()).sum();
    if amount <= Decimal::ZERO || left <= Decimal::ZERO {
        return Vec::new();
    }
    if amount >= left {
        return remaining
            .iter()
            .copied()
            .filter(|r| !r.gross().is_zero())
            .collect();
    }
    let penny = Decimal::new(1, 2);
    let exact: Vec<Decimal> = remaining
        .iter()
        .map(|r| amount * r.gross() / left)
        .collect();
    let mut shares: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero))
        .collect();
    let mut short = amount - shares.iter().copied().sum::<Decimal>();
    let mut order: Vec<usize> = (0..remaining.len()).collect();
    order.sort_by(|a, b| (exact[*b] - shares[*b]).cmp(&(exact[*a] - shares[*a])));
    for i in order {
        if short <= Decimal::ZERO {
            break;
        }
        if shares[i] + penny <= remaining[i].gross() {
            shares[i] += penny;
            short -= penny;
        }
    }
    remaining
        .iter()
        .zip(shares)
        .filter(|(_, share)| !share.is_zero())
        .map(|(r, share)| split(*r, share))
        .collect()
}

/// `share` (VAT included, at most what is left at this rate) as net and VAT, never more of
/// either than is left.
fn split(left: RatePart, share: Decimal) -> RatePart {
    let mut net = round_pennies(share * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + left.rate));
    net = net.min(left.net).max(share - left.vat);
    RatePart {
        rate: left.rate,
        net,
        vat: share - net,
    }
}

#[cfg(test)]
mod tests;

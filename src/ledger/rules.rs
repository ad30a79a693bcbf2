//! Fees and postings as pure functions: what each money event writes to the journal.

use rust_decimal::Decimal;

use crate::ids::{BusinessId, ProviderId};
use crate::money::round_pennies;

/// VAT the platform charges on its own fee (standard rate), in percent.
pub const FEE_VAT_RATE: Decimal = Decimal::from_parts(20, 0, 0, false, 0);

/// The platform fee: `percent` of the invoice total plus `fixed`, held between `minimum` and
/// `maximum`, before VAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FeeRule {
    pub percent: Decimal,
    pub fixed: Decimal,
    pub minimum: Decimal,
    pub maximum: Option<Decimal>,
}

/// A fee as charged: net and the VAT on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fee {
    pub net: Decimal,
    pub vat: Decimal,
}

impl Fee {
    pub fn gross(self) -> Decimal {
        self.net + self.vat
    }
}

impl FeeRule {
    /// The fee on an invoice of `total` (VAT included). Never more than the invoice itself: a
    /// provider is never left owing for being paid.
    pub fn fee(&self, total: Decimal) -> Fee {
        if total <= Decimal::ZERO {
            return Fee::default();
        }
        let mut net = round_pennies(total * self.percent / Decimal::ONE_HUNDRED + self.fixed);
        net = net.max(self.minimum);
        if let Some(max) = self.maximum {
            net = net.min(max);
        }
        let mut fee = Fee {
            net,
            vat: crate::money::vat(net, FEE_VAT_RATE),
        };
        if fee.gross() > total {
            // Scale down to the whole invoice: net + VAT = total exactly.
            let net =
                round_pennies(total * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED + FEE_VAT_RATE));
            fee = Fee {
                net,
                vat: total - net,
            };
        }
        fee
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.percent.is_zero() {
            parts.push(format!("{}%", self.percent.normalize()));
        }
        if !self.fixed.is_zero() {
            parts.push(crate::money::format_gbp(self.fixed));
        }
        let mut text = if parts.is_empty() {
            "No fee".to_owned()
        } else {
            parts.join(" + ")
        };
        if !self.minimum.is_zero() {
            text.push_str(&format!(
                ", at least {}",
                crate::money::format_gbp(self.minimum)
            ));
        }
        if let Some(max) = self.maximum {
            text.push_str(&format!(", at most {}", crate::money::format_gbp(max)));
        }
        if !(self.percent.is_zero() && self.fixed.is_zero() && self.minimum.is_zero()) {
            text.push_str(" per invoice, plus VAT");
        }
        text
    }
}

crate::text_enum! {
    /// The journal's accounts. Receivables and payables are kept per business and provider.
    pub enum Account {
        /// What a buyer owes (negative: what we owe them back).
        BuyerReceivable = "buyer_receivable",
        /// What is owed to a provider for invoices issued through Larder.
        ProviderPayable = "provider_payable",
        PlatformFeeRevenue = "platform_fee_revenue",
        VatOnFees = "vat_on_fees",
        /// Money Stripe holds for the platform.
        StripeClearing = "stripe_clearing",
        /// Money in a provider's connected Stripe account, not yet paid out to their bank.
        /// What they are owed stays in `ProviderPayable` until a payout reaches them.
        ProviderStripeBalance = "provider_stripe_balance",
    }
}

/// One journal line: positive debits, negative credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub account: Account,
    pub business: Option<BusinessId>,
    pub provider: Option<ProviderId>,
    pub amount: Decimal,
}

impl Line {
    fn plain(account: Account, amount: Decimal) -> Self {
        Self {
            account,
            business: None,
            provider: None,
            amount,
        }
    }
    fn buyer(business: BusinessId, amount: Decimal) -> Self {
        Self {
            business: Some(business),
            ..Self::plain(Account::BuyerReceivable, amount)
        }
    }
    fn provider(provider: ProviderId, amount: Decimal) -> Self {
        Self {
            provider: Some(provider),
            ..Self::plain(Account::ProviderPayable, amount)
        }
    }
    fn provider_balance(provider: ProviderId, amount: Decimal) -> Self {
        Self {
            provider: Some(provider),
            ..Self::plain(Account::ProviderStripeBalance, amount)
        }
    }
}

/// The parties to an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties {
    pub business: BusinessId,
    pub provider: ProviderId,
}

/// Drops zero lines: an entry of nothing but zeros isn't written at all.
fn entry(lines: Vec<Line>) -> Vec<Line> {
    lines.into_iter().filter(|l| !l.amount.is_zero()).collect()
}

/// An invoice issued: the buyer owes the provider its total.
pub fn invoice_issued(p: Parties, total: Decimal) -> Vec<Line> {
    entry(vec![
        Line::buyer(p.business, total),
        Line::provider(p.provider, -total),
    ])
}

/// An issued, unpaid invoice voided: the debt is cancelled.
pub fn invoice_voided(p: Parties, total: Decimal) -> Vec<Line> {
    entry(vec![
        Line::provider(p.provider, total),
        Line::buyer(p.business, -total),
    ])
}

/// A credit note against an issued, unpaid invoice: that much of the debt is cancelled.
pub fn invoice_credited(p: Parties, amount: Decimal) -> Vec<Line> {
    invoice_voided(p, amount)
}

/// A card payment reached Stripe for the buyer.
pub fn payment_received(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::plain(Account::StripeClearing, amount),
        Line::buyer(p.business, -amount),
    ])
}

/// The platform's fee, taken from what the provider is owed.
pub fn platform_fee(p: Parties, fee: Fee) -> Vec<Line> {
    entry(vec![
        Line::provider(p.provider, fee.gross()),
        Line::plain(Account::PlatformFeeRevenue, -fee.net),
        Line::plain(Account::VatOnFees, -fee.vat),
    ])
}

/// A destination charge's transfer: the rest of the payment moves to the provider's connected
/// account. It is still owed to them until a payout lands in their bank.
pub fn transfer(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::provider_balance(p.provider, amount),
        Line::plain(Account::StripeClearing, -amount),
    ])
}

/// A payout reached the provider's bank: what they were owed is paid.
pub fn payout_paid(provider: ProviderId, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::provider(provider, amount),
        Line::provider_balance(provider, -amount),
    ])
}

/// A paid payout came back (the bank refused it): the money is in their Stripe account again.
pub fn payout_failed(provider: ProviderId, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::provider_balance(provider, amount),
        Line::provider(provider, -amount),
    ])
}

/// Money the provider received outside Larder: the buyer's debt to them is settled directly.
pub fn paid_outside(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::provider(p.provider, amount),
        Line::buyer(p.business, -amount),
    ])
}

/// A credit note: part or all of the sale is cancelled, so the buyer is owed it back.
pub fn credit_note(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::provider(p.provider, amount),
        Line::buyer(p.business, -amount),
    ])
}

/// A refund paid back to the buyer's card out of the money Stripe holds.
pub fn refund_paid(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::buyer(p.business, amount),
        Line::plain(Account::StripeClearing, -amount),
    ])
}

/// A refund the card's bank sent back: the money is in Stripe again and the buyer is owed it.
pub fn refund_returned(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::plain(Account::StripeClearing, amount),
        Line::buyer(p.business, -amount),
    ])
}

/// The provider's part of a refund, taken back from their connected account (the reversed
/// transfer): they are owed that much less.
pub fn transfer_reversed(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::plain(Account::StripeClearing, amount),
        Line::provider_balance(p.provider, -amount),
    ])
}

/// The part of the platform's fee given back with a refund.
pub fn fee_refunded(p: Parties, fee: Fee) -> Vec<Line> {
    entry(vec![
        Line::plain(Account::PlatformFeeRevenue, fee.net),
        Line::plain(Account::VatOnFees, fee.vat),
        Line::provider(p.provider, -fee.gross()),
    ])
}

/// Money the provider paid back to the buyer themselves (the invoice was paid outside Larder).
pub fn refunded_outside(p: Parties, amount: Decimal) -> Vec<Line> {
    entry(vec![
        Line::buyer(p.business, amount),
        Line::provider(p.provider, -amount),
    ])
}

pub fn balanced(lines: &[Line]) -> bool {
    lines.iter().map(|l| l.amount).sum::<Decimal>().is_zero()
}

#[cfg(test)]
mod sequences;
#[cfg(test)]
mod tests;

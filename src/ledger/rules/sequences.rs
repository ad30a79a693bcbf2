//! Thousands of random money histories for one invoice, driven through the real rules: issue,
//! credit notes before payment, card payment (webhooks replayed and late), part and full
//! refunds (replayed), void, payouts and failed payouts (reordered), refunds the card's bank
//! sends back (replayed). Entries are deduplicated by (kind, source) as the database's
//! unique index does. After every step: each entry balances, nothing is paid twice, no refund
//! exceeds what was paid, and the fee kept plus what reached the provider is exactly what the
//! buyer paid less refunds, to the penny.

use std::collections::HashSet;

use proptest::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::invoicing::rules::InvoiceStatus;
use crate::refunds::rules::{fee_refund, status_after};

#[derive(Debug, Clone)]
enum Op {
    /// The checkout's webhook; it comes again and again (replays share the source).
    Paid,
    /// Refund this share (in 1/100ths) of what is left.
    Refund(u32),
    /// A refund's entries posted again (a retried completion).
    ReplayRefund(usize),
    Void,
    /// Stripe pays out the provider's balance.
    Payout,
    /// Payout `n` comes back from the bank (once, whenever it arrives).
    PayoutFailed(usize),
    /// Refund `n` is sent back by the card's bank (the webhook may come again).
    RefundReturned(usize),
    /// Credit this share (in 1/100ths) of what is left to pay, before payment.
    Credit(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Paid),
        3 => (1u32..=100).prop_map(Op::Refund),
        1 => (0usize..4).prop_map(Op::ReplayRefund),
        1 => Just(Op::Void),
        2 => Just(Op::Payout),
        1 => (0usize..4).prop_map(Op::PayoutFailed),
        1 => (0usize..4).prop_map(Op::RefundReturned),
        2 => (1u32..=100).prop_map(Op::Credit),
    ]
}

struct Books {
    posted: HashSet<(&'static str, String)>,
    entries: Vec<Vec<Line>>,
}

impl Books {
    fn post(&mut self, kind: &'static str, source: &str, lines: Vec<Line>) {
        if self.posted.insert((kind, source.to_owned())) {
            assert!(balanced(&lines), "{kind} {source} balances");
            self.entries.push(lines);
        }
    }
    fn balance(&self, account: Account) -> Decimal {
        self.entries
            .iter()
            .flatten()
            .filter(|l| l.account == account)
            .map(|l| l.amount)
            .sum()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn any_history_keeps_the_books_balanced_and_every_penny_accounted_for(
        pennies in 1i64..=2_000_000,
        percent in 0i64..=3000,
        ops in prop::collection::vec(op(), 1..25),
    ) {
        let total = Decimal::new(pennies, 2);
        let mut fee = FeeRule { percent: Decimal::new(percent, 2), ..FeeRule::default() }.fee(total);
        let p = Parties {
            business: BusinessId(Uuid::from_u128(1)),
            provider: ProviderId(Uuid::from_u128(2)),
        };
        let mut books = Books { posted: HashSet::new(), entries: Vec::new() };
        books.post("invoice_issued", "inv", invoice_issued(p, total));
        let mut status = InvoiceStatus::Issued;
        let (mut paid, mut refunded) = (Decimal::ZERO, Decimal::ZERO);
        let mut unapplied = Decimal::ZERO;
        let mut refunds: Vec<(Decimal, Fee)> = Vec::new();
        let mut payouts: Vec<Decimal> = Vec::new();
        let mut failed: HashSet<usize> = HashSet::new();
        let mut returned: HashSet<usize> = HashSet::new();
        let mut returned_total = Decimal::ZERO;
        let (mut credited, mut credits) = (Decimal::ZERO, 0usize);
        for op in ops {
            let due = crate::invoicing::rules::due(total, credited, paid);
            match op {
                Op::Credit(share) if status == InvoiceStatus::Issued => {
                    let amount = crate::money::round_pennies(due * Decimal::from(share) / Decimal::ONE_HUNDRED)
                        .max(Decimal::new(1, 2))
                        .min(due);
                    prop_assert!(crate::invoicing::credit::can_credit(status, due, amount).is_ok());
                    books.post("invoice_credited", &credits.to_string(), invoice_credited(p, amount));
                    credits += 1;
                    fee = crate::invoicing::credit::fee_after(fee, due, amount);
                    credited += amount;
                    if credited == total {
                        status = InvoiceStatus::Credited;
                    }
                }
                Op::Credit(_) => {}
                Op::Paid if status == InvoiceStatus::Issued => {
                    books.post("payment_received", "pay", payment_received(p, due));
                    books.post("platform_fee", "pay", platform_fee(p, fee));
                    books.post("transfer", "pay", transfer(p, due - fee.gross()));
                    status = InvoiceStatus::Paid;
                    paid = due;
                }
                // A late or replayed webhook: already applied, or money (from a checkout
                // opened at the full amount) for an invoice voided or credited since, owed
                // back (once).
                Op::Paid => {
                    if matches!(status, InvoiceStatus::Void | InvoiceStatus::Credited) {
                        books.post("payment_unapplied", "pay", payment_received(p, total));
                        unapplied = total;
                    }
                }
                Op::Refund(share) if crate::refunds::rules::can_refund(status).is_ok() => {
                    let left = paid - refunded;
                    let amount = crate::money::round_pennies(left * Decimal::from(share) / Decimal::ONE_HUNDRED)
                        .max(Decimal::new(1, 2))
                        .min(left);
                    let back = fee_refund(fee, paid, refunded, amount);
                    let n = refunds.len().to_string();
                    books.post("credit_note", &n, credit_note(p, amount));
                    books.post("refund_paid", &n, refund_paid(p, amount));
                    books.post("transfer_reversed", &n, transfer_reversed(p, amount - back.gross()));
                    books.post("fee_refunded", &n, fee_refunded(p, back));
                    refunds.push((amount, back));
                    refunded += amount;
                    status = status_after(paid, refunded);
                }
                Op::Refund(_) => {}
                Op::ReplayRefund(i) => {
                    if let Some((amount, back)) = refunds.get(i).copied() {
                        let n = i.to_string();
                        books.post("credit_note", &n, credit_note(p, amount));
                        books.post("refund_paid", &n, refund_paid(p, amount));
                        books.post("transfer_reversed", &n, transfer_reversed(p, amount - back.gross()));
                        books.post("fee_refunded", &n, fee_refunded(p, back));
                    }
                }
                Op::Void if status == InvoiceStatus::Issued => {
                    books.post("invoice_voided", "inv", invoice_voided(p, due));
                    status = InvoiceStatus::Void;
                }
                Op::Void => {}
                Op::Payout => {
                    let waiting = books.balance(Account::ProviderStripeBalance);
                    if waiting > Decimal::ZERO {
                        let n = payouts.len().to_string();
                        books.post("payout_paid", &n, payout_paid(p.provider, waiting));
                        payouts.push(waiting);
                    }
                }
                Op::RefundReturned(i) => {
                    if let Some((amount, _)) = refunds.get(i).copied() {
                        books.post("refund_returned", &i.to_string(), refund_returned(p, amount));
                        if returned.insert(i) {
                            returned_total += amount;
                        }
                    }
                }
                Op::PayoutFailed(i) => {
                    if let Some(amount) = payouts.get(i).copied()
                        && failed.insert(i)
                    {
                        books.post("payout_failed", &i.to_string(), payout_failed(p.provider, amount));
                    }
                }
            }
            // Nothing paid twice, no refund above what was paid, no credit beyond the total.
            prop_assert!(paid + credited <= total);
            prop_assert!(fee.gross() <= total - credited);
            prop_assert!(refunded <= paid);
            let fee_kept = -(books.balance(Account::PlatformFeeRevenue) + books.balance(Account::VatOnFees));
            let paid_out: Decimal = payouts
                .iter()
                .enumerate()
                .filter(|(i, _)| !failed.contains(i))
                .map(|(_, a)| *a)
                .sum();
            let provider_got = books.balance(Account::ProviderStripeBalance) + paid_out;
            // Fee kept + what reached the provider = what the buyer paid less refunds.
            prop_assert_eq!(fee_kept + provider_got, paid - refunded);
            // Stripe holds the fee kept, any money owed back for a void invoice, and refunds
            // the card's bank sent back.
            prop_assert_eq!(
                books.balance(Account::StripeClearing),
                fee_kept + unapplied + returned_total
            );
            // The provider is owed exactly what hasn't reached their bank.
            prop_assert_eq!(
                -books.balance(Account::ProviderPayable),
                books.balance(Account::ProviderStripeBalance) + if status == InvoiceStatus::Issued { total - credited } else { Decimal::ZERO }
            );
            let owes = books.balance(Account::BuyerReceivable);
            let expected = match status {
                InvoiceStatus::Issued => total - credited,
                _ => -unapplied - returned_total,
            };
            prop_assert_eq!(owes, expected);
        }
    }
}

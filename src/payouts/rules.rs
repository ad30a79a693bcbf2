//! What a payout carried, as pure functions.
//!
//! Stripe pays out a connected account's available balance oldest money first, so a payout is
//! the run of the oldest movements not yet paid out that adds up to its amount exactly. When
//! no run does (a movement we don't know of, Stripe's own adjustments), the payout is kept
//! unmatched and admins are asked to look, rather than guessing.

use rust_decimal::Decimal;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// A card payment's transfer in: the amount paid and the platform fee (VAT included).
    Payment {
        id: Uuid,
        amount: Decimal,
        fee: Decimal,
    },
    /// A refund's reversal out: the amount refunded and the fee given back with it.
    Refund {
        id: Uuid,
        amount: Decimal,
        fee_back: Decimal,
    },
}

impl Movement {
    /// What it changed in the provider's Stripe balance.
    pub fn net(self) -> Decimal {
        match self {
            Self::Payment { amount, fee, .. } => amount - fee,
            Self::Refund {
                amount, fee_back, ..
            } => fee_back - amount,
        }
    }
}

/// How many of the oldest `movements` a payout of `amount` carried, if a run adds up exactly.
/// The shortest such run: money arriving after the payout was made isn't in it.
pub fn carried(movements: &[Movement], amount: Decimal) -> Option<usize> {
    let mut sum = Decimal::ZERO;
    if amount.is_zero() {
        return Some(0);
    }
    for (i, m) in movements.iter().enumerate() {
        sum += m.net();
        if sum == amount {
            return Some(i + 1);
        }
    }
    None
}

/// A payout explained: what buyers paid, the platform's fee (less fee given back), what was
/// refunded, and what reached the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Breakdown {
    pub gross: Decimal,
    pub fees: Decimal,
    pub refunds: Decimal,
    pub net: Decimal,
}

pub fn breakdown(movements: &[Movement]) -> Breakdown {
    let mut b = Breakdown::default();
    for m in movements {
        match *m {
            Movement::Payment { amount, fee, .. } => {
                b.gross += amount;
                b.fees += fee;
            }
            Movement::Refund {
                amount, fee_back, ..
            } => {
                b.refunds += amount;
                b.fees -= fee_back;
            }
        }
        b.net += m.net();
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn pay(amount: &str, fee: &str) -> Movement {
        Movement::Payment {
            id: Uuid::now_v7(),
            amount: d(amount),
            fee: d(fee),
        }
    }

    fn refund(amount: &str, fee_back: &str) -> Movement {
        Movement::Refund {
            id: Uuid::now_v7(),
            amount: d(amount),
            fee_back: d(fee_back),
        }
    }

    #[test]
    fn a_payout_carries_the_oldest_money_that_adds_up_to_it() {
        let moves = [
            pay("53.93", "6.47"),
            refund("20.00", "2.40"),
            pay("10.00", "1.20"),
        ];
        assert_eq!(carried(&moves, d("47.46")), Some(1));
        assert_eq!(carried(&moves, d("29.86")), Some(2));
        assert_eq!(carried(&moves, d("8.80")), None, "never skips the oldest");
        assert_eq!(carried(&moves, d("38.66")), Some(3));
        assert_eq!(carried(&moves, d("0")), Some(0));
        assert_eq!(carried(&moves, d("100")), None);
    }

    #[test]
    fn gross_less_fees_less_refunds_is_what_reached_the_bank() {
        let moves = [
            pay("53.93", "6.47"),
            refund("20.00", "2.40"),
            pay("10.00", "1.20"),
        ];
        let b = breakdown(&moves);
        assert_eq!(
            b,
            Breakdown {
                gross: d("63.93"),
                fees: d("5.27"),
                refunds: d("20.00"),
                net: d("38.66"),
            }
        );
        assert_eq!(b.gross - b.fees - b.refunds, b.net);
    }
}

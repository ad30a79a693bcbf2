use super::*;
use proptest::prelude::*;
use uuid::Uuid;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn parties() -> Parties {
    Parties {
        business: BusinessId(Uuid::from_u128(1)),
        provider: ProviderId(Uuid::from_u128(2)),
    }
}

#[test]
fn no_rule_means_no_fee() {
    assert_eq!(FeeRule::default().fee(d("123.45")), Fee::default());
    assert_eq!(FeeRule::default().describe(), "No fee");
}

#[test]
fn percent_plus_fixed_is_rounded_half_up_then_vat_added() {
    let rule = FeeRule {
        percent: d("2.5"),
        fixed: d("0.20"),
        ..FeeRule::default()
    };
    // 2.5 % of 53.93 = 1.34825 → +0.20 = 1.54825 → 1.55; VAT 20 % = 0.31.
    assert_eq!(
        rule.fee(d("53.93")),
        Fee {
            net: d("1.55"),
            vat: d("0.31")
        }
    );
    assert_eq!(rule.describe(), "2.5% + £0.20 per invoice, plus VAT");
}

#[test]
fn minimum_and_maximum_hold() {
    let rule = FeeRule {
        percent: d("1"),
        minimum: d("0.50"),
        maximum: Some(d("10")),
        ..FeeRule::default()
    };
    assert_eq!(rule.fee(d("20")).net, d("0.50"));
    assert_eq!(rule.fee(d("5000")).net, d("10"));
    assert_eq!(rule.fee(d("300")).net, d("3.00"));
}

#[test]
fn a_fee_never_exceeds_the_invoice() {
    let rule = FeeRule {
        fixed: d("5"),
        ..FeeRule::default()
    };
    let fee = rule.fee(d("1.00"));
    assert_eq!(fee.gross(), d("1.00"));
    assert_eq!(
        fee,
        Fee {
            net: d("0.83"),
            vat: d("0.17")
        }
    );
    assert_eq!(rule.fee(Decimal::ZERO), Fee::default());
}

#[test]
fn a_zero_fee_writes_no_fee_entry() {
    assert!(platform_fee(parties(), Fee::default()).is_empty());
    assert!(invoice_issued(parties(), Decimal::ZERO).is_empty());
}

/// The sum of each account (and sub-account) over a run of entries.
fn totals(entries: &[Vec<Line>]) -> std::collections::HashMap<Account, Decimal> {
    let mut t = std::collections::HashMap::new();
    for l in entries.iter().flatten() {
        *t.entry(l.account).or_insert(Decimal::ZERO) += l.amount;
    }
    t
}

fn pennies() -> impl Strategy<Value = Decimal> {
    (1i64..=5_000_000).prop_map(|p| Decimal::new(p, 2))
}

fn rules() -> impl Strategy<Value = FeeRule> {
    (
        0i64..=5000,
        0i64..=500,
        0i64..=300,
        proptest::option::of(0i64..=100_000),
    )
        .prop_map(|(pct, fixed, min, max)| {
            let minimum = Decimal::new(min, 2);
            FeeRule {
                percent: Decimal::new(pct, 2),
                fixed: Decimal::new(fixed, 2),
                minimum,
                maximum: max.map(|m| Decimal::new(m, 2).max(minimum)),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn fees_are_whole_pennies_within_bounds(rule in rules(), total in pennies()) {
        let fee = rule.fee(total);
        prop_assert!(fee.net >= Decimal::ZERO && fee.vat >= Decimal::ZERO);
        prop_assert!(fee.gross() <= total);
        prop_assert_eq!(fee.net, fee.net.round_dp(2));
        prop_assert_eq!(fee.vat, fee.vat.round_dp(2));
        if fee.gross() < total {
            prop_assert_eq!(fee.vat, crate::money::vat(fee.net, FEE_VAT_RATE));
            prop_assert!(fee.net >= rule.minimum.min(total));
            if let Some(max) = rule.maximum { prop_assert!(fee.net <= max); }
        }
    }

    /// Issue, pay by card (fee, transfer), pay out: every entry balances, the buyer owes
    /// nothing, the provider is owed their net until the payout, and fee + provider net =
    /// amount paid, to the penny.
    #[test]
    fn a_card_payment_leaves_every_account_settled(rule in rules(), total in pennies()) {
        let p = parties();
        let fee = rule.fee(total);
        let net = total - fee.gross();
        let mut entries = vec![
            invoice_issued(p, total),
            payment_received(p, total),
            platform_fee(p, fee),
            transfer(p, net),
        ];
        for e in &entries { prop_assert!(balanced(e)); }
        let t = totals(&entries);
        let get = |a| t.get(&a).copied().unwrap_or_default();
        prop_assert_eq!(get(Account::BuyerReceivable), Decimal::ZERO);
        // The provider is owed their net, and it sits in their Stripe account until paid out.
        prop_assert_eq!(get(Account::ProviderPayable), -net);
        prop_assert_eq!(get(Account::ProviderStripeBalance), net);
        entries.push(payout_paid(p.provider, net));
        let paid = totals(&entries);
        prop_assert_eq!(paid.get(&Account::ProviderPayable).copied().unwrap_or_default(), Decimal::ZERO);
        prop_assert_eq!(paid.get(&Account::ProviderStripeBalance).copied().unwrap_or_default(), Decimal::ZERO);
        prop_assert_eq!(-get(Account::PlatformFeeRevenue) - get(Account::VatOnFees), fee.gross());
        prop_assert_eq!(get(Account::StripeClearing), fee.gross());
        prop_assert_eq!(fee.gross() + net, total);
    }

    #[test]
    fn voided_or_paid_outside_leaves_nothing_owed(total in pennies(), outside in any::<bool>()) {
        let p = parties();
        let second = if outside { paid_outside(p, total) } else { invoice_voided(p, total) };
        let entries = vec![invoice_issued(p, total), second];
        for e in &entries { prop_assert!(balanced(e)); }
        let t = totals(&entries);
        prop_assert!(t.values().all(|v| v.is_zero()));
    }

    /// A card payment then refunds in any steps, each with its credit note, reversed transfer
    /// and proportional fee: every entry balances, the buyer is square and the provider is owed
    /// exactly what their Stripe account holds after each, Stripe holds exactly the fee kept,
    /// and a full refund leaves every account at zero.
    #[test]
    fn refunds_in_any_steps_keep_every_account_square(
        rule in rules(),
        total in pennies(),
        cuts in prop::collection::vec(1u32..=100, 0..5),
    ) {
        use crate::refunds::rules::fee_refund;
        let p = parties();
        let fee = rule.fee(total);
        let mut entries = vec![
            invoice_issued(p, total),
            payment_received(p, total),
            platform_fee(p, fee),
            transfer(p, total - fee.gross()),
        ];
        let mut refunded = Decimal::ZERO;
        let mut amounts: Vec<Decimal> = cuts
            .iter()
            .map(|c| crate::money::round_pennies(total * Decimal::from(*c) / Decimal::from(400)))
            .collect();
        amounts.push(total);
        for amount in amounts {
            let amount = amount.min(total - refunded);
            if amount.is_zero() { continue; }
            let back = fee_refund(fee, total, refunded, amount);
            entries.push(credit_note(p, amount));
            entries.push(refund_paid(p, amount));
            entries.push(transfer_reversed(p, amount - back.gross()));
            entries.push(fee_refunded(p, back));
            refunded += amount;
            for e in &entries { prop_assert!(balanced(e)); }
            let t = totals(&entries);
            let get = |a| t.get(&a).copied().unwrap_or_default();
            prop_assert_eq!(get(Account::BuyerReceivable), Decimal::ZERO);
            prop_assert_eq!(get(Account::ProviderPayable), -get(Account::ProviderStripeBalance));
            prop_assert!(get(Account::ProviderStripeBalance) >= Decimal::ZERO);
            prop_assert!(get(Account::StripeClearing) >= Decimal::ZERO);
            prop_assert_eq!(get(Account::StripeClearing), -get(Account::PlatformFeeRevenue) - get(Account::VatOnFees));
        }
        prop_assert_eq!(refunded, total);
        prop_assert!(totals(&entries).values().all(|v| v.is_zero()));
    }
}

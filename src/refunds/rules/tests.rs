use super::*;
use proptest::prelude::*;

macro_rules! dec {
    ($x:expr) => {
        Decimal::from_str_exact(stringify!($x)).unwrap()
    };
}

fn part(rate: Decimal, net: Decimal, vat: Decimal) -> RatePart {
    RatePart { rate, net, vat }
}

#[test]
fn credit_notes_are_numbered_in_their_own_sequence() {
    assert_eq!(credit_note_number(1), "CN-000001");
    assert_eq!(credit_note_number(1_234_567), "CN-1234567");
}

#[test]
fn a_refund_needs_an_amount_within_what_is_left_and_a_reason() {
    let ok = refund_request(" £12.50 ", " Damaged crate ", dec!(20.00)).unwrap();
    assert_eq!(ok.amount, dec!(12.50));
    assert_eq!(ok.reason, "Damaged crate");
    let field = |r: Result<RefundRequest, Problems>, f: &str| {
        r.unwrap_err()
            .into_iter()
            .find(|(k, _)| *k == f)
            .map(|(_, m)| m)
    };
    assert!(
        field(refund_request("20.01", "x", dec!(20)), "refund_amount")
            .unwrap()
            .contains("£20.00")
    );
    assert!(field(refund_request("0", "x", dec!(20)), "refund_amount").is_some());
    assert!(field(refund_request("-5", "x", dec!(20)), "refund_amount").is_some());
    assert!(field(refund_request("1.234", "x", dec!(20)), "refund_amount").is_some());
    assert!(field(refund_request("9999999999", "x", dec!(20)), "refund_amount").is_some());
    assert!(field(refund_request("abc", "x", dec!(20)), "refund_amount").is_some());
    assert!(field(refund_request("5", "  ", dec!(20)), "refund_reason").is_some());
    let long = "x".repeat(501);
    assert!(field(refund_request("5", &long, dec!(20)), "refund_reason").is_some());
}

#[test]
fn only_paid_invoices_are_refunded_and_the_state_follows_the_amount() {
    assert!(can_refund(InvoiceStatus::Paid).is_ok());
    assert!(can_refund(InvoiceStatus::PartiallyRefunded).is_ok());
    assert!(can_refund(InvoiceStatus::Refunded).is_err());
    assert!(can_refund(InvoiceStatus::Issued).is_err());
    assert!(can_refund(InvoiceStatus::Void).is_err());
    assert_eq!(status_after(dec!(10), dec!(0)), InvoiceStatus::Paid);
    assert_eq!(
        status_after(dec!(10), dec!(0.01)),
        InvoiceStatus::PartiallyRefunded
    );
    assert_eq!(status_after(dec!(10), dec!(10)), InvoiceStatus::Refunded);
}

#[test]
fn the_fee_comes_back_in_proportion_and_whole_at_the_end() {
    // £100 paid, fee £2.50 + £0.50 VAT.
    let fee = Fee {
        net: dec!(2.50),
        vat: dec!(0.50),
    };
    let half = fee_refund(fee, dec!(100), dec!(0), dec!(50));
    assert_eq!(half.gross(), dec!(1.50));
    assert_eq!(half.vat, dec!(0.25));
    let third = fee_refund(fee, dec!(100), dec!(50), dec!(33.33));
    assert_eq!(third.gross(), dec!(1.00));
    let rest = fee_refund(fee, dec!(100), dec!(83.33), dec!(16.67));
    assert_eq!(half.gross() + third.gross() + rest.gross(), fee.gross());
    assert_eq!(half.vat + third.vat + rest.vat, fee.vat);
    assert_eq!(
        fee_refund(Fee::default(), dec!(100), dec!(0), dec!(10)),
        Fee::default()
    );
}

#[test]
fn a_part_refund_is_shared_across_rates_and_the_rest_cancels_exactly() {
    // £50 net at 20% (£10 VAT) and £40 at 0%: £100 in all.
    let invoiced = [
        part(dec!(0), dec!(40), dec!(0)),
        part(dec!(20), dec!(50), dec!(10)),
    ];
    let first = credit_parts(&invoiced, dec!(25));
    assert_eq!(
        first,
        vec![
            part(dec!(0), dec!(10), dec!(0)),
            part(dec!(20), dec!(12.50), dec!(2.50))
        ]
    );
    let left = remaining(&invoiced, &first);
    let rest = credit_parts(&left, dec!(75));
    assert_eq!(
        rest,
        vec![
            part(dec!(0), dec!(30), dec!(0)),
            part(dec!(20), dec!(37.50), dec!(7.50))
        ]
    );
    assert!(
        remaining(&invoiced, &[first, rest].concat())
            .iter()
            .all(|r| r.net.is_zero() && r.vat.is_zero())
    );
}

fn pennies(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max).prop_map(|p| Decimal::new(p, 2))
}

fn invoice() -> impl Strategy<Value = Vec<RatePart>> {
    prop::collection::vec(
        (prop::sample::select(vec![0, 5, 20]), pennies(500_000)),
        1..4,
    )
    .prop_map(|lines| {
        let mut parts: Vec<RatePart> = Vec::new();
        for (rate, net) in lines {
            let rate = Decimal::from(rate);
            let vat = crate::money::vat(net, rate);
            match parts.iter_mut().find(|p| p.rate == rate) {
                Some(p) => {
                    p.net += net;
                    p.vat += vat;
                }
                None => parts.push(part(rate, net, vat)),
            }
        }
        parts
    })
    .prop_filter("something to pay", |p| {
        p.iter().map(|r| r.gross()).sum::<Decimal>() > Decimal::ZERO
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any run of part refunds then the rest: every credit note adds up to its refund, never
    /// takes more than is left at a rate, VAT is never negative, and together they cancel the
    /// invoice exactly. The fee given back never exceeds a refund and sums to the whole fee.
    #[test]
    fn refunds_in_any_steps_cancel_the_invoice_and_the_fee_exactly(
        invoiced in invoice(),
        cuts in prop::collection::vec(1u32..=100, 0..6),
        fee_percent in 0u32..=100,
    ) {
        let total: Decimal = invoiced.iter().map(|r| r.gross()).sum();
        let fee = crate::ledger::rules::FeeRule {
            percent: Decimal::from(fee_percent),
            ..Default::default()
        }
        .fee(total);
        let mut credited: Vec<RatePart> = Vec::new();
        let mut refunded = Decimal::ZERO;
        let mut fee_back = Fee::default();
        let mut steps: Vec<Decimal> = cuts
            .iter()
            .map(|c| round_pennies((total - refunded) * Decimal::from(*c) / Decimal::from(300)))
            .collect();
        steps.push(Decimal::MAX);
        for step in steps {
            let left_total = total - refunded;
            let amount = step.min(left_total);
            if amount.is_zero() {
                continue;
            }
            let left = remaining(&invoiced, &credited);
            let note = credit_parts(&left, amount);
            prop_assert_eq!(note.iter().map(|r| r.gross()).sum::<Decimal>(), amount);
            for n in &note {
                let l = left.iter().find(|l| l.rate == n.rate).unwrap();
                prop_assert!(n.net >= Decimal::ZERO && n.vat >= Decimal::ZERO);
                prop_assert!(n.net <= l.net && n.vat <= l.vat);
            }
            let back = fee_refund(fee, total, refunded, amount);
            prop_assert!(back.net >= Decimal::ZERO && back.vat >= Decimal::ZERO);
            prop_assert!(back.gross() <= amount);
            fee_back = Fee { net: fee_back.net + back.net, vat: fee_back.vat + back.vat };
            credited.extend(note);
            refunded += amount;
            prop_assert_eq!(status_after(total, refunded) == InvoiceStatus::Refunded, refunded == total);
        }
        prop_assert_eq!(refunded, total);
        prop_assert_eq!(fee_back, fee);
        prop_assert!(remaining(&invoiced, &credited).iter().all(|r| r.net.is_zero() && r.vat.is_zero()));
    }
}

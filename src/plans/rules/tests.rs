use super::*;
use time::macros::datetime;

fn rule(percent: i64) -> FeeRule {
    FeeRule {
        percent: Decimal::new(percent, 0),
        ..FeeRule::default()
    }
}

#[test]
fn the_latest_started_version_is_in_force() {
    let v = [
        Version {
            starts_at: datetime!(2026-03-01 0:00 UTC),
            value: 2,
        },
        Version {
            starts_at: datetime!(2026-01-01 0:00 UTC),
            value: 1,
        },
        Version {
            starts_at: datetime!(2026-06-01 0:00 UTC),
            value: 3,
        },
    ];
    assert_eq!(in_force(&v, datetime!(2025-12-31 23:59 UTC)), None);
    assert_eq!(in_force(&v, datetime!(2026-01-01 0:00 UTC)), Some(1));
    assert_eq!(in_force(&v, datetime!(2026-05-31 23:59:59 UTC)), Some(2));
    assert_eq!(in_force(&v, datetime!(2026-06-01 0:00 UTC)), Some(3));
    assert_eq!(
        scheduled(&v, datetime!(2026-04-01 0:00 UTC)).map(|v| v.value),
        Some(3)
    );
    assert_eq!(scheduled(&v, datetime!(2026-07-01 0:00 UTC)), None);
}

#[test]
fn an_override_wins_until_it_is_removed() {
    let plan = [Version {
        starts_at: datetime!(2026-01-01 0:00 UTC),
        value: rule(3),
    }];
    let overrides = [
        Version {
            starts_at: datetime!(2026-02-01 0:00 UTC),
            value: Some(rule(1)),
        },
        Version {
            starts_at: datetime!(2026-03-01 0:00 UTC),
            value: None,
        },
    ];
    assert_eq!(
        rule_at(&overrides, &plan, datetime!(2026-01-15 0:00 UTC)),
        rule(3)
    );
    assert_eq!(
        rule_at(&overrides, &plan, datetime!(2026-02-15 0:00 UTC)),
        rule(1)
    );
    assert_eq!(
        rule_at(&overrides, &plan, datetime!(2026-03-15 0:00 UTC)),
        rule(3)
    );
    assert_eq!(
        rule_at(&[], &[], datetime!(2026-03-15 0:00 UTC)),
        FeeRule::default()
    );
}

#[test]
fn switching_plans() {
    let (free, paid) = (Choice { paid: false }, Choice { paid: true });
    assert_eq!(switch(free, false, paid, false), Switch::Checkout);
    assert_eq!(
        switch(paid, false, free, false),
        Switch::DowngradeAtPeriodEnd
    );
    assert_eq!(switch(paid, false, free, true), Switch::AlreadyOn);
    assert_eq!(switch(paid, true, paid, true), Switch::KeepCurrent);
    assert_eq!(switch(paid, true, paid, false), Switch::AlreadyOn);
    assert_eq!(switch(free, true, free, false), Switch::AlreadyOn);
    assert_eq!(switch(paid, false, paid, false), Switch::EndCurrentFirst);
}

#[test]
fn subscription_states_only_move_forward() {
    use SubStatus::*;
    assert!(Pending.can_become(Active));
    assert!(Active.can_become(PastDue));
    assert!(PastDue.can_become(Active));
    assert!(PastDue.can_become(Cancelled));
    assert!(!Cancelled.can_become(Active));
    assert!(!Abandoned.can_become(Active));
    assert!(!Active.can_become(Pending));
    assert!(!Active.can_become(Active));
    assert_eq!(SubStatus::from_stripe("trialing"), Some(Active));
    assert_eq!(SubStatus::from_stripe("unpaid"), Some(PastDue));
    assert_eq!(SubStatus::from_stripe("canceled"), Some(Cancelled));
    assert_eq!(SubStatus::from_stripe("incomplete"), None);
    for s in [Pending, Active, PastDue, Cancelled, Abandoned] {
        assert_eq!(SubStatus::parse(s.as_str()), Some(s));
    }
}

#[test]
fn grace_is_set_once() {
    let first = datetime!(2026-05-01 9:00 UTC);
    let g = grace_until(None, first);
    assert_eq!(g, datetime!(2026-05-08 9:00 UTC));
    assert_eq!(grace_until(Some(g), datetime!(2026-05-03 9:00 UTC)), g);
}

#[test]
fn a_month_ends_on_the_same_day_or_the_months_last() {
    assert_eq!(
        month_after(datetime!(2026-01-31 10:00 UTC)),
        datetime!(2026-02-28 10:00 UTC)
    );
    assert_eq!(
        month_after(datetime!(2028-01-31 10:00 UTC)),
        datetime!(2028-02-29 10:00 UTC)
    );
    assert_eq!(
        month_after(datetime!(2026-12-15 10:00 UTC)),
        datetime!(2027-01-15 10:00 UTC)
    );
}

#[test]
fn what_another_plan_would_have_charged() {
    let totals = [Decimal::new(10000, 2), Decimal::new(5000, 2)];
    // 3 % of £150 = £4.50, plus 20 % VAT.
    assert_eq!(would_charge(&rule(3), &totals), Decimal::new(540, 2));
    assert_eq!(would_charge(&FeeRule::default(), &totals), Decimal::ZERO);
}

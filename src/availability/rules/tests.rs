use super::*;
use time::macros::{date, datetime, time};

fn window(weekday: i16, starts: Time, ends: Time) -> Window {
    Window {
        id: Uuid::from_u128(u128::from(weekday.unsigned_abs()) * 100 + u128::from(starts.hour())),
        weekday,
        starts,
        ends,
    }
}

/// Weekdays, order by 14:00 the day before, no windows.
fn zone() -> Zone {
    Zone {
        id: Uuid::from_u128(1),
        name: "Central".into(),
        areas: vec!["SE1".into(), "E".into()],
        days: vec![1, 2, 3, 4, 5],
        min_order_value: Decimal::from(50),
        delivery_charge: Decimal::ZERO,
        lead_days: 1,
        cutoff: time!(14:00),
        max_per_day: None,
        max_per_window: None,
        windows: Vec::new(),
    }
}

#[test]
fn a_cut_off_is_exact_to_the_second_either_side() {
    let z = zone();
    // Wed 25 Nov 2026 closes at 14:00 GMT on Tuesday the 24th.
    let wed = date!(2026 - 11 - 25);
    assert_eq!(cutoff(&z, wed), datetime!(2026-11-24 14:00 UTC));
    let before = datetime!(2026-11-24 13:59:59 UTC);
    let after = datetime!(2026-11-24 14:00:00 UTC);
    assert_eq!(
        check(&z, &[], &Booked::default(), before, wed, None)
            .unwrap()
            .date,
        wed
    );
    let missed = check(&z, &[], &Booked::default(), after, wed, None).unwrap_err();
    assert_eq!(
        missed,
        "Ordering for 25 Nov 2026 closed at 24 Nov 2026, 14:00. The next delivery you can have is Thursday 26 Nov 2026: order by 25 Nov 2026, 14:00."
    );
    assert_eq!(slots(&z, &[], &Booked::default(), before, 1)[0].date, wed);
    assert_eq!(
        slots(&z, &[], &Booked::default(), after, 1)[0].date,
        date!(2026 - 11 - 26)
    );
}

#[test]
fn cut_offs_stay_on_london_wall_clock_time_across_both_clock_changes() {
    let z = zone();
    // Clocks go forward on Sun 29 Mar 2026: Friday's 14:00 is GMT, Monday's is BST.
    assert_eq!(
        cutoff(&z, date!(2026 - 03 - 30)),
        datetime!(2026-03-29 13:00 UTC)
    );
    assert_eq!(
        cutoff(&z, date!(2026 - 03 - 27)),
        datetime!(2026-03-26 14:00 UTC)
    );
    // Clocks go back on Sun 25 Oct 2026: Saturday's 14:00 is BST, Sunday's is GMT.
    assert_eq!(
        cutoff(&z, date!(2026 - 10 - 25)),
        datetime!(2026-10-24 13:00 UTC)
    );
    assert_eq!(
        cutoff(&z, date!(2026 - 10 - 26)),
        datetime!(2026-10-25 14:00 UTC)
    );
    // 13:30 UTC on Sun 29 Mar is 14:30 BST: Monday has closed, though it is 13:30 GMT.
    let monday = date!(2026 - 03 - 30);
    let now = datetime!(2026-03-29 13:30 UTC);
    assert!(check(&z, &[], &Booked::default(), now, monday, None).is_err());
}

#[test]
fn wall_clock_times_inside_the_changes_resolve_to_one_instant() {
    // 01:30 happens twice on 25 Oct 2026: the earlier (BST) one.
    assert_eq!(
        london_instant(date!(2026 - 10 - 25), time!(01:30)),
        datetime!(2026-10-25 00:30 UTC)
    );
    // 01:30 never happens on 29 Mar 2026: an hour on, as the clocks read.
    assert_eq!(
        london_instant(date!(2026 - 03 - 29), time!(01:30)),
        datetime!(2026-03-29 01:30 UTC)
    );
    assert_eq!(
        london_instant(date!(2026 - 03 - 29), time!(00:30)),
        datetime!(2026-03-29 00:30 UTC)
    );
    assert_eq!(
        london_instant(date!(2026 - 03 - 29), time!(02:00)),
        datetime!(2026-03-29 01:00 UTC)
    );
    // Same-day cut-off just after midnight in summer: 00:30 BST is 23:30 UTC the day before.
    assert_eq!(
        london_instant(date!(2026 - 07 - 01), time!(00:30)),
        datetime!(2026-06-30 23:30 UTC)
    );
}

#[test]
fn a_closure_skips_its_days_and_says_why() {
    let z = zone();
    let closures = [Closure {
        id: Uuid::from_u128(9),
        starts_on: date!(2026 - 12 - 24),
        ends_on: date!(2026 - 12 - 28),
        message: "Christmas break".into(),
    }];
    let now = datetime!(2026-12-22 10:00 UTC);
    let offered: Vec<Date> = slots(&z, &closures, &Booked::default(), now, 3)
        .iter()
        .map(|s| s.date)
        .collect();
    assert_eq!(
        offered,
        [
            date!(2026 - 12 - 23),
            date!(2026 - 12 - 29),
            date!(2026 - 12 - 30)
        ]
    );
    let refused = check(
        &z,
        &closures,
        &Booked::default(),
        now,
        date!(2026 - 12 - 24),
        None,
    )
    .unwrap_err();
    assert!(
        refused.starts_with("Closed 24 Dec 2026 to 28 Dec 2026: Christmas break. The next delivery you can have is Wednesday 23 Dec 2026"),
        "{refused}"
    );
}

#[test]
fn full_days_and_windows_are_not_offered() {
    let mut z = zone();
    z.windows = vec![
        window(3, time!(06:00), time!(09:00)),
        window(3, time!(10:00), time!(12:00)),
    ];
    z.max_per_window = Some(2);
    z.max_per_day = Some(3);
    let wed = date!(2026 - 11 - 25);
    let now = datetime!(2026-11-24 09:00 UTC);
    let mut booked = Booked::default();
    booked.windows.insert((wed, time!(06:00)), 2);
    booked.days.insert(wed, 2);
    let offered = slots(&z, &[], &booked, now, 2);
    assert_eq!(
        offered[0].value(),
        format!("2026-11-25/{}", z.windows[1].id)
    );
    assert_eq!(offered[0].label(), "Wednesday 25 Nov 2026, 10:00–12:00");
    assert_eq!(offered[1].date, date!(2026 - 11 - 26));
    assert!(
        check(&z, &[], &booked, now, wed, Some(z.windows[0].id))
            .unwrap_err()
            .starts_with("That delivery window is fully booked. The next delivery you can have is Wednesday 25 Nov 2026, 10:00–12:00")
    );
    assert_eq!(
        check(&z, &[], &booked, now, wed, None)
            .unwrap_err()
            .split(". ")
            .next(),
        Some("Choose a delivery window")
    );
    booked.days.insert(wed, 3);
    assert!(
        check(&z, &[], &booked, now, wed, Some(z.windows[1].id))
            .unwrap_err()
            .starts_with("25 Nov 2026 is fully booked.")
    );
    assert_eq!(
        slots(&z, &[], &booked, now, 1)[0].date,
        date!(2026 - 11 - 26)
    );
}

#[test]
fn unknown_windows_days_and_dates_are_refused_with_the_next_slot() {
    let z = zone();
    let now = datetime!(2026-11-24 09:00 UTC);
    let sat = check(
        &z,
        &[],
        &Booked::default(),
        now,
        date!(2026 - 11 - 28),
        None,
    )
    .unwrap_err();
    assert!(sat.starts_with("This provider doesn't deliver to your address on Saturdays."));
    assert!(
        check(
            &z,
            &[],
            &Booked::default(),
            now,
            date!(2026 - 11 - 23),
            None
        )
        .unwrap_err()
        .starts_with("That delivery date has passed.")
    );
    assert!(
        check(
            &z,
            &[],
            &Booked::default(),
            now,
            date!(2027 - 06 - 01),
            None
        )
        .unwrap_err()
        .starts_with("Choose a delivery date within the next three months.")
    );
    assert!(
        check(
            &z,
            &[],
            &Booked::default(),
            now,
            date!(2026 - 11 - 25),
            Some(Uuid::from_u128(7))
        )
        .unwrap_err()
        .starts_with("That delivery window is no longer offered.")
    );
    let mut closed_all_year = z.clone();
    closed_all_year.days = vec![7];
    let nothing = [Closure {
        id: Uuid::from_u128(3),
        starts_on: date!(2026 - 11 - 01),
        ends_on: date!(2027 - 06 - 01),
        message: String::new(),
    }];
    assert!(
        check(
            &closed_all_year,
            &nothing,
            &Booked::default(),
            now,
            date!(2026 - 11 - 29),
            None
        )
        .unwrap_err()
        .ends_with("This provider has no delivery days open in the next three months.")
    );
}

#[test]
fn the_most_specific_zone_covers_an_address() {
    let central = zone();
    let mut se1 = zone();
    se1.id = Uuid::from_u128(2);
    se1.areas = vec!["SE1".into(), "SE11".into()];
    let mut south = zone();
    south.id = Uuid::from_u128(3);
    south.areas = vec!["SE".into()];
    let zones = [south.clone(), central.clone(), se1.clone()];
    assert_eq!(zone_for(&zones, "SE1").map(|z| z.id), Some(central.id));
    assert_eq!(zone_for(&zones, "se11").map(|z| z.id), Some(se1.id));
    assert_eq!(zone_for(&zones, "SE22").map(|z| z.id), Some(south.id));
    assert_eq!(zone_for(&zones, "E14").map(|z| z.id), Some(central.id));
    assert!(zone_for(&zones, "EC1A").is_none());
    assert!(zone_for(&zones, "N1").is_none());
}

#[test]
fn countdowns_and_headlines_read_naturally() {
    let now = datetime!(2026-11-24 10:40 UTC);
    assert_eq!(
        countdown(now, datetime!(2026-11-24 14:00 UTC)),
        "3 h 20 min"
    );
    assert_eq!(countdown(now, datetime!(2026-11-24 11:25 UTC)), "45 min");
    assert_eq!(
        countdown(now, datetime!(2026-11-24 10:40:30 UTC)),
        "less than a minute"
    );
    assert_eq!(
        countdown(now, datetime!(2026-11-26 13:40 UTC)),
        "2 days 3 h"
    );
    let mut z = zone();
    z.windows = vec![window(3, time!(06:00), time!(09:00))];
    let first = &slots(&z, &[], &Booked::default(), now, 1)[0];
    assert_eq!(
        headline(now, first),
        "Order within 3 h 20 min for delivery tomorrow, 06:00–09:00."
    );
    let later = Slot {
        date: date!(2026 - 11 - 26),
        window: None,
        cutoff: datetime!(2026-11-25 14:00 UTC),
    };
    assert_eq!(
        headline(now, &later),
        "Order within 1 day 3 h for delivery on Thursday 26 Nov 2026."
    );
    assert_eq!(
        parse_slot(&first.value()),
        Some((first.date, Some(z.windows[0].id)))
    );
    assert_eq!(
        parse_slot(" 2026-11-26 "),
        Some((date!(2026 - 11 - 26), None))
    );
    assert_eq!(parse_slot("2026-11-26/not-a-window"), None);
    assert_eq!(parse_slot("tomorrow"), None);
}

#[test]
fn same_day_zones_close_at_their_cut_off_that_day() {
    let mut z = zone();
    z.lead_days = 0;
    z.cutoff = time!(12:00);
    // Summer: noon London is 11:00 UTC.
    let day = date!(2026 - 07 - 15);
    assert!(
        check(
            &z,
            &[],
            &Booked::default(),
            datetime!(2026-07-15 10:59:59 UTC),
            day,
            None
        )
        .is_ok()
    );
    assert!(
        check(
            &z,
            &[],
            &Booked::default(),
            datetime!(2026-07-15 11:00 UTC),
            day,
            None
        )
        .is_err()
    );
    let mut two_days = zone();
    two_days.lead_days = 2;
    assert_eq!(
        cutoff(&two_days, date!(2026 - 11 - 26)),
        datetime!(2026-11-24 14:00 UTC)
    );
}

#[test]
fn the_delivery_charge_is_vat_at_the_standard_rate() {
    assert_eq!(
        delivery_charge_line(Decimal::new(750, 2)),
        (
            Decimal::new(750, 2),
            Decimal::from(20),
            Decimal::new(150, 2)
        )
    );
    assert_eq!(
        delivery_charge_line(Decimal::new(333, 2)).2,
        Decimal::new(67, 2)
    );
}

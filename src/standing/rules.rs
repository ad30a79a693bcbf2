//! When a standing order delivers, and when the worker places each occurrence, as pure
//! functions of its schedule, the provider's zone and the time.

use time::{Date, Duration, OffsetDateTime};

use crate::availability::rules::{Zone, cutoff};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// ISO weekdays, 1 = Monday.
    pub weekdays: Vec<i16>,
    /// 1 = every week, 2 = every other week, …, counted from the week it starts.
    pub every_weeks: i16,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// No occurrences before this date.
    pub paused_until: Option<Date>,
}

fn monday_of(d: Date) -> Date {
    d - Duration::days(i64::from(d.weekday().number_days_from_monday()))
}

/// Does the schedule deliver on `date`?
pub fn occurs_on(s: &Schedule, date: Date) -> bool {
    let weekday = i16::from(date.weekday().number_from_monday());
    let weeks = (monday_of(date) - monday_of(s.starts_on)).whole_weeks();
    date >= s.starts_on
        && s.ends_on.is_none_or(|end| date <= end)
        && s.paused_until.is_none_or(|until| date >= until)
        && s.weekdays.contains(&weekday)
        && weeks.rem_euclid(i64::from(s.every_weeks.max(1))) == 0
}

/// The schedule's delivery dates from `from` on, at most `count` of them within a year.
pub fn upcoming(s: &Schedule, from: Date, count: usize) -> Vec<Date> {
    (0..366)
        .map(|d| from + Duration::days(d))
        .filter(|d| occurs_on(s, *d))
        .take(count)
        .collect()
}

/// The dates whose occurrence is due at `now`: placing opens `before` the zone's cut-off
/// and closes at the cut-off (a missed one is not placed late).
pub fn due(s: &Schedule, zone: &Zone, now: OffsetDateTime, before: Duration) -> Vec<Date> {
    let today = crate::timefmt::to_london(now).date();
    // The cut-off of a date is lead_days before it, so due dates lie that far ahead (and a
    // day more for a placing window crossing midnight).
    let reach = i64::from(zone.lead_days) + before.whole_days() + 2;
    (0..=reach)
        .map(|d| today + Duration::days(d))
        .filter(|d| occurs_on(s, *d))
        .filter(|d| {
            let cut = cutoff(zone, *d);
            cut - before <= now && now < cut
        })
        .collect()
}

/// One product's standing demand per day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demand {
    pub product: uuid::Uuid,
    pub name: String,
    pub unit: String,
    pub per_day: Vec<rust_decimal::Decimal>,
    pub total: rust_decimal::Decimal,
}

/// What standing orders will ask for over `days` days from `from`: each schedule's dates,
/// less those already decided not to deliver (`off`), times its lines, summed per product.
pub fn demand(
    schedules: &[(uuid::Uuid, Schedule)],
    lines: &[super::queries::DemandLine],
    off: &[(uuid::Uuid, Date)],
    from: Date,
    days: usize,
) -> Vec<Demand> {
    let mut out: Vec<Demand> = Vec::new();
    for (i, date) in (0..days).map(|d| (d, from + Duration::days(i64::try_from(d).unwrap_or(0)))) {
        for (id, schedule) in schedules {
            if !occurs_on(schedule, date) || off.contains(&(*id, date)) {
                continue;
            }
            for (_, product, name, unit, quantity) in lines.iter().filter(|l| l.0 == *id) {
                let row = match out.iter_mut().position(|d| d.product == *product) {
                    Some(p) => &mut out[p],
                    None => {
                        out.push(Demand {
                            product: *product,
                            name: name.clone(),
                            unit: unit.clone(),
                            per_day: vec![rust_decimal::Decimal::ZERO; days],
                            total: rust_decimal::Decimal::ZERO,
                        });
                        let last = out.len() - 1;
                        &mut out[last]
                    }
                };
                row.per_day[i] += *quantity;
                row.total += *quantity;
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// "Every week on Mon, Thu" / "Every 2 weeks on Fri".
pub fn describe(s: &Schedule) -> String {
    let days = crate::providers::model::WEEKDAYS
        .iter()
        .filter(|(n, _)| s.weekdays.contains(n))
        .map(|(_, name)| &name[..3])
        .collect::<Vec<_>>()
        .join(", ");
    if s.every_weeks <= 1 {
        format!("Every week on {days}")
    } else {
        format!("Every {} weeks on {days}", s.every_weeks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use time::macros::{date, datetime, time};

    fn weekly(days: &[i16]) -> Schedule {
        Schedule {
            weekdays: days.to_vec(),
            every_weeks: 1,
            starts_on: date!(2026 - 11 - 24),
            ends_on: None,
            paused_until: None,
        }
    }

    fn zone() -> Zone {
        Zone {
            id: uuid::Uuid::nil(),
            name: "Z".into(),
            areas: vec!["SE1".into()],
            days: vec![1, 2, 3, 4, 5, 6, 7],
            min_order_value: Decimal::ZERO,
            delivery_charge: Decimal::ZERO,
            lead_days: 1,
            cutoff: time!(14:00),
            max_per_day: None,
            max_per_window: None,
            windows: Vec::new(),
        }
    }

    #[test]
    fn weekly_and_fortnightly_schedules_keep_to_their_weeks() {
        let s = weekly(&[1, 4]);
        assert_eq!(
            upcoming(&s, date!(2026 - 11 - 24), 4),
            [
                date!(2026 - 11 - 26),
                date!(2026 - 11 - 30),
                date!(2026 - 12 - 03),
                date!(2026 - 12 - 07)
            ]
        );
        let fortnightly = Schedule {
            every_weeks: 2,
            ..weekly(&[5])
        };
        assert_eq!(
            upcoming(&fortnightly, date!(2026 - 11 - 24), 3),
            [
                date!(2026 - 11 - 27),
                date!(2026 - 12 - 11),
                date!(2026 - 12 - 25)
            ]
        );
        assert_eq!(describe(&fortnightly), "Every 2 weeks on Fri");
        assert_eq!(describe(&s), "Every week on Mon, Thu");
    }

    #[test]
    fn demand_sums_each_products_scheduled_quantities_less_skipped_days() {
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let (milk, eggs) = (uuid::Uuid::from_u128(10), uuid::Uuid::from_u128(11));
        let schedules = [(a, weekly(&[3])), (b, weekly(&[3, 4]))];
        let lines = [
            (
                a,
                milk,
                "Milk".to_owned(),
                "crate".to_owned(),
                Decimal::from(2),
            ),
            (
                b,
                milk,
                "Milk".to_owned(),
                "crate".to_owned(),
                Decimal::from(1),
            ),
            (
                b,
                eggs,
                "Eggs".to_owned(),
                "tray".to_owned(),
                Decimal::new(15, 1),
            ),
        ];
        // Tue 24 Nov for 3 days: Wed 25 (a, b), Thu 26 (b, skipped).
        let off = [(b, date!(2026 - 11 - 26))];
        let d = demand(&schedules, &lines, &off, date!(2026 - 11 - 24), 3);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].name, "Eggs");
        assert_eq!(
            d[0].per_day,
            [Decimal::ZERO, Decimal::new(15, 1), Decimal::ZERO]
        );
        assert_eq!(
            d[1].per_day,
            [Decimal::ZERO, Decimal::from(3), Decimal::ZERO]
        );
        assert_eq!(d[1].total, Decimal::from(3));
    }

    #[test]
    fn start_end_and_pause_bound_the_dates() {
        let s = Schedule {
            ends_on: Some(date!(2026 - 12 - 10)),
            paused_until: Some(date!(2026 - 12 - 01)),
            ..weekly(&[1, 4])
        };
        assert_eq!(
            upcoming(&s, date!(2026 - 11 - 01), 10),
            [
                date!(2026 - 12 - 03),
                date!(2026 - 12 - 07),
                date!(2026 - 12 - 10)
            ]
        );
        assert!(!occurs_on(&s, date!(2026 - 11 - 23)), "before it starts");
    }

    #[test]
    fn an_occurrence_is_due_from_two_hours_before_its_cut_off_until_the_cut_off() {
        let s = weekly(&[4]);
        let z = zone(); // Thursday 26 Nov closes Wednesday 14:00 GMT.
        let two_hours = Duration::hours(2);
        assert!(due(&s, &z, datetime!(2026-11-25 11:59:59 UTC), two_hours).is_empty());
        assert_eq!(
            due(&s, &z, datetime!(2026-11-25 12:00 UTC), two_hours),
            [date!(2026 - 11 - 26)]
        );
        assert_eq!(
            due(&s, &z, datetime!(2026-11-25 13:59:59 UTC), two_hours),
            [date!(2026 - 11 - 26)]
        );
        assert!(due(&s, &z, datetime!(2026-11-25 14:00 UTC), two_hours).is_empty());
    }

    #[test]
    fn placing_follows_london_time_over_the_october_clock_change() {
        // Monday 26 Oct 2026 closes Sunday 25th at 14:00, which is GMT again (14:00 UTC).
        let autumn = |days: &[i16]| Schedule {
            starts_on: date!(2026 - 10 - 01),
            ..weekly(days)
        };
        let s = autumn(&[1]);
        let z = zone();
        let two_hours = Duration::hours(2);
        assert!(due(&s, &z, datetime!(2026-10-25 11:59 UTC), two_hours).is_empty());
        assert_eq!(
            due(&s, &z, datetime!(2026-10-25 12:00 UTC), two_hours),
            [date!(2026 - 10 - 26)]
        );
        // Tuesday 27th's cut-off in summer time would be 13:00 UTC; it is GMT now.
        let tue = autumn(&[2]);
        assert_eq!(
            due(&tue, &z, datetime!(2026-10-26 13:30 UTC), two_hours),
            [date!(2026 - 10 - 27)]
        );
    }
}

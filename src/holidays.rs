//! Bank holidays in England and Wales, worked out from the rules (Easter, "first Monday in
//! May", substitute days when a fixed holiday falls at a weekend) plus the one-off days
//! proclaimed for royal occasions. Scotland and Northern Ireland have some different days;
//! Larder counts working days the English way, as most of its providers do.

use time::{Date, Duration, Month, Weekday};

/// A day as (year, month, day).
type Ymd = (i32, u8, u8);

/// One-off and moved days: (added, taken away).
const PROCLAIMED: &[(Ymd, Option<Ymd>)] = &[
    // Royal wedding.
    ((2011, 4, 29), None),
    // Diamond Jubilee: the spring holiday moved to 4 June, and 5 June added.
    ((2012, 6, 4), Some((2012, 5, 28))),
    ((2012, 6, 5), None),
    // VE Day 75: the early May holiday moved to Friday 8 May.
    ((2020, 5, 8), Some((2020, 5, 4))),
    // Platinum Jubilee: the spring holiday moved to 2 June, and 3 June added.
    ((2022, 6, 2), Some((2022, 5, 30))),
    ((2022, 6, 3), None),
    // The Queen's funeral.
    ((2022, 9, 19), None),
    // The King's coronation.
    ((2023, 5, 8), None),
];

fn ymd(y: i32, m: u8, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// Easter Sunday (Gregorian, the anonymous algorithm).
pub fn easter(year: i32) -> Option<Date> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
}

fn first_monday(year: i32, month: u8) -> Option<Date> {
    let mut d = ymd(year, month, 1)?;
    while d.weekday() != Weekday::Monday {
        d = d.next_day()?;
    }
    Some(d)
}

fn last_monday(year: i32, month: u8) -> Option<Date> {
    let mut d = first_monday(year, month)?;
    while let Some(next) = d.checked_add(Duration::weeks(1)) {
        if next.month() != d.month() {
            break;
        }
        d = next;
    }
    Some(d)
}

/// The year's bank holidays by rule, before proclamations.
fn by_rule(year: i32) -> Vec<Date> {
    let mut days = Vec::new();
    if let Some(new_year) = ymd(year, 1, 1) {
        days.push(match new_year.weekday() {
            Weekday::Saturday => new_year + Duration::days(2),
            Weekday::Sunday => new_year + Duration::days(1),
            _ => new_year,
        });
    }
    if let Some(e) = easter(year) {
        days.push(e - Duration::days(2));
        days.push(e + Duration::days(1));
    }
    days.extend(first_monday(year, 5));
    days.extend(last_monday(year, 5));
    days.extend(last_monday(year, 8));
    if let Some(christmas) = ymd(year, 12, 25) {
        // Christmas and Boxing Day each take the next weekday the other hasn't.
        let (c, b) = match christmas.weekday() {
            Weekday::Friday => (0, 3),
            Weekday::Saturday => (2, 3),
            Weekday::Sunday => (2, 1),
            _ => (0, 1),
        };
        days.push(christmas + Duration::days(c));
        days.push(christmas + Duration::days(b));
    }
    days
}

pub fn is_bank_holiday(day: Date) -> bool {
    let at = |t: Ymd| ymd(t.0, t.1, t.2) == Some(day);
    if PROCLAIMED.iter().any(|(added, _)| at(*added)) {
        return true;
    }
    if PROCLAIMED.iter().any(|(_, moved)| moved.is_some_and(at)) {
        return false;
    }
    by_rule(day.year()).contains(&day)
}

/// Monday to Friday and not a bank holiday.
pub fn is_working_day(day: Date) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_bank_holiday(day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn holidays(year: i32) -> Vec<Date> {
        let mut d = ymd(year, 1, 1).unwrap();
        let mut out = Vec::new();
        while d.year() == year {
            if is_bank_holiday(d) {
                out.push(d);
            }
            d = d.next_day().unwrap();
        }
        out
    }

    #[test]
    fn easter_matches_the_tables() {
        assert_eq!(easter(2024), Some(date!(2024 - 03 - 31)));
        assert_eq!(easter(2025), Some(date!(2025 - 04 - 20)));
        assert_eq!(easter(2026), Some(date!(2026 - 04 - 05)));
        assert_eq!(easter(2027), Some(date!(2027 - 03 - 28)));
        assert_eq!(easter(2038), Some(date!(2038 - 04 - 25)));
    }

    #[test]
    fn the_published_lists_for_england_and_wales() {
        assert_eq!(
            holidays(2026),
            [
                date!(2026 - 01 - 01),
                date!(2026 - 04 - 03),
                date!(2026 - 04 - 06),
                date!(2026 - 05 - 04),
                date!(2026 - 05 - 25),
                date!(2026 - 08 - 31),
                date!(2026 - 12 - 25),
                date!(2026 - 12 - 28),
            ]
        );
        assert_eq!(
            holidays(2027),
            [
                date!(2027 - 01 - 01),
                date!(2027 - 03 - 26),
                date!(2027 - 03 - 29),
                date!(2027 - 05 - 03),
                date!(2027 - 05 - 31),
                date!(2027 - 08 - 30),
                date!(2027 - 12 - 27),
                date!(2027 - 12 - 28),
            ]
        );
        assert_eq!(
            holidays(2022),
            [
                date!(2022 - 01 - 03),
                date!(2022 - 04 - 15),
                date!(2022 - 04 - 18),
                date!(2022 - 05 - 02),
                date!(2022 - 06 - 02),
                date!(2022 - 06 - 03),
                date!(2022 - 08 - 29),
                date!(2022 - 09 - 19),
                date!(2022 - 12 - 26),
                date!(2022 - 12 - 27),
            ]
        );
        assert_eq!(
            holidays(2020),
            [
                date!(2020 - 01 - 01),
                date!(2020 - 04 - 10),
                date!(2020 - 04 - 13),
                date!(2020 - 05 - 08),
                date!(2020 - 05 - 25),
                date!(2020 - 08 - 31),
                date!(2020 - 12 - 25),
                date!(2020 - 12 - 28),
            ]
        );
        assert!(holidays(2023).contains(&date!(2023 - 05 - 08)));
        assert_eq!(holidays(2023).len(), 9);
    }

    #[test]
    fn weekends_and_holidays_are_not_working_days() {
        assert!(is_working_day(date!(2026 - 11 - 25)));
        assert!(!is_working_day(date!(2026 - 11 - 28)));
        assert!(!is_working_day(date!(2026 - 12 - 28)));
        assert!(is_working_day(date!(2026 - 12 - 29)));
    }
}

//! Times are stored in UTC and shown in UK time. The UK rule is fixed in law (BST from
//! 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October), so
//! a pure function replaces a time-zone database.

use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

fn last_sunday(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MIN);
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().unwrap_or(Date::MIN);
    }
    day
}

/// Today's date in London, the date every "today" rule (due dates, delivery dates) means.
pub fn london_today() -> Date {
    to_london(OffsetDateTime::now_utc()).date()
}

/// The instant a London calendar day starts. UK clocks change at 01:00 UTC, never at
/// midnight, so midnight is BST or GMT for the whole day.
pub fn london_midnight(date: Date) -> OffsetDateTime {
    let gmt = date.midnight().assume_utc();
    let bst = gmt - time::Duration::hours(1);
    if to_london(bst).date() == date {
        bst
    } else {
        gmt
    }
}

/// When the London calendar month containing `now` began.
pub fn london_month_start(now: OffsetDateTime) -> OffsetDateTime {
    let today = to_london(now).date();
    london_midnight(today.replace_day(1).unwrap_or(today))
}

pub fn to_london(t: OffsetDateTime) -> OffsetDateTime {
    let utc = t.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let starts = last_sunday(year, Month::March).midnight().assume_utc() + time::Duration::hours(1);
    let ends = last_sunday(year, Month::October).midnight().assume_utc() + time::Duration::hours(1);
    let offset = if utc >= starts && utc < ends {
        UtcOffset::from_hms(1, 0, 0).unwrap_or(UtcOffset::UTC)
    } else {
        UtcOffset::UTC
    };
    utc.to_offset(offset)
}

/// "24 Nov 2026, 14:05" in UK time.
pub fn datetime(t: OffsetDateTime) -> String {
    let l = to_london(t);
    format!(
        "{} {} {}, {:02}:{:02}",
        l.day(),
        short_month(l.month()),
        l.year(),
        l.hour(),
        l.minute()
    )
}

/// "24 Nov 2026".
pub fn date(d: Date) -> String {
    format!("{} {} {}", d.day(), short_month(d.month()), d.year())
}

fn short_month(m: Month) -> &'static str {
    match m {
        Month::January => "Jan",
        Month::February => "Feb",
        Month::March => "Mar",
        Month::April => "Apr",
        Month::May => "May",
        Month::June => "Jun",
        Month::July => "Jul",
        Month::August => "Aug",
        Month::September => "Sep",
        Month::October => "Oct",
        Month::November => "Nov",
        Month::December => "Dec",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_london_month_starts_at_london_midnight_in_winter_and_summer() {
        use time::macros::datetime;
        // 1 April is BST: the month began at 23:00 UTC on 31 March.
        assert_eq!(
            london_month_start(datetime!(2026-04-15 12:00 UTC)),
            datetime!(2026-03-31 23:00 UTC)
        );
        // 00:30 London on 1 April is still April's first half hour.
        assert_eq!(
            london_month_start(datetime!(2026-03-31 23:30 UTC)),
            datetime!(2026-03-31 23:00 UTC)
        );
        // 1 November is GMT again.
        assert_eq!(
            london_month_start(datetime!(2026-11-24 12:00 UTC)),
            datetime!(2026-11-01 00:00 UTC)
        );
        // The October change (25 Oct 2026) falls inside the month, not at its start.
        assert_eq!(
            london_month_start(datetime!(2026-10-31 23:59 UTC)),
            datetime!(2026-09-30 23:00 UTC)
        );
    }
    use time::macros::datetime;

    #[test]
    fn winter_is_gmt_and_summer_is_bst() {
        assert_eq!(
            datetime(datetime!(2026-11-24 14:05 UTC)),
            "24 Nov 2026, 14:05"
        );
        assert_eq!(
            datetime(datetime!(2026-07-01 14:05 UTC)),
            "1 Jul 2026, 15:05"
        );
    }

    #[test]
    fn the_switch_happens_at_one_in_the_morning_utc() {
        // 2026: BST from Sunday 29 March to Sunday 25 October.
        assert_eq!(
            datetime(datetime!(2026-03-29 00:59 UTC)),
            "29 Mar 2026, 00:59"
        );
        assert_eq!(
            datetime(datetime!(2026-03-29 01:00 UTC)),
            "29 Mar 2026, 02:00"
        );
        assert_eq!(
            datetime(datetime!(2026-10-25 00:59 UTC)),
            "25 Oct 2026, 01:59"
        );
        assert_eq!(
            datetime(datetime!(2026-10-25 01:00 UTC)),
            "25 Oct 2026, 01:00"
        );
    }
}

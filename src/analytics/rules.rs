//! The analytics page's arithmetic, as pure functions.

/// One step of the funnel: how many reached it, and the share of the step before that got
/// here ("drop-off" is the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub label: &'static str,
    pub count: i64,
    /// Percent of the previous step, rounded half-up; `None` for the first step or after an
    /// empty one.
    pub kept_percent: Option<i64>,
}

impl Step {
    pub fn dropped_text(&self) -> String {
        match self.kept_percent {
            Some(p) => format!("{}% dropped off", 100 - p),
            None => String::new(),
        }
    }
}

pub fn funnel(steps: &[(&'static str, i64)]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::with_capacity(steps.len());
    for (i, &(label, count)) in steps.iter().enumerate() {
        let kept_percent = match i.checked_sub(1).map(|p| steps[p].1) {
            Some(before) if before > 0 => Some((count.min(before) * 100 + before / 2) / before),
            _ => None,
        };
        out.push(Step {
            label,
            count,
            kept_percent,
        });
    }
    out
}

/// The median of whole seconds, or `None` for none.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    })
}

/// "3 days 4 h", "5 h 12 min", "40 min", "30 s".
pub fn duration_text(seconds: i64) -> String {
    let (d, h, m) = (
        seconds / 86_400,
        (seconds % 86_400) / 3600,
        (seconds % 3600) / 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (1, h, _) => format!("1 day {h} h"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

/// Share of buyers with two or more orders, in percent rounded half-up.
pub fn repeat_share(buyers: i64, repeat: i64) -> Option<i64> {
    (buyers > 0).then(|| (repeat.min(buyers) * 100 + buyers / 2) / buyers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_keeps_a_share_of_the_one_before() {
        let f = funnel(&[
            ("Signed up", 200),
            ("Business", 150),
            ("Cart", 0),
            ("Order", 0),
        ]);
        assert_eq!(f[0].kept_percent, None);
        assert_eq!(f[1].kept_percent, Some(75));
        assert_eq!(f[1].dropped_text(), "25% dropped off");
        assert_eq!(f[2].kept_percent, Some(0));
        assert_eq!(f[3].kept_percent, None, "nothing to drop from");
        assert_eq!(funnel(&[("a", 3), ("b", 2)])[1].kept_percent, Some(67));
    }

    #[test]
    fn medians_times_and_shares() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3));
        assert_eq!(median(vec![4, 1, 3, 2]), Some(2));
        assert_eq!(duration_text(30), "30 s");
        assert_eq!(duration_text(2_400), "40 min");
        assert_eq!(duration_text(18_720), "5 h 12 min");
        assert_eq!(duration_text(86_400 + 3_600), "1 day 1 h");
        assert_eq!(duration_text(3 * 86_400 + 4 * 3_600), "3 days 4 h");
        assert_eq!(repeat_share(0, 0), None);
        assert_eq!(repeat_share(8, 3), Some(38));
    }
}

/// The Mondays of the London weeks from `from`'s to `to`'s, oldest first (at most 105).
pub fn weeks(from: time::Date, to: time::Date) -> Vec<time::Date> {
    let monday =
        |d: time::Date| d - time::Duration::days(i64::from(d.weekday().number_days_from_monday()));
    let (mut w, last) = (monday(from), monday(to));
    let mut out = Vec::new();
    while w <= last && out.len() < 105 {
        out.push(w);
        w += time::Duration::weeks(1);
    }
    out
}

/// Reads the page's range: both dates, `from` not after `to`, at most two years. Problems
/// come back as a sentence and the default range is used.
pub fn range(
    from: Option<&str>,
    to: Option<&str>,
    today: time::Date,
) -> (time::Date, time::Date, Option<String>) {
    let default = (today - time::Duration::weeks(11), today);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let parse = |raw: Option<&str>, fallback: time::Date| match raw.map(str::trim) {
        None | Some("") => Ok(fallback),
        Some(s) => time::Date::parse(s, &format)
            .map_err(|_| format!("“{s}” isn't a date like 2026-11-02.")),
    };
    match (parse(from, default.0), parse(to, default.1)) {
        (Ok(f), Ok(t)) if f > t => (
            default.0,
            default.1,
            Some("The start comes after the end.".into()),
        ),
        (Ok(f), Ok(t)) if (t - f).whole_days() > 731 => (
            default.0,
            default.1,
            Some("Choose at most two years.".into()),
        ),
        (Ok(f), Ok(t)) => (f, t, None),
        (Err(e), _) | (_, Err(e)) => (default.0, default.1, Some(e)),
    }
}

#[cfg(test)]
mod range_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn weeks_start_on_mondays_and_cover_both_ends() {
        let w = weeks(date!(2026 - 11 - 04), date!(2026 - 11 - 16));
        assert_eq!(
            w,
            [
                date!(2026 - 11 - 02),
                date!(2026 - 11 - 09),
                date!(2026 - 11 - 16)
            ]
        );
        assert_eq!(weeks(date!(2026 - 11 - 16), date!(2026 - 11 - 16)).len(), 1);
    }

    #[test]
    fn a_range_is_two_dates_in_order_within_two_years() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(
            range(None, None, today),
            (date!(2026 - 09 - 09), today, None)
        );
        assert_eq!(
            range(Some("2026-01-01"), Some("2026-03-31"), today),
            (date!(2026 - 01 - 01), date!(2026 - 03 - 31), None)
        );
        assert!(
            range(Some("2026-04-01"), Some("2026-03-31"), today)
                .2
                .unwrap()
                .contains("after")
        );
        assert!(
            range(Some("2020-01-01"), None, today)
                .2
                .unwrap()
                .contains("two years")
        );
        assert!(
            range(Some("01/02/2026"), None, today)
                .2
                .unwrap()
                .contains("isn't a date")
        );
    }
}

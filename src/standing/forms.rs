//! The standing-order form.

use serde::Deserialize;
use time::{Date, Time};

use crate::web::forms::FieldErrors;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StandingForm {
    /// The past order whose lines it repeats…
    pub order: String,
    /// …or the provider whose cart it repeats.
    pub cart: String,
    pub location: String,
    pub weekdays: Vec<String>,
    pub every_weeks: String,
    pub starts_on: String,
    pub ends_on: String,
    /// "06:00", or empty for any window.
    pub window: String,
    pub notes: String,
}

/// The form's values, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingInput {
    pub weekdays: Vec<i16>,
    pub every_weeks: i16,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub window_start: Option<Time>,
    pub notes: String,
}

fn date(raw: &str) -> Option<Date> {
    Date::parse(
        raw.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .ok()
}

impl StandingForm {
    pub fn has_day(&self, day: &i16) -> bool {
        self.weekdays.iter().any(|d| *d == day.to_string())
    }

    /// `delivery_days` are the provider's days for the chosen address; `today` is London's.
    pub fn parse(&self, delivery_days: &[i16], today: Date) -> Result<StandingInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut weekdays: Vec<i16> = Vec::new();
        for raw in &self.weekdays {
            match raw.parse::<i16>() {
                Ok(d) if (1..=7).contains(&d) => {
                    if !weekdays.contains(&d) {
                        weekdays.push(d);
                    }
                }
                _ => errors.add("weekdays", "Choose days from the list."),
            }
        }
        weekdays.sort_unstable();
        if weekdays.is_empty() && !errors.has("weekdays") {
            errors.add("weekdays", "Choose at least one delivery day.");
        }
        let missing: Vec<&str> = crate::providers::model::WEEKDAYS
            .iter()
            .filter(|(n, _)| weekdays.contains(n) && !delivery_days.contains(n))
            .map(|(_, name)| *name)
            .collect();
        if !missing.is_empty() {
            errors.add(
                "weekdays",
                format!(
                    "This provider doesn't deliver to that address on {}.",
                    missing.join(" or ")
                ),
            );
        }
        let every_weeks = match self.every_weeks.trim() {
            "" => 1,
            raw => raw
                .parse::<i16>()
                .ok()
                .filter(|n| (1..=8).contains(n))
                .unwrap_or_else(|| {
                    errors.add("every_weeks", "Choose how often from the list.");
                    1
                }),
        };
        let starts_on = date(&self.starts_on).unwrap_or_else(|| {
            errors.add("starts_on", "Enter the first date it may deliver.");
            today
        });
        if starts_on < today {
            errors.add("starts_on", "Start today or later.");
        }
        let ends_on = match self.ends_on.trim() {
            "" => None,
            raw => {
                let end = date(raw);
                match end {
                    None => errors.add("ends_on", "Enter a date, or leave it empty to keep going."),
                    Some(e) if e < starts_on => {
                        errors.add("ends_on", "The end can't be before the start.")
                    }
                    Some(_) => {}
                }
                end
            }
        };
        let window_start = match self.window.trim() {
            "" => None,
            raw => {
                let parsed = raw
                    .split_once(':')
                    .and_then(|(h, m)| Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok());
                if parsed.is_none() {
                    errors.add("window", "Choose a window from the list.");
                }
                parsed
            }
        };
        let notes = self.notes.trim().to_owned();
        if notes.chars().count() > 1000 {
            errors.add("notes", "Keep the notes under 1,000 characters.");
        }
        errors.into_result(StandingInput {
            weekdays,
            every_weeks,
            starts_on,
            ends_on,
            window_start,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    #[test]
    fn a_standing_form_reads_its_schedule() {
        let form = StandingForm {
            weekdays: vec!["4".into(), "1".into(), "1".into()],
            every_weeks: "2".into(),
            starts_on: "2026-11-25".into(),
            window: "06:00".into(),
            ..StandingForm::default()
        };
        let input = form.parse(&[1, 2, 3, 4, 5], date!(2026 - 11 - 24)).unwrap();
        assert_eq!(input.weekdays, [1, 4]);
        assert_eq!(input.every_weeks, 2);
        assert_eq!(input.window_start, Some(time!(06:00)));
        assert_eq!(input.ends_on, None);
    }

    #[test]
    fn days_the_provider_skips_and_backwards_dates_are_refused() {
        let form = StandingForm {
            weekdays: vec!["7".into()],
            every_weeks: "9".into(),
            starts_on: "2026-11-20".into(),
            ends_on: "2026-11-01".into(),
            window: "dawn".into(),
            notes: "x".repeat(1001),
            ..StandingForm::default()
        };
        let errors = form
            .parse(&[1, 2, 3, 4, 5], date!(2026 - 11 - 24))
            .unwrap_err();
        assert_eq!(
            errors.get("weekdays"),
            Some("This provider doesn't deliver to that address on Sunday.")
        );
        for field in ["every_weeks", "starts_on", "ends_on", "window", "notes"] {
            assert!(errors.has(field), "{field}");
        }
    }
}

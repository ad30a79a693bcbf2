//! The zone and closure forms: typed values in, field errors out.

use rust_decimal::Decimal;
use serde::Deserialize;
use time::{Date, Time};

use super::queries::ZoneInput;
use super::rules::{Zone, window_text};
use crate::businesses::postcode::parse_area;
use crate::web::forms::{FieldErrors, required};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ZoneForm {
    pub name: String,
    /// Comma- or space-separated outcode prefixes.
    pub areas: String,
    pub days: Vec<String>,
    pub min_order_value: String,
    pub delivery_charge: String,
    pub lead_days: String,
    pub cutoff: String,
    pub max_per_day: String,
    pub max_per_window: String,
    /// Windows per weekday, "06:00-09:00, 10:00-12:00".
    pub w1: String,
    pub w2: String,
    pub w3: String,
    pub w4: String,
    pub w5: String,
    pub w6: String,
    pub w7: String,
}

/// Lead-time choices: (days, label).
pub const LEAD_TIMES: [(i16, &str); 5] = [
    (0, "on the delivery day"),
    (1, "the day before"),
    (2, "two days before"),
    (3, "three days before"),
    (7, "a week before"),
];

const WINDOW_FIELDS: [&str; 7] = ["w1", "w2", "w3", "w4", "w5", "w6", "w7"];

fn time_text(t: Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn parse_time(raw: &str) -> Option<Time> {
    let (h, m) = raw.trim().split_once(':')?;
    let (h, m): (u8, u8) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    Time::from_hms(h, m, 0).ok()
}

fn money(errors: &mut FieldErrors, field: &'static str, raw: &str, max: Decimal) -> Decimal {
    if raw.trim().is_empty() {
        return Decimal::ZERO;
    }
    match crate::money::parse_gbp(raw) {
        Ok(v) if v <= max => v,
        Ok(_) => {
            errors.add(
                field,
                format!("Enter at most {}.", crate::money::format_gbp(max)),
            );
            Decimal::ZERO
        }
        Err(e) => {
            errors.add(field, e.message());
            Decimal::ZERO
        }
    }
}

fn capacity(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Option<i32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i32>() {
        Ok(n) if (1..=10_000).contains(&n) => Some(n),
        _ => {
            errors.add(
                field,
                "Enter a number of orders from 1 to 10,000, or leave it empty for no limit.",
            );
            None
        }
    }
}

impl ZoneForm {
    pub fn new_zone() -> Self {
        Self {
            days: (1..=5).map(|d| d.to_string()).collect(),
            min_order_value: "0.00".into(),
            delivery_charge: "0.00".into(),
            lead_days: "1".into(),
            cutoff: "14:00".into(),
            ..Self::default()
        }
    }

    pub fn from_zone(z: &Zone) -> Self {
        let mut form = Self {
            name: z.name.clone(),
            areas: z.areas.join(", "),
            days: z.days.iter().map(ToString::to_string).collect(),
            min_order_value: crate::money::plain(z.min_order_value),
            delivery_charge: crate::money::plain(z.delivery_charge),
            lead_days: z.lead_days.to_string(),
            cutoff: time_text(z.cutoff),
            max_per_day: z.max_per_day.map(|n| n.to_string()).unwrap_or_default(),
            max_per_window: z.max_per_window.map(|n| n.to_string()).unwrap_or_default(),
            ..Self::default()
        };
        for day in 1..=7 {
            let text = z
                .windows
                .iter()
                .filter(|w| w.weekday == day)
                .map(|w| window_text(w.starts, w.ends).replace('–', "-"))
                .collect::<Vec<_>>()
                .join(", ");
            *form.windows_mut(day) = text;
        }
        form
    }

    fn windows_mut(&mut self, day: i16) -> &mut String {
        match day {
            1 => &mut self.w1,
            2 => &mut self.w2,
            3 => &mut self.w3,
            4 => &mut self.w4,
            5 => &mut self.w5,
            6 => &mut self.w6,
            _ => &mut self.w7,
        }
    }

    /// The typed windows for a weekday (for the template).
    pub fn windows(&self, day: &i16) -> &str {
        match day {
            1 => &self.w1,
            2 => &self.w2,
            3 => &self.w3,
            4 => &self.w4,
            5 => &self.w5,
            6 => &self.w6,
            _ => &self.w7,
        }
    }

    pub fn delivers_on(&self, day: &i16) -> bool {
        self.days.iter().any(|d| *d == day.to_string())
    }

    pub fn lead_is(&self, days: &i16) -> bool {
        self.lead_days.trim() == days.to_string()
    }

    pub fn parse(&self) -> Result<ZoneInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required(&mut errors, "name", "a name for the zone", &self.name, 80);
        let mut areas: Vec<String> = Vec::new();
        let raw_areas: Vec<&str> = self
            .areas
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|a| !a.is_empty())
            .collect();
        if raw_areas.len() > 200 {
            errors.add("areas", "List at most 200 areas.");
        }
        for raw in raw_areas.iter().take(200) {
            match parse_area(raw) {
                Some(area) if !areas.contains(&area) => areas.push(area),
                Some(_) => {}
                None => errors.add(
                    "areas",
                    format!(
                        "\"{}\" isn't a postcode area: use prefixes like SE1, E or N1.",
                        raw.chars().take(12).collect::<String>()
                    ),
                ),
            }
        }
        if areas.is_empty() && !errors.has("areas") {
            errors.add(
                "areas",
                "List the postcode areas this zone covers, like SE1, E or N1.",
            );
        }
        let mut days: Vec<i16> = Vec::new();
        for raw in &self.days {
            match raw.parse::<i16>() {
                Ok(d) if (1..=7).contains(&d) && !days.contains(&d) => days.push(d),
                Ok(d) if (1..=7).contains(&d) => {}
                _ => errors.add("days", "Choose days from the list."),
            }
        }
        days.sort_unstable();
        if days.is_empty() {
            errors.add("days", "Choose at least one day you deliver to this zone.");
        }
        let mut windows = Vec::new();
        for day in 1..=7i16 {
            let field = WINDOW_FIELDS[usize::try_from(day - 1).unwrap_or(0)];
            let raw = self.windows(&day);
            for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let parsed = part
                    .replace('–', "-")
                    .split_once('-')
                    .and_then(|(a, b)| Some((parse_time(a)?, parse_time(b)?)));
                match parsed {
                    Some((starts, ends)) if ends > starts => {
                        let clash = windows.iter().any(|(d, s, e): &(i16, Time, Time)| {
                            *d == day && starts < *e && *s < ends
                        });
                        if clash {
                            errors.add(field, "Windows on one day can't overlap.");
                        } else {
                            windows.push((day, starts, ends));
                        }
                    }
                    Some(_) => errors.add(field, "A window must end after it starts."),
                    None => errors.add(
                        field,
                        format!(
                            "\"{}\" isn't a window: write it like 06:00-09:00.",
                            part.chars().take(20).collect::<String>()
                        ),
                    ),
                }
            }
            if windows.iter().filter(|(d, ..)| *d == day).count() > 8 {
                errors.add(field, "Offer at most 8 windows a day.");
            }
            if !raw.trim().is_empty() && !days.contains(&day) && !errors.has(field) {
                errors.add(field, "Tick this day too, or clear its windows.");
            }
        }
        let min_order_value = money(
            &mut errors,
            "min_order_value",
            &self.min_order_value,
            Decimal::from(100_000),
        );
        let delivery_charge = money(
            &mut errors,
            "delivery_charge",
            &self.delivery_charge,
            Decimal::from(1_000),
        );
        let lead_days = self
            .lead_days
            .trim()
            .parse::<i16>()
            .ok()
            .filter(|d| LEAD_TIMES.iter().any(|(n, _)| n == d))
            .unwrap_or_else(|| {
                errors.add("lead_days", "Choose when orders close from the list.");
                1
            });
        let cutoff = parse_time(&self.cutoff).unwrap_or_else(|| {
            errors.add("cutoff", "Enter a time like 14:00.");
            Time::MIDNIGHT
        });
        let max_per_day = capacity(&mut errors, "max_per_day", &self.max_per_day);
        let max_per_window = capacity(&mut errors, "max_per_window", &self.max_per_window);
        if errors.is_empty() {
            Ok(ZoneInput {
                name,
                areas,
                days,
                min_order_value,
                delivery_charge,
                lead_days,
                cutoff,
                max_per_day,
                max_per_window,
                windows,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClosureForm {
    pub starts_on: String,
    pub ends_on: String,
    pub message: String,
}

pub struct ClosureInput {
    pub starts_on: Date,
    pub ends_on: Date,
    pub message: String,
}

impl ClosureForm {
    /// `today` bounds the range: a closure in the past changes nothing.
    pub fn parse(&self, today: Date) -> Result<ClosureInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let date = |errors: &mut FieldErrors, field: &'static str, raw: &str| {
            let parsed = Date::parse(
                raw.trim(),
                &time::format_description::well_known::Iso8601::DATE,
            )
            .ok();
            if parsed.is_none() {
                errors.add(field, "Enter a date.");
            }
            parsed
        };
        let starts_on = date(&mut errors, "starts_on", &self.starts_on);
        let ends_on = match self.ends_on.trim() {
            "" => starts_on,
            raw => date(&mut errors, "ends_on", raw),
        };
        let message = self.message.trim().to_owned();
        if message.chars().count() > 300 {
            errors.add("message", "Keep the message under 300 characters.");
        }
        if let (Some(s), Some(e)) = (starts_on, ends_on) {
            if e < s {
                errors.add("ends_on", "The last day can't be before the first.");
            }
            if e < today {
                errors.add("ends_on", "That closure is already over.");
            }
            if e > s + time::Duration::days(366) {
                errors.add("ends_on", "A closure can last at most a year.");
            }
        }
        match (starts_on, ends_on) {
            (Some(starts_on), Some(ends_on)) if errors.is_empty() => Ok(ClosureInput {
                starts_on,
                ends_on,
                message,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    fn filled() -> ZoneForm {
        ZoneForm {
            name: "Central".into(),
            areas: "se1, E  N1".into(),
            w3: "06:00-09:00, 10:00 – 12:30".into(),
            max_per_window: "12".into(),
            ..ZoneForm::new_zone()
        }
    }

    #[test]
    fn a_zone_form_reads_areas_days_windows_and_cut_off() {
        let z = filled().parse().unwrap();
        assert_eq!(z.areas, ["SE1", "E", "N1"]);
        assert_eq!(z.days, [1, 2, 3, 4, 5]);
        assert_eq!(
            z.windows,
            [
                (3, time!(06:00), time!(09:00)),
                (3, time!(10:00), time!(12:30))
            ]
        );
        assert_eq!((z.lead_days, z.cutoff), (1, time!(14:00)));
        assert_eq!((z.max_per_day, z.max_per_window), (None, Some(12)));
    }

    #[test]
    fn a_bad_zone_form_names_each_field() {
        let bad = ZoneForm {
            name: String::new(),
            areas: "SE1, <b>".into(),
            days: vec!["9".into()],
            w6: "06:00-09:00".into(),
            w3: "09:00-06:00, 7am".into(),
            w4: "06:00-09:00, 08:00-10:00".into(),
            min_order_value: "-5".into(),
            delivery_charge: "5000".into(),
            lead_days: "4".into(),
            cutoff: "25:00".into(),
            max_per_day: "0".into(),
            ..ZoneForm::default()
        };
        let errors = bad.parse().unwrap_err();
        for field in [
            "name",
            "areas",
            "days",
            "w3",
            "w4",
            "w6",
            "min_order_value",
            "delivery_charge",
            "lead_days",
            "cutoff",
            "max_per_day",
        ] {
            assert!(errors.has(field), "{field}");
        }
    }

    #[test]
    fn closures_run_forwards_from_today() {
        let today = date!(2026 - 11 - 24);
        let one_day = ClosureForm {
            starts_on: "2026-12-25".into(),
            ..ClosureForm::default()
        }
        .parse(today)
        .ok()
        .unwrap();
        assert_eq!(
            (one_day.starts_on, one_day.ends_on),
            (date!(2026 - 12 - 25), date!(2026 - 12 - 25))
        );
        let backwards = ClosureForm {
            starts_on: "2026-12-28".into(),
            ends_on: "2026-12-24".into(),
            message: "x".repeat(301),
        };
        let errors = backwards.parse(today).err().unwrap();
        assert!(errors.has("ends_on") && errors.has("message"));
        let past = ClosureForm {
            starts_on: "2026-11-01".into(),
            ends_on: "2026-11-02".into(),
            ..ClosureForm::default()
        };
        assert!(past.parse(today).err().unwrap().has("ends_on"));
    }
}

//! The admin's plan and rule-version forms.

use rust_decimal::Decimal;
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use crate::ledger::forms::{FeeForm, money, parse as parse_rule};
use crate::ledger::rules::FeeRule;
use crate::web::forms::FieldErrors;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub monthly_price: String,
    #[serde(default)]
    pub featured: String,
    #[serde(flatten)]
    pub rule: FeeForm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub name: String,
    pub monthly_price: Decimal,
    pub featured: bool,
    pub rule: FeeRule,
}

pub fn parse_plan(form: &PlanForm) -> Result<NewPlan, FieldErrors> {
    let (rule, mut errors) = match parse_rule(&form.rule) {
        Ok(r) => (Some(r), FieldErrors::new()),
        Err(e) => (None, e),
    };
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "Enter a name for the plan.");
    } else if name.chars().count() > 60 {
        errors.add("name", "Keep the name to 60 characters or fewer.");
    }
    let price = if form.monthly_price.trim().is_empty() {
        errors.add(
            "monthly_price",
            "Enter the monthly price (0 for a free plan).",
        );
        None
    } else {
        money(
            &mut errors,
            "monthly_price",
            &form.monthly_price,
            Decimal::new(10_000, 0),
        )
    };
    match (rule, price) {
        (Some(rule), Some(monthly_price)) if errors.is_empty() => Ok(NewPlan {
            name: name.to_owned(),
            monthly_price,
            featured: !form.featured.is_empty(),
            rule,
        }),
        _ => Err(errors),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    pub starts_on: String,
    #[serde(flatten)]
    pub rule: FeeForm,
}

/// When a version dated `raw` starts: now for today or a blank date, else that day's London
/// midnight. A past day is refused: fees already charged never change.
pub fn starts_at(
    raw: &str,
    now: OffsetDateTime,
    errors: &mut FieldErrors,
    field: &'static str,
) -> Option<OffsetDateTime> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(now);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(day) = Date::parse(raw, format) else {
        errors.add(field, "Enter a date like 2026-12-01.");
        return None;
    };
    let today = crate::timefmt::to_london(now).date();
    if day < today {
        errors.add(
            field,
            "Choose today or a later date: fees already charged never change.",
        );
        return None;
    }
    if day == today {
        return Some(now);
    }
    Some(crate::timefmt::london_midnight(day))
}

pub fn parse_version(
    form: &VersionForm,
    now: OffsetDateTime,
) -> Result<(FeeRule, OffsetDateTime), FieldErrors> {
    let (rule, mut errors) = match parse_rule(&form.rule) {
        Ok(r) => (Some(r), FieldErrors::new()),
        Err(e) => (None, e),
    };
    let at = starts_at(&form.starts_on, now, &mut errors, "starts_on");
    match (rule, at) {
        (Some(rule), Some(at)) if errors.is_empty() => Ok((rule, at)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn form(name: &str, price: &str, percent: &str) -> PlanForm {
        PlanForm {
            name: name.into(),
            monthly_price: price.into(),
            featured: "on".into(),
            rule: FeeForm {
                percent: percent.into(),
                ..FeeForm::default()
            },
        }
    }

    #[test]
    fn a_plan_needs_a_name_and_a_price() {
        let ok = parse_plan(&form(" Pro ", "29.00", "1.5")).unwrap();
        assert_eq!(ok.name, "Pro");
        assert_eq!(ok.monthly_price, Decimal::new(2900, 2));
        assert!(ok.featured);
        let bad = parse_plan(&form("", "", "99")).unwrap_err();
        assert!(bad.get("name").is_some());
        assert!(bad.get("monthly_price").is_some());
        assert!(bad.get("percent").is_some());
        assert!(parse_plan(&form(&"x".repeat(61), "1", "")).is_err());
        assert!(parse_plan(&form("Big", "10000.01", "")).is_err());
        assert!(parse_plan(&form("Neg", "-1", "")).is_err());
    }

    #[test]
    fn versions_start_now_or_at_a_later_london_midnight() {
        // 23:30 UTC on 30 March 2026 is already 31 March in London (BST).
        let now = datetime!(2026-03-30 23:30 UTC);
        let mut e = FieldErrors::new();
        assert_eq!(starts_at("", now, &mut e, "d"), Some(now));
        assert_eq!(starts_at("2026-03-31", now, &mut e, "d"), Some(now));
        assert_eq!(
            starts_at("2026-04-01", now, &mut e, "d"),
            Some(datetime!(2026-03-31 23:00 UTC))
        );
        assert!(e.is_empty());
        assert_eq!(starts_at("2026-03-30", now, &mut e, "d"), None);
        assert_eq!(starts_at("1 April", now, &mut e, "d"), None);
        assert!(e.get("d").is_some());
    }
}

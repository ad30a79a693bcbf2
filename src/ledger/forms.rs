//! The fee rule form an admin fills in.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::rules::FeeRule;
use crate::web::forms::FieldErrors;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FeeForm {
    #[serde(default)]
    pub percent: String,
    #[serde(default)]
    pub fixed: String,
    #[serde(default)]
    pub minimum: String,
    #[serde(default)]
    pub maximum: String,
}

impl FeeForm {
    pub fn from_rule(r: &FeeRule) -> Self {
        Self {
            percent: r.percent.normalize().to_string(),
            fixed: format!("{:.2}", r.fixed),
            minimum: format!("{:.2}", r.minimum),
            maximum: r.maximum.map(|m| format!("{m:.2}")).unwrap_or_default(),
        }
    }
}

pub fn money(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    limit: Decimal,
) -> Option<Decimal> {
    if raw.trim().is_empty() {
        return Some(Decimal::ZERO);
    }
    match crate::money::parse_gbp(raw) {
        Ok(v) if v < Decimal::ZERO => {
            errors.add(field, "Enter an amount of £0 or more.");
            None
        }
        Ok(v) if v > limit => {
            errors.add(
                field,
                format!("Enter at most {}.", crate::money::format_gbp(limit)),
            );
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            errors.add(field, e.message());
            None
        }
    }
}

/// The rule as typed, or what is wrong with each field.
pub fn parse(form: &FeeForm) -> Result<FeeRule, FieldErrors> {
    let mut errors = FieldErrors::new();
    let percent = match form.percent.trim().trim_end_matches('%').trim() {
        "" => Some(Decimal::ZERO),
        raw => match raw.parse::<Decimal>() {
            Ok(p) if p.scale() > 2 => {
                errors.add("percent", "Use at most two decimal places, like 2.75.");
                None
            }
            Ok(p) if p < Decimal::ZERO || p > Decimal::from(50) => {
                errors.add("percent", "Enter a percentage from 0 to 50.");
                None
            }
            Ok(p) => Some(p),
            Err(_) => {
                errors.add("percent", "Enter a percentage as a number, like 2.5.");
                None
            }
        },
    };
    let thousand = Decimal::from(1000);
    let fixed = money(&mut errors, "fixed", &form.fixed, thousand);
    let minimum = money(&mut errors, "minimum", &form.minimum, thousand);
    let maximum = if form.maximum.trim().is_empty() {
        Some(None)
    } else {
        money(
            &mut errors,
            "maximum",
            &form.maximum,
            Decimal::from(100_000),
        )
        .map(Some)
    };
    if let (Some(min), Some(Some(max))) = (minimum, maximum)
        && max < min
    {
        errors.add("maximum", "The maximum can't be below the minimum.");
    }
    match (percent, fixed, minimum, maximum) {
        (Some(percent), Some(fixed), Some(minimum), Some(maximum)) if errors.is_empty() => {
            Ok(FeeRule {
                percent,
                fixed,
                minimum,
                maximum,
            })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(p: &str, f: &str, min: &str, max: &str) -> FeeForm {
        FeeForm {
            percent: p.into(),
            fixed: f.into(),
            minimum: min.into(),
            maximum: max.into(),
        }
    }

    #[test]
    fn a_typed_rule_reads_as_typed() {
        let r = parse(&form("2.5%", "£0.20", "", "10")).unwrap();
        assert_eq!(r.percent, Decimal::new(25, 1));
        assert_eq!(r.fixed, Decimal::new(20, 2));
        assert_eq!(r.minimum, Decimal::ZERO);
        assert_eq!(r.maximum, Some(Decimal::from(10)));
        assert_eq!(parse(&form("", "", "", "")).unwrap(), FeeRule::default());
    }

    #[test]
    fn bad_values_are_named_by_field() {
        let e = parse(&form("60", "-1", "abc", "")).unwrap_err();
        assert!(e.has("percent") && e.has("fixed") && e.has("minimum"));
        let e = parse(&form("1.234", "", "5", "4")).unwrap_err();
        assert!(e.has("percent") && e.has("maximum"));
    }
}

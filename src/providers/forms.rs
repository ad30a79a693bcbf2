//! The provider profile form.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::businesses::postcode::parse_area;

use super::model::{Provider, ProviderProfile};
use crate::businesses::forms::vat_number;
use crate::categories::is_category;
use crate::web::forms::{FieldErrors, email, optional, required};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub provider_name: String,
    pub description: String,
    pub categories: Vec<String>,
    pub contact_email: String,
    pub contact_phone: String,
    pub address: String,
    pub vat_number: String,
    pub min_order_value: String,
    pub delivery_days: Vec<String>,
    /// Comma- or space-separated outcode prefixes.
    pub delivery_areas: String,
    pub payment_terms_days: String,
    /// The checkbox: "on" when ticked, absent otherwise.
    pub auto_invoice: Option<String>,
}

impl ProfileForm {
    pub fn from_provider(p: &Provider) -> Self {
        Self {
            provider_name: p.name.clone(),
            description: p.description.clone(),
            categories: p.category_slugs(),
            contact_email: p.contact_email.clone(),
            contact_phone: p.contact_phone.clone().unwrap_or_default(),
            address: p.address.clone().unwrap_or_default(),
            vat_number: p.vat_number.clone().unwrap_or_default(),
            min_order_value: crate::money::plain(p.min_order_value),
            delivery_days: p.days().iter().map(ToString::to_string).collect(),
            delivery_areas: p.areas_text(),
            payment_terms_days: p.payment_terms_days.to_string(),
            auto_invoice: p.auto_invoice.then(|| "on".to_owned()),
        }
    }

    /// A new provider's defaults: weekdays, no minimum, 14 days to pay.
    pub fn with_defaults() -> Self {
        Self {
            delivery_days: (1..=5).map(|d| d.to_string()).collect(),
            min_order_value: "0.00".into(),
            payment_terms_days: "14".into(),
            ..Self::default()
        }
    }

    pub fn delivers_on(&self, day: &i16) -> bool {
        self.delivery_days.iter().any(|d| *d == day.to_string())
    }

    pub fn has_category(&self, slug: &str) -> bool {
        self.categories.iter().any(|c| c == slug)
    }

    /// Everything on the sign-up form, delivery included.
    pub fn parse_into(&self, errors: &mut FieldErrors) -> ProviderProfile {
        self.parse_parts(errors, true)
    }

    /// The profile page: the business and its terms. Delivery days, areas and minimums live
    /// on the delivery page's zones, so they are neither read nor written here.
    pub fn parse_profile(&self) -> Result<ProviderProfile, FieldErrors> {
        let mut errors = FieldErrors::new();
        let profile = self.parse_parts(&mut errors, false);
        errors.into_result(profile)
    }

    fn parse_parts(&self, errors: &mut FieldErrors, delivery: bool) -> ProviderProfile {
        let name = required(
            errors,
            "provider_name",
            "your trading name",
            &self.provider_name,
            120,
        );
        let description =
            optional(errors, "description", &self.description, 2000).unwrap_or_default();
        let mut categories: Vec<String> = Vec::new();
        for c in &self.categories {
            if !is_category(c) {
                errors.add("categories", "Choose categories from the list.");
            } else if !categories.contains(c) {
                categories.push(c.clone());
            }
        }
        if categories.is_empty() {
            errors.add("categories", "Choose at least one category you sell.");
        }
        let contact_email = email(errors, "contact_email", &self.contact_email);
        let contact_phone = optional(errors, "contact_phone", &self.contact_phone, 30);
        if let Some(phone) = &contact_phone {
            let ok = phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-".contains(c))
                && phone.chars().filter(char::is_ascii_digit).count() >= 7;
            if !ok {
                errors.add("contact_phone", "Enter a phone number, like 020 7946 0000.");
            }
        }
        let address = optional(errors, "address", &self.address, 300);
        let vat_number = vat_number(errors, "vat_number", &self.vat_number);
        let min_order_value = if !delivery || self.min_order_value.trim().is_empty() {
            Decimal::ZERO
        } else {
            crate::money::parse_gbp(&self.min_order_value).unwrap_or_else(|e| {
                errors.add("min_order_value", e.message());
                Decimal::ZERO
            })
        };
        let (days_typed, areas_typed): (&[String], &str) = if delivery {
            (&self.delivery_days, &self.delivery_areas)
        } else {
            (&[], "")
        };
        let mut delivery_days: Vec<i16> = Vec::new();
        for raw in days_typed {
            match raw.parse::<i16>() {
                Ok(d) if (1..=7).contains(&d) => {
                    if !delivery_days.contains(&d) {
                        delivery_days.push(d);
                    }
                }
                _ => errors.add("delivery_days", "Choose days from the list."),
            }
        }
        delivery_days.sort_unstable();
        if delivery_days.is_empty() && delivery {
            errors.add("delivery_days", "Choose at least one day you deliver.");
        }
        let mut delivery_areas: Vec<String> = Vec::new();
        let raw_areas: Vec<&str> = areas_typed
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|a| !a.is_empty())
            .collect();
        if raw_areas.len() > 200 {
            errors.add("delivery_areas", "List at most 200 areas.");
        }
        for raw in raw_areas.into_iter().take(200) {
            match parse_area(raw) {
                Some(area) if !delivery_areas.contains(&area) => delivery_areas.push(area),
                Some(_) => {}
                None => errors.add(
                    "delivery_areas",
                    format!(
                        "\"{}\" isn't a postcode area: use prefixes like SE1, E or N1.",
                        raw.chars().take(12).collect::<String>()
                    ),
                ),
            }
        }
        let payment_terms_days = match self.payment_terms_days.trim() {
            "" => 14,
            raw => raw
                .parse::<i32>()
                .ok()
                .filter(|d| (0..=120).contains(d))
                .unwrap_or_else(|| {
                    errors.add(
                        "payment_terms_days",
                        "Enter a number of days from 0 to 120.",
                    );
                    14
                }),
        };
        ProviderProfile {
            name,
            description,
            categories,
            contact_email,
            contact_phone,
            address,
            vat_number,
            min_order_value,
            delivery_days,
            delivery_areas,
            payment_terms_days,
            auto_invoice: self.auto_invoice.is_some(),
        }
    }

    pub fn parse(&self) -> Result<ProviderProfile, FieldErrors> {
        let mut errors = FieldErrors::new();
        let profile = self.parse_into(&mut errors);
        errors.into_result(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_must_come_from_the_list() {
        let form = ProfileForm {
            provider_name: "Veg Co".into(),
            categories: vec!["fruit_veg".into(), "weapons".into()],
            contact_email: "sales@veg.co".into(),
            ..ProfileForm::with_defaults()
        };
        assert_eq!(
            form.parse().unwrap_err().get("categories"),
            Some("Choose categories from the list.")
        );
    }

    #[test]
    fn a_minimal_profile_parses() {
        let form = ProfileForm {
            provider_name: " Veg Co ".into(),
            categories: vec!["fruit_veg".into(), "fruit_veg".into()],
            contact_email: "Sales@Veg.co".into(),
            contact_phone: "+44 (0)20 7946 0000".into(),
            delivery_areas: "se1, SE11  e".into(),
            ..ProfileForm::with_defaults()
        };
        let p = form.parse().unwrap();
        assert_eq!(p.name, "Veg Co");
        assert_eq!(p.categories, vec!["fruit_veg"]);
        assert_eq!(p.contact_email, "sales@veg.co");
        assert_eq!(p.delivery_areas, vec!["SE1", "SE11", "E"]);
        assert_eq!(p.delivery_days, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn delivery_facts_are_checked() {
        let form = ProfileForm {
            provider_name: "Veg Co".into(),
            categories: vec!["fruit_veg".into()],
            contact_email: "sales@veg.co".into(),
            delivery_days: vec!["9".into()],
            delivery_areas: "SE1 7PB".into(),
            min_order_value: "-5".into(),
            payment_terms_days: "365".into(),
            ..Default::default()
        };
        let errors = form.parse().unwrap_err();
        for field in [
            "delivery_days",
            "delivery_areas",
            "min_order_value",
            "payment_terms_days",
        ] {
            assert!(errors.has(field), "{field}");
        }
    }
}

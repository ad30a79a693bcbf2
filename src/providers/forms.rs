//! The provider profile form.

use serde::Deserialize;

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
        }
    }

    pub fn has_category(&self, slug: &str) -> bool {
        self.categories.iter().any(|c| c == slug)
    }

    pub fn parse_into(&self, errors: &mut FieldErrors) -> ProviderProfile {
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
        ProviderProfile {
            name,
            description,
            categories,
            contact_email,
            contact_phone,
            address,
            vat_number,
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
            ..Default::default()
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
            ..Default::default()
        };
        let p = form.parse().unwrap();
        assert_eq!(p.name, "Veg Co");
        assert_eq!(p.categories, vec!["fruit_veg"]);
        assert_eq!(p.contact_email, "sales@veg.co");
    }
}

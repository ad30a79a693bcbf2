//! Raw account forms as posted, and their parsing into validated values.

use serde::Deserialize;

use super::password;
use crate::businesses::forms::{LocationForm, vat_number};
use crate::businesses::model::LocationInput;
use crate::providers::forms::ProfileForm;
use crate::providers::model::ProviderProfile;
use crate::web::forms::{FieldErrors, email, required};

/// Who is signing up, validated.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub password: String,
}

fn person(errors: &mut FieldErrors, name: &str, raw_email: &str, raw_password: &str) -> Person {
    let name = required(errors, "name", "your name", name, 100);
    let email = email(errors, "email", raw_email);
    if let Some(why) = password::policy_error(raw_password, &email) {
        errors.add("password", why);
    }
    Person {
        name,
        email,
        password: raw_password.to_owned(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BuyerSignupForm {
    pub name: String,
    pub email: String,
    pub password: String,
    pub business_name: String,
    pub vat_number: String,
    #[serde(flatten)]
    pub location: LocationForm,
}

#[derive(Debug, Clone)]
pub struct BuyerSignup {
    pub person: Person,
    pub business_name: String,
    pub vat_number: Option<String>,
    pub location: LocationInput,
}

impl BuyerSignupForm {
    pub fn parse(&self) -> Result<BuyerSignup, FieldErrors> {
        let mut errors = FieldErrors::new();
        let person = person(&mut errors, &self.name, &self.email, &self.password);
        let business_name = required(
            &mut errors,
            "business_name",
            "your business's name",
            &self.business_name,
            120,
        );
        let vat_number = vat_number(&mut errors, "vat_number", &self.vat_number);
        let location = self.location.parse_into(&mut errors);
        match location {
            Some(location) if errors.is_empty() => Ok(BuyerSignup {
                person,
                business_name,
                vat_number,
                location,
            }),
            _ => Err(errors),
        }
    }
}

/// Spelled out rather than `#[serde(flatten)]` of the profile form: flattening loses the
/// repeated `categories` keys when there is only one of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProviderSignupForm {
    pub name: String,
    pub email: String,
    pub password: String,
    pub provider_name: String,
    pub description: String,
    pub categories: Vec<String>,
    pub contact_email: String,
    pub contact_phone: String,
    pub address: String,
    pub vat_number: String,
    pub min_order_value: String,
    pub delivery_days: Vec<String>,
    pub delivery_areas: String,
    pub payment_terms_days: String,
    pub auto_invoice: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ProviderSignup {
    pub person: Person,
    pub profile: ProviderProfile,
}

impl ProviderSignupForm {
    /// The profile part, for parsing and for the shared profile fields template.
    pub fn profile(&self) -> ProfileForm {
        ProfileForm {
            provider_name: self.provider_name.clone(),
            description: self.description.clone(),
            categories: self.categories.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            address: self.address.clone(),
            vat_number: self.vat_number.clone(),
            min_order_value: self.min_order_value.clone(),
            delivery_days: self.delivery_days.clone(),
            delivery_areas: self.delivery_areas.clone(),
            payment_terms_days: self.payment_terms_days.clone(),
            auto_invoice: self.auto_invoice.clone(),
        }
    }

    pub fn with_defaults() -> Self {
        let d = ProfileForm::with_defaults();
        Self {
            delivery_days: d.delivery_days,
            min_order_value: d.min_order_value,
            payment_terms_days: d.payment_terms_days,
            ..Self::default()
        }
    }

    pub fn parse(&self) -> Result<ProviderSignup, FieldErrors> {
        let mut errors = FieldErrors::new();
        let person = person(&mut errors, &self.name, &self.email, &self.password);
        let mut profile_form = self.profile();
        if profile_form.contact_email.trim().is_empty() {
            profile_form.contact_email = self.email.clone();
        }
        let profile = profile_form.parse_into(&mut errors);
        errors.into_result(ProviderSignup { person, profile })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AccountForm {
    pub name: String,
    pub email: String,
    /// The current password, needed only when the email changes.
    pub password_check: String,
    /// A two-step code, needed with it when two-step verification is on.
    pub code: String,
}

impl AccountForm {
    pub fn parse(&self) -> Result<(String, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required(&mut errors, "name", "your name", &self.name, 100);
        let email = email(&mut errors, "email", &self.email);
        errors.into_result((name, email))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordChangeForm {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
    /// A two-step code, when two-step verification is on.
    pub password_code: String,
}

/// Checks a new password and its confirmation (the current one is checked against the hash).
pub fn new_password(errors: &mut FieldErrors, new: &str, confirm: &str, email: &str) {
    if let Some(why) = password::policy_error(new, email) {
        errors.add("new_password", why);
    } else if new != confirm {
        errors.add("confirm_password", "The two passwords don't match.");
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResetRequestForm {
    pub email: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub new_password: String,
    pub confirm_password: String,
}

/// Only same-site relative paths may be a post-login destination: "/orders/1" yes,
/// "//evil.example", "https://evil.example" and "/\\evil" no.
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() <= 2000;
    ok.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(
            safe_next("/orders/123?tab=lines"),
            Some("/orders/123?tab=lines")
        );
        for bad in [
            "",
            "orders",
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/a\nb",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn buyer_signup_reports_all_problems() {
        let form = BuyerSignupForm {
            email: "not-an-email".into(),
            password: "short".into(),
            ..Default::default()
        };
        let errors = form.parse().unwrap_err();
        for field in [
            "name",
            "email",
            "password",
            "business_name",
            "label",
            "postcode",
        ] {
            assert!(errors.has(field), "{field}");
        }
    }

    #[test]
    fn provider_contact_email_defaults_to_the_login_email() {
        let form = ProviderSignupForm {
            name: "Sam".into(),
            email: "sam@veg.co".into(),
            password: "tomato-basil-42-oven".into(),
            provider_name: "Veg Co".into(),
            categories: vec!["fruit_veg".into()],
            ..ProviderSignupForm::with_defaults()
        };
        assert_eq!(form.parse().unwrap().profile.contact_email, "sam@veg.co");
    }
}

//! Field-level errors shown beside the inputs, and small parsers shared by forms.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::AppError;

/// Largest urlencoded form body accepted; real forms are a few kilobytes.
pub const FORM_LIMIT: usize = 64 * 1024;

/// A urlencoded form, decoded with repeated keys collected into `Vec` fields (checkbox
/// groups), which actix's own `Form` cannot do. A malformed body is a 400 page.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Form<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = body.await.map_err(|_| {
                AppError::BadRequest("The form was too large or could not be read.".into())
            })?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::BadRequest("The form was too large.".into()));
            }
            if has_nul(&body) {
                return Err(AppError::BadRequest(NUL_MESSAGE.into()));
            }
            serde_html_form::from_bytes::<T>(&body)
                .map(Form)
                .map_err(|_| AppError::BadRequest("The form could not be read.".into()))
        })
    }
}

/// PostgreSQL text can't hold a NUL character, and no person types one: refuse it at the
/// edge with this message instead of letting the query fail.
pub const NUL_MESSAGE: &str = "What you sent contains a NUL control character, which text can't hold. Remove it and try again.";

/// A raw NUL byte, or one percent-encoded (`%00`) as forms and query strings carry it.
pub fn has_nul(raw: &[u8]) -> bool {
    raw.contains(&0) || raw.windows(3).any(|w| w == b"%00")
}

/// Errors keyed by form field name, in the order they were found (the form's order, for
/// the summary at the top); the first message per field wins. Empty means valid. The field
/// `FORM` is for problems with the whole form, shown in the summary only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

/// The pseudo-field for a problem that belongs to no one input.
pub const FORM: &str = "form";

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.has(field) {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| *f == field)
    }

    /// (field, message) in the order found, for the error summary.
    pub fn entries(&self) -> &[(&'static str, String)] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when no errors were recorded.
    pub fn into_result<T>(self, value: T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Trims a required text field, recording an error when it is empty or too long.
pub fn required(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    raw: &str,
    max_chars: usize,
) -> String {
    let value = raw.trim().to_owned();
    if value.is_empty() {
        errors.add(field, format!("Enter {label}."));
    } else if value.chars().count() > max_chars {
        errors.add(field, format!("Use at most {max_chars} characters."));
    }
    value
}

/// Trims an optional text field: empty becomes `None`.
pub fn optional(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    max_chars: usize,
) -> Option<String> {
    let value = raw.trim();
    if value.chars().count() > max_chars {
        errors.add(field, format!("Use at most {max_chars} characters."));
    }
    (!value.is_empty()).then(|| value.to_owned())
}

/// A normalised email address (trimmed, lower-cased) or a field error.
pub fn email(errors: &mut FieldErrors, field: &'static str, raw: &str) -> String {
    let value = raw.trim().to_lowercase();
    if value.is_empty() {
        errors.add(field, "Enter your email address.");
    } else if value.len() > 254 || !validator::ValidateEmail::validate_email(&value) {
        errors.add(
            field,
            "Enter a valid email address, like name@example.co.uk.",
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_raw_or_percent_encoded() {
        assert!(has_nul(b"name=a%00b"));
        assert!(has_nul(b"name=a\0b"));
        assert!(has_nul(b"q=%00"));
        assert!(!has_nul(b"name=100%25&price=0.00"));
        assert!(!has_nul(b"a=%2500"));
    }

    #[test]
    fn required_fields_are_trimmed_and_bounded() {
        let mut e = FieldErrors::new();
        assert_eq!(required(&mut e, "name", "your name", "  Ada  ", 10), "Ada");
        assert!(e.is_empty());
        required(&mut e, "name", "your name", "   ", 10);
        assert_eq!(e.get("name"), Some("Enter your name."));
        let mut e = FieldErrors::new();
        required(&mut e, "name", "your name", &"x".repeat(11), 10);
        assert_eq!(e.get("name"), Some("Use at most 10 characters."));
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        let mut e = FieldErrors::new();
        assert_eq!(
            email(&mut e, "email", " Chef@Example.COM "),
            "chef@example.com"
        );
        assert!(e.is_empty());
        for bad in ["", "chef", "chef@", "@example.com", "a b@example.com"] {
            let mut e = FieldErrors::new();
            email(&mut e, "email", bad);
            assert!(e.has("email"), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_first_error_for_a_field_wins() {
        let mut e = FieldErrors::new();
        e.add("x", "first");
        e.add("x", "second");
        assert_eq!(e.get("x"), Some("first"));
    }
}

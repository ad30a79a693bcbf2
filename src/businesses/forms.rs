//! Raw business and location forms, parsed into validated inputs or field errors.

use serde::Deserialize;

use super::model::{Location, LocationInput};
use super::postcode::Postcode;
use crate::web::forms::{FieldErrors, optional, required};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LocationForm {
    pub label: String,
    pub address_line1: String,
    pub address_line2: String,
    pub city: String,
    pub postcode: String,
    pub delivery_notes: String,
}

impl LocationForm {
    pub fn from_location(l: &Location) -> Self {
        Self {
            label: l.label.clone(),
            address_line1: l.address_line1.clone(),
            address_line2: l.address_line2.clone().unwrap_or_default(),
            city: l.city.clone(),
            postcode: l.postcode.clone(),
            delivery_notes: l.delivery_notes.clone().unwrap_or_default(),
        }
    }

    /// Parses into `errors` (so sign-up can gather every field's errors at once).
    pub fn parse_into(&self, errors: &mut FieldErrors) -> Option<LocationInput> {
        let label = required(errors, "label", "a name for this location", &self.label, 80);
        let address_line1 = required(
            errors,
            "address_line1",
            "the street address",
            &self.address_line1,
            120,
        );
        let address_line2 = optional(errors, "address_line2", &self.address_line2, 120);
        let city = required(errors, "city", "the town or city", &self.city, 80);
        let delivery_notes = optional(errors, "delivery_notes", &self.delivery_notes, 500);
        let postcode = match Postcode::parse(&self.postcode) {
            Some(p) => Some(p),
            None => {
                if self.postcode.trim().is_empty() {
                    errors.add("postcode", "Enter the postcode.");
                } else {
                    errors.add("postcode", "Enter a real UK postcode, like SE1 7PB.");
                }
                None
            }
        };
        Some(LocationInput {
            label,
            address_line1,
            address_line2,
            city,
            postcode: postcode?,
            delivery_notes,
        })
    }

    pub fn parse(&self) -> Result<LocationInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let input = self.parse_into(&mut errors);
        match input {
            Some(input) if errors.is_empty() => Ok(input),
            _ => Err(errors),
        }
    }
}

/// VAT numbers as people write them ("GB 123 4567 89") stored compactly ("GB123456789").
pub fn vat_number(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.is_empty() {
        return None;
    }
    let digits = compact.strip_prefix("GB").unwrap_or(&compact);
    let valid =
        (digits.len() == 9 || digits.len() == 12) && digits.chars().all(|c| c.is_ascii_digit());
    if !valid {
        errors.add(
            field,
            "Enter a UK VAT number like GB123456789, or leave it empty.",
        );
        return None;
    }
    Some(format!("GB{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_location_parses_with_normalised_postcode() {
        let form = LocationForm {
            label: "Main kitchen".into(),
            address_line1: "1 Borough High St".into(),
            city: "London".into(),
            postcode: "se1 9ql".into(),
            ..Default::default()
        };
        let input = form.parse().unwrap();
        assert_eq!(input.postcode.as_str(), "SE1 9QL");
        assert_eq!(input.address_line2, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let errors = LocationForm {
            postcode: "nowhere".into(),
            ..Default::default()
        }
        .parse()
        .unwrap_err();
        for field in ["label", "address_line1", "city", "postcode"] {
            assert!(errors.has(field), "{field}");
        }
    }

    #[test]
    fn vat_numbers_normalise_or_complain() {
        let mut e = FieldErrors::new();
        assert_eq!(
            vat_number(&mut e, "vat", "gb 123 4567 89"),
            Some("GB123456789".into())
        );
        assert_eq!(vat_number(&mut e, "vat", "  "), None);
        assert!(e.is_empty());
        vat_number(&mut e, "vat", "GB12");
        assert!(e.has("vat"));
    }
}

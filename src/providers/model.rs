//! Providers (sellers) and the profile discovery reads.

use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::db::schema::providers;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = providers, check_for_backend(diesel::pg::Pg))]
pub struct Provider {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub categories: Vec<Option<String>>,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub vat_number: Option<String>,
    pub min_order_value: Decimal,
    pub delivery_days: Vec<Option<i16>>,
    pub delivery_areas: Vec<Option<String>>,
    pub payment_terms_days: i32,
    pub invoice_prefix: String,
    pub status: String,
    /// Invoice (and issue) each order as soon as it is marked delivered.
    pub auto_invoice: bool,
}

impl Provider {
    pub fn category_slugs(&self) -> Vec<String> {
        self.categories.iter().flatten().cloned().collect()
    }

    pub fn has_category(&self, slug: &str) -> bool {
        self.categories.iter().flatten().any(|c| c == slug)
    }
}

/// A validated profile from the sign-up or profile form.
#[derive(Debug, Clone)]
pub struct ProviderProfile {
    pub name: String,
    pub description: String,
    pub categories: Vec<String>,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub vat_number: Option<String>,
    pub min_order_value: Decimal,
    /// ISO weekdays, 1 = Monday.
    pub delivery_days: Vec<i16>,
    /// Outcode prefixes, normalised ("SE1", "E").
    pub delivery_areas: Vec<String>,
    pub payment_terms_days: i32,
    pub auto_invoice: bool,
}

pub const WEEKDAYS: [(i16, &str); 7] = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
];

impl Provider {
    pub fn days(&self) -> Vec<i16> {
        self.delivery_days.iter().flatten().copied().collect()
    }

    pub fn areas(&self) -> Vec<String> {
        self.delivery_areas.iter().flatten().cloned().collect()
    }

    /// "Mon, Tue, Fri".
    pub fn days_text(&self) -> String {
        let days = self.days();
        WEEKDAYS
            .iter()
            .filter(|(n, _)| days.contains(n))
            .map(|(_, name)| &name[..3])
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Does this provider deliver to an address in `outcode`? The one answer to "delivers
    /// to this location" in Rust; SQL asks the same with `delivery_areas && covering_areas`.
    pub fn delivers_to(&self, outcode: &str) -> bool {
        let covering = crate::businesses::postcode::covering_areas(outcode);
        self.delivery_areas
            .iter()
            .flatten()
            .any(|a| covering.contains(a))
    }

    pub fn areas_text(&self) -> String {
        self.areas().join(", ")
    }

    pub fn min_order_text(&self) -> String {
        crate::money::format_gbp(self.min_order_value)
    }
}

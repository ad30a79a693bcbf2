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
}

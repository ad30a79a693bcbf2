//! Buyer businesses and delivery locations.

use diesel::prelude::*;
use uuid::Uuid;

use super::postcode::Postcode;
use crate::db::schema::{businesses, locations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = businesses, check_for_backend(diesel::pg::Pg))]
pub struct Business {
    pub id: Uuid,
    pub name: String,
    pub vat_number: Option<String>,
    pub status: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = locations, check_for_backend(diesel::pg::Pg))]
pub struct Location {
    pub id: Uuid,
    pub label: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub postcode: String,
    pub outcode: String,
    pub delivery_notes: Option<String>,
    pub is_default: bool,
}

/// A validated location from a form.
#[derive(Debug, Clone)]
pub struct LocationInput {
    pub label: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub city: String,
    pub postcode: Postcode,
    pub delivery_notes: Option<String>,
}

//! Products as stored, and a validated product ready to write.

use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::products;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = products, check_for_backend(diesel::pg::Pg))]
pub struct Product {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub unit: String,
    pub pack_size: String,
    pub fractional: bool,
    pub price: Decimal,
    pub vat_rate: Decimal,
    pub in_stock: bool,
    pub active: bool,
}

impl Product {
    /// "Double cream (each, 1 L)": what tells two same-named products apart, for labels.
    pub fn label(&self) -> String {
        if self.pack_size.trim().is_empty() {
            format!("{} ({})", self.name, self.unit)
        } else {
            format!("{} ({}, {})", self.name, self.unit, self.pack_size)
        }
    }

    pub fn category_label(&self) -> &'static str {
        crate::categories::label(&self.category)
    }

    pub fn price_text(&self) -> String {
        crate::money::format_gbp(self.price)
    }

    pub fn vat_text(&self) -> String {
        format!("{}%", self.vat_rate.normalize())
    }

    /// "£1.53 / litre" where the pack says how much it holds.
    pub fn unit_price_text(&self) -> Option<String> {
        super::unit_price::per_base_unit(self.price, &self.unit, &self.pack_size)
            .map(|(p, base)| format!("{} / {}", crate::money::format_gbp(p), base.label()))
    }
}

/// A product as a form or CSV row describes it, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInput {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub unit: String,
    pub pack_size: String,
    pub fractional: bool,
    pub price: Decimal,
    pub vat_rate: Decimal,
    pub in_stock: bool,
    pub active: bool,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = products)]
pub struct ProductRow<'a> {
    pub sku: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub unit: &'a str,
    pub pack_size: &'a str,
    pub fractional: bool,
    pub price: Decimal,
    pub vat_rate: Decimal,
    pub in_stock: bool,
    pub active: bool,
}

impl ProductInput {
    pub fn row(&self) -> ProductRow<'_> {
        ProductRow {
            sku: &self.sku,
            name: &self.name,
            description: &self.description,
            category: &self.category,
            unit: &self.unit,
            pack_size: &self.pack_size,
            fractional: self.fractional,
            price: self.price,
            vat_rate: self.vat_rate,
            in_stock: self.in_stock,
            active: self.active,
        }
    }
}

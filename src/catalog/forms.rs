//! The product form: raw strings in, a `ProductInput` or field errors out.

use serde::Deserialize;

use super::model::{Product, ProductInput};
use super::rules;
use crate::money;
use crate::web::forms::{FieldErrors, optional, required};

fn check<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    result: Result<T, &'static str>,
) -> Option<T> {
    result.map_err(|m| errors.add(field, m)).ok()
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub unit: String,
    pub pack_size: String,
    pub price: String,
    pub vat_rate: String,
    /// Checkboxes: present ("on") when ticked, absent otherwise.
    pub fractional: Option<String>,
    pub in_stock: Option<String>,
    pub active: Option<String>,
}

impl ProductForm {
    pub fn blank() -> Self {
        Self {
            vat_rate: "0".into(),
            in_stock: Some("on".into()),
            active: Some("on".into()),
            ..Default::default()
        }
    }

    pub fn from_product(p: &Product) -> Self {
        let on = |b: bool| b.then(|| "on".to_owned());
        Self {
            sku: p.sku.clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            category: p.category.clone(),
            unit: p.unit.clone(),
            pack_size: p.pack_size.clone(),
            price: money::plain(p.price),
            vat_rate: p.vat_rate.normalize().to_string(),
            fractional: on(p.fractional),
            in_stock: on(p.in_stock),
            active: on(p.active),
        }
    }

    pub fn parse(&self) -> Result<ProductInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let sku = check(&mut errors, "sku", rules::sku(&self.sku));
        let category = check(&mut errors, "category", rules::category(&self.category));
        let price = check(&mut errors, "price", rules::price(&self.price));
        let vat_rate = check(&mut errors, "vat_rate", rules::vat_rate(&self.vat_rate));
        let name = required(&mut errors, "name", "the product name", &self.name, 120);
        let description =
            optional(&mut errors, "description", &self.description, 2000).unwrap_or_default();
        let unit = required(
            &mut errors,
            "unit",
            "the selling unit (kg, case, each)",
            &self.unit,
            30,
        );
        let pack_size = optional(&mut errors, "pack_size", &self.pack_size, 60).unwrap_or_default();
        let (Some(sku), Some(category), Some(price), Some(vat_rate)) =
            (sku, category, price, vat_rate)
        else {
            return Err(errors);
        };
        errors.into_result(ProductInput {
            sku,
            name,
            description,
            category,
            unit,
            pack_size,
            fractional: self.fractional.is_some(),
            price,
            vat_rate,
            in_stock: self.in_stock.is_some(),
            active: self.active.is_some(),
        })
    }

    pub fn is(&self, category: &str) -> bool {
        self.category == category
    }
}

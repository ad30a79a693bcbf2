//! The draft invoice form as typed: line quantities and prices, removals and one delivery
//! charge, parsed into edits or into messages keyed by the field they belong beside.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::catalog::rules as fields;
use crate::money;

/// Messages keyed by form field name ("qty_<line id>", "delivery_price", …).
pub type FieldMessages = BTreeMap<String, String>;

/// A draft line as edited: new quantity and price, or removed.
#[derive(Debug, Clone, PartialEq)]
pub struct LineEdit {
    pub id: Uuid,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub remove: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    pub description: String,
    pub price: Decimal,
    pub vat_rate: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftInput {
    pub edits: Vec<LineEdit>,
    pub charge: Option<Charge>,
}

impl DraftInput {
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.charge.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DraftProblem {
    /// Field names that no page of ours would send.
    Damaged,
    Fields(FieldMessages),
}

/// Parses "qty_<id>", "price_<id>", "remove_<id>" and the delivery charge fields. A line's
/// whole-unit rule is the database's to check (it knows the line); the shape is checked here.
pub fn parse(form: &HashMap<String, String>) -> Result<DraftInput, DraftProblem> {
    let mut errors = FieldMessages::new();
    let mut edits: BTreeMap<Uuid, (Option<Decimal>, Option<Decimal>, bool)> = BTreeMap::new();
    for (name, value) in form {
        let Some((field, id)) = name
            .split_once('_')
            .filter(|(f, _)| matches!(*f, "qty" | "price" | "remove"))
        else {
            continue;
        };
        let id = Uuid::parse_str(id).map_err(|_| DraftProblem::Damaged)?;
        let edit = edits.entry(id).or_default();
        match field {
            "qty" => match crate::cart::rules::quantity(value, true) {
                Ok(q) => edit.0 = Some(q),
                Err(why) => {
                    errors.insert(name.clone(), why.to_owned());
                }
            },
            "price" => match money::parse_gbp(value) {
                Ok(p) => edit.1 = Some(p),
                Err(e) => {
                    errors.insert(name.clone(), e.message().to_owned());
                }
            },
            _ => edit.2 = true,
        }
    }
    let mut parsed = Vec::new();
    for (id, (quantity, price, remove)) in edits {
        if remove {
            parsed.push(LineEdit {
                id,
                quantity: Decimal::ONE,
                unit_price: Decimal::ZERO,
                remove,
            });
            continue;
        }
        match (quantity, price) {
            (Some(quantity), Some(unit_price)) => {
                if let Err(why) = money::bounded_line_net(unit_price, quantity) {
                    errors.insert(format!("qty_{id}"), why);
                }
                parsed.push(LineEdit {
                    id,
                    quantity,
                    unit_price,
                    remove,
                });
            }
            // One of the pair was refused above; a pair with a part missing is no form of ours.
            (None, _) | (_, None) if !errors.is_empty() => {}
            _ => return Err(DraftProblem::Damaged),
        }
    }
    let get = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or("");
    let charge = match (get("delivery_description"), get("delivery_price")) {
        ("", "") => None,
        (description, price) => {
            let description = if description.is_empty() {
                "Delivery"
            } else {
                description
            };
            if description.chars().count() > 200 {
                errors.insert(
                    "delivery_description".into(),
                    "Keep the charge's description under 200 characters.".into(),
                );
            }
            let price = fields::price(price)
                .map_err(|why| errors.insert("delivery_price".into(), why.to_owned()))
                .ok();
            let vat_rate = fields::vat_rate(match get("delivery_vat") {
                "" => "20",
                rate => rate,
            })
            .map_err(|why| errors.insert("delivery_vat".into(), why.to_owned()))
            .ok();
            price.zip(vat_rate).map(|(price, vat_rate)| Charge {
                description: description.to_owned(),
                price,
                vat_rate,
            })
        }
    };
    if !errors.is_empty() {
        return Err(DraftProblem::Fields(errors));
    }
    Ok(DraftInput {
        edits: parsed,
        charge,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const LINE: &str = "0190a1b2-0000-7000-8000-000000000001";

    #[test]
    fn a_decimal_comma_charge_is_pounds_and_pence() {
        let input = parse(&form(&[("delivery_price", "4,5")])).unwrap();
        let charge = input.charge.unwrap();
        assert_eq!(charge.price, Decimal::new(450, 2));
        assert_eq!(charge.description, "Delivery");
        assert_eq!(charge.vat_rate, Decimal::from(20));
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let qty = format!("qty_{LINE}");
        let price = format!("price_{LINE}");
        let Err(DraftProblem::Fields(errors)) = parse(&form(&[
            (&qty, "1e12"),
            (&price, "1,250,00"),
            ("delivery_price", "abc"),
        ])) else {
            panic!("refused");
        };
        assert_eq!(
            errors.keys().cloned().collect::<Vec<_>>(),
            vec!["delivery_price".to_owned(), price, qty]
        );
    }

    #[test]
    fn a_line_too_large_for_any_order_is_refused_beside_its_quantity() {
        let qty = format!("qty_{LINE}");
        let price = format!("price_{LINE}");
        let Err(DraftProblem::Fields(errors)) =
            parse(&form(&[(&qty, "10000"), (&price, "999999.99")]))
        else {
            panic!("refused");
        };
        assert!(errors[&qty].contains("more than"));
    }

    #[test]
    fn names_no_page_sends_are_a_damaged_form() {
        assert_eq!(
            parse(&form(&[("qty_not-a-uuid", "1")])),
            Err(DraftProblem::Damaged)
        );
        assert_eq!(
            parse(&form(&[(&format!("qty_{LINE}"), "1")])),
            Err(DraftProblem::Damaged),
            "a quantity without its price"
        );
    }
}

//! Carts in the database, one per business and provider. Every function takes the business
//! id from the session; another business's cart item is simply not found.

use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::db::schema::{cart_items, carts, products, providers};
use crate::ids::{BusinessId, ProviderId, new_id};
use crate::money;

/// One cart line with what checkout and the cart page need to know about its product.
#[derive(Debug, Clone, Queryable)]
pub struct CartLine {
    pub item_id: Uuid,
    pub quantity: Decimal,
    pub product_id: Uuid,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub pack_size: String,
    pub fractional: bool,
    pub price: Decimal,
    pub vat_rate: Decimal,
    pub in_stock: bool,
    pub active: bool,
    pub provider_id: Uuid,
    pub provider_name: String,
    pub provider_slug: String,
    pub provider_status: String,
    pub provider_min_order: Decimal,
    /// `price` is the buyer's own (`prices::apply` sets both).
    pub customer_price: bool,
}

impl CartLine {
    pub fn net(&self) -> Decimal {
        money::price_line(self.price, self.quantity, self.vat_rate).0
    }

    pub fn vat(&self) -> Decimal {
        money::price_line(self.price, self.quantity, self.vat_rate).1
    }

    /// "Double cream (2 L)": the name alone can't tell two packs apart.
    pub fn label(&self) -> String {
        if self.pack_size.trim().is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.pack_size)
        }
    }

    pub fn available(&self) -> bool {
        self.active && self.in_stock
    }

    pub fn quantity_text(&self) -> String {
        self.quantity.normalize().to_string()
    }

    pub fn price_text(&self) -> String {
        money::format_gbp(self.price)
    }

    pub fn net_text(&self) -> String {
        money::format_gbp(self.net())
    }
}

/// Names the cart exactly as a buyer sees it (items, quantities, prices, VAT rates), so a
/// submit can tell whether it changed since the checkout page was shown.
pub fn fingerprint(lines: &[CartLine]) -> String {
    use sha2::{Digest, Sha256};
    let mut described: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{}|{}|{}|{}|{}|{}",
                l.item_id,
                l.product_id,
                l.quantity.normalize(),
                l.price.normalize(),
                l.vat_rate.normalize(),
                l.available()
            )
        })
        .collect();
    described.sort();
    let digest = Sha256::digest(described.join("\n").as_bytes());
    hex::encode(&digest[..12])
}

/// A `CartLine`'s columns: the line's id and quantity (from wherever the caller keeps them),
/// then the product and its provider. Standing orders price their lines the same way.
macro_rules! cart_line_columns {
    ($id:expr, $quantity:expr) => {{
        use $crate::db::schema::{products as p, providers as v};
        (
            $id,
            $quantity,
            p::id,
            p::sku,
            p::name,
            p::unit,
            p::pack_size,
            p::fractional,
            p::price,
            p::vat_rate,
            p::in_stock,
            p::active,
            v::id,
            v::name,
            v::slug,
            v::status,
            v::min_order_value,
            diesel::dsl::sql::<diesel::sql_types::Bool>("false"),
        )
    }};
}
pub(crate) use cart_line_columns;

pub fn totals(lines: &[CartLine]) -> money::Totals {
    money::Totals::from_lines(lines.iter().map(|l| (l.net(), l.vat_rate, l.vat())))
}

/// The business's cart lines (one provider's, or all), priced for it on London date `on`.
pub fn lines(
    conn: &mut PgConnection,
    business: BusinessId,
    provider: Option<ProviderId>,
    on: time::Date,
) -> QueryResult<Vec<CartLine>> {
    let mut query = cart_items::table
        .inner_join(carts::table)
        .inner_join(products::table.inner_join(providers::table))
        .filter(carts::business_id.eq(business.0))
        .select(cart_line_columns!(cart_items::id, cart_items::quantity))
        .into_boxed();
    if let Some(provider) = provider {
        query = query.filter(carts::provider_id.eq(provider.0));
    }
    let mut lines = query
        .order((providers::name, cart_items::created_at, cart_items::id))
        .load(conn)?;
    crate::prices::queries::apply(conn, business, on, &mut lines)?;
    Ok(lines)
}

pub enum Added {
    Added {
        name: String,
        quantity_in_cart: Decimal,
    },
    /// Not listed, provider not open, or no such product.
    Unavailable,
    /// The quantity as typed, or the line it would make, is refused; nothing changed.
    Refused(String),
}

/// Adds to the cart of the product's provider (made on first use); adding again sums.
pub fn add(
    conn: &mut PgConnection,
    business: BusinessId,
    product_id: Uuid,
    raw_quantity: &str,
) -> QueryResult<Added> {
    put(conn, business, product_id, raw_quantity, true)
}

/// As `add`, but the cart ends up holding exactly this quantity, so sending the same
/// suggestion twice (a double click, a second tab) leaves the cart as once.
pub fn set(
    conn: &mut PgConnection,
    business: BusinessId,
    product_id: Uuid,
    raw_quantity: &str,
) -> QueryResult<Added> {
    put(conn, business, product_id, raw_quantity, false)
}

fn put(
    conn: &mut PgConnection,
    business: BusinessId,
    product_id: Uuid,
    raw_quantity: &str,
    sum: bool,
) -> QueryResult<Added> {
    let outcome = conn.transaction(|conn| {
        let product: Option<(Uuid, String, bool, bool, String, Decimal)> = products::table
            .inner_join(providers::table)
            .filter(products::id.eq(product_id))
            .select((
                providers::id,
                products::name,
                products::fractional,
                products::active,
                providers::status,
                products::price,
            ))
            .first(conn)
            .optional()?;
        let Some((provider_id, name, fractional, active, status, price)) = product else {
            return Ok(Added::Unavailable);
        };
        if !active || !crate::providers::rules::is_open_for_orders(&status) {
            return Ok(Added::Unavailable);
        }
        let quantity = match super::rules::quantity(raw_quantity, fractional) {
            Ok(q) => q,
            Err(why) => return Ok(Added::Refused(why.to_owned())),
        };
        let new_cart = diesel::insert_into(carts::table)
            .values((
                carts::id.eq(new_id()),
                carts::business_id.eq(business.0),
                carts::provider_id.eq(provider_id),
            ))
            .on_conflict((carts::business_id, carts::provider_id))
            .do_nothing()
            .execute(conn)?
            == 1;
        let cart_id: Uuid = carts::table
            .filter(carts::business_id.eq(business.0))
            .filter(carts::provider_id.eq(provider_id))
            .select(carts::id)
            .first(conn)?;
        let max = Decimal::from(super::rules::MAX_QUANTITY);
        let in_cart: Decimal = diesel::insert_into(cart_items::table)
            .values((
                cart_items::id.eq(new_id()),
                cart_items::cart_id.eq(cart_id),
                cart_items::product_id.eq(product_id),
                cart_items::quantity.eq(quantity),
            ))
            .on_conflict((cart_items::cart_id, cart_items::product_id))
            .do_update()
            .set(
                cart_items::quantity.eq(diesel::dsl::sql::<diesel::sql_types::Numeric>(if sum {
                    "LEAST(cart_items.quantity + excluded.quantity, "
                } else {
                    "LEAST(excluded.quantity, "
                })
                .bind::<diesel::sql_types::Numeric, _>(max)
                .sql(")")),
            )
            .returning(cart_items::quantity)
            .get_result(conn)?;
        if let Err(why) = money::bounded_line_net(price, in_cart) {
            // Undo the sum: the cart stays as the buyer last saw it.
            return Err(Refusal::Refused(why));
        }
        // The funnel's "filled a first cart": only a new cart can be the first, and the
        // unique index keeps one per business, so ordinary adds write nothing here.
        if new_cart {
            let about = crate::analytics::About {
                business: Some(business.0),
                provider: Some(provider_id),
                ..Default::default()
            };
            crate::analytics::record(conn, crate::analytics::Kind::FirstCart, about)?;
        }
        Ok(Added::Added {
            name,
            quantity_in_cart: in_cart,
        })
    });
    match outcome {
        Ok(added) => Ok(added),
        Err(Refusal::Refused(why)) => Ok(Added::Refused(why)),
        Err(Refusal::Db(e)) => Err(e),
    }
}

/// Lets a transaction roll back with a message for the buyer rather than a database error.
enum Refusal {
    Refused(String),
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for Refusal {
    fn from(e: diesel::result::Error) -> Self {
        Self::Db(e)
    }
}

/// What changing a cart item's quantity needs to know: its provider and product rules.
pub struct ItemFacts {
    pub provider: ProviderId,
    pub fractional: bool,
    pub price: Decimal,
}

/// The facts of a cart item, if the item is this business's.
pub fn item_facts(
    conn: &mut PgConnection,
    business: BusinessId,
    item: Uuid,
) -> QueryResult<Option<ItemFacts>> {
    cart_items::table
        .inner_join(carts::table)
        .inner_join(products::table)
        .filter(carts::business_id.eq(business.0))
        .filter(cart_items::id.eq(item))
        .select((carts::provider_id, products::fractional, products::price))
        .first::<(Uuid, bool, Decimal)>(conn)
        .optional()
        .map(|r| {
            r.map(|(p, fractional, price)| ItemFacts {
                provider: ProviderId(p),
                fractional,
                price,
            })
        })
}

pub fn set_quantity(
    conn: &mut PgConnection,
    business: BusinessId,
    item: Uuid,
    quantity: Decimal,
) -> QueryResult<usize> {
    let owned = carts::table
        .filter(carts::business_id.eq(business.0))
        .select(carts::id);
    diesel::update(
        cart_items::table
            .filter(cart_items::id.eq(item))
            .filter(cart_items::cart_id.eq_any(owned)),
    )
    .set(cart_items::quantity.eq(quantity))
    .execute(conn)
}

pub fn remove(conn: &mut PgConnection, business: BusinessId, item: Uuid) -> QueryResult<usize> {
    let owned = carts::table
        .filter(carts::business_id.eq(business.0))
        .select(carts::id);
    diesel::delete(
        cart_items::table
            .filter(cart_items::id.eq(item))
            .filter(cart_items::cart_id.eq_any(owned)),
    )
    .execute(conn)
}

/// Items across all of the business's carts, for the header badge.
pub fn item_count(conn: &mut PgConnection, business: BusinessId) -> QueryResult<i64> {
    cart_items::table
        .inner_join(carts::table)
        .filter(carts::business_id.eq(business.0))
        .count()
        .get_result(conn)
}

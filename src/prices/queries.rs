//! Customer prices in the database. Buyers' reads go through `larder_customer_prices` (see
//! its migration for which price wins); providers' reads and writes are scoped by the
//! session's provider, and a price is only ever for one of the provider's own customers.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Array, Date as SqlDate, Numeric, Uuid as SqlUuid};
use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use crate::cart::queries::CartLine;
use crate::db::schema::{
    businesses, buyer_group_members, buyer_groups, customer_prices, orders, products,
};
use crate::ids::{BusinessId, ProviderId};

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Numeric)]
    price: Decimal,
}

/// The business's own price on London date `on` for each of `products` that has one.
pub fn for_products(
    conn: &mut PgConnection,
    business: BusinessId,
    on: Date,
    products: &[Uuid],
) -> QueryResult<HashMap<Uuid, Decimal>> {
    if products.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<Found> = crate::db::prepared::Prepared(
        diesel::sql_query(
            "SELECT product_id AS id, price FROM larder_customer_prices($1, $2)
              WHERE product_id = ANY($3)",
        )
        .into_boxed::<diesel::pg::Pg>()
        .bind::<SqlUuid, _>(business.0)
        .bind::<SqlDate, _>(on)
        .bind::<Array<SqlUuid>, _>(products),
    )
    .load(conn)?;
    Ok(found.into_iter().map(|f| (f.id, f.price)).collect())
}

/// Reprices cart-shaped lines at the business's own prices, marking the ones it changed.
pub fn apply(
    conn: &mut PgConnection,
    business: BusinessId,
    on: Date,
    lines: &mut [CartLine],
) -> QueryResult<()> {
    let ids: Vec<Uuid> = lines.iter().map(|l| l.product_id).collect();
    let prices = for_products(conn, business, on, &ids)?;
    for line in lines {
        if let Some(price) = prices.get(&line.product_id) {
            line.price = *price;
            line.customer_price = true;
        }
    }
    Ok(())
}

/// A business that has ordered from the provider (or is in one of its groups): who a
/// customer price can be for.
#[derive(Debug, Clone, Queryable)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
}

pub fn customers(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Vec<Customer>> {
    let ordered = orders::table
        .filter(orders::provider_id.eq(provider.0))
        .filter(orders::status.ne("awaiting_approval"))
        .select(orders::business_id);
    let grouped = buyer_group_members::table
        .inner_join(buyer_groups::table)
        .filter(buyer_groups::provider_id.eq(provider.0))
        .select(buyer_group_members::business_id);
    businesses::table
        .filter(
            businesses::id
                .eq_any(ordered)
                .or(businesses::id.eq_any(grouped)),
        )
        .order((businesses::name, businesses::id))
        .select((businesses::id, businesses::name))
        .load(conn)
}

/// One business, if it is the provider's customer (as `customers` decides): a check on one
/// id reads that business's orders with this provider, not the provider's whole history.
pub fn customer(
    conn: &mut PgConnection,
    provider: ProviderId,
    business: Uuid,
) -> QueryResult<Option<Customer>> {
    let ordered = diesel::dsl::exists(
        orders::table
            .filter(orders::provider_id.eq(provider.0))
            .filter(orders::business_id.eq(business))
            .filter(orders::status.ne("awaiting_approval")),
    );
    let grouped = diesel::dsl::exists(
        buyer_group_members::table
            .inner_join(buyer_groups::table)
            .filter(buyer_groups::provider_id.eq(provider.0))
            .filter(buyer_group_members::business_id.eq(business)),
    );
    businesses::table
        .filter(businesses::id.eq(business))
        .filter(ordered.or(grouped))
        .select((businesses::id, businesses::name))
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
}

pub fn groups(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Vec<Group>> {
    buyer_groups::table
        .filter(buyer_groups::provider_id.eq(provider.0))
        .order(buyer_groups::name)
        .select((buyer_groups::id, buyer_groups::name))
        .load(conn)
}

/// Each group's members: (group, business, business name).
pub fn members(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Vec<(Uuid, Uuid, String)>> {
    buyer_group_members::table
        .inner_join(buyer_groups::table)
        .inner_join(businesses::table)
        .filter(buyer_groups::provider_id.eq(provider.0))
        .order(businesses::name)
        .select((
            buyer_group_members::group_id,
            businesses::id,
            businesses::name,
        ))
        .load(conn)
}

/// Makes a group; `false` when the provider already has one of that name.
pub fn create_group(
    conn: &mut PgConnection,
    provider: ProviderId,
    name: &str,
) -> QueryResult<bool> {
    Ok(diesel::insert_into(buyer_groups::table)
        .values((
            buyer_groups::provider_id.eq(provider.0),
            buyer_groups::name.eq(name),
        ))
        .on_conflict((buyer_groups::provider_id, buyer_groups::name))
        .do_nothing()
        .execute(conn)?
        == 1)
}

/// The provider's group, or `NotFound`.
pub fn group(conn: &mut PgConnection, provider: ProviderId, id: Uuid) -> QueryResult<Group> {
    buyer_groups::table
        .filter(buyer_groups::provider_id.eq(provider.0))
        .filter(buyer_groups::id.eq(id))
        .select((buyer_groups::id, buyer_groups::name))
        .first(conn)
}

pub fn add_member(conn: &mut PgConnection, group: Uuid, business: Uuid) -> QueryResult<()> {
    diesel::insert_into(buyer_group_members::table)
        .values((
            buyer_group_members::group_id.eq(group),
            buyer_group_members::business_id.eq(business),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

pub fn remove_member(conn: &mut PgConnection, group: Uuid, business: Uuid) -> QueryResult<bool> {
    Ok(diesel::delete(
        buyer_group_members::table
            .filter(buyer_group_members::group_id.eq(group))
            .filter(buyer_group_members::business_id.eq(business)),
    )
    .execute(conn)?
        == 1)
}

/// One of the provider's customer prices, as its page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct PriceRow {
    pub id: Uuid,
    pub sku: String,
    pub product: String,
    pub list_price: Decimal,
    pub price: Decimal,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub business: Option<String>,
    pub group: Option<String>,
}

pub fn list(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Vec<PriceRow>> {
    customer_prices::table
        .inner_join(products::table)
        .left_join(businesses::table)
        .left_join(buyer_groups::table)
        .filter(customer_prices::provider_id.eq(provider.0))
        .order((
            products::name,
            products::sku,
            customer_prices::starts_on.desc(),
            customer_prices::id,
        ))
        .select((
            customer_prices::id,
            products::sku,
            products::name,
            products::price,
            customer_prices::price,
            customer_prices::starts_on,
            customer_prices::ends_on,
            businesses::name.nullable(),
            buyer_groups::name.nullable(),
        ))
        .load(conn)
}

/// Who a price is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum For {
    Business(Uuid),
    Group(Uuid),
}

#[derive(Debug, Clone)]
pub struct NewPrice {
    pub product: Uuid,
    pub buyer: For,
    pub price: Decimal,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
}

/// The provider's active product with this SKU: (id, list price).
pub fn product_by_sku(
    conn: &mut PgConnection,
    provider: ProviderId,
    sku: &str,
) -> QueryResult<Option<(Uuid, Decimal)>> {
    products::table
        .filter(products::provider_id.eq(provider.0))
        .filter(products::sku.eq(sku))
        .filter(products::active.eq(true))
        .select((products::id, products::price))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut PgConnection, provider: ProviderId, p: &NewPrice) -> QueryResult<Uuid> {
    let (business, group) = match p.buyer {
        For::Business(b) => (Some(b), None),
        For::Group(g) => (None, Some(g)),
    };
    diesel::insert_into(customer_prices::table)
        .values((
            customer_prices::provider_id.eq(provider.0),
            customer_prices::product_id.eq(p.product),
            customer_prices::business_id.eq(business),
            customer_prices::group_id.eq(group),
            customer_prices::price.eq(p.price),
            customer_prices::starts_on.eq(p.starts_on),
            customer_prices::ends_on.eq(p.ends_on),
        ))
        .returning(customer_prices::id)
        .get_result(conn)
}

/// Removes one of the provider's prices; `false` when it has no such price.
pub fn delete(conn: &mut PgConnection, provider: ProviderId, id: Uuid) -> QueryResult<bool> {
    Ok(diesel::delete(
        customer_prices::table
            .filter(customer_prices::provider_id.eq(provider.0))
            .filter(customer_prices::id.eq(id)),
    )
    .execute(conn)?
        == 1)
}

/// The provider's listed products by SKU, for the import.
pub fn listed_skus(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<HashMap<String, Uuid>> {
    Ok(products::table
        .filter(products::provider_id.eq(provider.0))
        .filter(products::active.eq(true))
        .select((products::sku, products::id))
        .load::<(String, Uuid)>(conn)?
        .into_iter()
        .collect())
}

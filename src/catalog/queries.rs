//! Product SQL for the provider's own catalogue. Every function takes the provider id from
//! the session; another provider's product is simply not found.

use diesel::prelude::*;
use diesel::upsert::excluded;
use uuid::Uuid;

use super::model::{Product, ProductInput};
use crate::db::lower;
use crate::db::schema::{catalog_imports, products};
use crate::ids::{ProviderId, new_id};
use crate::web::pagination::PageRequest;

#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub category: Option<String>,
    /// Matched against SKU and name, literally (wildcards typed are text).
    pub text: Option<String>,
}

pub fn list(
    conn: &mut PgConnection,
    provider: ProviderId,
    filter: &ProductFilter,
    page: PageRequest,
) -> QueryResult<Vec<Product>> {
    let mut query = products::table
        .filter(products::provider_id.eq(provider.0))
        .select(Product::as_select())
        .into_boxed();
    if let Some(category) = &filter.category {
        query = query.filter(products::category.eq(category.clone()));
    }
    if let Some(text) = &filter.text {
        let pattern = crate::admin::queries::contains_pattern(text);
        query = query.filter(
            products::name
                .ilike(pattern.clone())
                .or(products::sku.ilike(pattern)),
        );
    }
    query
        .order((products::category, lower(products::name), products::id))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .load(conn)
}

pub fn all(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Vec<Product>> {
    products::table
        .filter(products::provider_id.eq(provider.0))
        .order((products::category, lower(products::name)))
        .select(Product::as_select())
        .load(conn)
}

pub fn find(conn: &mut PgConnection, provider: ProviderId, id: Uuid) -> QueryResult<Product> {
    products::table
        .filter(products::provider_id.eq(provider.0))
        .filter(products::id.eq(id))
        .select(Product::as_select())
        .first(conn)
}

pub fn sku_taken(
    conn: &mut PgConnection,
    provider: ProviderId,
    sku: &str,
    except: Option<Uuid>,
) -> QueryResult<bool> {
    let found: Option<Uuid> = products::table
        .filter(products::provider_id.eq(provider.0))
        .filter(products::sku.eq(sku))
        .select(products::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some_and(|id| Some(id) != except))
}

pub fn insert(
    conn: &mut PgConnection,
    provider: ProviderId,
    input: &ProductInput,
) -> QueryResult<Uuid> {
    let id = new_id();
    diesel::insert_into(products::table)
        .values((
            products::id.eq(id),
            products::provider_id.eq(provider.0),
            input.row(),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Rows changed: 0 means not this provider's product. A price or VAT change goes in the
/// audit log with what it was.
pub fn update(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    input: &ProductInput,
    actor: &crate::audit::Actor,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let before: Option<(rust_decimal::Decimal, rust_decimal::Decimal)> = products::table
            .filter(products::provider_id.eq(provider.0))
            .filter(products::id.eq(id))
            .select((products::price, products::vat_rate))
            .for_update()
            .first(conn)
            .optional()?;
        let changed = diesel::update(
            products::table
                .filter(products::provider_id.eq(provider.0))
                .filter(products::id.eq(id)),
        )
        .set(input.row())
        .execute(conn)?;
        if let Some((price, vat)) = before.filter(|b| *b != (input.price, input.vat_rate)) {
            let entry = crate::audit::Entry::new("product.price_changed", "product", Some(id))
                .org(None, Some(provider.0))
                .change(
                    Some(serde_json::json!({ "price": price.to_string(), "vat_rate": vat.to_string() })),
                    Some(serde_json::json!({
                        "price": input.price.to_string(),
                        "vat_rate": input.vat_rate.to_string(),
                    })),
                );
            crate::audit::record(conn, actor, entry)?;
        }
        Ok(changed)
    })
}

pub fn set_in_stock(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    in_stock: bool,
) -> QueryResult<Option<Product>> {
    diesel::update(
        products::table
            .filter(products::provider_id.eq(provider.0))
            .filter(products::id.eq(id)),
    )
    .set(products::in_stock.eq(in_stock))
    .returning(Product::as_returning())
    .get_result(conn)
    .optional()
}

/// Deletes the product. Past orders keep their snapshot lines; carts lose the item.
pub fn delete(conn: &mut PgConnection, provider: ProviderId, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        products::table
            .filter(products::provider_id.eq(provider.0))
            .filter(products::id.eq(id)),
    )
    .execute(conn)
}

/// Creates or updates by SKU, in batches; returns (created, updated).
pub fn upsert_many(
    conn: &mut PgConnection,
    provider: ProviderId,
    inputs: &[ProductInput],
) -> QueryResult<(usize, usize)> {
    let existing: i64 = products::table
        .filter(products::provider_id.eq(provider.0))
        .filter(products::sku.eq_any(inputs.iter().map(|i| i.sku.as_str())))
        .count()
        .get_result(conn)?;
    for chunk in inputs.chunks(1000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|i| {
                (
                    products::id.eq(new_id()),
                    products::provider_id.eq(provider.0),
                    i.row(),
                )
            })
            .collect();
        diesel::insert_into(products::table)
            .values(&rows)
            .on_conflict((products::provider_id, products::sku))
            .do_update()
            .set((
                products::name.eq(excluded(products::name)),
                products::description.eq(excluded(products::description)),
                products::category.eq(excluded(products::category)),
                products::unit.eq(excluded(products::unit)),
                products::pack_size.eq(excluded(products::pack_size)),
                products::fractional.eq(excluded(products::fractional)),
                products::price.eq(excluded(products::price)),
                products::vat_rate.eq(excluded(products::vat_rate)),
                products::in_stock.eq(excluded(products::in_stock)),
                products::active.eq(excluded(products::active)),
            ))
            .execute(conn)?;
    }
    let updated = usize::try_from(existing).unwrap_or(0);
    Ok((inputs.len() - updated, updated))
}

pub fn stage_import(
    conn: &mut PgConnection,
    provider: ProviderId,
    file_name: &str,
    rows: &[ProductInput],
) -> QueryResult<Uuid> {
    let id = new_id();
    let json = serde_json::to_value(rows)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(catalog_imports::table)
        .values((
            catalog_imports::id.eq(id),
            catalog_imports::provider_id.eq(provider.0),
            catalog_imports::file_name.eq(file_name),
            catalog_imports::rows.eq(json),
            catalog_imports::row_count.eq(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
        ))
        .execute(conn)?;
    Ok(id)
}

pub enum ApplyOutcome {
    Applied { created: usize, updated: usize },
    AlreadyApplied,
    NotFound,
}

/// Applies a staged import once, all or nothing; a second apply (double click) is refused.
pub fn apply_import(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: &crate::audit::Actor,
) -> QueryResult<ApplyOutcome> {
    conn.transaction(|conn| {
        let staged: Option<(serde_json::Value, Option<time::OffsetDateTime>)> =
            catalog_imports::table
                .filter(catalog_imports::provider_id.eq(provider.0))
                .filter(catalog_imports::id.eq(id))
                .select((catalog_imports::rows, catalog_imports::applied_at))
                .for_update()
                .first(conn)
                .optional()?;
        let Some((json, applied_at)) = staged else {
            return Ok(ApplyOutcome::NotFound);
        };
        if applied_at.is_some() {
            return Ok(ApplyOutcome::AlreadyApplied);
        }
        let rows: Vec<ProductInput> = serde_json::from_value(json)
            .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
        let (created, updated) = upsert_many(conn, provider, &rows)?;
        diesel::update(catalog_imports::table.find(id))
            .set(catalog_imports::applied_at.eq(diesel::dsl::now))
            .execute(conn)?;
        // An import can change many prices at once: one entry names it and its counts.
        let entry = crate::audit::Entry::new("catalog.import_applied", "catalog_import", Some(id))
            .org(None, Some(provider.0))
            .change(
                None,
                Some(serde_json::json!({ "created": created, "updated": updated })),
            );
        crate::audit::record(conn, actor, entry)?;
        Ok(ApplyOutcome::Applied { created, updated })
    })
}

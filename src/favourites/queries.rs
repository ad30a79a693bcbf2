//! Favourites in the database, always the session's business's own.

use std::collections::HashSet;

use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{favourite_products, favourite_providers, products, providers};
use crate::ids::BusinessId;

/// Stars or unstars an active provider; `false` when there is no such provider.
pub fn set_provider(
    conn: &mut PgConnection,
    business: BusinessId,
    provider: Uuid,
    favourite: bool,
) -> QueryResult<bool> {
    let listed: bool = diesel::select(diesel::dsl::exists(
        providers::table
            .filter(providers::id.eq(provider))
            .filter(providers::status.eq("active")),
    ))
    .get_result(conn)?;
    if !listed {
        return Ok(false);
    }
    if favourite {
        diesel::insert_into(favourite_providers::table)
            .values((
                favourite_providers::business_id.eq(business.0),
                favourite_providers::provider_id.eq(provider),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    } else {
        diesel::delete(
            favourite_providers::table
                .filter(favourite_providers::business_id.eq(business.0))
                .filter(favourite_providers::provider_id.eq(provider)),
        )
        .execute(conn)?;
    }
    Ok(true)
}

/// Stars or unstars a listed product; `false` when there is no such product.
pub fn set_product(
    conn: &mut PgConnection,
    business: BusinessId,
    product: Uuid,
    favourite: bool,
) -> QueryResult<bool> {
    let listed: bool = diesel::select(diesel::dsl::exists(
        products::table
            .filter(products::id.eq(product))
            .filter(products::active.eq(true)),
    ))
    .get_result(conn)?;
    if !listed {
        return Ok(false);
    }
    if favourite {
        diesel::insert_into(favourite_products::table)
            .values((
                favourite_products::business_id.eq(business.0),
                favourite_products::product_id.eq(product),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    } else {
        diesel::delete(
            favourite_products::table
                .filter(favourite_products::business_id.eq(business.0))
                .filter(favourite_products::product_id.eq(product)),
        )
        .execute(conn)?;
    }
    Ok(true)
}

/// Which of `ids` the business has starred.
pub fn starred_products(
    conn: &mut PgConnection,
    business: BusinessId,
    ids: &[Uuid],
) -> QueryResult<HashSet<Uuid>> {
    Ok(favourite_products::table
        .filter(favourite_products::business_id.eq(business.0))
        .filter(favourite_products::product_id.eq_any(ids))
        .select(favourite_products::product_id)
        .load::<Uuid>(conn)?
        .into_iter()
        .collect())
}

pub fn is_starred_provider(
    conn: &mut PgConnection,
    business: BusinessId,
    provider: Uuid,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        favourite_providers::table
            .filter(favourite_providers::business_id.eq(business.0))
            .filter(favourite_providers::provider_id.eq(provider)),
    ))
    .get_result(conn)
}

//! Buyer organisations and their delivery locations. Every function takes the business
//! id from the session context; a location of another business is simply not found.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Business, Location, LocationInput};
use crate::db::schema::{businesses, locations};
use crate::ids::{BusinessId, LocationId, new_id};

pub fn insert_business(
    conn: &mut PgConnection,
    name: &str,
    vat_number: Option<&str>,
) -> QueryResult<BusinessId> {
    let id = new_id();
    diesel::insert_into(businesses::table)
        .values((
            businesses::id.eq(id),
            businesses::name.eq(name),
            businesses::vat_number.eq(vat_number),
        ))
        .execute(conn)?;
    Ok(BusinessId(id))
}

pub fn business(conn: &mut PgConnection, id: BusinessId) -> QueryResult<Business> {
    businesses::table
        .find(id.0)
        .select(Business::as_select())
        .first(conn)
}

pub fn update_business(
    conn: &mut PgConnection,
    id: BusinessId,
    name: &str,
    vat_number: Option<&str>,
) -> QueryResult<()> {
    diesel::update(businesses::table.find(id.0))
        .set((
            businesses::name.eq(name),
            businesses::vat_number.eq(vat_number),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn list_locations(conn: &mut PgConnection, business: BusinessId) -> QueryResult<Vec<Location>> {
    locations::table
        .filter(locations::business_id.eq(business.0))
        .filter(locations::archived_at.is_null())
        .order((locations::is_default.desc(), locations::label.asc()))
        .select(Location::as_select())
        .load(conn)
}

pub fn find_location(
    conn: &mut PgConnection,
    business: BusinessId,
    id: LocationId,
) -> QueryResult<Location> {
    locations::table
        .filter(locations::business_id.eq(business.0))
        .filter(locations::id.eq(id.0))
        .filter(locations::archived_at.is_null())
        .select(Location::as_select())
        .first(conn)
}

/// Adds a location; the business's first location becomes its default.
pub fn insert_location(
    conn: &mut PgConnection,
    business: BusinessId,
    input: &LocationInput,
) -> QueryResult<LocationId> {
    let has_default: bool = diesel::select(diesel::dsl::exists(
        locations::table
            .filter(locations::business_id.eq(business.0))
            .filter(locations::is_default.eq(true)),
    ))
    .get_result(conn)?;
    let id = new_id();
    diesel::insert_into(locations::table)
        .values((
            locations::id.eq(id),
            locations::business_id.eq(business.0),
            locations::label.eq(&input.label),
            locations::address_line1.eq(&input.address_line1),
            locations::address_line2.eq(&input.address_line2),
            locations::city.eq(&input.city),
            locations::postcode.eq(input.postcode.as_str()),
            locations::outcode.eq(input.postcode.outcode()),
            locations::delivery_notes.eq(&input.delivery_notes),
            locations::is_default.eq(!has_default),
        ))
        .execute(conn)?;
    Ok(LocationId(id))
}

/// Returns the number of rows changed: 0 means no such location for this business.
pub fn update_location(
    conn: &mut PgConnection,
    business: BusinessId,
    id: LocationId,
    input: &LocationInput,
) -> QueryResult<usize> {
    diesel::update(
        locations::table
            .filter(locations::business_id.eq(business.0))
            .filter(locations::id.eq(id.0))
            .filter(locations::archived_at.is_null()),
    )
    .set((
        locations::label.eq(&input.label),
        locations::address_line1.eq(&input.address_line1),
        locations::address_line2.eq(&input.address_line2),
        locations::city.eq(&input.city),
        locations::postcode.eq(input.postcode.as_str()),
        locations::outcode.eq(input.postcode.outcode()),
        locations::delivery_notes.eq(&input.delivery_notes),
    ))
    .execute(conn)
}

/// Makes one location the default; 0 rows means it isn't this business's.
pub fn set_default_location(
    conn: &mut PgConnection,
    business: BusinessId,
    id: LocationId,
) -> QueryResult<usize> {
    conn.transaction(|conn| {
        let exists: Option<Uuid> = locations::table
            .filter(locations::business_id.eq(business.0))
            .filter(locations::id.eq(id.0))
            .filter(locations::archived_at.is_null())
            .select(locations::id)
            .for_update()
            .first(conn)
            .optional()?;
        if exists.is_none() {
            return Ok(0);
        }
        diesel::update(
            locations::table
                .filter(locations::business_id.eq(business.0))
                .filter(locations::is_default.eq(true)),
        )
        .set(locations::is_default.eq(false))
        .execute(conn)?;
        diesel::update(locations::table.filter(locations::id.eq(id.0)))
            .set(locations::is_default.eq(true))
            .execute(conn)
    })
}

/// What deleting an address found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    Done,
    NotFound,
    /// The default address stays until another is made the default.
    IsDefault,
}

/// Deletes (archives) one of the business's addresses; orders keep their own copy.
pub fn archive_location(
    conn: &mut PgConnection,
    business: BusinessId,
    id: LocationId,
) -> QueryResult<Archived> {
    conn.transaction(|conn| {
        let default: Option<bool> = locations::table
            .filter(locations::business_id.eq(business.0))
            .filter(locations::id.eq(id.0))
            .filter(locations::archived_at.is_null())
            .select(locations::is_default)
            .for_update()
            .first(conn)
            .optional()?;
        match default {
            None => Ok(Archived::NotFound),
            Some(true) => Ok(Archived::IsDefault),
            Some(false) => {
                diesel::update(locations::table.filter(locations::id.eq(id.0)))
                    .set(locations::archived_at.eq(Some(time::OffsetDateTime::now_utc())))
                    .execute(conn)?;
                Ok(Archived::Done)
            }
        }
    })
}

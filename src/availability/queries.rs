//! Availability SQL. Every read and write is scoped by the provider from the session (or, for
//! checkout, the provider being ordered from).

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, Time};
use uuid::Uuid;

use super::rules::{Booked, Closure, Window, Zone};
use crate::db::schema::{delivery_windows, delivery_zones, orders, provider_closures, providers};
use crate::ids::{ProviderId, new_id};
use crate::orders::rules::OrderStatus;

type ZoneRow = (
    Uuid,
    String,
    Vec<Option<String>>,
    Vec<Option<i16>>,
    Decimal,
    Decimal,
    i16,
    Time,
    Option<i32>,
    Option<i32>,
);

fn zone_columns() -> (
    delivery_zones::id,
    delivery_zones::name,
    delivery_zones::areas,
    delivery_zones::days,
    delivery_zones::min_order_value,
    delivery_zones::delivery_charge,
    delivery_zones::lead_days,
    delivery_zones::cutoff,
    delivery_zones::max_orders_per_day,
    delivery_zones::max_orders_per_window,
) {
    (
        delivery_zones::id,
        delivery_zones::name,
        delivery_zones::areas,
        delivery_zones::days,
        delivery_zones::min_order_value,
        delivery_zones::delivery_charge,
        delivery_zones::lead_days,
        delivery_zones::cutoff,
        delivery_zones::max_orders_per_day,
        delivery_zones::max_orders_per_window,
    )
}

fn to_zone(r: ZoneRow, windows: &mut Vec<(Uuid, Window)>) -> Zone {
    let mut mine = Vec::new();
    windows.retain(|(zone, w)| {
        if *zone == r.0 {
            mine.push(w.clone());
            false
        } else {
            true
        }
    });
    Zone {
        id: r.0,
        name: r.1,
        areas: r.2.into_iter().flatten().collect(),
        days: r.3.into_iter().flatten().collect(),
        min_order_value: r.4,
        delivery_charge: r.5,
        lead_days: r.6,
        cutoff: r.7,
        max_per_day: r.8,
        max_per_window: r.9,
        windows: mine,
    }
}

/// Every zone of these providers with its windows, in two queries: (provider, zone).
pub fn zones_of(conn: &mut PgConnection, providers: &[Uuid]) -> QueryResult<Vec<(Uuid, Zone)>> {
    let rows: Vec<(Uuid, ZoneRow)> = delivery_zones::table
        .filter(delivery_zones::provider_id.eq_any(providers))
        .order((
            delivery_zones::provider_id,
            delivery_zones::name,
            delivery_zones::id,
        ))
        .select((delivery_zones::provider_id, zone_columns()))
        .load(conn)?;
    let ids: Vec<Uuid> = rows.iter().map(|(_, r)| r.0).collect();
    let mut windows: Vec<(Uuid, Window)> = delivery_windows::table
        .filter(delivery_windows::zone_id.eq_any(&ids))
        .order((delivery_windows::weekday, delivery_windows::starts))
        .select((
            delivery_windows::zone_id,
            delivery_windows::id,
            delivery_windows::weekday,
            delivery_windows::starts,
            delivery_windows::ends,
        ))
        .load::<(Uuid, Uuid, i16, Time, Time)>(conn)?
        .into_iter()
        .map(|(zone, id, weekday, starts, ends)| {
            (
                zone,
                Window {
                    id,
                    weekday,
                    starts,
                    ends,
                },
            )
        })
        .collect();
    Ok(rows
        .into_iter()
        .map(|(provider, r)| (provider, to_zone(r, &mut windows)))
        .collect())
}

pub fn zones(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Vec<Zone>> {
    Ok(zones_of(conn, &[provider.0])?
        .into_iter()
        .map(|(_, z)| z)
        .collect())
}

/// One of the provider's zones; another provider's id is not found.
pub fn zone(conn: &mut PgConnection, provider: ProviderId, id: Uuid) -> QueryResult<Zone> {
    zones(conn, provider)?
        .into_iter()
        .find(|z| z.id == id)
        .ok_or(diesel::result::Error::NotFound)
}

/// Closures that end today or later, soonest first.
pub fn closures_of(
    conn: &mut PgConnection,
    providers: &[Uuid],
    today: Date,
) -> QueryResult<Vec<(Uuid, Closure)>> {
    Ok(provider_closures::table
        .filter(provider_closures::provider_id.eq_any(providers))
        .filter(provider_closures::ends_on.ge(today))
        .order((provider_closures::starts_on, provider_closures::id))
        .select((
            provider_closures::provider_id,
            provider_closures::id,
            provider_closures::starts_on,
            provider_closures::ends_on,
            provider_closures::message,
        ))
        .load::<(Uuid, Uuid, Date, Date, String)>(conn)?
        .into_iter()
        .map(|(p, id, starts_on, ends_on, message)| {
            (
                p,
                Closure {
                    id,
                    starts_on,
                    ends_on,
                    message,
                },
            )
        })
        .collect())
}

pub fn closures(
    conn: &mut PgConnection,
    provider: ProviderId,
    today: Date,
) -> QueryResult<Vec<Closure>> {
    Ok(closures_of(conn, &[provider.0], today)?
        .into_iter()
        .map(|(_, c)| c)
        .collect())
}

/// Orders holding a place in the zone from `from` on (cancelled and rejected ones don't).
pub fn booked(conn: &mut PgConnection, zone: Uuid, from: Date) -> QueryResult<Booked> {
    let rows: Vec<(Date, Option<Time>)> = orders::table
        .filter(orders::delivery_zone_id.eq(zone))
        .filter(orders::requested_delivery_date.ge(from))
        .filter(orders::status.ne_all([OrderStatus::Cancelled, OrderStatus::Rejected]))
        .select((orders::requested_delivery_date, orders::window_start))
        .load(conn)?;
    let mut booked = Booked::default();
    for (date, start) in rows {
        *booked.days.entry(date).or_default() += 1;
        if let Some(start) = start {
            *booked.windows.entry((date, start)).or_default() += 1;
        }
    }
    Ok(booked)
}

/// Takes the zone's lock for the rest of the transaction, so two checkouts can't both take
/// the last place in a day or window. `false` if the zone is gone.
pub fn lock_zone(conn: &mut PgConnection, zone: Uuid) -> QueryResult<bool> {
    delivery_zones::table
        .find(zone)
        .select(delivery_zones::id)
        .for_update()
        .first::<Uuid>(conn)
        .optional()
        .map(|z| z.is_some())
}

/// A zone as the form produced it, windows included.
#[derive(Debug, Clone)]
pub struct ZoneInput {
    pub name: String,
    pub areas: Vec<String>,
    pub days: Vec<i16>,
    pub min_order_value: Decimal,
    pub delivery_charge: Decimal,
    pub lead_days: i16,
    pub cutoff: Time,
    pub max_per_day: Option<i32>,
    pub max_per_window: Option<i32>,
    /// (weekday, starts, ends).
    pub windows: Vec<(i16, Time, Time)>,
}

/// Creates (`id` None) or replaces one of the provider's zones, then refreshes the provider's
/// summary. `false` if `id` is not one of theirs.
pub fn save_zone(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Option<Uuid>,
    z: &ZoneInput,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let values = (
            delivery_zones::name.eq(&z.name),
            delivery_zones::areas.eq(&z.areas),
            delivery_zones::days.eq(&z.days),
            delivery_zones::min_order_value.eq(z.min_order_value),
            delivery_zones::delivery_charge.eq(z.delivery_charge),
            delivery_zones::lead_days.eq(z.lead_days),
            delivery_zones::cutoff.eq(z.cutoff),
            delivery_zones::max_orders_per_day.eq(z.max_per_day),
            delivery_zones::max_orders_per_window.eq(z.max_per_window),
        );
        let zone_id = match id {
            None => {
                let id = new_id();
                diesel::insert_into(delivery_zones::table)
                    .values((
                        delivery_zones::id.eq(id),
                        delivery_zones::provider_id.eq(provider.0),
                        values,
                    ))
                    .execute(conn)?;
                id
            }
            Some(id) => {
                let n = diesel::update(
                    delivery_zones::table
                        .filter(delivery_zones::id.eq(id))
                        .filter(delivery_zones::provider_id.eq(provider.0)),
                )
                .set(values)
                .execute(conn)?;
                if n == 0 {
                    return Ok(false);
                }
                id
            }
        };
        // Windows are replaced only where they changed, so ids (and a buyer's open checkout
        // page) survive an edit that leaves a window alone.
        let existing: Vec<(Uuid, i16, Time, Time)> = delivery_windows::table
            .filter(delivery_windows::zone_id.eq(zone_id))
            .select((
                delivery_windows::id,
                delivery_windows::weekday,
                delivery_windows::starts,
                delivery_windows::ends,
            ))
            .load(conn)?;
        let stale: Vec<Uuid> = existing
            .iter()
            .filter(|(_, d, s, e)| !z.windows.contains(&(*d, *s, *e)))
            .map(|(id, ..)| *id)
            .collect();
        diesel::delete(delivery_windows::table.filter(delivery_windows::id.eq_any(&stale)))
            .execute(conn)?;
        let fresh: Vec<_> = z
            .windows
            .iter()
            .filter(|w| !existing.iter().any(|(_, d, s, e)| (*d, *s, *e) == **w))
            .map(|(d, s, e)| {
                (
                    delivery_windows::id.eq(new_id()),
                    delivery_windows::zone_id.eq(zone_id),
                    delivery_windows::weekday.eq(*d),
                    delivery_windows::starts.eq(*s),
                    delivery_windows::ends.eq(*e),
                )
            })
            .collect();
        diesel::insert_into(delivery_windows::table)
            .values(&fresh)
            .execute(conn)?;
        refresh_summary(conn, provider)?;
        Ok(true)
    })
}

/// Deletes one of the provider's zones; orders keep their promised window (the zone link is
/// cleared by the database). `false` if not theirs.
pub fn delete_zone(conn: &mut PgConnection, provider: ProviderId, id: Uuid) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let n = diesel::delete(
            delivery_zones::table
                .filter(delivery_zones::id.eq(id))
                .filter(delivery_zones::provider_id.eq(provider.0)),
        )
        .execute(conn)?;
        refresh_summary(conn, provider)?;
        Ok(n > 0)
    })
}

/// Discovery filters on the provider row (areas, days, lowest minimum), so it mirrors the
/// union of the zones.
pub fn refresh_summary(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<()> {
    let zones = zones(conn, provider)?;
    let mut areas: Vec<String> = zones.iter().flat_map(|z| z.areas.clone()).collect();
    areas.sort();
    areas.dedup();
    let mut days: Vec<i16> = zones.iter().flat_map(|z| z.days.clone()).collect();
    days.sort_unstable();
    days.dedup();
    let min = zones
        .iter()
        .map(|z| z.min_order_value)
        .min()
        .unwrap_or_default();
    diesel::update(providers::table.find(provider.0))
        .set((
            providers::delivery_areas.eq(areas),
            providers::delivery_days.eq(days),
            providers::min_order_value.eq(min),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn add_closure(
    conn: &mut PgConnection,
    provider: ProviderId,
    starts_on: Date,
    ends_on: Date,
    message: &str,
) -> QueryResult<Uuid> {
    let id = new_id();
    diesel::insert_into(provider_closures::table)
        .values((
            provider_closures::id.eq(id),
            provider_closures::provider_id.eq(provider.0),
            provider_closures::starts_on.eq(starts_on),
            provider_closures::ends_on.eq(ends_on),
            provider_closures::message.eq(message),
        ))
        .execute(conn)?;
    Ok(id)
}

/// `false` if the closure is not the provider's.
pub fn delete_closure(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
) -> QueryResult<bool> {
    diesel::delete(
        provider_closures::table
            .filter(provider_closures::id.eq(id))
            .filter(provider_closures::provider_id.eq(provider.0)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

//! Standing-order SQL. Buyer reads and writes are scoped by the session's business; the
//! worker reads every live standing order (`Scope::System`).

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use super::rules::Schedule;
use crate::cart::queries::{CartLine, cart_line_columns};
use crate::db::schema::{
    locations, order_lines, orders, products, providers, standing_order_lines,
    standing_order_occurrences, standing_orders,
};
use crate::ids::{BusinessId, new_id};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = standing_orders, check_for_backend(diesel::pg::Pg))]
pub struct StandingOrder {
    pub id: Uuid,
    pub business_id: Uuid,
    pub provider_id: Uuid,
    pub location_id: Uuid,
    pub created_by: Uuid,
    pub weekdays: Vec<Option<i16>>,
    pub every_weeks: i16,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub paused_until: Option<Date>,
    pub window_start: Option<Time>,
    pub notes: String,
    pub ended_at: Option<OffsetDateTime>,
}

impl StandingOrder {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            weekdays: self.weekdays.iter().flatten().copied().collect(),
            every_weeks: self.every_weeks,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            paused_until: self.paused_until,
        }
    }
}

/// A past order's provider, address and (product, quantity) lines.
pub type OrderSource = (Uuid, Uuid, Vec<(Uuid, Decimal)>);

/// A decided occurrence: (date, outcome, order, note).
pub type Decided = (Date, String, Option<Uuid>, String);

/// A new standing order as the form produced it.
#[derive(Debug, Clone)]
pub struct NewStanding {
    pub provider_id: Uuid,
    pub location_id: Uuid,
    pub weekdays: Vec<i16>,
    pub every_weeks: i16,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub window_start: Option<Time>,
    pub notes: String,
    /// (product, quantity).
    pub lines: Vec<(Uuid, Decimal)>,
}

pub fn create(
    conn: &mut PgConnection,
    business: BusinessId,
    by: Uuid,
    n: &NewStanding,
) -> QueryResult<Uuid> {
    conn.transaction(|conn| {
        let id = new_id();
        diesel::insert_into(standing_orders::table)
            .values((
                standing_orders::id.eq(id),
                standing_orders::business_id.eq(business.0),
                standing_orders::provider_id.eq(n.provider_id),
                standing_orders::location_id.eq(n.location_id),
                standing_orders::created_by.eq(by),
                standing_orders::weekdays.eq(&n.weekdays),
                standing_orders::every_weeks.eq(n.every_weeks),
                standing_orders::starts_on.eq(n.starts_on),
                standing_orders::ends_on.eq(n.ends_on),
                standing_orders::window_start.eq(n.window_start),
                standing_orders::notes.eq(&n.notes),
            ))
            .execute(conn)?;
        let rows: Vec<_> = n
            .lines
            .iter()
            .map(|(product, q)| {
                (
                    standing_order_lines::standing_order_id.eq(id),
                    standing_order_lines::product_id.eq(*product),
                    standing_order_lines::quantity.eq(*q),
                )
            })
            .collect();
        diesel::insert_into(standing_order_lines::table)
            .values(&rows)
            .execute(conn)?;
        Ok(id)
    })
}

/// One of the business's standing orders; another business's id is not found.
pub fn find(conn: &mut PgConnection, business: BusinessId, id: Uuid) -> QueryResult<StandingOrder> {
    standing_orders::table
        .filter(standing_orders::id.eq(id))
        .filter(standing_orders::business_id.eq(business.0))
        .select(StandingOrder::as_select())
        .first(conn)
}

/// The business's standing orders with their provider's name and the address label.
pub fn list(
    conn: &mut PgConnection,
    business: BusinessId,
) -> QueryResult<Vec<(StandingOrder, String, String)>> {
    standing_orders::table
        .inner_join(providers::table)
        .inner_join(locations::table)
        .filter(standing_orders::business_id.eq(business.0))
        .order((
            standing_orders::ended_at.is_not_null(),
            standing_orders::created_at.desc(),
        ))
        .select((
            StandingOrder::as_select(),
            providers::name,
            locations::label,
        ))
        .load(conn)
}

/// (product, quantity) pairs at the business's prices on `on`, for the new-standing-order page.
pub fn priced(
    conn: &mut PgConnection,
    business: BusinessId,
    wanted: &[(Uuid, Decimal)],
    on: time::Date,
) -> QueryResult<Vec<CartLine>> {
    let ids: Vec<Uuid> = wanted.iter().map(|(p, _)| *p).collect();
    let mut lines: Vec<CartLine> = products::table
        .inner_join(providers::table)
        .filter(products::id.eq_any(&ids))
        .select(cart_line_columns!(products::id, products::price))
        .order(products::name)
        .load(conn)?;
    for line in &mut lines {
        line.quantity = wanted
            .iter()
            .find(|(p, _)| *p == line.product_id)
            .map_or(Decimal::ZERO, |(_, q)| *q);
    }
    crate::prices::queries::apply(conn, business, on, &mut lines)?;
    Ok(lines)
}

/// A standing order's address: its outcode, and whether the business has since removed it.
pub fn address_of(
    conn: &mut PgConnection,
    business: BusinessId,
    location: Uuid,
) -> QueryResult<(String, bool)> {
    locations::table
        .filter(locations::id.eq(location))
        .filter(locations::business_id.eq(business.0))
        .select((locations::outcode, locations::archived_at.is_not_null()))
        .first(conn)
}

/// The lines at the business's prices on London date `on`, shaped like cart lines so the
/// same submit rules apply.
pub fn lines(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    on: time::Date,
) -> QueryResult<Vec<CartLine>> {
    let mut lines = standing_order_lines::table
        .inner_join(products::table.inner_join(providers::table))
        .filter(standing_order_lines::standing_order_id.eq(id))
        .select(cart_line_columns!(
            products::id,
            standing_order_lines::quantity
        ))
        .order(products::name)
        .load(conn)?;
    crate::prices::queries::apply(conn, business, on, &mut lines)?;
    Ok(lines)
}

/// The lines of one of the business's orders, to start a standing order from: (product,
/// quantity), for products still on the order.
pub fn order_lines_of(
    conn: &mut PgConnection,
    business: BusinessId,
    order: Uuid,
) -> QueryResult<OrderSource> {
    let (provider, location): (Uuid, Uuid) = orders::table
        .filter(orders::id.eq(order))
        .filter(orders::business_id.eq(business.0))
        .select((orders::provider_id, orders::location_id))
        .first(conn)?;
    let lines: Vec<(Option<Uuid>, Decimal)> = order_lines::table
        .filter(order_lines::order_id.eq(order))
        .order(order_lines::position)
        .select((order_lines::product_id, order_lines::quantity))
        .load(conn)?;
    Ok((
        provider,
        location,
        lines
            .into_iter()
            .filter_map(|(p, q)| p.map(|p| (p, q)))
            .collect(),
    ))
}

/// Decided occurrences from `from` on: (date, outcome, order, note).
pub fn occurrences(conn: &mut PgConnection, id: Uuid, from: Date) -> QueryResult<Vec<Decided>> {
    standing_order_occurrences::table
        .filter(standing_order_occurrences::standing_order_id.eq(id))
        .filter(standing_order_occurrences::delivery_date.ge(from))
        .order(standing_order_occurrences::delivery_date)
        .select((
            standing_order_occurrences::delivery_date,
            standing_order_occurrences::outcome,
            standing_order_occurrences::order_id,
            standing_order_occurrences::note,
        ))
        .load(conn)
}

/// Claims an occurrence, returning its new row's id (the order's idempotency key); `None`
/// if it was already decided (by a skip, or another worker, which this waits for if it is
/// mid-transaction).
pub fn claim(
    conn: &mut PgConnection,
    id: Uuid,
    date: Date,
    outcome: &str,
    note: &str,
) -> QueryResult<Option<Uuid>> {
    let row = new_id();
    diesel::insert_into(standing_order_occurrences::table)
        .values((
            standing_order_occurrences::id.eq(row),
            standing_order_occurrences::standing_order_id.eq(id),
            standing_order_occurrences::delivery_date.eq(date),
            standing_order_occurrences::outcome.eq(outcome),
            standing_order_occurrences::note.eq(note),
        ))
        .on_conflict((
            standing_order_occurrences::standing_order_id,
            standing_order_occurrences::delivery_date,
        ))
        .do_nothing()
        .execute(conn)
        .map(|n| (n == 1).then_some(row))
}

pub fn settle(
    conn: &mut PgConnection,
    id: Uuid,
    date: Date,
    outcome: &str,
    order: Option<Uuid>,
    note: &str,
) -> QueryResult<()> {
    diesel::update(
        standing_order_occurrences::table
            .filter(standing_order_occurrences::standing_order_id.eq(id))
            .filter(standing_order_occurrences::delivery_date.eq(date)),
    )
    .set((
        standing_order_occurrences::outcome.eq(outcome),
        standing_order_occurrences::order_id.eq(order),
        standing_order_occurrences::note.eq(note),
    ))
    .execute(conn)
    .map(|_| ())
}

/// Skips (`true`) or un-skips (`false`) one date of the business's standing order; a date
/// already placed or decided otherwise is left alone. Returns whether anything changed.
pub fn set_skipped(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    date: Date,
    skip: bool,
) -> QueryResult<bool> {
    find(conn, business, id)?;
    if skip {
        claim(conn, id, date, "skipped", "Skipped by the buyer.").map(|c| c.is_some())
    } else {
        diesel::delete(
            standing_order_occurrences::table
                .filter(standing_order_occurrences::standing_order_id.eq(id))
                .filter(standing_order_occurrences::delivery_date.eq(date))
                .filter(standing_order_occurrences::outcome.eq("skipped")),
        )
        .execute(conn)
        .map(|n| n > 0)
    }
}

/// Sets future deliveries' quantities; 0 takes a product off. `Ok(false)` if that would
/// leave no lines (nothing is changed then). Not theirs or ended: not found.
pub fn set_quantities(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    quantities: &[(Uuid, Decimal)],
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let so = find(conn, business, id)?;
        if so.ended_at.is_some() {
            return Err(diesel::result::Error::NotFound);
        }
        for (product, q) in quantities {
            let line = standing_order_lines::table
                .filter(standing_order_lines::standing_order_id.eq(id))
                .filter(standing_order_lines::product_id.eq(product));
            if q.is_zero() {
                diesel::delete(line).execute(conn)?;
            } else {
                diesel::update(line)
                    .set(standing_order_lines::quantity.eq(q))
                    .execute(conn)?;
            }
        }
        let left: i64 = standing_order_lines::table
            .filter(standing_order_lines::standing_order_id.eq(id))
            .count()
            .get_result(conn)?;
        if left == 0 {
            // Roll back: a standing order of nothing is ended, not emptied.
            return Err(diesel::result::Error::RollbackTransaction);
        }
        Ok(true)
    })
    .or_else(|e| match e {
        diesel::result::Error::RollbackTransaction => Ok(false),
        e => Err(e),
    })
}

pub fn set_paused_until(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    until: Option<Date>,
) -> QueryResult<bool> {
    diesel::update(
        standing_orders::table
            .filter(standing_orders::id.eq(id))
            .filter(standing_orders::business_id.eq(business.0))
            .filter(standing_orders::ended_at.is_null()),
    )
    .set(standing_orders::paused_until.eq(until))
    .execute(conn)
    .map(|n| n > 0)
}

pub fn end(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    diesel::update(
        standing_orders::table
            .filter(standing_orders::id.eq(id))
            .filter(standing_orders::business_id.eq(business.0))
            .filter(standing_orders::ended_at.is_null()),
    )
    .set(standing_orders::ended_at.eq(Some(now)))
    .execute(conn)
    .map(|n| n > 0)
}

/// Every live standing order of providers that have zones (the worker's sweep).
pub fn live(conn: &mut PgConnection) -> QueryResult<Vec<StandingOrder>> {
    standing_orders::table
        .filter(standing_orders::ended_at.is_null())
        .select(StandingOrder::as_select())
        .order(standing_orders::provider_id)
        .load(conn)
}

/// A provider's live standing orders, their lines (standing order, product, name, unit,
/// quantity) and the dates already decided not to deliver (skipped, closed, refused), for
/// the demand page.
pub fn provider_demand(
    conn: &mut PgConnection,
    provider: crate::ids::ProviderId,
    from: Date,
) -> QueryResult<ProviderDemand> {
    let live: Vec<StandingOrder> = standing_orders::table
        .filter(standing_orders::provider_id.eq(provider.0))
        .filter(standing_orders::ended_at.is_null())
        .select(StandingOrder::as_select())
        .load(conn)?;
    let ids: Vec<Uuid> = live.iter().map(|s| s.id).collect();
    let lines: Vec<DemandLine> = standing_order_lines::table
        .inner_join(products::table)
        .filter(standing_order_lines::standing_order_id.eq_any(&ids))
        .select((
            standing_order_lines::standing_order_id,
            products::id,
            products::name,
            products::unit,
            standing_order_lines::quantity,
        ))
        .order(products::name)
        .load(conn)?;
    let off: Vec<(Uuid, Date)> = standing_order_occurrences::table
        .filter(standing_order_occurrences::standing_order_id.eq_any(&ids))
        .filter(standing_order_occurrences::delivery_date.ge(from))
        .filter(standing_order_occurrences::outcome.ne("placed"))
        .select((
            standing_order_occurrences::standing_order_id,
            standing_order_occurrences::delivery_date,
        ))
        .load(conn)?;
    Ok((live, lines, off))
}

/// (standing order, product, name, unit, quantity).
pub type DemandLine = (Uuid, Uuid, String, String, Decimal);

/// Live standing orders, their lines, and the (standing order, date) pairs not delivering.
pub type ProviderDemand = (Vec<StandingOrder>, Vec<DemandLine>, Vec<(Uuid, Date)>);

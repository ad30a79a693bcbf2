//! State changes of an order, each in one transaction: lock the order row (scoped to the
//! session's business or provider), check the transition, write, record the event, and
//! queue the email. An illegal transition is a 409 with a message, never a silent no-op.

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, Time};
use uuid::Uuid;

use super::model::OrderLine;
use super::notify::{self, Event};
use super::queries::Scope;
use super::rules::{self, OrderAction, OrderStatus};
use crate::db::schema::{deliveries, order_events, order_lines, orders};
use crate::ids::{BusinessId, ProviderId, UserId, new_id};
use crate::money;
use crate::web::AppError;

fn lock(conn: &mut PgConnection, scope: Scope, id: Uuid) -> Result<OrderStatus, AppError> {
    // Locking clauses can't be boxed, hence one query per scope.
    let status: String = match scope {
        Scope::Buyer(b) => orders::table
            .filter(orders::id.eq(id))
            .filter(orders::business_id.eq(b.0))
            .select(orders::status)
            .for_update()
            .first(conn)?,
        Scope::Provider(p) => orders::table
            .filter(orders::id.eq(id))
            .filter(orders::provider_id.eq(p.0))
            .select(orders::status)
            .for_update()
            .first(conn)?,
    };
    OrderStatus::parse(&status)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("unknown order status {status}")))
}

fn step(
    conn: &mut PgConnection,
    scope: Scope,
    id: Uuid,
    action: OrderAction,
) -> Result<OrderStatus, AppError> {
    let from = lock(conn, scope, id)?;
    rules::transition(from, action).map_err(AppError::Conflict)
}

fn record(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    actor: UserId,
    note: Option<String>,
) -> QueryResult<()> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::id.eq(new_id()),
            order_events::order_id.eq(id),
            order_events::status.eq(status),
            order_events::actor_id.eq(Some(actor.0)),
            order_events::note.eq(note),
        ))
        .execute(conn)
        .map(|_| ())
}

fn set_status(conn: &mut PgConnection, id: Uuid, to: OrderStatus) -> QueryResult<()> {
    diesel::update(orders::table.find(id))
        .set(orders::status.eq(to.as_str()))
        .execute(conn)
        .map(|_| ())
}

pub fn cancel(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    actor: UserId,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let to = step(conn, Scope::Buyer(business), id, OrderAction::Cancel)?;
        set_status(conn, id, to)?;
        record(conn, id, to.as_str(), actor, None)?;
        notify::order_event(conn, id, Event::Cancelled, base_url)
    })
}

pub fn reject(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: UserId,
    reason: &str,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let to = step(conn, Scope::Provider(provider), id, OrderAction::Reject)?;
        diesel::update(orders::table.find(id))
            .set((
                orders::status.eq(to.as_str()),
                orders::rejection_reason.eq(reason),
            ))
            .execute(conn)?;
        record(conn, id, to.as_str(), actor, Some(reason.to_owned()))?;
        notify::order_event(conn, id, Event::Rejected, base_url)
    })
}

/// Confirms, with any line reduced (short) or set to 0 (unavailable); totals are recomputed
/// from the confirmed quantities. `confirmed` maps line id to quantity; missing lines are
/// confirmed in full.
pub fn confirm(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: UserId,
    confirmed: &HashMap<Uuid, Decimal>,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let to = step(conn, Scope::Provider(provider), id, OrderAction::Confirm)?;
        let lines: Vec<OrderLine> = order_lines::table
            .filter(order_lines::order_id.eq(id))
            .order(order_lines::position)
            .select(OrderLine::as_select())
            .load(conn)?;
        let mut priced = Vec::new();
        for line in &lines {
            let q = confirmed.get(&line.id).copied().unwrap_or(line.quantity);
            if q < Decimal::ZERO || q > line.quantity {
                return Err(AppError::Validation(format!(
                    "{}: confirm between 0 and the {} ordered.",
                    line.product_name,
                    line.quantity.normalize()
                )));
            }
            let net = money::line_net(line.unit_price, q);
            let vat = money::vat(net, line.vat_rate);
            diesel::update(order_lines::table.find(line.id))
                .set((
                    order_lines::confirmed_quantity.eq(Some(q)),
                    order_lines::line_total.eq(net),
                    order_lines::line_vat.eq(vat),
                ))
                .execute(conn)?;
            priced.push((net, line.vat_rate, vat, q < line.quantity));
        }
        if lines
            .iter()
            .all(|l| confirmed.get(&l.id).is_some_and(|q| q.is_zero()))
        {
            return Err(AppError::Conflict(
                "Every item is unavailable: reject the order instead, with a reason.".into(),
            ));
        }
        let totals = money::Totals::from_lines(priced.iter().map(|(n, r, v, _)| (*n, *r, *v)));
        diesel::update(orders::table.find(id))
            .set((
                orders::status.eq(to.as_str()),
                orders::subtotal.eq(totals.subtotal),
                orders::vat_total.eq(totals.vat_total),
                orders::total.eq(totals.total),
            ))
            .execute(conn)?;
        let shorts = priced.iter().filter(|p| p.3).count();
        let note = (shorts > 0).then(|| format!("{shorts} item(s) short"));
        record(conn, id, to.as_str(), actor, note)?;
        notify::order_event(conn, id, Event::Confirmed, base_url)
    })
}

/// Books the delivery date and window of a confirmed order.
pub fn schedule(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: UserId,
    date: Date,
    window: Option<(Time, Time)>,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let status = lock(conn, Scope::Provider(provider), id)?;
        if status != OrderStatus::Confirmed {
            return Err(AppError::Conflict(format!(
                "This order is {}, so its delivery can't be scheduled now.",
                status.label().to_lowercase()
            )));
        }
        let (start, end) = window.map_or((None, None), |(a, b)| (Some(a), Some(b)));
        diesel::insert_into(deliveries::table)
            .values((
                deliveries::id.eq(new_id()),
                deliveries::order_id.eq(id),
                deliveries::scheduled_date.eq(date),
                deliveries::window_start.eq(start),
                deliveries::window_end.eq(end),
            ))
            .on_conflict(deliveries::order_id)
            .do_update()
            .set((
                deliveries::scheduled_date.eq(date),
                deliveries::window_start.eq(start),
                deliveries::window_end.eq(end),
            ))
            .execute(conn)?;
        let when = crate::timefmt::date(date);
        record(
            conn,
            id,
            "scheduled",
            actor,
            Some(format!("Delivery scheduled for {when}")),
        )?;
        Ok(())
    })
}

fn ensure_delivery(conn: &mut PgConnection, id: Uuid) -> QueryResult<()> {
    let requested: Date = orders::table
        .find(id)
        .select(orders::requested_delivery_date)
        .first(conn)?;
    diesel::insert_into(deliveries::table)
        .values((
            deliveries::id.eq(new_id()),
            deliveries::order_id.eq(id),
            deliveries::scheduled_date.eq(requested),
        ))
        .on_conflict(deliveries::order_id)
        .do_nothing()
        .execute(conn)
        .map(|_| ())
}

pub fn dispatch(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: UserId,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let to = step(conn, Scope::Provider(provider), id, OrderAction::Dispatch)?;
        set_status(conn, id, to)?;
        ensure_delivery(conn, id)?;
        diesel::update(deliveries::table.filter(deliveries::order_id.eq(id)))
            .set(deliveries::status.eq("out_for_delivery"))
            .execute(conn)?;
        record(conn, id, to.as_str(), actor, None)?;
        notify::order_event(conn, id, Event::Dispatched, base_url)
    })
}

pub fn deliver(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: UserId,
    received_by: &str,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let to = step(conn, Scope::Provider(provider), id, OrderAction::Deliver)?;
        set_status(conn, id, to)?;
        ensure_delivery(conn, id)?;
        diesel::update(deliveries::table.filter(deliveries::order_id.eq(id)))
            .set((
                deliveries::status.eq("delivered"),
                deliveries::delivered_at.eq(diesel::dsl::now),
                deliveries::received_by.eq(received_by),
            ))
            .execute(conn)?;
        record(
            conn,
            id,
            to.as_str(),
            actor,
            Some(format!("Received by {received_by}")),
        )?;
        notify::order_event(conn, id, Event::Delivered, base_url)
    })
}

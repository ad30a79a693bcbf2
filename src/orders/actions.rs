//! State changes of an order, each in one transaction: lock the order row (scoped to the
//! session's business or provider), check the transition, write, record the event, and
//! queue the email. An illegal transition is a 409 with a message, never a silent no-op.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, Time};
use uuid::Uuid;

use super::changes::{Change, after_change};
use super::model::OrderLine;
use super::rules::{self, OrderAction, OrderStatus};
use crate::audit::Actor;
use crate::db::schema::{deliveries, order_lines, orders};
use crate::ids::{BusinessId, ProviderId, new_id};
use crate::money;
use crate::providers::rules::Trade;
use crate::tenancy::Scope;
use crate::web::AppError;

fn lock(conn: &mut PgConnection, scope: Scope, id: Uuid) -> Result<OrderStatus, AppError> {
    // Locking clauses can't be boxed, hence one query per scope.
    let status = match scope {
        Scope::Buyer(b) => orders::table
            .filter(orders::id.eq(id))
            .filter(orders::business_id.eq(b))
            .select(orders::status)
            .for_update()
            .first(conn)?,
        Scope::Provider(p) => orders::table
            .filter(orders::id.eq(id))
            .filter(orders::provider_id.eq(p))
            .filter(orders::status.ne(OrderStatus::AwaitingApproval))
            .select(orders::status)
            .for_update()
            .first(conn)?,
        Scope::Admin | Scope::System => orders::table
            .filter(orders::id.eq(id))
            .select(orders::status)
            .for_update()
            .first(conn)?,
    };
    Ok(status)
}

/// Locks the order and checks the action against its state: (from, to).
pub(super) fn step(
    conn: &mut PgConnection,
    scope: Scope,
    id: Uuid,
    action: OrderAction,
) -> Result<(OrderStatus, OrderStatus), AppError> {
    let from = lock(conn, scope, id)?;
    let to = rules::transition(from, action).map_err(AppError::Conflict)?;
    Ok((from, to))
}

/// Moves the order from the state it was checked in, and only from there: the row lock
/// already holds it, and the `WHERE status = from` makes the write itself say so.
pub fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    from: OrderStatus,
    to: OrderStatus,
) -> Result<(), AppError> {
    let moved = diesel::update(
        orders::table
            .filter(orders::id.eq(id))
            .filter(orders::status.eq(from)),
    )
    .set(orders::status.eq(to))
    .execute(conn)?;
    exactly_one(moved)
}

/// Refuses a buyer's change once the order's cut-off has passed (the row is already locked).
pub(super) fn ensure_before_cutoff(
    conn: &mut PgConnection,
    id: Uuid,
    now: time::OffsetDateTime,
) -> Result<(), AppError> {
    let cutoff: Option<time::OffsetDateTime> = orders::table
        .find(id)
        .select(orders::cutoff_at)
        .first(conn)?;
    rules::before_cutoff(cutoff, now).map_err(AppError::Conflict)
}

fn exactly_one(moved: usize) -> Result<(), AppError> {
    if moved != 1 {
        return Err(AppError::Conflict(
            "This order changed while you were looking at it. Reload the page to see it.".into(),
        ));
    }
    Ok(())
}

pub fn cancel(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    actor: &Actor,
    now: time::OffsetDateTime,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Buyer(business), id, OrderAction::Cancel)?;
        ensure_before_cutoff(conn, id, now)?;
        set_status(conn, id, from, to)?;
        after_change(conn, id, &Change::Cancelled, actor, base_url)
    })
}

/// A manager or owner lets an order over an orderer's limits go to the provider: it becomes
/// a submitted order, and the provider hears of it now.
pub fn approve(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    actor: &Actor,
    now: time::OffsetDateTime,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Buyer(business), id, OrderAction::Approve)?;
        ensure_before_cutoff(conn, id, now)?;
        set_status(conn, id, from, to)?;
        diesel::update(orders::table.find(id))
            .set(orders::approved_by.eq(actor.user_id()))
            .execute(conn)?;
        after_change(conn, id, &Change::Approved, actor, base_url)
    })
}

/// A manager or owner turns an order down, with a reason the orderer is told.
pub fn decline(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    actor: &Actor,
    reason: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::Validation(
            "Say why you're declining it (up to 500 characters): the orderer is told.".into(),
        ));
    }
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Buyer(business), id, OrderAction::Decline)?;
        set_status(conn, id, from, to)?;
        let reason = reason.to_owned();
        after_change(conn, id, &Change::Declined { reason }, actor, base_url)
    })
}

pub fn reject(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: &Actor,
    reason: &str,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Provider(provider), id, OrderAction::Reject)?;
        // One statement: a rejected order always carries its reason (a CHECK says so).
        let moved = diesel::update(
            orders::table
                .filter(orders::id.eq(id))
                .filter(orders::status.eq(from)),
        )
        .set((orders::status.eq(to), orders::rejection_reason.eq(reason)))
        .execute(conn)?;
        exactly_one(moved)?;
        let reason = reason.to_owned();
        after_change(conn, id, &Change::Rejected { reason }, actor, base_url)
    })
}

/// Per-line messages for a confirmation that can't be taken as typed, keyed by line id.
pub type LineErrors = BTreeMap<Uuid, String>;

/// Each line's new quantity: as typed (0 allowed, whole units kept whole, then `limit`'s own
/// rule), or unchanged when not typed. Any refusal returns every message by line.
pub(super) fn typed_quantities<'a>(
    lines: &'a [OrderLine],
    typed: &HashMap<Uuid, String>,
    limit: impl Fn(&OrderLine, Decimal) -> Result<Decimal, String>,
) -> Result<Vec<(&'a OrderLine, Decimal)>, LineErrors> {
    let mut errors = LineErrors::new();
    let mut wanted = Vec::new();
    for line in lines {
        let q = match typed.get(&line.id) {
            None => Ok(line.quantity),
            Some(raw) => crate::cart::rules::confirmed_quantity(raw, line.fractional)
                .map_err(str::to_owned)
                .and_then(|q| limit(line, q)),
        };
        match q {
            Ok(q) => wanted.push((line, q)),
            Err(why) => {
                errors.insert(line.id, why);
            }
        }
    }
    if errors.is_empty() {
        Ok(wanted)
    } else {
        Err(errors)
    }
}

/// Confirms, with any line reduced (short) or set to 0 (unavailable); totals are recomputed
/// from the confirmed quantities. `typed` maps line id to the quantity as typed; missing lines
/// are confirmed in full. Quantities that don't parse, exceed what was ordered, or split a
/// whole unit come back as `Ok(Err(..))` with nothing written.
pub fn confirm(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: &Actor,
    typed: &HashMap<Uuid, String>,
    base_url: &str,
) -> Result<Result<(), LineErrors>, AppError> {
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Provider(provider), id, OrderAction::Confirm)?;
        crate::providers::queries::ensure_may_trade(conn, provider, Trade::ConfirmOrder)?;
        let lines: Vec<OrderLine> = order_lines::table
            .filter(order_lines::order_id.eq(id))
            .order(order_lines::position)
            .select(OrderLine::as_select())
            .load(conn)?;
        if typed.keys().any(|k| !lines.iter().any(|l| l.id == *k)) {
            return Err(AppError::Conflict(
                "The confirmation names an item that isn't on this order. Reload the page and try again.".into(),
            ));
        }
        let confirmed = match typed_quantities(&lines, typed, |line, q| {
            if q > line.quantity {
                Err(format!(
                    "Confirm between 0 and the {} ordered.",
                    line.quantity.normalize()
                ))
            } else {
                Ok(q)
            }
        }) {
            Ok(confirmed) => confirmed,
            Err(errors) => return Ok(Err(errors)),
        };
        if confirmed.iter().all(|(_, q)| q.is_zero()) {
            return Err(AppError::Conflict(
                "Every item is unavailable: reject the order instead, with a reason.".into(),
            ));
        }
        let mut priced = Vec::new();
        for (line, q) in confirmed {
            let (net, vat) = money::price_line(line.unit_price, q, line.vat_rate);
            diesel::update(order_lines::table.find(line.id))
                .set((
                    order_lines::confirmed_quantity.eq(Some(q)),
                    order_lines::line_total.eq(net),
                    order_lines::line_vat.eq(vat),
                ))
                .execute(conn)?;
            priced.push((net, line.vat_rate, vat, q < line.quantity));
        }
        let charge: rust_decimal::Decimal = orders::table
            .find(id)
            .select(orders::delivery_charge)
            .first(conn)?;
        let charge = (!charge.is_zero())
            .then(|| crate::availability::rules::delivery_charge_line(charge));
        let totals = money::Totals::from_lines(
            priced.iter().map(|(n, r, v, _)| (*n, *r, *v)).chain(charge),
        );
        set_status(conn, id, from, to)?;
        diesel::update(orders::table.find(id))
            .set((
                orders::subtotal.eq(totals.subtotal),
                orders::vat_total.eq(totals.vat_total),
                orders::total.eq(totals.total),
            ))
            .execute(conn)?;
        let shorts = priced.iter().filter(|p| p.3).count();
        after_change(conn, id, &Change::Confirmed { shorts }, actor, base_url)?;
        Ok(Ok(()))
    })
}

/// Books the delivery date and window of a confirmed order.
pub fn schedule(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: &Actor,
    date: Date,
    window: Option<(Time, Time)>,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        step(conn, Scope::Provider(provider), id, OrderAction::Schedule)?;
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
        after_change(conn, id, &Change::Scheduled { when }, actor, base_url)
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
    actor: &Actor,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Provider(provider), id, OrderAction::Dispatch)?;
        set_status(conn, id, from, to)?;
        ensure_delivery(conn, id)?;
        diesel::update(deliveries::table.filter(deliveries::order_id.eq(id)))
            .set(deliveries::status.eq("out_for_delivery"))
            .execute(conn)?;
        after_change(conn, id, &Change::Dispatched, actor, base_url)
    })
}

pub fn deliver(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    actor: &Actor,
    received_by: &str,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (from, to) = step(conn, Scope::Provider(provider), id, OrderAction::Deliver)?;
        set_status(conn, id, from, to)?;
        ensure_delivery(conn, id)?;
        diesel::update(deliveries::table.filter(deliveries::order_id.eq(id)))
            .set((
                deliveries::status.eq("delivered"),
                deliveries::delivered_at.eq(diesel::dsl::now),
                deliveries::received_by.eq(received_by),
            ))
            .execute(conn)?;
        let received_by = received_by.to_owned();
        after_change(
            conn,
            id,
            &Change::Delivered { received_by },
            actor,
            base_url,
        )
    })
}

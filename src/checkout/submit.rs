//! Turning a cart into an order exactly once.
//!
//! The rule for double submits: the checkout form carries an idempotency key, unique per
//! business. The same key always answers with the order it made (double click, retry after a
//! timeout, replay). A second key for the same cart (a second tab) finds the cart already
//! consumed and is refused with "your cart is empty", so it never makes a second order
//! unless the buyer filled the cart again, which is a real second order.
//!
//! Concurrency: submits for one cart queue on the cart row (`FOR UPDATE`); each looks for its
//! key again after the lock, so the losers of a race return the winner's order.

use diesel::prelude::*;
use time::Date;
use uuid::Uuid;

use super::rules::{self, CheckoutFacts};
use crate::availability::queries as availability;
use crate::businesses::queries as businesses;
use crate::cart::queries::{self as cart, CartLine};
use crate::db::schema::{cart_items, carts, order_lines, orders};
use crate::ids::{BusinessId, LocationId, ProviderId, UserId, new_id};
use crate::orders::changes::Change;
use crate::orders::queries::find_by_key;
use crate::orders::rules::OrderStatus;
use crate::providers::queries as providers;
use crate::timefmt::to_london;
use crate::web::AppError;

#[derive(Debug, Clone)]
pub struct Submission {
    pub provider: ProviderId,
    pub location: LocationId,
    pub date: Date,
    /// The chosen delivery window, when the zone has windows that day.
    pub window: Option<Uuid>,
    pub notes: String,
    pub key: Uuid,
    pub placed_by: UserId,
    /// Who is placing it, from where (the audit log).
    pub actor: crate::audit::Actor,
    /// When: the cut-off, capacity and the orderer's monthly limit are judged at this instant.
    pub at: time::OffsetDateTime,
    pub basket: Basket,
}

/// Where the order's lines come from.
#[derive(Debug, Clone)]
pub enum Basket {
    /// The business's cart for the provider; `seen` is the `cart::fingerprint` the checkout
    /// page showed.
    Cart { seen: String },
    /// A standing order's lines at today's prices (the worker dropped what's unavailable).
    Standing { id: Uuid, lines: Vec<CartLine> },
}

/// Shown when the cart differs from what the buyer reviewed.
pub const CART_CHANGED: &str = "Your cart changed since you opened checkout (a price, VAT rate or item changed, perhaps in another tab). Check the totals below, then place the order.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    Placed(Uuid),
    /// Over the orderer's limits: waiting for a manager or owner, and why.
    AwaitingApproval(Uuid, String),
    /// The same key came back: the order it already made.
    Replayed(Uuid),
    Refused(Vec<String>),
}

pub fn submit(
    conn: &mut PgConnection,
    business: BusinessId,
    s: &Submission,
    base_url: &str,
) -> Result<SubmitOutcome, AppError> {
    conn.transaction(|conn| {
        if let Some(existing) = find_by_key(conn, business, s.key)? {
            return Ok(SubmitOutcome::Replayed(existing));
        }
        let cart_id: Option<Uuid> = match &s.basket {
            Basket::Cart { .. } => carts::table
                .filter(carts::business_id.eq(business.0))
                .filter(carts::provider_id.eq(s.provider.0))
                .select(carts::id)
                .for_update()
                .first(conn)
                .optional()?,
            Basket::Standing { .. } => None,
        };
        // Whoever held the lock before us may have been this same submit, replayed.
        if let Some(existing) = find_by_key(conn, business, s.key)? {
            return Ok(SubmitOutcome::Replayed(existing));
        }
        let business_row = businesses::business(conn, business)?;
        let provider = providers::provider(conn, s.provider)?;
        let location = businesses::find_location(conn, business, s.location)?;
        if !crate::teams::queries::may_order_for(conn, business.0, s.placed_by, location.id)? {
            return Ok(SubmitOutcome::Refused(vec![
                "You can't order for that address: your team limits you to others. Choose one of yours.".into(),
            ]));
        }
        let lines = match (&s.basket, cart_id) {
            (Basket::Cart { .. }, Some(_)) => {
                cart::lines(conn, business, Some(s.provider), to_london(s.at).date())?
            }
            (Basket::Cart { .. }, None) => Vec::new(),
            (Basket::Standing { lines, .. }, _) => lines.clone(),
        };
        let zones = availability::zones(conn, s.provider)?;
        let zone = crate::availability::rules::zone_for(&zones, &location.outcode);
        let facts = CheckoutFacts::gather(business_row.status == "active", &provider, zone, &lines);
        let mut problems = rules::checkout_problems(&facts);
        if let Basket::Cart { seen } = &s.basket {
            if !facts.empty && cart::fingerprint(&lines) != *seen {
                problems.insert(0, CART_CHANGED.to_owned());
            }
        }
        // The page may be stale: the cut-off, closures and capacity are judged again here,
        // with the zone locked so two checkouts can't both take the last place.
        let slot = match zone {
            Some(zone) if !facts.empty => {
                // Only a capped zone needs submits to queue: without a cap there is no last
                // place to race for, and every order for the zone would wait on one row.
                if zone.max_per_day.is_some() || zone.max_per_window.is_some() {
                    availability::lock_zone(conn, zone.id)?;
                }
                let today = crate::timefmt::to_london(s.at).date();
                let closures = availability::closures(conn, s.provider, today)?;
                let booked = availability::booked(conn, zone.id, today)?;
                match crate::availability::rules::check(zone, &closures, &booked, s.at, s.date, s.window) {
                    Ok(slot) => Some(slot),
                    Err(why) => {
                        problems.push(why);
                        None
                    }
                }
            }
            _ => None,
        };
        let (Some(zone), Some(slot), true) = (zone, slot, problems.is_empty()) else {
            return Ok(SubmitOutcome::Refused(problems));
        };
        let totals = rules::order_totals(&lines, zone.delivery_charge);

        let address = [
            Some(location.label.as_str()),
            Some(location.address_line1.as_str()),
            location.address_line2.as_deref(),
            Some(location.city.as_str()),
            Some(location.postcode.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let approval = approval_needed(conn, business, s, totals.total)?;
        let status = match approval {
            Some(_) => OrderStatus::AwaitingApproval,
            None => OrderStatus::Submitted,
        };
        let order_id = new_id();
        let inserted: Option<Uuid> = diesel::insert_into(orders::table)
            .values((
                orders::id.eq(order_id),
                orders::status.eq(status),
                orders::business_id.eq(business.0),
                orders::location_id.eq(location.id),
                orders::provider_id.eq(provider.id),
                orders::placed_by.eq(s.placed_by.0),
                orders::requested_delivery_date.eq(s.date),
                orders::delivery_address.eq(&address),
                orders::notes.eq(&s.notes),
                orders::subtotal.eq(totals.subtotal),
                orders::vat_total.eq(totals.vat_total),
                orders::total.eq(totals.total),
                orders::idempotency_key.eq(s.key),
                orders::delivery_zone_id.eq(Some(zone.id)),
                orders::window_start.eq(slot.window.as_ref().map(|w| w.starts)),
                orders::window_end.eq(slot.window.as_ref().map(|w| w.ends)),
                orders::cutoff_at.eq(Some(slot.cutoff)),
                orders::delivery_charge.eq(zone.delivery_charge),
                orders::standing_order_id.eq(match &s.basket {
                    Basket::Standing { id, .. } => Some(*id),
                    Basket::Cart { .. } => None,
                }),
            ))
            .on_conflict((orders::business_id, orders::idempotency_key))
            .do_nothing()
            .returning(orders::id)
            .get_result(conn)
            .optional()?;
        let Some(order_id) = inserted else {
            let existing = find_by_key(conn, business, s.key)?.ok_or(AppError::NotFound)?;
            return Ok(SubmitOutcome::Replayed(existing));
        };
        let rows: Vec<_> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                (
                    order_lines::id.eq(new_id()),
                    order_lines::order_id.eq(order_id),
                    order_lines::product_id.eq(Some(l.product_id)),
                    order_lines::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
                    order_lines::sku.eq(l.sku.clone()),
                    order_lines::product_name.eq(l.name.clone()),
                    order_lines::unit.eq(l.unit.clone()),
                    order_lines::pack_size.eq(l.pack_size.clone()),
                    order_lines::unit_price.eq(l.price),
                    order_lines::vat_rate.eq(l.vat_rate),
                    order_lines::quantity.eq(l.quantity),
                    order_lines::fractional.eq(l.fractional),
                    order_lines::line_total.eq(l.net()),
                    order_lines::line_vat.eq(l.vat()),
                    order_lines::customer_price.eq(l.customer_price),
                )
            })
            .collect();
        diesel::insert_into(order_lines::table)
            .values(&rows)
            .execute(conn)?;

        if let Some(cart_id) = cart_id {
            diesel::delete(cart_items::table.filter(cart_items::cart_id.eq(cart_id)))
                .execute(conn)?;
            diesel::delete(carts::table.filter(carts::id.eq(cart_id))).execute(conn)?;
        }
        let change = match &approval {
            Some(why) => Change::AwaitingApproval { why: why.clone() },
            None => Change::Submitted,
        };
        crate::orders::changes::after_change(conn, order_id, &change, &s.actor, base_url)?;
        Ok(match approval {
            Some(why) => SubmitOutcome::AwaitingApproval(order_id, why),
            None => SubmitOutcome::Placed(order_id),
        })
    })
}

/// Why this order must wait for approval, if it must: only orderers have limits. The
/// member's row is locked, so two tabs submitting at once are summed one after the other
/// and can't both squeeze under the monthly limit.
fn approval_needed(
    conn: &mut PgConnection,
    business: BusinessId,
    s: &Submission,
    total: rust_decimal::Decimal,
) -> Result<Option<String>, AppError> {
    use crate::db::schema::memberships;
    type Limits = (
        String,
        Option<rust_decimal::Decimal>,
        Option<rust_decimal::Decimal>,
    );
    let member: Option<Limits> = memberships::table
        .filter(memberships::user_id.eq(s.placed_by.0))
        .filter(memberships::business_id.eq(business.0))
        .select((
            memberships::role,
            memberships::order_limit,
            memberships::monthly_limit,
        ))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((role, order_limit, monthly_limit)) = member else {
        return Ok(None);
    };
    if role != "orderer" || (order_limit.is_none() && monthly_limit.is_none()) {
        return Ok(None);
    }
    let since = crate::timefmt::london_month_start(s.at);
    let placed: Option<rust_decimal::Decimal> = orders::table
        .filter(orders::business_id.eq(business.0))
        .filter(orders::placed_by.eq(s.placed_by.0))
        .filter(orders::created_at.ge(since))
        .filter(orders::status.ne_all([OrderStatus::Cancelled, OrderStatus::Rejected]))
        .select(diesel::dsl::sum(orders::total))
        .first(conn)?;
    Ok(crate::orders::rules::needs_approval(
        total,
        placed.unwrap_or_default(),
        order_limit,
        monthly_limit,
    ))
}

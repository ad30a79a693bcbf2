//! A buyer changes a submitted order's quantities before the provider confirms it and before
//! its cut-off; the provider is told what changed.

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::actions::{LineErrors, ensure_before_cutoff, step, typed_quantities};
use super::changes::{Change, after_change};
use super::model::OrderLine;
use super::rules::{self, OrderAction};
use crate::audit::Actor;
use crate::db::schema::{delivery_zones, memberships, order_lines, orders};
use crate::ids::BusinessId;
use crate::money;
use crate::tenancy::Scope;
use crate::web::AppError;

/// `typed` maps line id to the quantity as typed (0 removes the line; lines not named keep
/// theirs). Quantities that don't parse, or an orderer with limits raising one, come back as
/// `Ok(Err(..))` with nothing written.
pub fn change(
    conn: &mut PgConnection,
    business: BusinessId,
    id: Uuid,
    actor: &Actor,
    now: time::OffsetDateTime,
    typed: &HashMap<Uuid, String>,
    base_url: &str,
) -> Result<Result<(), LineErrors>, AppError> {
    conn.transaction(|conn| {
        step(conn, Scope::Buyer(business), id, OrderAction::Change)?;
        ensure_before_cutoff(conn, id, now)?;
        let lines: Vec<OrderLine> = order_lines::table
            .filter(order_lines::order_id.eq(id))
            .order(order_lines::position)
            .select(OrderLine::as_select())
            .load(conn)?;
        if typed.keys().any(|k| !lines.iter().any(|l| l.id == *k)) {
            return Err(AppError::Conflict(
                "The change names an item that isn't on this order. Reload the page and try again.".into(),
            ));
        }
        // An orderer with spending limits may lower quantities; raising one is a new order
        // their approvers should see.
        let limited: bool = memberships::table
            .filter(memberships::business_id.eq(business.0))
            .filter(memberships::user_id.nullable().eq(actor.user_id()))
            .filter(memberships::role.eq("orderer"))
            .filter(
                memberships::order_limit
                    .is_not_null()
                    .or(memberships::monthly_limit.is_not_null()),
            )
            .count()
            .get_result::<i64>(conn)?
            > 0;
        let wanted = match typed_quantities(&lines, typed, |line, q| {
            if limited && q > line.quantity {
                Err("Your spending limits let you lower quantities only; place another order for more.".to_owned())
            } else {
                Ok(q)
            }
        }) {
            Ok(wanted) => wanted,
            Err(errors) => return Ok(Err(errors)),
        };
        if wanted.iter().all(|(_, q)| q.is_zero()) {
            return Err(AppError::Conflict(
                "That removes everything: cancel the order instead.".into(),
            ));
        }
        let (zone, charge): (Option<Uuid>, Decimal) = orders::table
            .find(id)
            .select((orders::delivery_zone_id, orders::delivery_charge))
            .first(conn)?;
        let minimum: Decimal = match zone {
            Some(z) => delivery_zones::table
                .find(z)
                .select(delivery_zones::min_order_value)
                .first(conn)
                .optional()?
                .unwrap_or_default(),
            None => Decimal::ZERO,
        };
        let priced: Vec<(&OrderLine, Decimal, Decimal, Decimal)> = wanted
            .iter()
            .map(|(l, q)| {
                let (net, vat) = money::price_line(l.unit_price, *q, l.vat_rate);
                (*l, *q, net, vat)
            })
            .collect();
        let subtotal: Decimal = priced.iter().map(|p| p.2).sum();
        if subtotal < minimum {
            return Err(AppError::Conflict(format!(
                "That brings the order to {} before VAT, under this provider's minimum of {}.",
                money::format_gbp(subtotal),
                money::format_gbp(minimum)
            )));
        }
        for (line, q, net, vat) in &priced {
            let row = order_lines::table.find(line.id);
            if q.is_zero() {
                diesel::delete(row).execute(conn)?;
            } else {
                diesel::update(row)
                    .set((
                        order_lines::quantity.eq(q),
                        order_lines::line_total.eq(net),
                        order_lines::line_vat.eq(vat),
                    ))
                    .execute(conn)?;
            }
        }
        let delivery = (!charge.is_zero())
            .then(|| crate::availability::rules::delivery_charge_line(charge));
        let totals = money::Totals::from_lines(
            priced
                .iter()
                .map(|(l, _, net, vat)| (*net, l.vat_rate, *vat))
                .chain(delivery),
        );
        diesel::update(orders::table.find(id))
            .set((
                orders::subtotal.eq(totals.subtotal),
                orders::vat_total.eq(totals.vat_total),
                orders::total.eq(totals.total),
            ))
            .execute(conn)?;
        let before: Vec<_> = lines
            .iter()
            .map(|l| (l.product_name.clone(), l.quantity))
            .collect();
        let after: Vec<_> = wanted
            .iter()
            .map(|(l, q)| (l.product_name.clone(), *q))
            .collect();
        if before != after {
            let summary = rules::change_summary(&before, &after);
            after_change(conn, id, &Change::Changed { summary }, actor, base_url)?;
        }
        Ok(Ok(()))
    })
}

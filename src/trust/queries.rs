//! The score's facts from orders, deliveries, check-ins, credit requests, confirmations and
//! ratings over the last 90 days; and the stored row discovery reads.

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::rules::{self, Delivered, Facts, Trust, WINDOW_DAYS};
use crate::db::schema::{
    credit_requests, deliveries, order_events, order_lines, order_ratings, order_receipt_lines,
    orders, provider_trust, providers,
};
use crate::ids::ProviderId;
use crate::orders::rules::OrderStatus;

/// An order that pulled the score down, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hurt {
    pub order: Uuid,
    pub number: String,
    pub why: String,
}

/// What the provider's orders delivered in the window come to.
pub fn facts(
    conn: &mut PgConnection,
    provider: ProviderId,
    now: OffsetDateTime,
) -> QueryResult<Facts> {
    Ok(facts_and_hurt(conn, provider, now)?.0)
}

/// The facts, and the orders that cost the provider points.
pub fn facts_and_hurt(
    conn: &mut PgConnection,
    provider: ProviderId,
    now: OffsetDateTime,
) -> QueryResult<(Facts, Vec<Hurt>)> {
    let since = now - Duration::days(WINDOW_DAYS);
    type Row = (
        Uuid,
        String,
        time::Date,
        Option<time::Time>,
        Option<time::Time>,
        Option<OffsetDateTime>,
    );
    let delivered: Vec<Row> = orders::table
        .inner_join(deliveries::table)
        .filter(orders::provider_id.eq(provider.0))
        .filter(orders::status.eq(OrderStatus::Delivered))
        .filter(deliveries::delivered_at.ge(since))
        .filter(deliveries::delivered_at.le(now))
        .select((
            orders::id,
            orders::number,
            orders::requested_delivery_date,
            orders::window_start,
            orders::window_end,
            deliveries::delivered_at,
        ))
        .load(conn)?;
    let mut f = Facts::default();
    let mut ids = Vec::new();
    let mut numbers: HashMap<Uuid, String> = HashMap::new();
    let mut hurt = Vec::new();
    for (id, number, requested, start, end, at) in delivered {
        let Some(delivered_at) = at else { continue };
        ids.push(id);
        numbers.insert(id, number.clone());
        f.orders += 1;
        let d = Delivered {
            requested,
            window: start.zip(end),
            delivered_at,
        };
        if rules::on_time(&d) {
            f.on_time += 1;
        } else {
            hurt.push(Hurt {
                order: id,
                number,
                why: format!(
                    "Delivered {}, asked for {}",
                    crate::timefmt::datetime(delivered_at),
                    crate::timefmt::date(requested)
                ),
            });
        }
    }
    type Line = (Uuid, Decimal, Decimal, Option<Decimal>, Option<Decimal>);
    let lines: Vec<Line> = order_lines::table
        .left_join(order_receipt_lines::table)
        .filter(order_lines::order_id.eq_any(&ids))
        .select((
            order_lines::order_id,
            order_lines::unit_price,
            order_lines::quantity,
            order_lines::confirmed_quantity,
            order_receipt_lines::received_quantity.nullable(),
        ))
        .load(conn)?;
    let mut short: Vec<Uuid> = Vec::new();
    for (order, price, ordered, confirmed, received) in lines {
        let sent = confirmed.unwrap_or(ordered);
        let came = received.map_or(sent, |r| r.min(sent));
        f.ordered_value += price * ordered;
        f.delivered_value += price * came;
        if came < ordered && !short.contains(&order) {
            short.push(order);
        }
    }
    for order in short {
        hurt.push(Hurt {
            order,
            number: numbers.get(&order).cloned().unwrap_or_default(),
            why: "Less was delivered than ordered".into(),
        });
    }
    let upheld: Vec<Uuid> = credit_requests::table
        .filter(credit_requests::order_id.eq_any(&ids))
        .filter(
            credit_requests::status
                .eq("accepted")
                .or(credit_requests::resolution.eq_any(["refunded", "upheld"])),
        )
        .select(credit_requests::order_id)
        .load(conn)?;
    f.upheld = u32::try_from(upheld.len()).unwrap_or(u32::MAX);
    for order in upheld {
        hurt.push(Hurt {
            order,
            number: numbers.get(&order).cloned().unwrap_or_default(),
            why: "A credit request was upheld".into(),
        });
    }
    let confirmed: Vec<(Uuid, OffsetDateTime, OffsetDateTime)> = orders::table
        .inner_join(order_events::table)
        .filter(orders::provider_id.eq(provider.0))
        .filter(orders::created_at.ge(since))
        .filter(order_events::status.eq("confirmed"))
        .select((orders::id, orders::created_at, order_events::created_at))
        .load(conn)?;
    let mut first: HashMap<Uuid, i64> = HashMap::new();
    for (id, placed, at) in confirmed {
        let minutes = (at - placed).whole_minutes().max(0);
        first
            .entry(id)
            .and_modify(|m| *m = (*m).min(minutes))
            .or_insert(minutes);
    }
    f.confirm_minutes = first.into_values().collect();
    let (count, stars): (i64, Option<i64>) = order_ratings::table
        .filter(order_ratings::provider_id.eq(provider.0))
        .filter(order_ratings::created_at.ge(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::sum(order_ratings::stars),
        ))
        .first(conn)?;
    f.ratings = u32::try_from(count).unwrap_or(u32::MAX);
    f.stars_total = u32::try_from(stars.unwrap_or(0)).unwrap_or(u32::MAX);
    let low: Vec<(Uuid, String, i16)> = order_ratings::table
        .inner_join(orders::table)
        .filter(order_ratings::provider_id.eq(provider.0))
        .filter(order_ratings::created_at.ge(since))
        .filter(order_ratings::stars.le(2))
        .select((
            order_ratings::order_id,
            orders::number,
            order_ratings::stars,
        ))
        .load(conn)?;
    for (order, number, stars) in low {
        hurt.push(Hurt {
            order,
            number,
            why: format!("Rated {stars} of 5"),
        });
    }
    Ok((f, hurt))
}

/// The mean rating across the platform in the window, or the default while there is none.
pub fn platform_mean(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Decimal> {
    let since = now - Duration::days(WINDOW_DAYS);
    let mean: Option<Decimal> = order_ratings::table
        .filter(order_ratings::created_at.ge(since))
        .select(diesel::dsl::avg(order_ratings::stars))
        .first(conn)?;
    Ok(mean.map_or(rules::DEFAULT_MEAN, |m| m.round_dp(2)))
}

/// Works the provider's score out again and stores it.
pub fn recompute(
    conn: &mut PgConnection,
    provider: ProviderId,
    now: OffsetDateTime,
) -> QueryResult<Trust> {
    let mean = platform_mean(conn, now)?;
    recompute_with(conn, provider, now, mean)
}

fn recompute_with(
    conn: &mut PgConnection,
    provider: ProviderId,
    now: OffsetDateTime,
    mean: Decimal,
) -> QueryResult<Trust> {
    let trust = rules::score(&facts(conn, provider, now)?, mean);
    store(conn, provider, &trust, now)?;
    Ok(trust)
}

fn store(
    conn: &mut PgConnection,
    provider: ProviderId,
    t: &Trust,
    now: OffsetDateTime,
) -> QueryResult<()> {
    let orders = i32::try_from(t.orders).unwrap_or(i32::MAX);
    let ratings = i32::try_from(t.ratings).unwrap_or(i32::MAX);
    let confirm = t
        .confirm_minutes
        .map(|m| i32::try_from(m).unwrap_or(i32::MAX));
    let score = t.score.map(i16::from);
    let values = (
        provider_trust::computed_at.eq(now),
        provider_trust::orders.eq(orders),
        provider_trust::on_time.eq(t.on_time),
        provider_trust::fill.eq(t.fill),
        provider_trust::upheld.eq(t.upheld),
        provider_trust::confirm_minutes.eq(confirm),
        provider_trust::ratings.eq(ratings),
        provider_trust::rating.eq(t.rating),
        provider_trust::score.eq(score),
    );
    diesel::insert_into(provider_trust::table)
        .values((provider_trust::provider_id.eq(provider.0), values))
        .on_conflict(provider_trust::provider_id)
        .do_update()
        .set(values)
        .execute(conn)?;
    // Discovery orders by the copy on the provider row (indexed with the name).
    diesel::update(providers::table.find(provider.0))
        .set(providers::trust_score.eq(score))
        .execute(conn)
        .map(|_| ())
}

/// Recomputes every active provider; returns how many.
pub fn recompute_all(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<usize> {
    let ids: Vec<Uuid> = providers::table
        .filter(providers::status.eq("active"))
        .select(providers::id)
        .load(conn)?;
    // One platform mean for the whole sweep, not one per provider.
    let mean = platform_mean(conn, now)?;
    for id in &ids {
        recompute_with(conn, ProviderId(*id), now, mean)?;
    }
    Ok(ids.len())
}

/// The stored score and parts, as pages show them; `None` before the first computation.
pub fn stored(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Option<Trust>> {
    type Row = (
        i32,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
        Option<i32>,
        i32,
        Option<Decimal>,
        Option<i16>,
    );
    let row: Option<Row> = provider_trust::table
        .find(provider.0)
        .select((
            provider_trust::orders,
            provider_trust::on_time,
            provider_trust::fill,
            provider_trust::upheld,
            provider_trust::confirm_minutes,
            provider_trust::ratings,
            provider_trust::rating,
            provider_trust::score,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(orders, on_time, fill, upheld, confirm, ratings, rating, score)| Trust {
            orders: u32::try_from(orders).unwrap_or(0),
            on_time,
            fill,
            upheld,
            confirm_minutes: confirm.map(i64::from),
            ratings: u32::try_from(ratings).unwrap_or(0),
            rating,
            score: score.and_then(|s| u8::try_from(s).ok()),
        },
    ))
}

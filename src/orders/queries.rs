//! Order reads, each scoped to the session's business or provider.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Delivery, Order, OrderDetail, OrderEvent, OrderLine, OrderRow};
use super::rules::OrderStatus;
use crate::db::schema::{businesses, deliveries, order_events, order_lines, orders, providers};
use crate::ids::{BusinessId, OrderId, ProviderId};
use crate::tenancy::Scope;
use crate::web::pagination::PageRequest;

#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub provider: Option<Uuid>,
}

pub fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &OrderFilter,
    page: PageRequest,
) -> QueryResult<Vec<OrderRow>> {
    let columns = (
        orders::id,
        orders::number,
        orders::status,
        orders::requested_delivery_date,
        orders::total,
        orders::created_at,
    );
    match scope {
        Scope::Buyer(business) => {
            let mut q = orders::table
                .inner_join(providers::table)
                .filter(orders::business_id.eq(business.0))
                .select((columns, providers::name))
                .into_boxed();
            if let Some(status) = &filter.status {
                q = q.filter(orders::status.eq(*status));
            }
            if let Some(provider) = filter.provider {
                q = q.filter(orders::provider_id.eq(provider));
            }
            q.order((orders::created_at.desc(), orders::id.desc()))
                .limit(page.fetch_limit())
                .offset(page.offset())
                .load::<RawRow>(conn)
                .map(rows)
        }
        Scope::Provider(_) | Scope::Admin | Scope::System => {
            let mut q = orders::table
                .inner_join(businesses::table)
                .select((columns, businesses::name))
                .into_boxed();
            if let Scope::Provider(provider) = scope {
                // An order awaiting the buyer's approval isn't the provider's yet.
                q = q
                    .filter(orders::provider_id.eq(provider))
                    .filter(orders::status.ne(OrderStatus::AwaitingApproval));
            }
            if let Some(status) = &filter.status {
                q = q.filter(orders::status.eq(*status));
            }
            q.order((orders::created_at.desc(), orders::id.desc()))
                .limit(page.fetch_limit())
                .offset(page.offset())
                .load(conn)
                .map(rows)
        }
    }
}

type RawRow = (
    (
        OrderId,
        String,
        OrderStatus,
        time::Date,
        rust_decimal::Decimal,
        time::OffsetDateTime,
    ),
    String,
);

fn rows(raw: Vec<RawRow>) -> Vec<OrderRow> {
    raw.into_iter()
        .map(
            |((id, number, status, requested_delivery_date, total, created_at), counterparty)| {
                OrderRow {
                    id,
                    number,
                    status,
                    requested_delivery_date,
                    total,
                    created_at,
                    counterparty,
                }
            },
        )
        .collect()
}

/// The providers a business has ordered from, for the list's filter.
pub fn ordered_from(
    conn: &mut PgConnection,
    business: BusinessId,
) -> QueryResult<Vec<(Uuid, String)>> {
    orders::table
        .inner_join(providers::table)
        .filter(orders::business_id.eq(business.0))
        .select((providers::id, providers::name))
        .distinct()
        .order(providers::name)
        .load(conn)
}

pub fn find(conn: &mut PgConnection, scope: Scope, id: Uuid) -> QueryResult<Order> {
    let q = orders::table
        .filter(orders::id.eq(id))
        .select(Order::as_select())
        .into_boxed();
    let q = match scope {
        Scope::Buyer(b) => q.filter(orders::business_id.eq(b)),
        Scope::Provider(p) => q
            .filter(orders::provider_id.eq(p))
            .filter(orders::status.ne(OrderStatus::AwaitingApproval)),
        Scope::Admin | Scope::System => q,
    };
    q.first(conn)
}

/// How many events the order has: the version a page shows (`OrderDetail::version`), read
/// without loading the rest. Scoped like `find`, so another tenant's id is not found.
pub fn version(conn: &mut PgConnection, scope: Scope, id: Uuid) -> QueryResult<usize> {
    let order = find(conn, scope, id)?;
    let count: i64 = order_events::table
        .filter(order_events::order_id.eq(order.id))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(count).unwrap_or(usize::MAX))
}

pub fn detail(conn: &mut PgConnection, scope: Scope, id: Uuid) -> QueryResult<OrderDetail> {
    let order = find(conn, scope, id)?;
    let lines = order_lines::table
        .filter(order_lines::order_id.eq(order.id))
        .order(order_lines::position)
        .select(OrderLine::as_select())
        .load(conn)?;
    let events = order_events::table
        .filter(order_events::order_id.eq(order.id))
        .order((order_events::created_at, order_events::id))
        .select(OrderEvent::as_select())
        .load(conn)?;
    let delivery = deliveries::table
        .filter(deliveries::order_id.eq(order.id))
        .select(Delivery::as_select())
        .first(conn)
        .optional()?;
    let (provider_name, provider_slug): (String, String) = providers::table
        .find(order.provider_id)
        .select((providers::name, providers::slug))
        .first(conn)?;
    let business_name = businesses::table
        .find(order.business_id)
        .select(businesses::name)
        .first(conn)?;
    Ok(OrderDetail {
        order,
        lines,
        events,
        delivery,
        provider_name,
        provider_slug,
        business_name,
    })
}

pub fn find_by_key(
    conn: &mut PgConnection,
    business: BusinessId,
    key: Uuid,
) -> QueryResult<Option<Uuid>> {
    orders::table
        .filter(orders::business_id.eq(business.0))
        .filter(orders::idempotency_key.eq(key))
        .select(orders::id)
        .first(conn)
        .optional()
}

/// The business's latest order from this provider placed since `since`: (id, number, when),
/// for pointing a second tab's empty checkout at the order the first one placed.
/// An order's number, within the business.
pub fn number_of(conn: &mut PgConnection, business: BusinessId, id: Uuid) -> QueryResult<String> {
    orders::table
        .filter(orders::business_id.eq(business.0))
        .filter(orders::id.eq(id))
        .select(orders::number)
        .first(conn)
}

pub fn latest_since(
    conn: &mut PgConnection,
    business: BusinessId,
    provider: ProviderId,
    since: time::OffsetDateTime,
) -> QueryResult<Option<(Uuid, String, time::OffsetDateTime)>> {
    orders::table
        .filter(orders::business_id.eq(business.0))
        .filter(orders::provider_id.eq(provider.0))
        .filter(orders::created_at.ge(since))
        .order(orders::created_at.desc())
        .select((orders::id, orders::number, orders::created_at))
        .first(conn)
        .optional()
}

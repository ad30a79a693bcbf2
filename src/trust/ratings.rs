//! Ratings in SQL: a buyer's rating of their delivered order, the provider's reply, and the
//! ratings a provider page shows. Each write recomputes the provider's score in the same
//! transaction, so what discovery shows is never older than the last rating.

use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{Actor, Entry};
use crate::db::schema::{businesses, order_ratings, orders};
use crate::ids::{BusinessId, OrderId, ProviderId, UserId};
use crate::orders::rules::OrderStatus;
use crate::web::AppError;

/// A rating as pages show it.
#[derive(Debug, Clone, Queryable)]
pub struct Rating {
    pub order_id: Uuid,
    pub order_number: String,
    pub business_name: String,
    pub stars: i16,
    pub comment: String,
    pub created_at: OffsetDateTime,
    pub reply: Option<String>,
}

impl Rating {
    pub fn stars_text(&self) -> String {
        let n = usize::try_from(self.stars.clamp(0, 5)).unwrap_or(0);
        format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
    }
    pub fn when(&self) -> String {
        crate::timefmt::date(crate::timefmt::to_london(self.created_at).date())
    }
}

macro_rules! rating_columns {
    () => {
        (
            order_ratings::order_id,
            orders::number,
            businesses::name,
            order_ratings::stars,
            order_ratings::comment,
            order_ratings::created_at,
            order_ratings::reply,
        )
    };
}

/// The business's rating of its order, if it rated it.
pub fn of_order(
    conn: &mut PgConnection,
    business: BusinessId,
    order: OrderId,
) -> QueryResult<Option<Rating>> {
    order_ratings::table
        .inner_join(orders::table)
        .inner_join(businesses::table)
        .filter(order_ratings::order_id.eq(order.0))
        .filter(order_ratings::business_id.eq(business.0))
        .select(rating_columns!())
        .first(conn)
        .optional()
}

/// The provider's most recent ratings.
pub fn recent(
    conn: &mut PgConnection,
    provider: ProviderId,
    limit: i64,
) -> QueryResult<Vec<Rating>> {
    order_ratings::table
        .inner_join(orders::table)
        .inner_join(businesses::table)
        .filter(order_ratings::provider_id.eq(provider.0))
        .order((order_ratings::created_at.desc(), order_ratings::order_id))
        .limit(limit)
        .select(rating_columns!())
        .load(conn)
}

/// The business's delivered order's number, if it is one (ratings need a delivered order).
pub fn rateable(
    conn: &mut PgConnection,
    business: BusinessId,
    order: OrderId,
) -> Result<String, AppError> {
    let (number, status): (String, OrderStatus) = orders::table
        .filter(orders::id.eq(order.0))
        .filter(orders::business_id.eq(business.0))
        .select((orders::number, orders::status))
        .first(conn)?;
    if status != OrderStatus::Delivered {
        return Err(AppError::conflict(
            "You can rate an order once it has been delivered.",
        ));
    }
    Ok(number)
}

/// Rates the business's delivered order, or changes the rating within 14 days.
pub fn rate(
    conn: &mut PgConnection,
    business: BusinessId,
    order: OrderId,
    (stars, comment): (i16, &str),
    (user, actor, now): (UserId, &Actor, OffsetDateTime),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        rateable(conn, business, order)?;
        let provider: Uuid = orders::table
            .find(order.0)
            .select(orders::provider_id)
            .for_update()
            .first(conn)?;
        let before: Option<OffsetDateTime> = order_ratings::table
            .find(order.0)
            .select(order_ratings::created_at)
            .first(conn)
            .optional()?;
        match before {
            Some(at) if !super::rules::may_edit_rating(at, now) => {
                return Err(AppError::conflict(
                    "A rating can be changed for 14 days; this one can't be changed any more.",
                ));
            }
            Some(_) => {
                diesel::update(order_ratings::table.find(order.0))
                    .set((
                        order_ratings::stars.eq(stars),
                        order_ratings::comment.eq(comment),
                        order_ratings::rated_by.eq(Some(user.0)),
                        order_ratings::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            None => {
                diesel::insert_into(order_ratings::table)
                    .values((
                        order_ratings::order_id.eq(order.0),
                        order_ratings::business_id.eq(business.0),
                        order_ratings::provider_id.eq(provider),
                        order_ratings::stars.eq(stars),
                        order_ratings::comment.eq(comment),
                        order_ratings::rated_by.eq(Some(user.0)),
                        order_ratings::created_at.eq(now),
                        order_ratings::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
        }
        let entry = Entry::new("order.rated", "order", Some(order.0))
            .org(Some(business.0), Some(provider))
            .change(None, Some(serde_json::json!({ "stars": stars })));
        crate::audit::record(conn, actor, entry)?;
        super::queries::recompute(conn, ProviderId(provider), now)?;
        Ok(())
    })
}

/// The provider's one public reply to a rating of its order.
pub fn reply(
    conn: &mut PgConnection,
    provider: ProviderId,
    order: OrderId,
    text: &str,
    (user, actor, now): (UserId, &Actor, OffsetDateTime),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (business, replied): (Uuid, Option<String>) = order_ratings::table
            .filter(order_ratings::order_id.eq(order.0))
            .filter(order_ratings::provider_id.eq(provider.0))
            .select((order_ratings::business_id, order_ratings::reply))
            .for_update()
            .first(conn)?;
        if replied.is_some() {
            return Err(AppError::conflict(
                "You have already replied to this rating.",
            ));
        }
        diesel::update(order_ratings::table.find(order.0))
            .set((
                order_ratings::reply.eq(Some(text)),
                order_ratings::replied_by.eq(Some(user.0)),
                order_ratings::replied_at.eq(Some(now)),
            ))
            .execute(conn)?;
        let entry = Entry::new("order.rating_replied", "order", Some(order.0))
            .org(Some(business), Some(provider.0));
        crate::audit::record(conn, actor, entry)?;
        Ok(())
    })
}

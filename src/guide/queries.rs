//! The order guide in the database: a location's recent order lines summed per product, with
//! what the buyer said about them (`guide_items`). Every query takes the business from the
//! session, and the location was found within it first.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::prepared::Prepared;
use crate::db::schema::{guide_items, products, providers};
use crate::ids::{BusinessId, LocationId};

/// One product on a location's guide: the product as it is now, what the location's
/// history says of it, and the buyer's par level and choices.
#[derive(Debug, Clone, QueryableByName)]
pub struct GuideRow {
    #[diesel(sql_type = SqlUuid)]
    pub product_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub unit: String,
    #[diesel(sql_type = Text)]
    pub pack_size: String,
    #[diesel(sql_type = Bool)]
    pub fractional: bool,
    #[diesel(sql_type = Numeric)]
    pub price: Decimal,
    #[diesel(sql_type = Numeric)]
    pub vat_rate: Decimal,
    #[diesel(sql_type = Bool)]
    pub in_stock: bool,
    #[diesel(sql_type = Bool)]
    pub active: bool,
    #[diesel(sql_type = SqlUuid)]
    pub provider_id: Uuid,
    #[diesel(sql_type = Text)]
    pub provider_name: String,
    #[diesel(sql_type = Text)]
    pub provider_slug: String,
    #[diesel(sql_type = Text)]
    pub provider_status: String,
    #[diesel(sql_type = Numeric)]
    pub provider_min_order: Decimal,
    /// Order lines for it in the window.
    #[diesel(sql_type = BigInt)]
    pub times: i64,
    /// The median quantity ordered: what the kitchen usually asks for.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub usual: Option<Decimal>,
    /// The unit price on the latest order line.
    #[diesel(sql_type = Nullable<Numeric>)]
    pub last_price: Option<Decimal>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_at: Option<OffsetDateTime>,
    #[diesel(sql_type = Nullable<Numeric>)]
    pub par: Option<Decimal>,
    #[diesel(sql_type = Bool)]
    pub pinned: bool,
    #[diesel(sql_type = Bool)]
    pub hidden: bool,
    /// `price` is the business's own.
    #[diesel(sql_type = Bool)]
    pub own_price: bool,
}

impl GuideRow {
    /// Can it go into a cart now?
    pub fn orderable(&self) -> bool {
        self.active
            && self.in_stock
            && crate::providers::rules::is_open_for_orders(&self.provider_status)
    }

    /// "Double cream (2 L)".
    pub fn label(&self) -> String {
        if self.pack_size.trim().is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.pack_size)
        }
    }
}

/// The guide of `location`: every product ordered for it since `since` (cancelled and
/// rejected orders aside), and every product the buyer added or set a par for, sorted by
/// provider and name. Pruned rows come back with `hidden` set.
pub fn rows(
    conn: &mut PgConnection,
    business: BusinessId,
    location: LocationId,
    since: OffsetDateTime,
    on: time::Date,
) -> QueryResult<Vec<GuideRow>> {
    // Prepared once per connection: planning this statement costs more than running it.
    Prepared(
        diesel::sql_query(
            "WITH hist AS (
           SELECT l.product_id, l.quantity, l.unit_price, o.created_at,
                  row_number() OVER (PARTITION BY l.product_id
                                     ORDER BY o.created_at DESC, l.position) AS recency
             FROM orders o JOIN order_lines l ON l.order_id = o.id
            WHERE o.business_id = $1 AND o.location_id = $2 AND o.created_at >= $3
              AND o.status NOT IN ('cancelled', 'rejected') AND l.product_id IS NOT NULL
         ), agg AS (
           SELECT product_id, count(*) AS times, max(created_at) AS last_at,
                  percentile_disc(0.5) WITHIN GROUP (ORDER BY quantity) AS usual
             FROM hist GROUP BY product_id
         ), mine AS (
           SELECT product_id, par, pinned, hidden FROM guide_items
            WHERE business_id = $1 AND location_id = $2
         )
         SELECT p.id AS product_id, p.name, p.unit, p.pack_size, p.fractional,
                coalesce(own.price, p.price) AS price, own.price IS NOT NULL AS own_price,
                p.vat_rate, p.in_stock, p.active, v.id AS provider_id, v.name AS provider_name,
                v.slug AS provider_slug, v.status AS provider_status,
                v.min_order_value AS provider_min_order, coalesce(a.times, 0) AS times,
                a.usual, h.unit_price AS last_price, a.last_at, m.par,
                coalesce(m.pinned, false) AS pinned, coalesce(m.hidden, false) AS hidden
           FROM products p
           JOIN providers v ON v.id = p.provider_id
           LEFT JOIN agg a ON a.product_id = p.id
           LEFT JOIN hist h ON h.product_id = p.id AND h.recency = 1
           LEFT JOIN mine m ON m.product_id = p.id
           LEFT JOIN larder_customer_prices($1, $4) own ON own.product_id = p.id
          WHERE p.id IN (SELECT product_id FROM agg
                         UNION SELECT product_id FROM mine WHERE pinned OR par IS NOT NULL)
          ORDER BY v.name, v.id, p.name, p.id",
        )
        .into_boxed::<diesel::pg::Pg>()
        .bind::<SqlUuid, _>(business.0)
        .bind::<SqlUuid, _>(location.0)
        .bind::<Timestamptz, _>(since)
        .bind::<diesel::sql_types::Date, _>(on),
    )
    .load(conn)
}

/// Saves par levels (`None` clears one) for products already on the location's guide.
pub fn save_pars(
    conn: &mut PgConnection,
    business: BusinessId,
    location: LocationId,
    pars: &[(Uuid, Option<Decimal>)],
) -> QueryResult<()> {
    conn.transaction(|conn| {
        for (product, par) in pars {
            diesel::insert_into(guide_items::table)
                .values((
                    guide_items::location_id.eq(location.0),
                    guide_items::product_id.eq(product),
                    guide_items::business_id.eq(business.0),
                    guide_items::par.eq(par),
                ))
                .on_conflict((guide_items::location_id, guide_items::product_id))
                .do_update()
                .set((
                    guide_items::par.eq(par),
                    guide_items::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Puts a listed product on the location's guide (back on, if it was pruned). `None` when no
/// such product is listed by an open provider.
pub fn pin(
    conn: &mut PgConnection,
    business: BusinessId,
    location: LocationId,
    product: Uuid,
) -> QueryResult<Option<String>> {
    let listed: Option<(String, String)> = products::table
        .inner_join(providers::table)
        .filter(products::id.eq(product))
        .filter(products::active.eq(true))
        // As `providers::rules::is_open_for_orders`.
        .filter(providers::status.eq("active"))
        .select((products::name, providers::name))
        .first(conn)
        .optional()?;
    let Some((name, provider)) = listed else {
        return Ok(None);
    };
    diesel::insert_into(guide_items::table)
        .values((
            guide_items::location_id.eq(location.0),
            guide_items::product_id.eq(product),
            guide_items::business_id.eq(business.0),
            guide_items::pinned.eq(true),
        ))
        .on_conflict((guide_items::location_id, guide_items::product_id))
        .do_update()
        .set((
            guide_items::pinned.eq(true),
            guide_items::hidden.eq(false),
            guide_items::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(Some(format!("{name} from {provider}")))
}

/// Prunes a product from the guide, or puts a pruned one back. The caller has checked that
/// the product is on this location's guide.
pub fn set_hidden(
    conn: &mut PgConnection,
    business: BusinessId,
    location: LocationId,
    product: Uuid,
    hidden: bool,
) -> QueryResult<()> {
    diesel::insert_into(guide_items::table)
        .values((
            guide_items::location_id.eq(location.0),
            guide_items::product_id.eq(product),
            guide_items::business_id.eq(business.0),
            guide_items::hidden.eq(hidden),
        ))
        .on_conflict((guide_items::location_id, guide_items::product_id))
        .do_update()
        .set((
            guide_items::hidden.eq(hidden),
            guide_items::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

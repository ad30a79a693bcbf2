//! Plans, which plan each provider is on over time, and their Stripe subscriptions.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rules::{SubStatus, Version, in_force, scheduled};
use crate::db::schema::{invoices, plan_subscriptions, plans, provider_plans};
use crate::ids::ProviderId;

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Plan {
    pub id: Uuid,
    pub name: String,
    pub monthly_price: Decimal,
    pub featured: bool,
    pub is_default: bool,
}

const PLAN_COLUMNS: (
    plans::id,
    plans::name,
    plans::monthly_price,
    plans::featured,
    plans::is_default,
) = (
    plans::id,
    plans::name,
    plans::monthly_price,
    plans::featured,
    plans::is_default,
);

impl Plan {
    pub fn paid(&self) -> bool {
        self.monthly_price > Decimal::ZERO
    }

    pub fn choice(&self) -> super::rules::Choice {
        super::rules::Choice { paid: self.paid() }
    }
}

/// The plan providers are on unless they chose another. The migration makes it; should it be
/// gone, one is made again rather than failing every invoice.
pub fn default_plan(conn: &mut PgConnection) -> QueryResult<Uuid> {
    if let Some(id) = plans::table
        .filter(plans::is_default)
        .select(plans::id)
        .first(conn)
        .optional()?
    {
        return Ok(id);
    }
    diesel::insert_into(plans::table)
        .values((plans::name.eq("Free"), plans::is_default.eq(true)))
        .on_conflict_do_nothing()
        .execute(conn)?;
    plans::table
        .filter(plans::is_default)
        .select(plans::id)
        .first(conn)
}

/// Every plan, the default first, then by price.
pub fn all(conn: &mut PgConnection) -> QueryResult<Vec<Plan>> {
    plans::table
        .order((plans::is_default.desc(), plans::monthly_price, plans::name))
        .select(PLAN_COLUMNS)
        .load(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Plan>> {
    plans::table
        .find(id)
        .select(PLAN_COLUMNS)
        .first(conn)
        .optional()
}

pub struct NewPlan<'a> {
    pub name: &'a str,
    pub monthly_price: Decimal,
    pub featured: bool,
    pub by: Uuid,
}

/// Makes a plan; `None` when the name is taken (names are unique, case aside).
pub fn create(conn: &mut PgConnection, p: &NewPlan) -> QueryResult<Option<Uuid>> {
    diesel::insert_into(plans::table)
        .values((
            plans::name.eq(p.name),
            plans::monthly_price.eq(p.monthly_price),
            plans::featured.eq(p.featured),
            plans::created_by.eq(p.by),
        ))
        .on_conflict_do_nothing()
        .returning(plans::id)
        .get_result(conn)
        .optional()
}

/// How many providers are on each plan now.
pub fn counts(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Vec<(Uuid, i64)>> {
    use diesel::sql_types::{Timestamptz, Uuid as SqlUuid};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        plan: Uuid,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let default = default_plan(conn)?;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT coalesce(cur.plan_id, $2) AS plan, count(*) AS n
           FROM providers p
           LEFT JOIN LATERAL (SELECT plan_id FROM provider_plans pp
                               WHERE pp.provider_id = p.id AND pp.starts_at <= $1
                               ORDER BY pp.starts_at DESC, pp.id DESC LIMIT 1) cur ON true
          GROUP BY 1",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<SqlUuid, _>(default)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| (r.plan, r.n)).collect())
}

/// The provider's plan choices, newest first.
pub fn history(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Vec<Version<Uuid>>> {
    let rows: Vec<(OffsetDateTime, Uuid)> = provider_plans::table
        .filter(provider_plans::provider_id.eq(provider.0))
        .order((provider_plans::starts_at.desc(), provider_plans::id.desc()))
        .select((provider_plans::starts_at, provider_plans::plan_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(starts_at, value)| Version { starts_at, value })
        .collect())
}

/// The plan the provider was on at `at`.
pub fn plan_at(
    conn: &mut PgConnection,
    provider: ProviderId,
    at: OffsetDateTime,
) -> QueryResult<Uuid> {
    match in_force(&history(conn, provider)?, at) {
        Some(p) => Ok(p),
        None => default_plan(conn),
    }
}

/// The plan in force and the change scheduled after it, if any.
pub fn now_and_next(
    conn: &mut PgConnection,
    provider: ProviderId,
    now: OffsetDateTime,
) -> QueryResult<(Uuid, Option<Version<Uuid>>)> {
    let history = history(conn, provider)?;
    let current = match in_force(&history, now) {
        Some(p) => p,
        None => default_plan(conn)?,
    };
    Ok((current, scheduled(&history, now)))
}

/// Puts the provider on `plan` from `starts_at`, replacing any change scheduled after it.
pub fn choose(
    conn: &mut PgConnection,
    provider: ProviderId,
    plan: Uuid,
    starts_at: OffsetDateTime,
    reason: &str,
) -> QueryResult<()> {
    unschedule(conn, provider, starts_at)?;
    diesel::insert_into(provider_plans::table)
        .values((
            provider_plans::provider_id.eq(provider.0),
            provider_plans::plan_id.eq(plan),
            provider_plans::starts_at.eq(starts_at),
            provider_plans::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}

/// Calls off every change scheduled to start after `after`.
pub fn unschedule(
    conn: &mut PgConnection,
    provider: ProviderId,
    after: OffsetDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        provider_plans::table
            .filter(provider_plans::provider_id.eq(provider.0))
            .filter(provider_plans::starts_at.gt(after)),
    )
    .execute(conn)
}

/// The totals of the provider's invoices issued since `since`: what other plans are priced on.
pub fn recent_totals(
    conn: &mut PgConnection,
    provider: ProviderId,
    since: OffsetDateTime,
) -> QueryResult<Vec<Decimal>> {
    invoices::table
        .filter(invoices::provider_id.eq(provider.0))
        .filter(invoices::issued_at.ge(since))
        .select(invoices::total)
        .limit(10_000)
        .load(conn)
}

/// Providers on a featured plan now.
pub fn featured_providers(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Vec<Uuid>> {
    use diesel::sql_types::Timestamptz;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    // From the featured plans' choices, not from every provider: the work follows how many
    // chose a featured plan, however many providers there are.
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT DISTINCT pp.provider_id AS id
           FROM plans pl JOIN provider_plans pp ON pp.plan_id = pl.id
          WHERE pl.featured AND pp.starts_at <= $1
            AND NOT EXISTS (SELECT 1 FROM provider_plans later
                             WHERE later.provider_id = pp.provider_id
                               AND later.starts_at <= $1
                               AND (later.starts_at, later.id) > (pp.starts_at, pp.id))",
    )
    .bind::<Timestamptz, _>(now)
    .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = plan_subscriptions, check_for_backend(diesel::pg::Pg))]
pub struct Subscription {
    pub id: Uuid,
    #[diesel(column_name = provider_id)]
    pub provider: Uuid,
    #[diesel(column_name = plan_id)]
    pub plan: Uuid,
    pub status: SubStatus,
    pub checkout_session: Option<String>,
    pub stripe_subscription: Option<String>,
    pub period_end: Option<OffsetDateTime>,
    pub cancel_at: Option<OffsetDateTime>,
    pub grace_until: Option<OffsetDateTime>,
}

const LIVE: [SubStatus; 2] = [SubStatus::Active, SubStatus::PastDue];

/// The provider's live subscription (active or past due), if any.
pub fn live(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<Option<Subscription>> {
    plan_subscriptions::table
        .filter(plan_subscriptions::provider_id.eq(provider.0))
        .filter(plan_subscriptions::status.eq_any(LIVE))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

/// A pending subscription for `plan`, made before its checkout opens: its id names the
/// checkout request.
pub fn start(conn: &mut PgConnection, provider: ProviderId, plan: Uuid) -> QueryResult<Uuid> {
    diesel::insert_into(plan_subscriptions::table)
        .values((
            plan_subscriptions::provider_id.eq(provider.0),
            plan_subscriptions::plan_id.eq(plan),
        ))
        .returning(plan_subscriptions::id)
        .get_result(conn)
}

pub fn set_session(conn: &mut PgConnection, id: Uuid, session: &str) -> QueryResult<()> {
    diesel::update(plan_subscriptions::table.find(id))
        .set(plan_subscriptions::checkout_session.eq(session))
        .execute(conn)?;
    Ok(())
}

/// A subscription found by our id, its checkout session or Stripe's id, locked.
pub fn locate(conn: &mut PgConnection, key: &Key) -> QueryResult<Option<Subscription>> {
    let q = plan_subscriptions::table
        .select(Subscription::as_select())
        .for_update();
    match key {
        Key::Ours(id) => q.filter(plan_subscriptions::id.eq(id)).first(conn),
        Key::Session(s) => q
            .filter(plan_subscriptions::checkout_session.eq(s))
            .first(conn),
        Key::Stripe(s) => q
            .filter(plan_subscriptions::stripe_subscription.eq(s))
            .first(conn),
    }
    .optional()
}

/// The provider's own subscription by its checkout session (the test gateway's page).
pub fn by_session(
    conn: &mut PgConnection,
    provider: ProviderId,
    session: &str,
) -> QueryResult<Option<Subscription>> {
    plan_subscriptions::table
        .filter(plan_subscriptions::provider_id.eq(provider.0))
        .filter(plan_subscriptions::checkout_session.eq(session))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

pub enum Key {
    Ours(Uuid),
    Session(String),
    Stripe(String),
}

/// What changed about a subscription: `None` leaves a column as it is (`Some(None)` clears
/// a nullable one).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = plan_subscriptions)]
pub struct SubUpdate {
    pub status: Option<SubStatus>,
    pub stripe_subscription: Option<String>,
    pub stripe_customer: Option<String>,
    pub period_end: Option<OffsetDateTime>,
    pub cancel_at: Option<Option<OffsetDateTime>>,
    pub grace_until: Option<Option<OffsetDateTime>>,
}

pub fn update(conn: &mut PgConnection, id: Uuid, u: &SubUpdate) -> QueryResult<()> {
    let untouched = u.status.is_none()
        && u.stripe_subscription.is_none()
        && u.stripe_customer.is_none()
        && u.period_end.is_none()
        && u.cancel_at.is_none()
        && u.grace_until.is_none();
    // Diesel refuses an UPDATE with nothing to set.
    if !untouched {
        diesel::update(plan_subscriptions::table.find(id))
            .set(u)
            .execute(conn)?;
    }
    Ok(())
}

/// Past-due subscriptions whose grace has run out by `now`.
pub fn grace_over(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Vec<Subscription>> {
    plan_subscriptions::table
        .filter(plan_subscriptions::status.eq(SubStatus::PastDue))
        .filter(plan_subscriptions::grace_until.le(now))
        .select(Subscription::as_select())
        .limit(500)
        .load(conn)
}

/// Live subscriptions whose scheduled end has come (the test gateway has no Stripe to say so).
pub fn ended(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Vec<Subscription>> {
    plan_subscriptions::table
        .filter(plan_subscriptions::status.eq_any(LIVE))
        .filter(plan_subscriptions::cancel_at.le(now))
        .select(Subscription::as_select())
        .limit(500)
        .load(conn)
}

//! Provider SQL. Profile reads and writes take the provider id from the session context.

use diesel::prelude::*;

use super::model::{Provider, ProviderProfile};
use super::rules;
use crate::db::schema::{provider_invoice_counters, providers};
use crate::ids::{ProviderId, new_id};

pub fn insert_provider(
    conn: &mut PgConnection,
    profile: &ProviderProfile,
) -> QueryResult<ProviderId> {
    let base = rules::slugify(&profile.name);
    // Two sign-ups with one name at the same moment would both find the slug free; the
    // second waits here (until the first commits) and then takes the next one.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(format!("provider-slug:{base}"))
        .execute(conn)?;
    let mut slug = base.clone();
    let mut n = 2;
    while slug_exists(conn, &slug)? {
        slug = format!("{base}-{n}");
        n += 1;
    }
    let id = new_id();
    diesel::insert_into(providers::table)
        .values((
            providers::id.eq(id),
            providers::name.eq(&profile.name),
            providers::slug.eq(&slug),
            providers::description.eq(&profile.description),
            providers::categories.eq(&profile.categories),
            providers::contact_email.eq(&profile.contact_email),
            providers::contact_phone.eq(&profile.contact_phone),
            providers::address.eq(&profile.address),
            providers::vat_number.eq(&profile.vat_number),
            providers::min_order_value.eq(profile.min_order_value),
            providers::delivery_days.eq(&profile.delivery_days),
            providers::delivery_areas.eq(&profile.delivery_areas),
            providers::payment_terms_days.eq(profile.payment_terms_days),
            providers::auto_invoice.eq(profile.auto_invoice),
            providers::invoice_prefix.eq(rules::invoice_prefix(&profile.name)),
        ))
        .execute(conn)?;
    diesel::insert_into(provider_invoice_counters::table)
        .values(provider_invoice_counters::provider_id.eq(id))
        .execute(conn)?;
    // The sign-up's areas and days become the first zone, on the same terms checkout always
    // applied (same day until noon); the provider refines them on the delivery page.
    if !profile.delivery_areas.is_empty() && !profile.delivery_days.is_empty() {
        let zone = crate::availability::queries::ZoneInput {
            name: "Main delivery area".into(),
            areas: profile.delivery_areas.clone(),
            days: profile.delivery_days.clone(),
            min_order_value: profile.min_order_value,
            delivery_charge: rust_decimal::Decimal::ZERO,
            lead_days: 0,
            cutoff: time::Time::from_hms(12, 0, 0).unwrap_or(time::Time::MIDNIGHT),
            max_per_day: None,
            max_per_window: None,
            windows: Vec::new(),
        };
        crate::availability::queries::save_zone(conn, ProviderId(id), None, &zone)?;
    }
    Ok(ProviderId(id))
}

fn slug_exists(conn: &mut PgConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        providers::table.filter(providers::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// Refuses `trade` unless the provider's status (read now, in the caller's transaction)
/// allows it.
pub fn ensure_may_trade(
    conn: &mut PgConnection,
    id: ProviderId,
    trade: super::rules::Trade,
) -> Result<(), crate::web::AppError> {
    let status: String = providers::table
        .find(id.0)
        .select(providers::status)
        .first(conn)?;
    super::rules::may_trade(&status, trade)
        .map_err(|why| crate::web::AppError::Conflict(why.to_owned()))
}

pub fn provider(conn: &mut PgConnection, id: ProviderId) -> QueryResult<Provider> {
    providers::table
        .find(id.0)
        .select(Provider::as_select())
        .first(conn)
}

pub fn update_profile(
    conn: &mut PgConnection,
    id: ProviderId,
    profile: &ProviderProfile,
) -> QueryResult<()> {
    diesel::update(providers::table.find(id.0))
        .set((
            providers::name.eq(&profile.name),
            providers::description.eq(&profile.description),
            providers::categories.eq(&profile.categories),
            providers::contact_email.eq(&profile.contact_email),
            providers::contact_phone.eq(&profile.contact_phone),
            providers::address.eq(&profile.address),
            providers::vat_number.eq(&profile.vat_number),
            providers::payment_terms_days.eq(profile.payment_terms_days),
            providers::auto_invoice.eq(profile.auto_invoice),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Any provider by its public slug, whatever its status (checkout explains a suspension).
pub fn by_slug(conn: &mut PgConnection, slug: &str) -> QueryResult<Provider> {
    providers::table
        .filter(providers::slug.eq(slug))
        .select(Provider::as_select())
        .first(conn)
}

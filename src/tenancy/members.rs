//! The recipient rule in one place: of an organisation's members, who may hear about a
//! thing is who may open it. Emails (and later in-app notices) ask this, never a list of
//! roles of their own.

use diesel::prelude::*;

use super::roles::{Permission, Role, Side, allows};
use crate::db::schema::{memberships, users};
use crate::ids::BusinessId;

/// Email addresses of the business's members whose role allows `permission`, oldest
/// member first.
pub fn buyer_emails_allowed(
    conn: &mut PgConnection,
    business: BusinessId,
    permission: Permission,
) -> QueryResult<Vec<String>> {
    let members: Vec<(String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::business_id.eq(business.0))
        .order(memberships::created_at)
        .select((users::email, memberships::role))
        .load(conn)?;
    Ok(members
        .into_iter()
        .filter(|(_, role)| Role::parse(role).is_some_and(|r| allows(Side::Buyer, r, permission)))
        .map(|(email, _)| email)
        .collect())
}

/// Email addresses of the provider's members whose role allows `permission`, oldest first.
pub fn provider_emails_allowed(
    conn: &mut PgConnection,
    provider: crate::ids::ProviderId,
    permission: Permission,
) -> QueryResult<Vec<String>> {
    let members: Vec<(String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::provider_id.eq(provider.0))
        .order(memberships::created_at)
        .select((users::email, memberships::role))
        .load(conn)?;
    Ok(members
        .into_iter()
        .filter(|(_, role)| {
            Role::parse(role).is_some_and(|r| allows(Side::Provider, r, permission))
        })
        .map(|(email, _)| email)
        .collect())
}

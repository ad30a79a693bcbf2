//! The recipient rule in one place: of an organisation's members, who may hear about a
//! thing is who may open it. Emails and in-app notices ask this, never a list of roles of
//! their own.

use diesel::prelude::*;
use uuid::Uuid;

use super::roles::{Permission, Role, Side, allows};
use crate::db::schema::{memberships, users};
use crate::ids::{BusinessId, ProviderId};

/// A member who may be told: their user id and login email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Told {
    pub user: Uuid,
    pub email: String,
}

/// The user ids of those told, for in-app notices.
pub fn user_ids(told: Vec<Told>) -> Vec<Uuid> {
    told.into_iter().map(|t| t.user).collect()
}

/// The organisation's members whose role allows `permission`, oldest member first.
fn allowed(
    conn: &mut PgConnection,
    org: (Side, Uuid),
    permission: Permission,
) -> QueryResult<Vec<Told>> {
    let (side, id) = org;
    let q = memberships::table
        .inner_join(users::table)
        .order(memberships::created_at)
        .select((users::id, users::email, memberships::role))
        .into_boxed();
    let q = match side {
        Side::Buyer => q.filter(memberships::business_id.eq(id)),
        Side::Provider => q.filter(memberships::provider_id.eq(id)),
    };
    let members: Vec<(Uuid, String, String)> = q.load(conn)?;
    Ok(members
        .into_iter()
        .filter(|(_, _, role)| Role::parse(role).is_some_and(|r| allows(side, r, permission)))
        .map(|(user, email, _)| Told { user, email })
        .collect())
}

/// The business's members whose role allows `permission`.
pub fn buyer_members_allowed(
    conn: &mut PgConnection,
    business: BusinessId,
    permission: Permission,
) -> QueryResult<Vec<Told>> {
    allowed(conn, (Side::Buyer, business.0), permission)
}

/// The provider's members whose role allows `permission`.
pub fn provider_members_allowed(
    conn: &mut PgConnection,
    provider: ProviderId,
    permission: Permission,
) -> QueryResult<Vec<Told>> {
    allowed(conn, (Side::Provider, provider.0), permission)
}

/// Email addresses of the business's members whose role allows `permission`, oldest
/// member first.
pub fn buyer_emails_allowed(
    conn: &mut PgConnection,
    business: BusinessId,
    permission: Permission,
) -> QueryResult<Vec<String>> {
    Ok(buyer_members_allowed(conn, business, permission)?
        .into_iter()
        .map(|t| t.email)
        .collect())
}

/// Email addresses of the provider's members whose role allows `permission`, oldest first.
pub fn provider_emails_allowed(
    conn: &mut PgConnection,
    provider: ProviderId,
    permission: Permission,
) -> QueryResult<Vec<String>> {
    Ok(provider_members_allowed(conn, provider, permission)?
        .into_iter()
        .map(|t| t.email)
        .collect())
}

//! Team SQL: members, invites, roles. Every query is scoped to one organisation (`Org`,
//! from the acting member's scope), so another organisation's member or invite id is
//! simply not found.

use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rules::{self, InviteState};
use crate::db::lower;
use crate::db::schema::{businesses, invites, memberships, providers, users};
use crate::ids::{UserId, new_id};
use crate::tenancy::{Role, Scope, Side};
use crate::web::AppError;

/// One organisation: exactly one of the two is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Org {
    pub business: Option<Uuid>,
    pub provider: Option<Uuid>,
}

impl Org {
    /// The organisation a tenant scope acts for; the admin area and jobs have none.
    pub fn of(scope: Scope) -> Result<Self, AppError> {
        match scope {
            Scope::Buyer(b) => Ok(Self {
                business: Some(b.0),
                provider: None,
            }),
            Scope::Provider(p) => Ok(Self {
                business: None,
                provider: Some(p.0),
            }),
            Scope::Admin | Scope::System => Err(AppError::NotFound),
        }
    }

    pub fn side(self) -> Side {
        if self.provider.is_some() {
            Side::Provider
        } else {
            Side::Buyer
        }
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub membership_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub since: OffsetDateTime,
    pub order_limit: Option<rust_decimal::Decimal>,
    pub monthly_limit: Option<rust_decimal::Decimal>,
}

impl MemberRow {
    pub fn is_orderer(&self) -> bool {
        self.role() == Some(Role::Orderer)
    }
    /// A limit as the form shows it: plain pounds, or empty for none.
    pub fn limit_value(limit: &Option<rust_decimal::Decimal>) -> String {
        limit.map(|l| l.to_string()).unwrap_or_default()
    }
    pub fn order_limit_value(&self) -> String {
        Self::limit_value(&self.order_limit)
    }
    pub fn monthly_limit_value(&self) -> String {
        Self::limit_value(&self.monthly_limit)
    }
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
    pub fn role_label(&self) -> &'static str {
        self.role().map_or("Unknown", Role::label)
    }
    pub fn since_text(&self) -> String {
        crate::timefmt::date(crate::timefmt::to_london(self.since).date())
    }
}

pub fn members(conn: &mut PgConnection, org: Org) -> QueryResult<Vec<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .filter(
            memberships::business_id
                .eq(org.business)
                .or(memberships::provider_id.eq(org.provider)),
        )
        .order((memberships::created_at, memberships::id))
        .select((
            memberships::id,
            users::id,
            users::name,
            users::email,
            memberships::role,
            memberships::created_at,
            memberships::order_limit,
            memberships::monthly_limit,
        ))
        .load(conn)
}

pub fn set_limits(
    conn: &mut PgConnection,
    membership: Uuid,
    order_limit: Option<rust_decimal::Decimal>,
    monthly_limit: Option<rust_decimal::Decimal>,
) -> QueryResult<()> {
    diesel::update(memberships::table.find(membership))
        .set((
            memberships::order_limit.eq(order_limit),
            memberships::monthly_limit.eq(monthly_limit),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable)]
pub struct InviteRow {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

impl InviteRow {
    pub fn role_label(&self) -> &'static str {
        Role::parse(&self.role).map_or("Unknown", Role::label)
    }
    pub fn expires_text(&self) -> String {
        crate::timefmt::datetime(self.expires_at)
    }
    pub fn expired(&self) -> bool {
        self.expires_at <= OffsetDateTime::now_utc()
    }
}

/// Invites not yet accepted or revoked (expired ones too, so they can be re-sent).
pub fn open_invites(conn: &mut PgConnection, org: Org) -> QueryResult<Vec<InviteRow>> {
    invites::table
        .filter(
            invites::business_id
                .eq(org.business)
                .or(invites::provider_id.eq(org.provider)),
        )
        .filter(invites::accepted_at.is_null())
        .filter(invites::revoked_at.is_null())
        .order(invites::created_at.desc())
        .select((
            invites::id,
            invites::email,
            invites::role,
            invites::expires_at,
            invites::created_at,
        ))
        .load(conn)
}

pub fn is_member(conn: &mut PgConnection, org: Org, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .inner_join(users::table)
            .filter(
                memberships::business_id
                    .eq(org.business)
                    .or(memberships::provider_id.eq(org.provider)),
            )
            .filter(lower(users::email).eq(email.to_lowercase())),
    ))
    .get_result(conn)
}

/// Creates the invite, or re-sends the open one for the same address (a new token and
/// role, a fresh week): one open invite per address and organisation.
pub fn upsert_invite(
    conn: &mut PgConnection,
    org: Org,
    email: &str,
    role: Role,
    by: UserId,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> QueryResult<Uuid> {
    conn.transaction(|conn| {
        let open: Option<Uuid> = invites::table
            .filter(
                invites::business_id
                    .eq(org.business)
                    .or(invites::provider_id.eq(org.provider)),
            )
            .filter(lower(invites::email).eq(email.to_lowercase()))
            .filter(invites::accepted_at.is_null())
            .filter(invites::revoked_at.is_null())
            .select(invites::id)
            .for_update()
            .first(conn)
            .optional()?;
        let expires = now + rules::INVITE_LIFETIME;
        match open {
            Some(id) => {
                diesel::update(invites::table.find(id))
                    .set((
                        invites::role.eq(role.as_str()),
                        invites::token_hash.eq(token_hash),
                        invites::expires_at.eq(expires),
                        invites::invited_by.eq(Some(by.0)),
                    ))
                    .execute(conn)?;
                Ok(id)
            }
            None => {
                let id = new_id();
                diesel::insert_into(invites::table)
                    .values((
                        invites::id.eq(id),
                        invites::business_id.eq(org.business),
                        invites::provider_id.eq(org.provider),
                        invites::email.eq(email),
                        invites::role.eq(role.as_str()),
                        invites::token_hash.eq(token_hash),
                        invites::invited_by.eq(Some(by.0)),
                        invites::expires_at.eq(expires),
                    ))
                    .execute(conn)?;
                Ok(id)
            }
        }
    })
}

/// This organisation's open invite `id`: (email, role), locked for the caller's change.
pub fn lock_open_invite(
    conn: &mut PgConnection,
    org: Org,
    id: Uuid,
) -> QueryResult<(String, String)> {
    invites::table
        .filter(invites::id.eq(id))
        .filter(
            invites::business_id
                .eq(org.business)
                .or(invites::provider_id.eq(org.provider)),
        )
        .filter(invites::accepted_at.is_null())
        .filter(invites::revoked_at.is_null())
        .select((invites::email, invites::role))
        .for_update()
        .first(conn)
}

pub fn revoke(conn: &mut PgConnection, id: Uuid, now: OffsetDateTime) -> QueryResult<()> {
    diesel::update(invites::table.find(id))
        .set(invites::revoked_at.eq(Some(now)))
        .execute(conn)
        .map(|_| ())
}

/// Locks the organisation's memberships (so two owners demoting each other at once can't
/// both succeed) and returns (member's role, number of owners) for `membership`.
pub fn lock_member(
    conn: &mut PgConnection,
    org: Org,
    membership: Uuid,
) -> Result<(Role, usize), AppError> {
    let all: Vec<(Uuid, String)> = memberships::table
        .filter(
            memberships::business_id
                .eq(org.business)
                .or(memberships::provider_id.eq(org.provider)),
        )
        .order(memberships::id)
        .select((memberships::id, memberships::role))
        .for_update()
        .load(conn)?;
    let owners = all.iter().filter(|(_, r)| r == "owner").count();
    let (_, raw) = all
        .into_iter()
        .find(|(id, _)| *id == membership)
        .ok_or(AppError::NotFound)?;
    let role = Role::parse(&raw)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("unknown membership role {raw:?}")))?;
    Ok((role, owners))
}

pub fn set_role(conn: &mut PgConnection, membership: Uuid, role: Role) -> QueryResult<()> {
    diesel::update(memberships::table.find(membership))
        .set(memberships::role.eq(role.as_str()))
        .execute(conn)
        .map(|_| ())
}

pub fn remove(conn: &mut PgConnection, membership: Uuid) -> QueryResult<()> {
    diesel::delete(memberships::table.find(membership))
        .execute(conn)
        .map(|_| ())
}

/// An invite as its link shows it.
#[derive(Debug, Clone)]
pub struct InviteView {
    pub id: Uuid,
    pub org: Org,
    pub org_name: String,
    pub email: String,
    pub role: Role,
    pub state: InviteState,
}

pub fn invite_by_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
    now: OffsetDateTime,
) -> Result<Option<InviteView>, AppError> {
    type Row = (
        Uuid,
        Option<Uuid>,
        Option<Uuid>,
        String,
        String,
        OffsetDateTime,
        Option<OffsetDateTime>,
        Option<OffsetDateTime>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = invites::table
        .left_join(businesses::table)
        .left_join(providers::table)
        .filter(invites::token_hash.eq(token_hash))
        .select((
            invites::id,
            invites::business_id,
            invites::provider_id,
            invites::email,
            invites::role,
            invites::expires_at,
            invites::accepted_at,
            invites::revoked_at,
            businesses::name.nullable(),
            providers::name.nullable(),
        ))
        .first(conn)
        .optional()?;
    let Some((id, business, provider, email, role, expires, accepted, revoked, bn, pn)) = row
    else {
        return Ok(None);
    };
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("unknown invite role {role:?}")))?;
    Ok(Some(InviteView {
        id,
        org: Org { business, provider },
        org_name: bn.or(pn).unwrap_or_default(),
        email,
        role,
        state: rules::invite_state(accepted, revoked, expires, now),
    }))
}

/// Accepts the invite for `user`, once: the membership and the invite's use in one
/// transaction; a second acceptance (double click, two tabs) finds it used. Returns the
/// new membership's id, or why it can't be accepted.
pub fn accept(
    conn: &mut PgConnection,
    token_hash: &[u8],
    user: UserId,
    actor: &crate::audit::Actor,
    now: OffsetDateTime,
) -> Result<Result<Uuid, &'static str>, AppError> {
    conn.transaction(|conn| {
        let locked: Option<(Uuid, Option<Uuid>, Option<Uuid>, String)> = invites::table
            .filter(invites::token_hash.eq(token_hash))
            .filter(invites::accepted_at.is_null())
            .filter(invites::revoked_at.is_null())
            .filter(invites::expires_at.gt(now))
            .select((
                invites::id,
                invites::business_id,
                invites::provider_id,
                invites::role,
            ))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((invite, business, provider, role)) = locked else {
            return Ok(Err(
                "This invite has already been used, was withdrawn, or has expired. Ask for a new one.",
            ));
        };
        let existing: Option<Uuid> = memberships::table
            .filter(memberships::user_id.eq(user.0))
            .filter(
                memberships::business_id
                    .eq(business)
                    .or(memberships::provider_id.eq(provider)),
            )
            .select(memberships::id)
            .first(conn)
            .optional()?;
        let membership = match existing {
            Some(m) => m,
            None => {
                let m = new_id();
                diesel::insert_into(memberships::table)
                    .values((
                        memberships::id.eq(m),
                        memberships::user_id.eq(user.0),
                        memberships::business_id.eq(business),
                        memberships::provider_id.eq(provider),
                        memberships::role.eq(&role),
                    ))
                    .execute(conn)?;
                m
            }
        };
        diesel::update(invites::table.find(invite))
            .set((
                invites::accepted_at.eq(Some(now)),
                invites::accepted_by.eq(Some(user.0)),
            ))
            .execute(conn)?;
        let entry = crate::audit::Entry::new("invite.accepted", "membership", Some(membership))
            .org(business, provider)
            .change(None, Some(serde_json::json!({ "role": role, "invite": invite })));
        crate::audit::record(conn, actor, entry)?;
        Ok(Ok(membership))
    })
}

/// The user's memberships with their organisations' names: (membership, name, side).
pub fn organisations_of(
    conn: &mut PgConnection,
    user: UserId,
) -> QueryResult<Vec<(Uuid, String, Side)>> {
    let rows: Vec<(Uuid, Option<String>, Option<String>)> = memberships::table
        .left_join(businesses::table)
        .left_join(providers::table)
        .filter(memberships::user_id.eq(user.0))
        .order((memberships::created_at, memberships::id))
        .select((
            memberships::id,
            businesses::name.nullable(),
            providers::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, b, p)| match (b, p) {
            (Some(b), _) => (id, b, Side::Buyer),
            (None, p) => (id, p.unwrap_or_default(), Side::Provider),
        })
        .collect())
}

/// The addresses a member is limited to (empty: all of them).
pub fn assigned_locations(conn: &mut PgConnection, membership: Uuid) -> QueryResult<Vec<Uuid>> {
    use crate::db::schema::membership_locations as ml;
    ml::table
        .filter(ml::membership_id.eq(membership))
        .select(ml::location_id)
        .load(conn)
}

/// The business's addresses a member may order for: all of them, or, for a member limited
/// to some (`BuyerCtx::limited_to`), only those.
pub fn orderable_locations(
    conn: &mut PgConnection,
    business: crate::ids::BusinessId,
    limited_to: Option<Uuid>,
) -> QueryResult<Vec<crate::businesses::model::Location>> {
    let mut locations = crate::businesses::queries::list_locations(conn, business)?;
    if let Some(membership) = limited_to {
        let assigned = assigned_locations(conn, membership)?;
        locations.retain(|l| super::rules::may_order_for(&assigned, l.id));
    }
    Ok(locations)
}

/// The addresses of several members at once, as (membership, location) pairs.
pub fn assignments(conn: &mut PgConnection, members: &[Uuid]) -> QueryResult<Vec<(Uuid, Uuid)>> {
    use crate::db::schema::membership_locations as ml;
    ml::table
        .filter(ml::membership_id.eq_any(members))
        .select((ml::membership_id, ml::location_id))
        .load(conn)
}

/// Replaces a member's addresses with `locations`, keeping only the business's own live
/// ones (a foreign or archived id is dropped, never stored).
pub fn set_assigned_locations(
    conn: &mut PgConnection,
    org: Org,
    membership: Uuid,
    locations: &[Uuid],
) -> QueryResult<()> {
    use crate::db::schema::{locations as l, membership_locations as ml};
    let own: Vec<Uuid> = l::table
        .filter(l::business_id.nullable().eq(org.business))
        .filter(l::archived_at.is_null())
        .filter(l::id.eq_any(locations))
        .select(l::id)
        .load(conn)?;
    diesel::delete(ml::table.filter(ml::membership_id.eq(membership))).execute(conn)?;
    let rows: Vec<_> = own
        .iter()
        .map(|loc| (ml::membership_id.eq(membership), ml::location_id.eq(*loc)))
        .collect();
    diesel::insert_into(ml::table).values(&rows).execute(conn)?;
    Ok(())
}

/// May this person order for `location` of `business`? Only orderers can be limited.
pub fn may_order_for(
    conn: &mut PgConnection,
    business: Uuid,
    user: UserId,
    location: Uuid,
) -> QueryResult<bool> {
    let member: Option<(Uuid, String)> = memberships::table
        .filter(memberships::user_id.eq(user.0))
        .filter(memberships::business_id.eq(business))
        .select((memberships::id, memberships::role))
        .first(conn)
        .optional()?;
    let Some((membership, role)) = member else {
        return Ok(false);
    };
    if role != Role::Orderer.as_str() {
        return Ok(true);
    }
    Ok(rules::may_order_for(
        &assigned_locations(conn, membership)?,
        location,
    ))
}

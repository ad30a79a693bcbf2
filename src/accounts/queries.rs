//! Account SQL: users, sign-up transactions, login attempts, reset tokens.

use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{AccountType, NewUser, OrgRef, SessionUser, User};
use crate::db::lower;
use crate::db::schema::{
    businesses, cart_items, carts, login_attempts, memberships, password_reset_tokens, providers,
    users,
};
use crate::ids::{UserId, new_id};

/// The user with the organisation they act for: the session's chosen membership while it
/// still exists (a removed member falls back at the next click), else their oldest, so the
/// tenant is never arbitrary per request.
pub fn load_session_user(
    conn: &mut PgConnection,
    id: UserId,
    active: Option<Uuid>,
) -> QueryResult<Option<SessionUser>> {
    let query = || {
        users::table
            .left_join(memberships::table.on(memberships::user_id.eq(users::id)))
            .left_join(businesses::table.on(memberships::business_id.eq(businesses::id.nullable())))
            .left_join(providers::table.on(memberships::provider_id.eq(providers::id.nullable())))
            .filter(users::id.eq(id.0))
            .order((memberships::created_at.asc(), memberships::id.asc()))
            .select((
                User::as_select(),
                (
                    users::mfa_enabled_at.is_not_null(),
                    users::email_verified_at.is_not_null(),
                ),
                memberships::id.nullable(),
                memberships::role.nullable(),
                (businesses::id, businesses::name, businesses::status).nullable(),
                (providers::id, providers::name, providers::status).nullable(),
            ))
            .into_boxed()
    };
    let chosen = match active {
        Some(m) => query()
            .filter(memberships::id.eq(m))
            .first::<SessionRow>(conn)
            .optional()?,
        None => None,
    };
    let row = match chosen {
        Some(row) => Some(row),
        None => query().first::<SessionRow>(conn).optional()?,
    };
    let Some((user, (mfa_enabled, email_verified), membership_id, role, business, provider)) = row
    else {
        return Ok(None);
    };
    // The header's cart badge. A second statement rather than a raw-SQL subselect: raw SQL
    // can't be a cached prepared statement, and planning the join on every request cost more
    // than this round trip.
    let cart_items = match &business {
        Some((business_id, _, _)) => cart_items::table
            .inner_join(carts::table)
            .filter(carts::business_id.eq(business_id))
            .count()
            .get_result(conn)?,
        None => 0,
    };
    let unread = crate::notifications::queries::unread(conn, UserId(user.id))?;
    Ok(Some(SessionUser {
        user,
        mfa_enabled,
        email_verified,
        membership_id,
        role,
        cart_items,
        unread,
        business: business.map(|(id, name, status)| OrgRef { id, name, status }),
        provider: provider.map(|(id, name, status)| OrgRef { id, name, status }),
    }))
}

type SessionRow = (
    User,
    (bool, bool),
    Option<Uuid>,
    Option<String>,
    Option<(Uuid, String, String)>,
    Option<(Uuid, String, String)>,
);

pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(lower(users::email).eq(email.to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn email_taken(
    conn: &mut PgConnection,
    email: &str,
    except: Option<UserId>,
) -> QueryResult<bool> {
    Ok(find_by_email(conn, email)?.is_some_and(|u| Some(UserId(u.id)) != except))
}

pub fn insert_user(
    conn: &mut PgConnection,
    email: &str,
    password_hash: &str,
    name: &str,
    kind: AccountType,
) -> QueryResult<UserId> {
    let id = new_id();
    diesel::insert_into(users::table)
        .values(NewUser {
            id,
            email,
            password_hash,
            name,
            account_type: kind.as_str(),
        })
        .execute(conn)?;
    Ok(UserId(id))
}

pub fn insert_membership(
    conn: &mut PgConnection,
    user: UserId,
    business_id: Option<Uuid>,
    provider_id: Option<Uuid>,
    role: &str,
) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::id.eq(new_id()),
            memberships::user_id.eq(user.0),
            memberships::business_id.eq(business_id),
            memberships::provider_id.eq(provider_id),
            memberships::role.eq(role),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn update_profile(
    conn: &mut PgConnection,
    id: UserId,
    name: &str,
    email: &str,
) -> QueryResult<()> {
    let old: String = users::table.find(id.0).select(users::email).first(conn)?;
    diesel::update(users::table.find(id.0))
        .set((users::name.eq(name), users::email.eq(email)))
        .execute(conn)?;
    if !old.eq_ignore_ascii_case(email) {
        // A new address is unconfirmed until its own link is opened.
        diesel::update(users::table.find(id.0))
            .set(users::email_verified_at.eq(None::<time::OffsetDateTime>))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets a new password and ends every existing session; returns the new epoch.
pub fn set_password(conn: &mut PgConnection, id: UserId, password_hash: &str) -> QueryResult<i32> {
    diesel::update(users::table.find(id.0))
        .set((
            users::password_hash.eq(password_hash),
            users::session_epoch.eq(users::session_epoch + 1),
        ))
        .returning(users::session_epoch)
        .get_result(conn)
}

/// Ends every session of the user ("log out everywhere", suspension); returns the new epoch.
pub fn bump_epoch(conn: &mut PgConnection, id: UserId) -> QueryResult<i32> {
    diesel::update(users::table.find(id.0))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .returning(users::session_epoch)
        .get_result(conn)
}

pub fn record_login_attempt(
    conn: &mut PgConnection,
    email: &str,
    ip: &str,
    succeeded: bool,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(new_id()),
            login_attempts::email_lower.eq(email.to_lowercase()),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Times of failed logins since `since` (newest first) that came after the last success,
/// for the account and for the address.
pub fn recent_failures(
    conn: &mut PgConnection,
    email: &str,
    ip: &str,
    since: OffsetDateTime,
) -> QueryResult<(Vec<OffsetDateTime>, Vec<OffsetDateTime>)> {
    let email = email.to_lowercase();
    let last_success: Option<OffsetDateTime> = login_attempts::table
        .filter(login_attempts::email_lower.eq(&email))
        .filter(login_attempts::succeeded.eq(true))
        .filter(login_attempts::created_at.gt(since))
        .select(diesel::dsl::max(login_attempts::created_at))
        .first(conn)?;
    let from = last_success.map_or(since, |t| t.max(since));
    let by_account = login_attempts::table
        .filter(login_attempts::email_lower.eq(&email))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::created_at.gt(from))
        .order(login_attempts::created_at.desc())
        .limit(50)
        .select(login_attempts::created_at)
        .load(conn)?;
    let by_ip = login_attempts::table
        .filter(login_attempts::ip.eq(ip))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::created_at.gt(since))
        .order(login_attempts::created_at.desc())
        .limit(200)
        .select(login_attempts::created_at)
        .load(conn)?;
    Ok((by_account, by_ip))
}

pub fn insert_reset_token(
    conn: &mut PgConnection,
    user: UserId,
    token_hash: &[u8],
    expires_at: OffsetDateTime,
) -> QueryResult<()> {
    diesel::insert_into(password_reset_tokens::table)
        .values((
            password_reset_tokens::id.eq(new_id()),
            password_reset_tokens::user_id.eq(user.0),
            password_reset_tokens::token_hash.eq(token_hash),
            password_reset_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The user a live (unused, unexpired) token belongs to.
pub fn live_reset_token(conn: &mut PgConnection, token_hash: &[u8]) -> QueryResult<Option<UserId>> {
    password_reset_tokens::table
        .filter(password_reset_tokens::token_hash.eq(token_hash))
        .filter(password_reset_tokens::used_at.is_null())
        .filter(password_reset_tokens::expires_at.gt(diesel::dsl::now))
        .select(password_reset_tokens::user_id)
        .first(conn)
        .optional()
        .map(|id| id.map(UserId))
}

/// Marks the token used, once: a second caller gets `None`. Other live tokens of the same
/// user die with it.
pub fn consume_reset_token(
    conn: &mut PgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<UserId>> {
    let user: Option<Uuid> = diesel::update(
        password_reset_tokens::table
            .filter(password_reset_tokens::token_hash.eq(token_hash))
            .filter(password_reset_tokens::used_at.is_null())
            .filter(password_reset_tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(password_reset_tokens::used_at.eq(diesel::dsl::now))
    .returning(password_reset_tokens::user_id)
    .get_result(conn)
    .optional()?;
    if let Some(user) = user {
        diesel::update(
            password_reset_tokens::table
                .filter(password_reset_tokens::user_id.eq(user))
                .filter(password_reset_tokens::used_at.is_null()),
        )
        .set(password_reset_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)?;
    }
    Ok(user.map(UserId))
}

/// Counts this address's recent `action`s and, if it may make one more, records it; false
/// when it is over its limit. One transaction, so concurrent requests can't all slip past.
pub fn take_request_allowance(
    conn: &mut PgConnection,
    action: super::throttle::Action,
    client: &str,
    now: time::OffsetDateTime,
) -> QueryResult<bool> {
    use crate::db::schema::throttled_requests as t;
    conn.transaction(|conn| {
        // Serialise per address and action, so the count and the insert agree.
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(format!("{}:{client}", action.name()))
            .execute(conn)?;
        let recent: i64 = t::table
            .filter(t::action.eq(action.name()))
            .filter(t::client.eq(client))
            .filter(t::created_at.gt(now - super::throttle::REQUEST_WINDOW))
            .count()
            .get_result(conn)?;
        let recent = usize::try_from(recent).unwrap_or(usize::MAX);
        if !super::throttle::request_allowed(action, recent) {
            return Ok(false);
        }
        diesel::insert_into(t::table)
            .values((t::action.eq(action.name()), t::client.eq(client)))
            .execute(conn)?;
        Ok(true)
    })
}

/// Reset links sent to this account since `since`.
pub fn resets_since(
    conn: &mut PgConnection,
    user: UserId,
    since: time::OffsetDateTime,
) -> QueryResult<i64> {
    use crate::db::schema::password_reset_tokens as r;
    r::table
        .filter(r::user_id.eq(user.0))
        .filter(r::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// Two-step verification state: (secret, pending secret, last step used).
pub type MfaState = (Option<Vec<u8>>, Option<Vec<u8>>, Option<i64>);

pub fn mfa_state(conn: &mut PgConnection, user: UserId) -> QueryResult<MfaState> {
    users::table
        .find(user.0)
        .select((
            users::mfa_secret,
            users::mfa_pending_secret,
            users::mfa_last_step,
        ))
        .first(conn)
}

pub fn set_pending_secret(conn: &mut PgConnection, user: UserId, secret: &[u8]) -> QueryResult<()> {
    diesel::update(users::table.find(user.0))
        .set(users::mfa_pending_secret.eq(Some(secret)))
        .execute(conn)
        .map(|_| ())
}

/// Turns two-step verification on with the pending secret and fresh recovery codes.
pub fn enable_mfa(
    conn: &mut PgConnection,
    user: UserId,
    secret: &[u8],
    step: i64,
    recovery_hashes: &[Vec<u8>],
) -> QueryResult<()> {
    use crate::db::schema::mfa_recovery_codes as codes;
    diesel::update(users::table.find(user.0))
        .set((
            users::mfa_secret.eq(Some(secret)),
            users::mfa_pending_secret.eq(None::<Vec<u8>>),
            users::mfa_enabled_at.eq(Some(time::OffsetDateTime::now_utc())),
            users::mfa_last_step.eq(Some(step)),
        ))
        .execute(conn)?;
    diesel::delete(codes::table.filter(codes::user_id.eq(user.0))).execute(conn)?;
    let rows: Vec<_> = recovery_hashes
        .iter()
        .map(|h| {
            (
                codes::id.eq(new_id()),
                codes::user_id.eq(user.0),
                codes::code_hash.eq(h.clone()),
            )
        })
        .collect();
    diesel::insert_into(codes::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

pub fn disable_mfa(conn: &mut PgConnection, user: UserId) -> QueryResult<()> {
    use crate::db::schema::mfa_recovery_codes as codes;
    diesel::update(users::table.find(user.0))
        .set((
            users::mfa_secret.eq(None::<Vec<u8>>),
            users::mfa_pending_secret.eq(None::<Vec<u8>>),
            users::mfa_enabled_at.eq(None::<time::OffsetDateTime>),
            users::mfa_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    diesel::delete(codes::table.filter(codes::user_id.eq(user.0))).execute(conn)?;
    Ok(())
}

/// Records `step` as used, only if it is newer than the last: two requests racing with the
/// same code can't both pass.
pub fn take_step(conn: &mut PgConnection, user: UserId, step: i64) -> QueryResult<bool> {
    let updated = diesel::update(
        users::table.find(user.0).filter(
            users::mfa_last_step
                .is_null()
                .or(users::mfa_last_step.lt(step)),
        ),
    )
    .set(users::mfa_last_step.eq(Some(step)))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Uses a recovery code, once.
pub fn take_recovery_code(conn: &mut PgConnection, user: UserId, hash: &[u8]) -> QueryResult<bool> {
    use crate::db::schema::mfa_recovery_codes as codes;
    let updated = diesel::update(
        codes::table
            .filter(codes::user_id.eq(user.0))
            .filter(codes::code_hash.eq(hash))
            .filter(codes::used_at.is_null()),
    )
    .set(codes::used_at.eq(Some(time::OffsetDateTime::now_utc())))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn recovery_codes_left(conn: &mut PgConnection, user: UserId) -> QueryResult<i64> {
    use crate::db::schema::mfa_recovery_codes as codes;
    codes::table
        .filter(codes::user_id.eq(user.0))
        .filter(codes::used_at.is_null())
        .count()
        .get_result(conn)
}

pub fn mfa_failures_since(
    conn: &mut PgConnection,
    user: UserId,
    since: time::OffsetDateTime,
) -> QueryResult<i64> {
    use crate::db::schema::mfa_failures as f;
    f::table
        .filter(f::user_id.eq(user.0))
        .filter(f::created_at.ge(since))
        .count()
        .get_result(conn)
}

pub fn record_mfa_failure(conn: &mut PgConnection, user: UserId) -> QueryResult<()> {
    use crate::db::schema::mfa_failures as f;
    diesel::insert_into(f::table)
        .values((f::id.eq(new_id()), f::user_id.eq(user.0)))
        .execute(conn)
        .map(|_| ())
}

//! Sign-up and login as transactions over the account, business and provider queries.

use diesel::prelude::*;
use time::OffsetDateTime;

use super::forms::{BuyerSignup, Person, ProviderSignup};
use super::model::{AccountType, User};
use super::{password, queries, throttle};
use crate::businesses::queries as businesses;
use crate::config::Argon2Cost;
use crate::ids::UserId;
use crate::providers::queries as providers;
use crate::web::AppError;

pub enum SignupOutcome {
    Created(UserId),
    EmailTaken,
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

fn create_user(
    conn: &mut PgConnection,
    person: &Person,
    kind: AccountType,
    cost: Argon2Cost,
) -> Result<Option<UserId>, AppError> {
    if queries::email_taken(conn, &person.email, None)? {
        return Ok(None);
    }
    let hash = password::hash(&person.password, cost)?;
    match queries::insert_user(conn, &person.email, &hash, &person.name, kind) {
        Ok(id) => Ok(Some(id)),
        // Two sign-ups with one address at the same moment: the second loses here.
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// User, business, first location and owner membership, all or nothing.
pub fn sign_up_buyer(
    conn: &mut PgConnection,
    signup: &BuyerSignup,
    cost: Argon2Cost,
) -> Result<SignupOutcome, AppError> {
    conn.transaction(|conn| {
        let Some(user) = create_user(conn, &signup.person, AccountType::Buyer, cost)? else {
            return Ok(SignupOutcome::EmailTaken);
        };
        let business =
            businesses::insert_business(conn, &signup.business_name, signup.vat_number.as_deref())?;
        businesses::insert_location(conn, business, &signup.location)?;
        queries::insert_membership(conn, user, Some(business.0), None, "owner")?;
        Ok(SignupOutcome::Created(user))
    })
}

/// User, provider profile and owner membership, all or nothing.
pub fn sign_up_provider(
    conn: &mut PgConnection,
    signup: &ProviderSignup,
    cost: Argon2Cost,
) -> Result<SignupOutcome, AppError> {
    conn.transaction(|conn| {
        let Some(user) = create_user(conn, &signup.person, AccountType::Provider, cost)? else {
            return Ok(SignupOutcome::EmailTaken);
        };
        let provider = providers::insert_provider(conn, &signup.profile)?;
        queries::insert_membership(conn, user, None, Some(provider.0), "owner")?;
        Ok(SignupOutcome::Created(user))
    })
}

pub enum LoginOutcome {
    LoggedIn(User),
    WrongCredentials,
    Suspended,
    Locked { minutes: String },
}

pub fn log_in(
    conn: &mut PgConnection,
    email: &str,
    pw: &str,
    ip: &str,
    cost: Argon2Cost,
) -> Result<LoginOutcome, AppError> {
    let now = OffsetDateTime::now_utc();
    let (by_account, by_ip) = queries::recent_failures(conn, email, ip, now - throttle::WINDOW)?;
    if let Some(wait) = throttle::lockout(now, &by_account, &by_ip) {
        return Ok(LoginOutcome::Locked {
            minutes: throttle::minutes_text(wait),
        });
    }
    let user = queries::find_by_email(conn, email)?;
    let matches = match &user {
        Some(u) => password::verify(pw, &u.password_hash, cost),
        None => {
            password::verify_against_dummy(pw, cost);
            false
        }
    };
    queries::record_login_attempt(conn, email, ip, matches)?;
    Ok(match user {
        Some(u) if matches && u.is_active() => LoginOutcome::LoggedIn(u),
        Some(_) if matches => LoginOutcome::Suspended,
        _ => LoginOutcome::WrongCredentials,
    })
}

//! Sign-up and login as transactions over the account, business and provider queries.

use diesel::prelude::*;
use time::OffsetDateTime;

use super::forms::{BuyerSignup, Person, ProviderSignup};
use super::model::{AccountType, User};
use super::{queries, throttle};
use crate::businesses::queries as businesses;
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
    hash: &str,
) -> Result<Option<UserId>, AppError> {
    if queries::email_taken(conn, &person.email, None)? {
        return Ok(None);
    }
    match queries::insert_user(conn, &person.email, hash, &person.name, kind) {
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
    hash: &str,
    base_url: &str,
) -> Result<SignupOutcome, AppError> {
    conn.transaction(|conn| {
        let Some(user) = create_user(conn, &signup.person, AccountType::Buyer, hash)? else {
            return Ok(SignupOutcome::EmailTaken);
        };
        let business =
            businesses::insert_business(conn, &signup.business_name, signup.vat_number.as_deref())?;
        businesses::insert_location(conn, business, &signup.location)?;
        queries::insert_membership(conn, user, Some(business.0), None, "owner")?;
        for kind in [
            crate::analytics::Kind::Signup,
            crate::analytics::Kind::BusinessAdded,
        ] {
            let about = crate::analytics::About {
                user: Some(user.0),
                business: Some(business.0),
                ..Default::default()
            };
            crate::analytics::record(conn, kind, about)?;
        }
        let p = &signup.person;
        super::verify::send(conn, user, &p.name, &p.email, base_url)?;
        Ok(SignupOutcome::Created(user))
    })
}

/// User, provider profile and owner membership, all or nothing.
pub fn sign_up_provider(
    conn: &mut PgConnection,
    signup: &ProviderSignup,
    hash: &str,
    base_url: &str,
) -> Result<SignupOutcome, AppError> {
    conn.transaction(|conn| {
        let Some(user) = create_user(conn, &signup.person, AccountType::Provider, hash)? else {
            return Ok(SignupOutcome::EmailTaken);
        };
        let provider = providers::insert_provider(conn, &signup.profile)?;
        queries::insert_membership(conn, user, None, Some(provider.0), "owner")?;
        let about = crate::analytics::About {
            user: Some(user.0),
            provider: Some(provider.0),
            ..Default::default()
        };
        crate::analytics::record(conn, crate::analytics::Kind::Signup, about)?;
        let p = &signup.person;
        super::verify::send(conn, user, &p.name, &p.email, base_url)?;
        Ok(SignupOutcome::Created(user))
    })
}

pub enum LoginOutcome {
    LoggedIn(User),
    WrongCredentials,
    Suspended,
    Locked { minutes: String },
}

/// Before the (slow, connection-free) password check: locked out, or the account to check.
pub enum Precheck {
    Locked { minutes: String },
    Candidate(Option<User>),
}

pub fn login_precheck(
    conn: &mut PgConnection,
    email: &str,
    ip: &str,
) -> Result<Precheck, AppError> {
    let now = OffsetDateTime::now_utc();
    let (by_account, by_ip) = queries::recent_failures(conn, email, ip, now - throttle::WINDOW)?;
    if let Some(wait) = throttle::lockout(now, &by_account, &by_ip) {
        return Ok(Precheck::Locked {
            minutes: throttle::minutes_text(wait),
        });
    }
    Ok(Precheck::Candidate(queries::find_by_email(conn, email)?))
}

/// Records the attempt and says how it ended, once the password has been checked.
pub fn finish_login(
    conn: &mut PgConnection,
    email: &str,
    ip: &str,
    user: Option<User>,
    matches: bool,
) -> Result<LoginOutcome, AppError> {
    queries::record_login_attempt(conn, email, ip, matches)?;
    Ok(match user {
        Some(u) if matches && u.is_active() => LoginOutcome::LoggedIn(u),
        Some(_) if matches => LoginOutcome::Suspended,
        _ => LoginOutcome::WrongCredentials,
    })
}

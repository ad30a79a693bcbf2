//! Confirming an email address: a single-use link, valid for two days, sent at sign-up and
//! when the address changes. A buyer confirms before their first order; following a team
//! invite confirms the address by itself.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use time::{Duration, OffsetDateTime};

use crate::config::Config;
use crate::db::DbPool;
use crate::db::schema::{email_verifications as ev, users};
use crate::email::{self, OutgoingEmail};
use crate::ids::{UserId, new_id};
use crate::tenancy::{CurrentUser, Viewer};
use crate::web::session::FlashKind;
use crate::web::{AppError, see_other, with_conn};

pub const LINK_LIFETIME: Duration = Duration::days(2);
/// Links one account may ask for in an hour.
const RESENDS_PER_HOUR: i64 = 3;

#[derive(Template)]
#[template(path = "emails/verify_email.txt")]
struct VerifyText<'a> {
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/verify_email.html")]
struct VerifyHtml<'a> {
    name: &'a str,
    link: &'a str,
}

/// Queues a confirmation link for `email`, in the caller's transaction.
pub fn send(
    conn: &mut PgConnection,
    user: UserId,
    name: &str,
    email: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let token = super::tokens::new_token();
    let hash = super::tokens::hash(&token);
    diesel::insert_into(ev::table)
        .values((
            ev::id.eq(new_id()),
            ev::user_id.eq(user.0),
            ev::email.eq(email),
            ev::token_hash.eq(&hash),
            ev::expires_at.eq(OffsetDateTime::now_utc() + LINK_LIFETIME),
        ))
        .execute(conn)?;
    let link = format!("{base_url}/verify-email/{token}");
    let message = OutgoingEmail {
        to: email.to_owned(),
        subject: "Confirm your email address for Larder".into(),
        text: VerifyText { name, link: &link }.render()?,
        html: VerifyHtml { name, link: &link }.render()?,
    };
    // Each link is its own email; the key names it (and lets tests find it).
    email::queue(
        conn,
        &message,
        &format!("verify:{}", hex::encode(&hash[..8])),
    )
}

pub fn mark_verified(conn: &mut PgConnection, user: UserId) -> QueryResult<()> {
    diesel::update(users::table.find(user.0))
        .set(users::email_verified_at.eq(Some(OffsetDateTime::now_utc())))
        .execute(conn)
        .map(|_| ())
}

/// Following the link: confirms the address it was sent to, if it is still the account's.
pub async fn confirm(
    viewer: Viewer,
    pool: web::Data<DbPool>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let hash = super::tokens::hash(&token.into_inner());
    let now = OffsetDateTime::now_utc();
    let confirmed = with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let found: Option<(uuid::Uuid, uuid::Uuid, String)> = ev::table
                .filter(ev::token_hash.eq(&hash))
                .filter(ev::used_at.is_null())
                .filter(ev::expires_at.gt(now))
                .select((ev::id, ev::user_id, ev::email))
                .for_update()
                .first(conn)
                .optional()?;
            let Some((id, user, email)) = found else {
                return Ok::<_, AppError>(false);
            };
            let current: String = users::table.find(user).select(users::email).first(conn)?;
            if !current.eq_ignore_ascii_case(&email) {
                return Ok(false);
            }
            diesel::update(ev::table.find(id))
                .set(ev::used_at.eq(Some(now)))
                .execute(conn)?;
            mark_verified(conn, UserId(user))?;
            Ok(true)
        })
    })
    .await?;
    let home = match &viewer.user {
        Some(u) => u.account_type_home(),
        None => "/login",
    };
    if confirmed {
        viewer
            .session
            .flash(FlashKind::Ok, "Thank you: your email address is confirmed.");
    } else {
        viewer.session.flash(
            FlashKind::Error,
            "That link has expired or was already used. Ask for a new one on your account page.",
        );
    }
    Ok(see_other(home))
}

/// Sends a fresh link, at most three an hour.
pub async fn resend(
    user: CurrentUser,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    if user.loaded.email_verified {
        user.session
            .flash(FlashKind::Ok, "Your email address is already confirmed.");
        return Ok(see_other("/account"));
    }
    let (id, name, email, base) = (
        user.id,
        user.name.clone(),
        user.email.clone(),
        config.base_url.clone(),
    );
    let sent = with_conn(&pool, move |conn| {
        let recent: i64 = ev::table
            .filter(ev::user_id.eq(id.0))
            .filter(ev::created_at.gt(OffsetDateTime::now_utc() - Duration::hours(1)))
            .count()
            .get_result(conn)?;
        if recent >= RESENDS_PER_HOUR {
            return Ok(false);
        }
        send(conn, id, &name, &email, &base)?;
        Ok(true)
    })
    .await?;
    if sent {
        user.session.flash(
            FlashKind::Ok,
            format!("We've sent a new link to {}.", user.email),
        );
    } else {
        user.session.flash(
            FlashKind::Error,
            "We've sent three links in the last hour. Check your spam folder, or try again later.",
        );
    }
    Ok(see_other("/account"))
}

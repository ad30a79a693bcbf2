//! Two-step verification pages: setting it up (QR code, secret, first code, recovery
//! codes shown once), turning it off, and the login's second step. Changing it asks for the
//! password again, and the account's address is told either way.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::OffsetDateTime;

use super::mfa::{self, CodeCheck};
use super::{hashing, queries};
use crate::audit::{Actor, Entry};
use crate::config::Config;
use crate::db::DbPool;
use crate::email::{self, OutgoingEmail};
use crate::ids::UserId;
use crate::tenancy::{CurrentUser, Viewer};
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

#[derive(Debug, Deserialize, Default)]
pub struct SetupQuery {
    required: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    pub password: String,
}

#[derive(Template)]
#[template(path = "accounts/mfa.html")]
struct MfaPage {
    meta: PageMeta,
    enabled: bool,
    required: bool,
    /// While setting up: the QR code (inline SVG) and the secret to type instead.
    qr: String,
    secret: String,
    codes_left: i64,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/mfa_codes.html")]
struct CodesPage {
    meta: PageMeta,
    codes: Vec<String>,
}

#[derive(Template)]
#[template(path = "accounts/login_mfa.html")]
struct SecondStepPage {
    meta: PageMeta,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "emails/mfa_changed.txt")]
struct ChangedText<'a> {
    name: &'a str,
    what: &'a str,
}

async fn setup_page(
    user: &CurrentUser,
    pool: &web::Data<DbPool>,
    required: bool,
    problem: Option<String>,
) -> Result<HttpResponse, AppError> {
    let id = user.id;
    let (enabled, secret, codes_left) = with_conn(pool, move |conn| {
        let (secret, pending, _) = queries::mfa_state(conn, id)?;
        if secret.is_some() {
            return Ok((true, Vec::new(), queries::recovery_codes_left(conn, id)?));
        }
        let pending = match pending {
            Some(p) => p,
            None => {
                let fresh = mfa::new_secret().to_vec();
                queries::set_pending_secret(conn, id, &fresh)?;
                fresh
            }
        };
        Ok((false, pending, 0))
    })
    .await?;
    let (qr, shown) = if enabled {
        (String::new(), String::new())
    } else {
        let url = mfa::otpauth_url(&secret, &user.email);
        (mfa::qr_svg(&url).unwrap_or_default(), mfa::base32(&secret))
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(
        status,
        &MfaPage {
            meta: user.meta("Two-step verification"),
            enabled,
            required,
            qr,
            secret: shown,
            codes_left,
            problem,
        },
    )
}

pub async fn mfa_page(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<SetupQuery>,
) -> Result<HttpResponse, AppError> {
    setup_page(&user, &pool, query.required.is_some(), None).await
}

async fn password_ok(
    user: &CurrentUser,
    config: &Config,
    password: &str,
) -> Result<bool, AppError> {
    let stored = Some(user.loaded.user.password_hash.clone());
    hashing::verify(password.to_owned(), stored, config.argon2).await
}

#[derive(Template)]
#[template(path = "emails/mfa_changed.html")]
struct ChangedHtml<'a> {
    name: &'a str,
    what: &'a str,
}

/// "Two-step verification turned on/off" to the account's own address.
fn changed_email(to: String, name: &str, what: &str) -> Result<OutgoingEmail, AppError> {
    Ok(OutgoingEmail {
        to,
        subject: format!("Larder: two-step verification {what}"),
        text: ChangedText { name, what }.render()?,
        html: ChangedHtml { name, what }.render()?,
    })
}

/// Turns it on: the password again and a code from the new secret.
pub async fn enable(
    user: CurrentUser,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    if !password_ok(&user, &config, &form.password).await? {
        return setup_page(
            &user,
            &pool,
            false,
            Some("That password isn't right.".into()),
        )
        .await;
    }
    let (id, now) = (user.id, OffsetDateTime::now_utc());
    let codes = mfa::new_recovery_codes();
    let hashes: Vec<Vec<u8>> = codes.iter().map(|c| mfa::recovery_hash(c)).collect();
    let actor = user.actor.clone();
    let name = user.name.clone();
    let email_to = user.email.clone();
    let outcome = with_conn(&pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            let (secret, pending, _) = queries::mfa_state(conn, id)?;
            if secret.is_some() {
                return Ok(Err("Two-step verification is already on."));
            }
            let Some(pending) = pending else {
                return Ok(Err("Reload the page to get a new code to scan."));
            };
            let step = match mfa::check_code(&pending, &form.code, now, None) {
                CodeCheck::Accepted(step) => step,
                _ => {
                    return Ok(Err(
                        "That code isn't right. Type the 6 digits your app shows now.",
                    ));
                }
            };
            queries::enable_mfa(conn, id, &pending, step, &hashes)?;
            crate::audit::record(
                conn,
                &actor,
                Entry::new("account.mfa_enabled", "user", Some(id.0)),
            )?;
            email::queue_undeduplicated(conn, &changed_email(email_to, &name, "turned on")?)?;
            Ok(Ok(()))
        })
    })
    .await?;
    if let Err(why) = outcome {
        return setup_page(&user, &pool, false, Some(why.into())).await;
    }
    render(&CodesPage {
        meta: user.meta("Your recovery codes"),
        codes,
    })
}

/// Checks a TOTP or recovery code for `user` and uses it up; counts a failure otherwise.
pub(super) fn second_factor(
    conn: &mut diesel::PgConnection,
    user: UserId,
    typed: &str,
    now: OffsetDateTime,
) -> Result<Result<(), String>, AppError> {
    let failures = queries::mfa_failures_since(conn, user, now - mfa::FAILURE_WINDOW)?;
    if failures >= mfa::MAX_FAILURES {
        return Ok(Err(
            "Too many wrong codes. Wait 15 minutes, then try again.".into(),
        ));
    }
    let (secret, _, last) = queries::mfa_state(conn, user)?;
    let Some(secret) = secret else {
        return Ok(Ok(()));
    };
    let passed = match mfa::check_code(&secret, typed, now, last) {
        CodeCheck::Accepted(step) => queries::take_step(conn, user, step)?,
        CodeCheck::Replayed => false,
        CodeCheck::Wrong => {
            typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 8
                && queries::take_recovery_code(conn, user, &mfa::recovery_hash(typed))?
        }
    };
    if passed {
        return Ok(Ok(()));
    }
    queries::record_mfa_failure(conn, user)?;
    Ok(Err(
        "That code isn't right, or was already used. Type the 6 digits your app shows now, or a recovery code.".into(),
    ))
}

/// Turns it off: the password again and a current code (or a recovery code).
pub async fn disable(
    user: CurrentUser,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    if !password_ok(&user, &config, &form.password).await? {
        return setup_page(
            &user,
            &pool,
            false,
            Some("That password isn't right.".into()),
        )
        .await;
    }
    let (id, now) = (user.id, OffsetDateTime::now_utc());
    let actor: Actor = user.actor.clone();
    let checked = with_conn(&pool, move |conn| {
        // A wrong code's failure is counted even though nothing else changes.
        let checked = second_factor(conn, id, &form.code, now)?;
        if checked.is_ok() {
            use diesel::Connection;
            conn.transaction(|conn| {
                queries::disable_mfa(conn, id)?;
                crate::audit::record(
                    conn,
                    &actor,
                    Entry::new("account.mfa_disabled", "user", Some(id.0)),
                )?;
                Ok::<_, AppError>(())
            })?;
        }
        Ok(checked)
    })
    .await?;
    if let Err(why) = checked {
        return setup_page(&user, &pool, false, Some(why)).await;
    }
    with_conn(&pool, {
        let user_email = user.email.clone();
        let name = user.name.clone();
        move |conn| {
            email::queue_undeduplicated(conn, &changed_email(user_email, &name, "turned off")?)
        }
    })
    .await?;
    user.session
        .flash(FlashKind::Ok, "Two-step verification is off.");
    Ok(see_other("/account"))
}

pub async fn second_step_page(viewer: Viewer) -> Result<HttpResponse, AppError> {
    if viewer.session.mfa_pending().is_none() {
        return Ok(see_other("/login"));
    }
    render(&SecondStepPage {
        meta: viewer.meta("Two-step verification"),
        problem: None,
    })
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SecondStepForm {
    pub code: String,
}

pub async fn second_step(
    viewer: Viewer,
    pool: web::Data<DbPool>,
    Form(form): Form<SecondStepForm>,
) -> Result<HttpResponse, AppError> {
    let Some((user, epoch, next)) = viewer.session.mfa_pending() else {
        viewer
            .session
            .flash(FlashKind::Error, "That took too long: log in again.");
        return Ok(see_other("/login"));
    };
    let now = OffsetDateTime::now_utc();
    let checked = with_conn(&pool, move |conn| {
        second_factor(conn, user, &form.code, now)
    })
    .await?;
    match checked {
        Ok(()) => {
            viewer.session.log_in(user, epoch);
            let next = super::forms::safe_next(&next).unwrap_or("/").to_owned();
            Ok(see_other(&next))
        }
        Err(why) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &SecondStepPage {
                meta: viewer.meta("Two-step verification"),
                problem: Some(why),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_changed_email_names_what_changed() {
        use askama::Template;
        let text = super::ChangedText {
            name: "Ada",
            what: "turned off",
        }
        .render()
        .unwrap();
        assert!(text.contains("turned off"));
    }
}

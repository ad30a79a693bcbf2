//! The account page: name and email, password change, log out everywhere.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::forms::{AccountForm, PasswordChangeForm, new_password};
use super::views::{AccountPage, EmailChangedHtml, EmailChangedText};
use super::{hashing, queries};
use crate::config::Config;
use crate::db::DbPool;
use crate::email::{self, OutgoingEmail};
use crate::tenancy::CurrentUser;
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, render, render_with_status, see_other, with_conn};
use askama::Template;

/// With two-step verification on, a sensitive change needs a current code (or a recovery
/// code) as well as the password: a stolen password alone can't take the account over.
async fn second_step(
    user: &CurrentUser,
    pool: &web::Data<DbPool>,
    code: &str,
) -> Result<Result<(), String>, AppError> {
    if !user.loaded.mfa_enabled {
        return Ok(Ok(()));
    }
    let (id, code) = (user.id, code.to_owned());
    let now = time::OffsetDateTime::now_utc();
    with_conn(pool, move |conn| {
        super::mfa_handlers::second_factor(conn, id, &code, now)
    })
    .await
}

pub async fn account_page(user: CurrentUser) -> Result<HttpResponse, AppError> {
    render(&AccountPage {
        meta: user.meta("Your account"),
        mfa: user.loaded.mfa_enabled,
        verified: user.loaded.email_verified,
        form: AccountForm {
            name: user.name.clone(),
            email: user.email.clone(),
            ..AccountForm::default()
        },
        errors: FieldErrors::new(),
        password_errors: FieldErrors::new(),
    })
}

/// Saves name and email. Changing the login email asks for the password (a session left
/// open on a shared computer must not be enough to take the account over), tells the old
/// address, and ends every other session.
pub async fn update_account(
    user: CurrentUser,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let invalid = |form: AccountForm, errors| {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                meta: user.meta("Your account"),
                mfa: user.loaded.mfa_enabled,
                verified: user.loaded.email_verified,
                form: AccountForm {
                    password_check: String::new(),
                    code: String::new(),
                    ..form
                },
                errors,
                password_errors: FieldErrors::new(),
            },
        )
    };
    let (name, email) = match form.parse() {
        Ok(v) => v,
        Err(errors) => return invalid(form, errors),
    };
    let changing_email = !email.eq_ignore_ascii_case(&user.email);
    if changing_email {
        let stored = user.loaded.user.password_hash.clone();
        let password = form.password_check.clone();
        if password.is_empty() || !hashing::verify(password, Some(stored), config.argon2).await? {
            let mut errors = FieldErrors::new();
            errors.add(
                "password_check",
                "Enter your current password to change your login email.",
            );
            return invalid(form, errors);
        }
        if let Err(why) = second_step(&user, &pool, &form.code).await? {
            let mut errors = FieldErrors::new();
            errors.add("code", why);
            return invalid(form, errors);
        }
    }
    let (id, old_email, old_name) = (user.id, user.email.clone(), user.name.clone());
    let reset_link = format!("{}/password-reset", config.base_url);
    let base_url = config.base_url.clone();
    let saved = with_conn(&pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            if queries::email_taken(conn, &email, Some(id))? {
                return Ok(None);
            }
            queries::update_profile(conn, id, &name, &email)?;
            if !changing_email {
                return Ok(Some(None));
            }
            let epoch = queries::bump_epoch(conn, id)?;
            let message = OutgoingEmail {
                to: old_email.clone(),
                subject: "Your Larder login email was changed".into(),
                text: EmailChangedText {
                    name: &old_name,
                    new_email: &email,
                    reset_link: &reset_link,
                }
                .render()?,
                html: EmailChangedHtml {
                    name: &old_name,
                    new_email: &email,
                    reset_link: &reset_link,
                }
                .render()?,
            };
            email::queue(conn, &message, &format!("email-changed:{}:{epoch}", id.0))?;
            super::verify::send(conn, id, &name, &email, &base_url)?;
            Ok(Some(Some(epoch)))
        })
    })
    .await?;
    match saved {
        None => {
            let mut errors = FieldErrors::new();
            errors.add("email", "Another account already uses this email.");
            invalid(form, errors)
        }
        Some(epoch) => {
            if let Some(epoch) = epoch {
                // Every other session ends with the epoch bump; this one carries on.
                user.session.log_in(id, epoch);
            }
            user.session.flash(
                FlashKind::Ok,
                if epoch.is_some() {
                    "Your details are saved. We told your old address, and logged out your other devices."
                } else {
                    "Your details are saved."
                },
            );
            Ok(see_other("/account"))
        }
    }
}

pub async fn change_password(
    user: CurrentUser,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<PasswordChangeForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    new_password(
        &mut errors,
        &form.new_password,
        &form.confirm_password,
        &user.email,
    );
    let (id, cost, stored) = (
        user.id,
        config.argon2,
        user.loaded.user.password_hash.clone(),
    );
    let current = form.current_password.clone();
    let new = form.new_password.clone();
    if !hashing::verify(current, Some(stored), cost).await? {
        errors.add("current_password", "That isn't your current password.");
    } else if errors.is_empty() {
        if let Err(why) = second_step(&user, &pool, &form.password_code).await? {
            errors.add("password_code", why);
        }
    }
    let outcome = if errors.is_empty() {
        let hash = hashing::hash(new, cost).await?;
        Ok(with_conn(&pool, move |conn| {
            Ok(queries::set_password(conn, id, &hash)?)
        })
        .await?)
    } else {
        Err(errors)
    };
    match outcome {
        Ok(epoch) => {
            // Every other session ends with the epoch bump; this one carries on.
            user.session.log_in(id, epoch);
            user.session.flash(
                FlashKind::Ok,
                "Password changed. Other devices have been logged out.",
            );
            Ok(see_other("/account"))
        }
        Err(password_errors) => render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                meta: user.meta("Your account"),
                mfa: user.loaded.mfa_enabled,
                verified: user.loaded.email_verified,
                form: AccountForm {
                    name: user.name.clone(),
                    email: user.email.clone(),
                    ..AccountForm::default()
                },
                errors: FieldErrors::new(),
                password_errors,
            },
        ),
    }
}

pub async fn logout_everywhere(
    user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let id = user.id;
    with_conn(&pool, move |conn| Ok(queries::bump_epoch(conn, id)?)).await?;
    user.session.log_out();
    user.session
        .flash(FlashKind::Ok, "You have been logged out on every device.");
    Ok(see_other("/login"))
}

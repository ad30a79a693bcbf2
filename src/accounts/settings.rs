//! The account page: name and email, password change, log out everywhere.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::forms::{AccountForm, PasswordChangeForm, new_password};
use super::views::AccountPage;
use super::{password, queries};
use crate::config::Config;
use crate::db::DbPool;
use crate::web::auth::CurrentUser;
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, render, render_with_status, see_other, with_conn};

pub async fn account_page(user: CurrentUser) -> Result<HttpResponse, AppError> {
    render(&AccountPage {
        meta: user.meta("Your account"),
        form: AccountForm {
            name: user.name.clone(),
            email: user.email.clone(),
        },
        errors: FieldErrors::new(),
        password_errors: FieldErrors::new(),
    })
}

pub async fn update_account(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    Form(form): Form<AccountForm>,
) -> Result<HttpResponse, AppError> {
    let invalid = |form: AccountForm, errors| {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &AccountPage {
                meta: user.meta("Your account"),
                form,
                errors,
                password_errors: FieldErrors::new(),
            },
        )
    };
    let (name, email) = match form.parse() {
        Ok(v) => v,
        Err(errors) => return invalid(form, errors),
    };
    let id = user.id;
    let taken = with_conn(&pool, move |conn| {
        if queries::email_taken(conn, &email, Some(id))? {
            return Ok(true);
        }
        queries::update_profile(conn, id, &name, &email)?;
        Ok(false)
    })
    .await?;
    if taken {
        let mut errors = FieldErrors::new();
        errors.add("email", "Another account already uses this email.");
        return invalid(form, errors);
    }
    user.session.flash(FlashKind::Ok, "Your details are saved.");
    Ok(see_other("/account"))
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
    let outcome = with_conn(&pool, move |conn| {
        if !password::verify(&current, &stored, cost) {
            errors.add("current_password", "That isn't your current password.");
        }
        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        let hash = password::hash(&new, cost)?;
        Ok(Ok(queries::set_password(conn, id, &hash)?))
    })
    .await?;
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
                form: AccountForm {
                    name: user.name.clone(),
                    email: user.email.clone(),
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

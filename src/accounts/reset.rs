//! Password reset by email: a single-use token valid for an hour, stored only as a hash.
//! The request page answers the same whether or not the address has an account.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use time::{Duration, OffsetDateTime};

use super::forms::{ResetForm, ResetRequestForm, new_password};
use super::views::{ResetEmailHtml, ResetEmailText, ResetFormPage, ResetRequestPage};
use super::{hashing, queries, throttle};
use crate::config::Config;
use crate::db::DbPool;
use crate::email::{self, OutgoingEmail};
use crate::ids::UserId;
use crate::tenancy::Viewer;
use crate::web::forms::{FieldErrors, Form, email as parse_email};
use crate::web::session::FlashKind;
use crate::web::{AppError, render, render_with_status, see_other, with_conn};

pub const TOKEN_LIFETIME: Duration = Duration::hours(1);

pub async fn request_form(viewer: Viewer) -> Result<HttpResponse, AppError> {
    render(&ResetRequestPage {
        meta: viewer.meta("Reset your password"),
        form: ResetRequestForm::default(),
        errors: FieldErrors::new(),
        sent_to: None,
    })
}

pub async fn request_submit(
    req: actix_web::HttpRequest,
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<ResetRequestForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let address = parse_email(&mut errors, "email", &form.email);
    if !errors.is_empty() {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetRequestPage {
                meta: viewer.meta("Reset your password"),
                form,
                errors,
                sent_to: None,
            },
        );
    }
    let base_url = config.base_url.clone();
    let lookup = address.clone();
    let client = crate::web::client_ip(&req, &config);
    let allowed = with_conn(&pool, move |conn| {
        let now = OffsetDateTime::now_utc();
        if !queries::take_request_allowance(conn, throttle::Action::PasswordReset, &client, now)? {
            return Ok(false);
        }
        use diesel::Connection;
        conn.transaction(|conn| {
            let Some(user) = queries::find_by_email(conn, &lookup)? else {
                return Ok(true);
            };
            if !user.is_active() {
                return Ok(true);
            }
            // The page answers the same either way, so a flood tells nothing and sends no more.
            let sent =
                queries::resets_since(conn, UserId(user.id), now - throttle::REQUEST_WINDOW)?;
            if sent >= throttle::RESETS_PER_ACCOUNT as i64 {
                return Ok(true);
            }
            let token = super::tokens::new_token();
            queries::insert_reset_token(
                conn,
                UserId(user.id),
                &super::tokens::hash(&token),
                OffsetDateTime::now_utc() + TOKEN_LIFETIME,
            )?;
            let link = format!("{base_url}/password-reset/{token}");
            let message = OutgoingEmail {
                to: user.email.clone(),
                subject: "Reset your Larder password".into(),
                text: ResetEmailText {
                    name: &user.name,
                    link: &link,
                }
                .render()?,
                html: ResetEmailHtml {
                    name: &user.name,
                    link: &link,
                }
                .render()?,
            };
            email::queue_undeduplicated(conn, &message)?;
            Ok(true)
        })
    })
    .await?;
    if !allowed {
        let mut errors = FieldErrors::new();
        errors.add(
            "email",
            "Too many reset requests came from your network in the last hour. Please try again later.",
        );
        return render_with_status(
            StatusCode::TOO_MANY_REQUESTS,
            &ResetRequestPage {
                meta: viewer.meta("Reset your password"),
                form,
                errors,
                sent_to: None,
            },
        );
    }
    render(&ResetRequestPage {
        meta: viewer.meta("Check your email"),
        form: ResetRequestForm::default(),
        errors: FieldErrors::new(),
        sent_to: Some(address),
    })
}

/// Tokens are 64 hex characters; anything else is not worth a query.
fn plausible(token: &str) -> bool {
    token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit())
}

pub async fn reset_form(
    viewer: Viewer,
    pool: web::Data<DbPool>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let valid = plausible(&token) && {
        let hash = super::tokens::hash(&token);
        with_conn(&pool, move |conn| {
            Ok(queries::live_reset_token(conn, &hash)?)
        })
        .await?
        .is_some()
    };
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    render_with_status(
        status,
        &ResetFormPage {
            meta: viewer.meta("Choose a new password"),
            token,
            valid,
            errors: FieldErrors::new(),
        },
    )
}

pub async fn reset_submit(
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    token: web::Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let page = |valid, errors, status| {
        render_with_status(
            status,
            &ResetFormPage {
                meta: viewer.meta("Choose a new password"),
                token: token.clone(),
                valid,
                errors,
            },
        )
    };
    if !plausible(&token) {
        return page(false, FieldErrors::new(), StatusCode::GONE);
    }
    let mut errors = FieldErrors::new();
    new_password(&mut errors, &form.new_password, &form.confirm_password, "");
    if !errors.is_empty() {
        return page(true, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = super::tokens::hash(&token);
    // Hashed before a connection is taken; a spent token just wastes this one hash.
    let password_hash = hashing::hash(form.new_password.clone(), config.argon2).await?;
    let changed = with_conn(&pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            let Some(user) = queries::consume_reset_token(conn, &hash)? else {
                return Ok(false);
            };
            queries::set_password(conn, user, &password_hash)?;
            Ok(true)
        })
    })
    .await?;
    if !changed {
        return page(false, FieldErrors::new(), StatusCode::GONE);
    }
    viewer.session.flash(
        FlashKind::Ok,
        "Your password has been changed. Log in with the new one.",
    );
    Ok(see_other("/login"))
}

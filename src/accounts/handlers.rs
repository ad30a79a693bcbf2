//! Sign-up, login and logout.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::forms::{BuyerSignupForm, LoginForm, ProviderSignupForm, safe_next};
use super::model::AccountType;
use super::signup::{self, LoginOutcome, SignupOutcome};
use super::views::{BuyerSignupPage, LoginPage, ProviderSignupPage, SignupChoicePage};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::UserId;
use crate::web::auth::Viewer;
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::{AppSession, FlashKind};
use crate::web::{AppError, client_ip, render, render_with_status, see_other, with_conn};

const EMAIL_TAKEN: &str =
    "An account with this email already exists. Log in instead, or reset your password.";

/// Logged-in visitors to the sign-up and login pages go to their home instead.
fn already_logged_in(viewer: &Viewer) -> Option<HttpResponse> {
    viewer
        .user
        .as_ref()
        .map(|u| see_other(u.account_type.home_path()))
}

pub async fn signup_choice(viewer: Viewer) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    render(&SignupChoicePage {
        meta: viewer.meta("Sign up"),
    })
}

pub async fn signup_buyer_form(viewer: Viewer) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    let form = BuyerSignupForm {
        location: crate::businesses::forms::LocationForm {
            label: "Main kitchen".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    render(&BuyerSignupPage {
        meta: viewer.meta("Sign up to order"),
        form,
        errors: FieldErrors::new(),
    })
}

pub async fn signup_buyer_submit(
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<BuyerSignupForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    let invalid = |form: BuyerSignupForm, errors| {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &BuyerSignupPage {
                meta: viewer.meta("Sign up to order"),
                form: BuyerSignupForm {
                    password: String::new(),
                    ..form
                },
                errors,
            },
        )
    };
    let signup = match form.parse() {
        Ok(s) => s,
        Err(errors) => return invalid(form, errors),
    };
    let cost = config.argon2;
    let outcome = with_conn(&pool, move |conn| {
        signup::sign_up_buyer(conn, &signup, cost)
    })
    .await?;
    match outcome {
        SignupOutcome::Created(user) => Ok(logged_in(&viewer.session, user, AccountType::Buyer)),
        SignupOutcome::EmailTaken => {
            let mut errors = FieldErrors::new();
            errors.add("email", EMAIL_TAKEN);
            invalid(form, errors)
        }
    }
}

pub async fn signup_provider_form(viewer: Viewer) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    render(&ProviderSignupPage::new(
        viewer.meta("Sign up to sell"),
        ProviderSignupForm::with_defaults(),
        FieldErrors::new(),
    ))
}

pub async fn signup_provider_submit(
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<ProviderSignupForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    let invalid = |form: ProviderSignupForm, errors| {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ProviderSignupPage::new(
                viewer.meta("Sign up to sell"),
                ProviderSignupForm {
                    password: String::new(),
                    ..form
                },
                errors,
            ),
        )
    };
    let signup = match form.parse() {
        Ok(s) => s,
        Err(errors) => return invalid(form, errors),
    };
    let cost = config.argon2;
    let outcome = with_conn(&pool, move |conn| {
        signup::sign_up_provider(conn, &signup, cost)
    })
    .await?;
    match outcome {
        SignupOutcome::Created(user) => Ok(logged_in(&viewer.session, user, AccountType::Provider)),
        SignupOutcome::EmailTaken => {
            let mut errors = FieldErrors::new();
            errors.add("email", EMAIL_TAKEN);
            invalid(form, errors)
        }
    }
}

fn logged_in(session: &AppSession, user: UserId, kind: AccountType) -> HttpResponse {
    session.log_in(user, 0);
    session.flash(FlashKind::Ok, "Welcome to Larder. Your account is ready.");
    see_other(kind.home_path())
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    viewer: Viewer,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    let next = query
        .next
        .as_deref()
        .and_then(safe_next)
        .unwrap_or_default()
        .to_owned();
    render(&LoginPage {
        meta: viewer.meta("Log in"),
        form: LoginForm {
            next,
            ..Default::default()
        },
        problem: None,
    })
}

pub async fn login_submit(
    req: HttpRequest,
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let ip = client_ip(&req, &config);
    let (email, password, cost) = (
        form.email.trim().to_lowercase(),
        form.password.clone(),
        config.argon2,
    );
    let outcome =
        if email.is_empty() || password.is_empty() || email.len() > 320 || password.len() > 1024 {
            LoginOutcome::WrongCredentials
        } else {
            with_conn(&pool, move |conn| {
                signup::log_in(conn, &email, &password, &ip, cost)
            })
            .await?
        };
    let (status, problem) = match outcome {
        LoginOutcome::LoggedIn(user) => {
            viewer.session.log_in(UserId(user.id), user.session_epoch);
            let home = user.kind().map_or("/", |k| k.home_path());
            return Ok(see_other(safe_next(&form.next).unwrap_or(home)));
        }
        LoginOutcome::WrongCredentials => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "That email and password don't match an account. Check them and try again.".to_owned(),
        ),
        LoginOutcome::Suspended => (
            StatusCode::FORBIDDEN,
            "This account is suspended. Contact Larder support if you think this is a mistake."
                .to_owned(),
        ),
        LoginOutcome::Locked { minutes } => (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many failed attempts. Try again in {minutes}, or reset your password."),
        ),
    };
    render_with_status(
        status,
        &LoginPage {
            meta: viewer.meta("Log in"),
            form: LoginForm {
                password: String::new(),
                ..form
            },
            problem: Some(problem),
        },
    )
}

pub async fn logout(session: AppSession) -> HttpResponse {
    session.log_out();
    session.flash(FlashKind::Ok, "You have logged out.");
    see_other("/login")
}

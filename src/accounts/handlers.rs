//! Sign-up, login and logout.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::forms::{BuyerSignupForm, LoginForm, ProviderSignupForm, safe_next};
use super::model::AccountType;
use super::signup::{self, LoginOutcome, Precheck, SignupOutcome};
use super::views::{BuyerSignupPage, LoginPage, ProviderSignupPage, SignupChoicePage};
use super::{hashing, queries, throttle};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::UserId;
use crate::tenancy::Viewer;
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

/// Takes one sign-up from this address's hourly allowance; the message if it is spent.
async fn signup_spent(
    req: &HttpRequest,
    config: &Config,
    pool: &web::Data<DbPool>,
) -> Result<Option<FieldErrors>, AppError> {
    let client = client_ip(req, config);
    let allowed = with_conn(pool, move |conn| {
        Ok(queries::take_request_allowance(
            conn,
            throttle::Action::Signup,
            &client,
            time::OffsetDateTime::now_utc(),
        )?)
    })
    .await?;
    if allowed {
        return Ok(None);
    }
    let mut errors = FieldErrors::new();
    errors.add(
        crate::web::forms::FORM,
        "Too many accounts were made from your network in the last hour. Please try again later.",
    );
    Ok(Some(errors))
}

pub async fn signup_buyer_submit(
    req: HttpRequest,
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<BuyerSignupForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    let refuse = |status, form: BuyerSignupForm, errors| {
        render_with_status(
            status,
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
    let invalid = |form, errors| refuse(StatusCode::UNPROCESSABLE_ENTITY, form, errors);
    let signup = match form.parse() {
        Ok(s) => s,
        Err(errors) => return invalid(form, errors),
    };
    if let Some(errors) = signup_spent(&req, &config, &pool).await? {
        return refuse(StatusCode::TOO_MANY_REQUESTS, form, errors);
    }
    let hash = hashing::hash(signup.person.password.clone(), config.argon2).await?;
    let base = config.base_url.clone();
    let outcome = with_conn(&pool, move |conn| {
        signup::sign_up_buyer(conn, &signup, &hash, &base)
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
    req: HttpRequest,
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<ProviderSignupForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(r) = already_logged_in(&viewer) {
        return Ok(r);
    }
    let refuse = |status, form: ProviderSignupForm, errors| {
        render_with_status(
            status,
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
    let invalid = |form, errors| refuse(StatusCode::UNPROCESSABLE_ENTITY, form, errors);
    let signup = match form.parse() {
        Ok(s) => s,
        Err(errors) => return invalid(form, errors),
    };
    if let Some(errors) = signup_spent(&req, &config, &pool).await? {
        return refuse(StatusCode::TOO_MANY_REQUESTS, form, errors);
    }
    let hash = hashing::hash(signup.person.password.clone(), config.argon2).await?;
    let base = config.base_url.clone();
    let outcome = with_conn(&pool, move |conn| {
        signup::sign_up_provider(conn, &signup, &hash, &base)
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
    session.flash(
        FlashKind::Ok,
        "Welcome to Larder. Your account is ready: we've emailed you a link to confirm your address.",
    );
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
            let (who, from) = (email.clone(), ip.clone());
            let precheck =
                with_conn(&pool, move |conn| signup::login_precheck(conn, &who, &from)).await?;
            match precheck {
                Precheck::Locked { minutes } => LoginOutcome::Locked { minutes },
                Precheck::Candidate(user) => {
                    // No connection is held while the password is checked.
                    let stored = user.as_ref().map(|u| u.password_hash.clone());
                    let matches = hashing::verify(password, stored, cost).await?;
                    with_conn(&pool, move |conn| {
                        signup::finish_login(conn, &email, &ip, user, matches)
                    })
                    .await?
                }
            }
        };
    let (status, problem) = match outcome {
        LoginOutcome::LoggedIn(user) => {
            let home = user.kind().map_or("/", |k| k.home_path());
            let next = safe_next(&form.next).unwrap_or(home).to_owned();
            let id = UserId(user.id);
            let (secret, _, _) =
                with_conn(&pool, move |conn| Ok(queries::mfa_state(conn, id)?)).await?;
            if secret.is_some() {
                // The password was right; the session stays logged out until the code is.
                viewer.session.begin_mfa(id, user.session_epoch, &next);
                return Ok(see_other("/login/mfa"));
            }
            viewer.session.log_in(id, user.session_epoch);
            return Ok(see_other(&next));
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

pub async fn logout(
    session: AppSession,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    // The server forgets the session too, so a copy of this cookie stops working.
    if let Some(claim) = session.claim() {
        let token = super::tokens::hash(&claim.token);
        with_conn(&pool, move |conn| {
            Ok(super::sessions::end_token(
                conn,
                &token,
                time::OffsetDateTime::now_utc(),
            )?)
        })
        .await?;
    }
    session.log_out();
    session.flash(FlashKind::Ok, "You have logged out.");
    Ok(see_other("/login"))
}

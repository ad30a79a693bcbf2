//! Following an invite link: joining with the account one has, or creating one. Opening
//! the emailed link proves the address, so the new account's email counts as verified.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::OffsetDateTime;

use super::queries::{self, InviteView};
use super::rules::InviteState;
use crate::accounts::model::AccountType;
use crate::accounts::tokens::hash as token_hash;
use crate::accounts::{hashing, password, queries as accounts};
use crate::config::Config;
use crate::db::DbPool;
use crate::tenancy::{Side, Viewer};
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct JoinForm {
    pub name: String,
    pub password: String,
}

/// What the invite page offers the person who opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Offer {
    /// Used, withdrawn or expired.
    Closed(InviteState),
    /// Logged in as the invited address: one button.
    Accept,
    /// Logged in as someone else.
    WrongAccount(String),
    /// The address has an account: log in first, then come back.
    LogIn,
    /// No account yet: name and password make one.
    CreateAccount,
}

#[derive(Template)]
#[template(path = "teams/invite.html")]
struct InvitePage {
    meta: PageMeta,
    token: String,
    invite: InviteView,
    offer: Offer,
    form: JoinForm,
    errors: FieldErrors,
}

impl InvitePage {
    fn role_label(&self) -> &'static str {
        self.invite.role.label()
    }
    fn closed_reason(&self) -> &'static str {
        match self.offer {
            Offer::Closed(InviteState::Accepted) => "This invite has already been used.",
            Offer::Closed(InviteState::Revoked) => "This invite was withdrawn.",
            _ => "This invite has expired.",
        }
    }
    fn is(&self, which: &str) -> bool {
        matches!(
            (&self.offer, which),
            (Offer::Closed(_), "closed")
                | (Offer::Accept, "accept")
                | (Offer::WrongAccount(_), "wrong")
                | (Offer::LogIn, "login")
                | (Offer::CreateAccount, "create")
        )
    }
    fn signed_in_as(&self) -> &str {
        match &self.offer {
            Offer::WrongAccount(email) => email,
            _ => "",
        }
    }
}

fn account_type(side: Side) -> AccountType {
    match side {
        Side::Buyer => AccountType::Buyer,
        Side::Provider => AccountType::Provider,
    }
}

async fn load(
    pool: &web::Data<DbPool>,
    viewer: &Viewer,
    token: &str,
) -> Result<(InviteView, Offer), AppError> {
    let hash = token_hash(token);
    let (invite, has_account) = with_conn(pool, move |conn| {
        let invite = queries::invite_by_token(conn, &hash, OffsetDateTime::now_utc())?
            .ok_or(AppError::NotFound)?;
        let has_account = accounts::find_by_email(conn, &invite.email)?.is_some();
        Ok((invite, has_account))
    })
    .await?;
    let offer = match (&invite.state, &viewer.user) {
        (InviteState::Open, Some(u)) if u.email.eq_ignore_ascii_case(&invite.email) => {
            Offer::Accept
        }
        (InviteState::Open, Some(u)) => Offer::WrongAccount(u.email.clone()),
        (InviteState::Open, None) if has_account => Offer::LogIn,
        (InviteState::Open, None) => Offer::CreateAccount,
        (state, _) => Offer::Closed(*state),
    };
    Ok((invite, offer))
}

fn show(
    viewer: &Viewer,
    token: String,
    (invite, offer): (InviteView, Offer),
    form: JoinForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = match (&offer, errors.is_empty()) {
        (Offer::Closed(_), _) => StatusCode::GONE,
        (_, false) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let meta = viewer.meta(format!("Join {}", invite.org_name));
    render_with_status(
        status,
        &InvitePage {
            meta,
            token,
            invite,
            offer,
            form,
            errors,
        },
    )
}

pub async fn invite_page(
    viewer: Viewer,
    pool: web::Data<DbPool>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let loaded = load(&pool, &viewer, &token).await?;
    show(
        &viewer,
        token,
        loaded,
        JoinForm::default(),
        FieldErrors::new(),
    )
}

pub async fn accept(
    viewer: Viewer,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    token: web::Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let (invite, offer) = load(&pool, &viewer, &token).await?;
    let hash = token_hash(&token);
    let now = OffsetDateTime::now_utc();
    let kind = account_type(invite.org.side());
    let (user, epoch) = match (&offer, &viewer.user) {
        (Offer::Accept, Some(u)) if u.account_type == kind => (u.id, None),
        (Offer::Accept, Some(_)) => {
            return Err(AppError::conflict(
                "Your account is a different kind of Larder account, so it can't join this team.",
            ));
        }
        (Offer::CreateAccount, None) => {
            let mut errors = FieldErrors::new();
            let name = form.name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 100 {
                errors.add("name", "Enter your name (up to 100 characters).");
            }
            if let Some(why) = password::policy_error(&form.password, &invite.email) {
                errors.add("password", why);
            }
            if !errors.is_empty() {
                let form = JoinForm {
                    name: form.name,
                    password: String::new(),
                };
                return show(&viewer, token, (invite, offer), form, errors);
            }
            let password_hash = hashing::hash(form.password.clone(), config.argon2).await?;
            let email = invite.email.clone();
            let created = with_conn(&pool, move |conn| {
                use diesel::Connection;
                conn.transaction(|conn| {
                    if accounts::find_by_email(conn, &email)?.is_some() {
                        return Ok(None);
                    }
                    let user = accounts::insert_user(conn, &email, &password_hash, &name, kind)?;
                    // The invite came to this address: opening it proves the address.
                    crate::accounts::verify::mark_verified(conn, user)?;
                    Ok(Some(user))
                })
            })
            .await?;
            let Some(user) = created else {
                // Someone made the account between the page and this click: log in instead.
                return Ok(see_other(&login_then(&token)));
            };
            (user, Some(0))
        }
        (Offer::LogIn, None) => return Ok(see_other(&login_then(&token))),
        _ => return show(&viewer, token, (invite, offer), form, FieldErrors::new()),
    };
    // A brand-new account has no actor on the request yet: it acts as itself.
    let actor = match &viewer.user {
        Some(u) => u.actor.clone(),
        None => crate::audit::Actor {
            user: Some(user),
            email: Some(invite.email.clone()),
            ..crate::audit::Actor::system()
        },
    };
    let accepted = with_conn(&pool, move |conn| {
        queries::accept(conn, &hash, user, &actor, now)
    })
    .await?;
    let membership = match accepted {
        Ok(m) => m,
        Err(why) => {
            viewer.session.flash(FlashKind::Error, why);
            return Ok(see_other(&format!("/invites/{token}")));
        }
    };
    if let Some(epoch) = epoch {
        viewer.session.log_in(user, epoch);
    }
    viewer.session.set_active_membership(membership);
    viewer.session.flash(
        FlashKind::Ok,
        format!(
            "Welcome to {}. You're a {} on this team.",
            invite.org_name,
            invite.role.label().to_lowercase()
        ),
    );
    let home = match kind {
        AccountType::Provider => "/provider",
        _ => "/buyer",
    };
    Ok(see_other(home))
}

fn login_then(token: &str) -> String {
    format!("/login?next=/invites/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_invitee_gets_an_account_of_the_inviting_side() {
        assert_eq!(account_type(Side::Buyer), AccountType::Buyer);
        assert_eq!(account_type(Side::Provider), AccountType::Provider);
    }
}

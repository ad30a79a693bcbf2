//! What the session cookie holds: the user id, their session epoch, an absolute expiry,
//! the CSRF token and a one-shot flash message. The cookie is encrypted (private), so
//! none of it can be read or forged by the client.

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use uuid::Uuid;

use crate::config::Config;
use crate::ids::UserId;

pub const COOKIE_NAME: &str = "larder_session";
pub const SESSION_DAYS: i64 = 14;

const USER: &str = "uid";
const EPOCH: &str = "epoch";
const EXPIRES: &str = "exp";
const CSRF: &str = "csrf";
const FLASH: &str = "flash";
const MEMBERSHIP: &str = "mid";
const SESSION_TOKEN: &str = "sid";
const MFA_USER: &str = "mfa_uid";
const MFA_EPOCH: &str = "mfa_epoch";
const MFA_EXPIRES: &str = "mfa_exp";
const MFA_NEXT: &str = "mfa_next";
/// How long a password stays good for while the code is typed.
const MFA_SECONDS: i64 = 300;

pub fn middleware(config: &Config) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(
        CookieSessionStore::default(),
        Key::from(&config.session_key),
    )
    .cookie_name(COOKIE_NAME.into())
    .cookie_secure(config.is_production())
    .cookie_http_only(true)
    .cookie_same_site(SameSite::Lax)
    .cookie_content_security(CookieContentSecurity::Private)
    .session_lifecycle(
        PersistentSession::default()
            .session_ttl(actix_web::cookie::time::Duration::days(SESSION_DAYS)),
    )
    .build()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum FlashKind {
    Ok,
    Error,
}

impl Flash {
    pub fn css_class(&self) -> &'static str {
        match self.kind {
            FlashKind::Ok => "alert-ok",
            FlashKind::Error => "alert-error",
        }
    }
}

/// The logged-in identity the cookie claims; `auth` checks it against the database.
#[derive(Debug, Clone)]
pub struct SessionClaim {
    pub user_id: UserId,
    pub epoch: i32,
    /// The random token naming this session's row on the server.
    pub token: String,
    /// When the cookie stops counting (Unix seconds).
    pub expires: i64,
}

pub struct AppSession(Session);

impl FromRequest for AppSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use actix_session::SessionExt;
        let _ = payload;
        ready(Ok(Self(req.get_session())))
    }
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl AppSession {
    pub fn from_session(session: Session) -> Self {
        Self(session)
    }

    /// Starts a fresh session for the user: a new cookie (no fixation), a new CSRF token.
    pub fn log_in(&self, user_id: UserId, epoch: i32) {
        self.0.renew();
        let flash = self.0.get::<Flash>(FLASH).ok().flatten();
        self.0.clear();
        let _ = self.0.insert(USER, user_id.0);
        let _ = self.0.insert(EPOCH, epoch);
        let _ = self.0.insert(EXPIRES, now_unix() + SESSION_DAYS * 86_400);
        let _ = self.0.insert(CSRF, new_token());
        let _ = self.0.insert(SESSION_TOKEN, new_token());
        if let Some(flash) = flash {
            let _ = self.0.insert(FLASH, flash);
        }
    }

    /// Forgets the user but keeps a (new) session, so a flash can say what happened.
    pub fn log_out(&self) {
        self.0.clear();
        self.0.renew();
    }

    /// The user the cookie names, unless the session has passed its absolute expiry.
    pub fn claim(&self) -> Option<SessionClaim> {
        let user_id = self.0.get::<Uuid>(USER).ok().flatten()?;
        let epoch = self.0.get::<i32>(EPOCH).ok().flatten()?;
        let expires = self.0.get::<i64>(EXPIRES).ok().flatten()?;
        if expires <= now_unix() {
            return None;
        }
        let token = self.0.get::<String>(SESSION_TOKEN).ok().flatten()?;
        Some(SessionClaim {
            user_id: UserId(user_id),
            epoch,
            token,
            expires,
        })
    }

    /// The password was right; the second step is still to come. Nobody is logged in yet.
    pub fn begin_mfa(&self, user_id: UserId, epoch: i32, next: &str) {
        self.0.renew();
        let _ = self.0.insert(MFA_USER, user_id.0);
        let _ = self.0.insert(MFA_EPOCH, epoch);
        let _ = self.0.insert(MFA_EXPIRES, now_unix() + MFA_SECONDS);
        let _ = self.0.insert(MFA_NEXT, next);
    }

    /// The user waiting for their second step, with their epoch and where they were going,
    /// for five minutes after the password.
    pub fn mfa_pending(&self) -> Option<(UserId, i32, String)> {
        let user = self.0.get::<Uuid>(MFA_USER).ok().flatten()?;
        let epoch = self.0.get::<i32>(MFA_EPOCH).ok().flatten()?;
        let expires = self.0.get::<i64>(MFA_EXPIRES).ok().flatten()?;
        if expires <= now_unix() {
            return None;
        }
        let next = self
            .0
            .get::<String>(MFA_NEXT)
            .ok()
            .flatten()
            .unwrap_or_default();
        Some((UserId(user), epoch, next))
    }

    /// The membership (organisation) this session acts for, when the user chose one.
    pub fn active_membership(&self) -> Option<Uuid> {
        self.0.get::<Uuid>(MEMBERSHIP).ok().flatten()
    }

    pub fn set_active_membership(&self, membership: Uuid) {
        let _ = self.0.insert(MEMBERSHIP, membership);
    }

    /// The session's CSRF token, created on first use.
    pub fn csrf_token(&self) -> String {
        if let Some(token) = self.0.get::<String>(CSRF).ok().flatten() {
            return token;
        }
        let token = new_token();
        let _ = self.0.insert(CSRF, &token);
        token
    }

    pub fn existing_csrf_token(&self) -> Option<String> {
        self.0.get::<String>(CSRF).ok().flatten()
    }

    pub fn flash(&self, kind: FlashKind, message: impl Into<String>) {
        let _ = self.0.insert(
            FLASH,
            Flash {
                kind,
                message: message.into(),
            },
        );
    }

    pub fn take_flash(&self) -> Option<Flash> {
        let flash = self.0.get::<Flash>(FLASH).ok().flatten();
        if flash.is_some() {
            self.0.remove(FLASH);
        }
        flash
    }
}

fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

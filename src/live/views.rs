//! What a socket shows, read for its own user: the session is checked first, the role is
//! read as it is now, and the order is read within that member's scope.

use askama::Template;
use diesel::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::model::SessionUser;
use crate::db::DbConn;
use crate::ids::{BusinessId, ProviderId, UserId};
use crate::orders::handlers::ListQuery;
use crate::tenancy::{Acting, CurrentUser, Permission, Role, Scope, Side};
use crate::web::{AppError, PageMeta};

/// The session a socket was opened with, to check it still stands.
#[derive(Debug, Clone)]
struct Who {
    user: UserId,
    epoch: i32,
    token_hash: Vec<u8>,
    membership: Option<Uuid>,
    expires: i64,
    csrf: String,
}

/// What a page shows besides the bell.
#[derive(Debug, Clone)]
pub enum Kind {
    Order,
    Invoice,
    /// An order list under its filters and page (the id is the member's organisation).
    Orders(ListQuery),
}

impl Kind {
    /// What the member must be allowed to watch it.
    pub fn permission(&self) -> Permission {
        match self {
            Self::Order | Self::Orders(_) => Permission::ViewOrders,
            Self::Invoice => Permission::ViewInvoices,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SubjectWatch {
    pub kind: Kind,
    pub id: Uuid,
    side: Side,
    scope: Scope,
    /// The version last shown, so an unchanged subject sends nothing.
    shown: Option<String>,
}

impl SubjectWatch {
    pub fn new(kind: Kind, id: Uuid, (side, scope): (Side, Scope), shown: Option<String>) -> Self {
        Self {
            kind,
            id,
            side,
            scope,
            shown,
        }
    }
}

/// One socket's subjects, and what it last sent of each.
pub struct Watch {
    who: Who,
    bell: Option<i64>,
    subject: Option<SubjectWatch>,
}

/// Which subjects to read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub bell: bool,
    pub subject: bool,
}

impl Due {
    pub const ALL: Self = Self {
        bell: true,
        subject: true,
    };
    pub const NONE: Self = Self {
        bell: false,
        subject: false,
    };

    pub fn any(self) -> bool {
        self.bell || self.subject
    }
}

/// A read to make, owned so it can cross to the blocking pool.
pub struct Ask {
    who: Who,
    bell: bool,
    subject: Option<SubjectWatch>,
}

/// What was read: the unread count with the bell's HTML, the subject's version with its HTML.
pub struct Update {
    bell: Option<(i64, String)>,
    subject: Option<(String, String)>,
}

impl Watch {
    pub fn new(user: &CurrentUser, subject: Option<SubjectWatch>) -> Result<Self, AppError> {
        let claim = user.session.claim().ok_or(AppError::Unauthorized)?;
        Ok(Self {
            who: Who {
                user: user.id,
                epoch: claim.epoch,
                token_hash: crate::accounts::tokens::hash(&claim.token),
                membership: user.session.active_membership(),
                expires: claim.expires,
                csrf: user.meta("").csrf,
            },
            bell: None,
            subject,
        })
    }

    pub fn user_id(&self) -> Uuid {
        self.who.user.0
    }

    pub fn subject(&self) -> Option<(&Kind, Uuid)> {
        self.subject.as_ref().map(|s| (&s.kind, s.id))
    }

    /// Past the cookie's absolute expiry (the session's own clock, like the cookie check).
    pub fn expired(&self) -> bool {
        OffsetDateTime::now_utc().unix_timestamp() >= self.who.expires
    }

    pub fn ask(&self, due: Due) -> Ask {
        Ask {
            who: self.who.clone(),
            bell: due.bell,
            subject: self.subject.clone().filter(|_| due.subject),
        }
    }

    /// Notes what `update` shows and gives the HTML to send: only what differs from what
    /// this socket sent last.
    pub fn apply(&mut self, update: Update) -> String {
        let mut text = String::new();
        if let Some((unread, html)) = update.bell
            && self.bell != Some(unread)
        {
            self.bell = Some(unread);
            text.push_str(&html);
        }
        if let (Some((version, html)), Some(subject)) = (update.subject, self.subject.as_mut()) {
            subject.shown = Some(version);
            text.push_str(&html);
        }
        text
    }
}

#[derive(Template)]
#[template(path = "partials/_bell.html")]
struct Bell {
    unread_text: String,
}

/// Reads what `ask` names; `None` when the session no longer stands.
pub fn read(conn: &mut DbConn, ask: &Ask, now: OffsetDateTime) -> Result<Option<Update>, AppError> {
    let Some(loaded) = standing(conn, &ask.who)? else {
        return Ok(None);
    };
    let bell = if ask.bell {
        let html = Bell {
            unread_text: crate::notifications::queries::count_text(loaded.unread),
        }
        .render()?;
        Some((loaded.unread, html))
    } else {
        None
    };
    let subject = match &ask.subject {
        Some(watch) => {
            let acting = acting(&loaded, watch.side, watch.kind.permission())
                .filter(|a| a.scope == watch.scope)
                .ok_or(AppError::NotFound)?;
            let meta = PageMeta {
                csrf: ask.who.csrf.clone(),
                now: Some(now),
                ..PageMeta::default()
            };
            let shown = watch.shown.as_deref();
            match &watch.kind {
                Kind::Order => {
                    let shown = shown.and_then(|v| v.parse().ok());
                    crate::orders::handlers::live_status(conn, meta, acting, watch.id, shown)?
                        .map(|(version, html)| (version.to_string(), html))
                }
                Kind::Invoice => crate::invoicing::live::region(
                    conn,
                    meta,
                    acting,
                    crate::ids::InvoiceId(watch.id),
                    shown,
                )?,
                Kind::Orders(query) => {
                    crate::orders::handlers::live_list(conn, acting, query, shown)?
                }
            }
        }
        None => None,
    };
    Ok(Some(Update { bell, subject }))
}

/// The user as a request would load them, if the socket's session still stands: the same
/// account, active, on the same epoch, and the session not ended.
fn standing(conn: &mut PgConnection, who: &Who) -> Result<Option<SessionUser>, AppError> {
    let Some(loaded) = crate::accounts::queries::load_session_user(conn, who.user, who.membership)?
    else {
        return Ok(None);
    };
    if !loaded.user.is_active() || loaded.user.session_epoch != who.epoch {
        return Ok(None);
    }
    if !crate::accounts::sessions::is_open(conn, who.user, who.epoch, &who.token_hash)? {
        return Ok(None);
    }
    Ok(Some(loaded))
}

/// The member's standing on `side` now, if they may still see what `permission` covers.
fn acting(loaded: &SessionUser, side: Side, permission: Permission) -> Option<Acting> {
    let role = Role::parse(loaded.role.as_deref()?)?;
    let scope = match side {
        Side::Buyer => Scope::Buyer(BusinessId(loaded.business.as_ref()?.id)),
        Side::Provider => Scope::Provider(ProviderId(loaded.provider.as_ref()?.id)),
    };
    let acting = Acting { scope, side, role };
    acting.may(permission).then_some(acting)
}

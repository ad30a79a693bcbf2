//! What a socket shows, read for its own user: the session is checked first, the role is
//! read as it is now, and the order is read within that member's scope.

use askama::Template;
use diesel::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::model::SessionUser;
use crate::db::DbConn;
use crate::ids::{BusinessId, ProviderId, UserId};
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

#[derive(Debug, Clone)]
pub struct OrderWatch {
    id: Uuid,
    side: Side,
    scope: Scope,
    /// The version last shown, so an unchanged order sends nothing.
    shown: Option<usize>,
}

impl OrderWatch {
    pub fn new(id: Uuid, side: Side, scope: Scope, shown: Option<usize>) -> Self {
        Self {
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
    order: Option<OrderWatch>,
}

/// Which subjects to read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub bell: bool,
    pub order: bool,
}

impl Due {
    pub const ALL: Self = Self {
        bell: true,
        order: true,
    };
    pub const NONE: Self = Self {
        bell: false,
        order: false,
    };

    pub fn any(self) -> bool {
        self.bell || self.order
    }
}

/// A read to make, owned so it can cross to the blocking pool.
pub struct Ask {
    who: Who,
    bell: bool,
    order: Option<OrderWatch>,
}

/// What was read: the unread count with the bell's HTML, the order's version with its HTML.
pub struct Update {
    bell: Option<(i64, String)>,
    order: Option<(usize, String)>,
}

impl Watch {
    pub fn new(user: &CurrentUser, order: Option<OrderWatch>) -> Result<Self, AppError> {
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
            order,
        })
    }

    pub fn user_id(&self) -> Uuid {
        self.who.user.0
    }

    pub fn order_id(&self) -> Option<Uuid> {
        self.order.as_ref().map(|o| o.id)
    }

    /// Past the cookie's absolute expiry (the session's own clock, like the cookie check).
    pub fn expired(&self) -> bool {
        OffsetDateTime::now_utc().unix_timestamp() >= self.who.expires
    }

    pub fn ask(&self, due: Due) -> Ask {
        Ask {
            who: self.who.clone(),
            bell: due.bell,
            order: self.order.clone().filter(|_| due.order),
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
        if let (Some((version, html)), Some(order)) = (update.order, self.order.as_mut()) {
            order.shown = Some(version);
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
    let order = match &ask.order {
        Some(watch) => {
            let acting = acting(&loaded, watch.side)
                .filter(|a| a.scope == watch.scope)
                .ok_or(AppError::NotFound)?;
            let meta = PageMeta {
                csrf: ask.who.csrf.clone(),
                now: Some(now),
                ..PageMeta::default()
            };
            crate::orders::handlers::live_status(conn, meta, acting, watch.id, watch.shown)?
        }
        None => None,
    };
    Ok(Some(Update { bell, order }))
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

/// The member's standing on `side` now, if they may still see orders there.
fn acting(loaded: &SessionUser, side: Side) -> Option<Acting> {
    let role = Role::parse(loaded.role.as_deref()?)?;
    let scope = match side {
        Side::Buyer => Scope::Buyer(BusinessId(loaded.business.as_ref()?.id)),
        Side::Provider => Scope::Provider(ProviderId(loaded.provider.as_ref()?.id)),
    };
    let acting = Acting { scope, side, role };
    acting.may(Permission::ViewOrders).then_some(acting)
}

//! Sessions as rows. The cookie (encrypted and signed, so only the server can mint one)
//! carries a random token; its row is made on the first request that shows it and checked
//! on every request after. Ended rows stay ended: a copied or logged-out cookie finds its
//! row closed. `last_seen_at` is written at most once a minute, so a busy page is not a
//! write per request.

use diesel::prelude::*;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::db::schema::user_sessions;
use crate::ids::{UserId, new_id};

const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Where a request comes from, as the session list shows it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Is this session still open for `user` at `epoch`? Makes its row the first time.
pub fn check(
    conn: &mut PgConnection,
    user: UserId,
    epoch: i32,
    token: &[u8],
    seen: &Seen,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    type Row = (Uuid, Uuid, i32, OffsetDateTime, Option<OffsetDateTime>);
    let row: Option<Row> = user_sessions::table
        .filter(user_sessions::token_hash.eq(token))
        .select((
            user_sessions::id,
            user_sessions::user_id,
            user_sessions::epoch,
            user_sessions::last_seen_at,
            user_sessions::ended_at,
        ))
        .first(conn)
        .optional()?;
    let ua = seen
        .user_agent
        .as_deref()
        .map(|u| u.chars().take(300).collect::<String>());
    let ip = seen
        .ip
        .as_deref()
        .map(|i| i.chars().take(64).collect::<String>());
    match row {
        None => {
            // ON CONFLICT: two first requests at once make one row.
            diesel::insert_into(user_sessions::table)
                .values((
                    user_sessions::id.eq(new_id()),
                    user_sessions::token_hash.eq(token),
                    user_sessions::user_id.eq(user.0),
                    user_sessions::epoch.eq(epoch),
                    user_sessions::ip.eq(&ip),
                    user_sessions::user_agent.eq(&ua),
                ))
                .on_conflict(user_sessions::token_hash)
                .do_nothing()
                .execute(conn)?;
            Ok(true)
        }
        Some((_, owner, row_epoch, _, ended))
            if ended.is_some() || owner != user.0 || row_epoch != epoch =>
        {
            Ok(false)
        }
        Some((id, _, _, last, None)) => {
            if now - last >= TOUCH_EVERY {
                diesel::update(user_sessions::table.find(id))
                    .set((
                        user_sessions::last_seen_at.eq(now),
                        user_sessions::ip.eq(&ip),
                    ))
                    .execute(conn)?;
            }
            Ok(true)
        }
        Some(_) => Ok(false),
    }
}

/// Is this session's row still open, for `user` at `epoch`? Reads only: for a live socket,
/// whose page request already made the row.
pub fn is_open(
    conn: &mut PgConnection,
    user: UserId,
    epoch: i32,
    token: &[u8],
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        user_sessions::table
            .filter(user_sessions::token_hash.eq(token))
            .filter(user_sessions::user_id.eq(user.0))
            .filter(user_sessions::epoch.eq(epoch))
            .filter(user_sessions::ended_at.is_null()),
    ))
    .get_result(conn)
}

#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

impl SessionRow {
    /// "Firefox on Windows"-ish: enough to recognise a device, from the user agent.
    pub fn device(&self) -> String {
        let ua = self.user_agent.as_deref().unwrap_or("");
        let browser = ["Edg", "Firefox", "Chrome", "Safari"]
            .into_iter()
            .find(|b| ua.contains(b))
            .map(|b| if b == "Edg" { "Edge" } else { b });
        let system = ["Windows", "Android", "iPhone", "iPad", "Mac OS", "Linux"]
            .into_iter()
            .find(|s| ua.contains(s))
            .map(|s| if s == "Mac OS" { "Mac" } else { s });
        match (browser, system) {
            (Some(b), Some(s)) => format!("{b} on {s}"),
            (Some(b), None) => b.to_owned(),
            (None, Some(s)) => s.to_owned(),
            (None, None) => "Unknown device".to_owned(),
        }
    }
    pub fn last_seen_text(&self) -> String {
        crate::timefmt::datetime(self.last_seen_at)
    }
    pub fn started_text(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
}

/// The user's open sessions in this epoch, most recently used first.
pub fn list(conn: &mut PgConnection, user: UserId, epoch: i32) -> QueryResult<Vec<SessionRow>> {
    user_sessions::table
        .filter(user_sessions::user_id.eq(user.0))
        .filter(user_sessions::epoch.eq(epoch))
        .filter(user_sessions::ended_at.is_null())
        .order(user_sessions::last_seen_at.desc())
        .select((
            user_sessions::id,
            user_sessions::token_hash,
            user_sessions::ip,
            user_sessions::user_agent,
            user_sessions::created_at,
            user_sessions::last_seen_at,
        ))
        .load(conn)
}

/// Ends one of the user's sessions; `false` if it isn't theirs or is already over.
pub fn end(
    conn: &mut PgConnection,
    user: UserId,
    id: Uuid,
    now: OffsetDateTime,
) -> QueryResult<bool> {
    let ended = diesel::update(
        user_sessions::table
            .filter(user_sessions::id.eq(id))
            .filter(user_sessions::user_id.eq(user.0))
            .filter(user_sessions::ended_at.is_null()),
    )
    .set(user_sessions::ended_at.eq(Some(now)))
    .execute(conn)?;
    Ok(ended == 1)
}

/// Ends the session a cookie names (logging out).
pub fn end_token(conn: &mut PgConnection, token: &[u8], now: OffsetDateTime) -> QueryResult<()> {
    diesel::update(
        user_sessions::table
            .filter(user_sessions::token_hash.eq(token))
            .filter(user_sessions::ended_at.is_null()),
    )
    .set(user_sessions::ended_at.eq(Some(now)))
    .execute(conn)
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ua: &str) -> SessionRow {
        SessionRow {
            id: Uuid::nil(),
            token_hash: vec![],
            ip: None,
            user_agent: Some(ua.into()),
            created_at: OffsetDateTime::UNIX_EPOCH,
            last_seen_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn devices_are_named_from_the_user_agent() {
        let chrome_linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(row(chrome_linux).device(), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(row(iphone).device(), "Safari on iPhone");
        assert_eq!(row("curl/8").device(), "Unknown device");
    }
}

pub mod pages {
    //! Where you're logged in: the list, and ending one session.
    use actix_web::{HttpResponse, web};
    use askama::Template;
    use uuid::Uuid;

    use super::SessionRow;
    use crate::db::DbPool;
    use crate::tenancy::CurrentUser;
    use crate::web::session::FlashKind;
    use crate::web::{AppError, PageMeta, render, see_other, with_conn};

    #[derive(Template)]
    #[template(path = "accounts/sessions.html")]
    struct SessionsPage {
        meta: PageMeta,
        sessions: Vec<SessionRow>,
        current: Vec<u8>,
    }

    pub async fn list(
        user: CurrentUser,
        pool: web::Data<DbPool>,
    ) -> Result<HttpResponse, AppError> {
        let (id, epoch) = (user.id, user.loaded.user.session_epoch);
        let sessions = with_conn(&pool, move |conn| Ok(super::list(conn, id, epoch)?)).await?;
        let current = user
            .session
            .claim()
            .map(|c| crate::accounts::tokens::hash(&c.token))
            .unwrap_or_default();
        render(&SessionsPage {
            meta: user.meta("Where you're logged in"),
            sessions,
            current,
        })
    }

    pub async fn end(
        user: CurrentUser,
        pool: web::Data<DbPool>,
        id: web::Path<Uuid>,
    ) -> Result<HttpResponse, AppError> {
        let (me, id) = (user.id, id.into_inner());
        let ended = with_conn(&pool, move |conn| {
            Ok(super::end(conn, me, id, time::OffsetDateTime::now_utc())?)
        })
        .await?;
        if !ended {
            return Err(AppError::NotFound);
        }
        user.session.flash(
            FlashKind::Ok,
            "That session is ended: its next click lands on the login page.",
        );
        Ok(see_other("/account/sessions"))
    }
}

//! Admin pages: lists of users, businesses and providers, and suspension with confirmation.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Entity, ListRow, Subject};
use super::queries;
use crate::db::DbPool;
use crate::tenancy::AdminCtx;
use crate::web::forms::Form;
use crate::web::pagination::{ListQuery, PageRequest, Paged};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Template)]
#[template(path = "admin/list.html")]
struct ListPage {
    meta: PageMeta,
    entity: &'static str,
    q: String,
    rows: Paged<ListRow>,
}

impl ListPage {
    fn page_link(&self, page: i64) -> String {
        let query =
            serde_urlencoded::to_string([("q", self.q.as_str()), ("page", &page.to_string())])
                .unwrap_or_default();
        format!("/admin/{}?{query}", self.entity)
    }
}

#[derive(Template)]
#[template(path = "admin/confirm.html")]
struct ConfirmPage {
    meta: PageMeta,
    entity: &'static str,
    subject: Subject,
    to: &'static str,
}

fn entity(segment: &str) -> Result<Entity, AppError> {
    Entity::parse(segment).ok_or(AppError::NotFound)
}

/// The only statuses an admin sets by hand.
fn target_status(raw: &str) -> Result<&'static str, AppError> {
    match raw {
        "active" => Ok("active"),
        "suspended" => Ok("suspended"),
        _ => Err(AppError::BadRequest("Choose active or suspended.".into())),
    }
}

pub async fn dashboard(_admin: AdminCtx) -> HttpResponse {
    see_other("/admin/users")
}

pub async fn list(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    segment: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let entity = entity(&segment)?;
    let q: String = query
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(100)
        .collect();
    let page = PageRequest::from_query(query.page.as_deref());
    let search = q.clone();
    let rows = with_conn(&pool, move |conn| {
        Ok(queries::list(conn, entity, &search, page)?)
    })
    .await?;
    render(&ListPage {
        meta: admin.user.meta(entity.title()),
        entity: entity.segment(),
        q,
        rows: Paged::new(rows, page),
    })
}

#[derive(Deserialize)]
pub struct ToQuery {
    to: String,
}

pub async fn confirm(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    path: web::Path<(String, Uuid)>,
    query: web::Query<ToQuery>,
) -> Result<HttpResponse, AppError> {
    let (segment, id) = path.into_inner();
    let entity = entity(&segment)?;
    let to = target_status(&query.to)?;
    let subject = with_conn(&pool, move |conn| Ok(queries::subject(conn, entity, id)?)).await?;
    let verb = if to == "suspended" {
        "Suspend"
    } else {
        "Re-activate"
    };
    render(&ConfirmPage {
        meta: admin.user.meta(format!("{verb} {}", subject.title)),
        entity: entity.segment(),
        subject,
        to,
    })
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    path: web::Path<(String, Uuid)>,
    Form(form): Form<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let (segment, id) = path.into_inner();
    let entity = entity(&segment)?;
    let status = target_status(&form.status)?;
    let admin_id = admin.user.id;
    let actor = admin.user.actor.clone();
    if entity == Entity::Users && id == admin_id.0 {
        return Err(AppError::conflict(
            "You can't change the status of your own account.",
        ));
    }
    let outcome = with_conn(&pool, move |conn| {
        if entity == Entity::Users && queries::is_admin_user(conn, id)? {
            return Ok(Err(AppError::conflict(
                "Admin accounts can't be suspended here.",
            )));
        }
        Ok(Ok(queries::set_status(conn, entity, id, status, &actor)?))
    })
    .await?;
    if !outcome? {
        return Err(AppError::NotFound);
    }
    let done = if status == "suspended" {
        "suspended"
    } else {
        "re-activated"
    };
    admin
        .user
        .session
        .flash(FlashKind::Ok, format!("Done: {done}."));
    Ok(see_other(&format!("/admin/{}", entity.segment())))
}

#[derive(Template)]
#[template(path = "admin/refunds.html")]
struct RefundsPage {
    meta: crate::web::PageMeta,
    rows: Vec<crate::payments::queries::RefundRow>,
    returned: Vec<crate::refunds::queries::ReturnedRow>,
}

/// Payments that must be refunded (late or mismatched money), oldest first.
pub async fn refunds(admin: AdminCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    let (rows, returned) = with_conn(&pool, |conn| {
        Ok((
            crate::payments::queries::needing_refund(conn)?,
            crate::refunds::queries::returned_rows(conn)?,
        ))
    })
    .await?;
    render(&RefundsPage {
        meta: admin.user.meta("Payments to refund"),
        rows,
        returned,
    })
}

/// Logs a user out everywhere (their epoch moves on, so every session row and cookie of
/// theirs ends at its next click).
pub async fn end_sessions(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (id, actor) = (id.into_inner(), admin.user.actor.clone());
    if id == admin.user.id.0 {
        return Err(AppError::conflict(
            "Use \"Log out everywhere\" on your account page for your own sessions.",
        ));
    }
    with_conn(&pool, move |conn| {
        use diesel::Connection;
        conn.transaction(|conn| {
            if !queries::user_exists(conn, id)? {
                return Err(AppError::NotFound);
            }
            crate::accounts::queries::bump_epoch(conn, crate::ids::UserId(id))?;
            let entry = crate::audit::Entry::new("admin.sessions_ended", "user", Some(id));
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    admin
        .user
        .session
        .flash(FlashKind::Ok, "Done: every session of theirs has ended.");
    Ok(see_other("/admin/users"))
}

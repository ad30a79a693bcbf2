//! The list page, opening one notice (marks it read and goes to what it is about), and
//! marking all read. Each person sees only their own.

use actix_web::{HttpResponse, web};
use askama::Template;
use uuid::Uuid;

use super::queries::{self, Row};
use crate::db::DbPool;
use crate::tenancy::CurrentUser;
use crate::web::pagination::{ListQuery, PageRequest, Paged};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    meta: PageMeta,
    rows: Paged<Row>,
    unread: i64,
}

impl ListPage {
    fn unread_text(&self) -> String {
        queries::count_text(self.unread)
    }
    fn page_link(&self, page: i64) -> String {
        format!("/notifications?page={page}")
    }
}

pub async fn list(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let page = PageRequest::from_query(query.page.as_deref());
    let id = user.id;
    let (rows, unread) = with_conn(&pool, move |conn| {
        Ok((
            queries::page(conn, id, (page.fetch_limit(), page.offset()))?,
            queries::unread(conn, id)?,
        ))
    })
    .await?;
    render(&ListPage {
        meta: user.meta("Notifications"),
        rows: Paged::new(rows, page),
        unread,
    })
}

pub async fn open(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (me, id, now) = (user.id, id.into_inner(), user.now);
    let link = with_conn(&pool, move |conn| Ok(queries::open(conn, me, id, now)?)).await?;
    link.map(|l| see_other(&l)).ok_or(AppError::NotFound)
}

pub async fn read_all(
    user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    let (me, now) = (user.id, user.now);
    let n = with_conn(&pool, move |conn| Ok(queries::read_all(conn, me, now)?)).await?;
    user.session.flash(
        FlashKind::Ok,
        if n == 1 {
            "1 notification marked as read.".to_owned()
        } else {
            format!("{n} notifications marked as read.")
        },
    );
    Ok(see_other("/notifications"))
}

//! The public landing page.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::tenancy::Viewer;
use crate::web::{AppError, PageMeta, render};

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    meta: PageMeta,
}

async fn home(viewer: Viewer) -> Result<HttpResponse, AppError> {
    render(&HomePage {
        meta: viewer.meta("Ordering for hospitality"),
    })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home));
}

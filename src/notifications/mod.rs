//! In-app notices: the bell's unread count, a list page, and marking them read. They are
//! written by the same after-change code that queues the emails, to the same people.

pub mod handlers;
pub mod queries;

use actix_web::web;

pub use queries::{Notice, tell};

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/notifications", web::get().to(h::list))
        .route("/notifications/read-all", web::post().to(h::read_all))
        .route("/notifications/{id}", web::get().to(h::open));
}

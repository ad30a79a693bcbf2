//! Order guides: each location's usual products from its last 90 days of orders, with par
//! levels, so the nightly order is counts typed in and one click, not a search session.

pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/guide", web::get().to(h::guide))
        .route("/guide", web::post().to(h::submit))
        .route("/guide/items", web::post().to(h::add))
        .route("/guide/items/{id}/remove", web::post().to(h::remove))
        .route("/guide/items/{id}/restore", web::post().to(h::restore));
}

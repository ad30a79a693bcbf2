//! Providers: the sellers' profiles. Catalogue and orders come in their own slices.

pub mod forms;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/provider", web::get().to(handlers::home)).route(
        "/provider/profile",
        web::post().to(handlers::update_profile),
    );
}

//! Availability: where, when and how each provider delivers (zones, windows, cut-offs,
//! capacity, closures), what checkout offers, and what submit enforces.

pub mod forms;
pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/provider/delivery", web::get().to(handlers::overview))
        .route(
            "/provider/delivery/zones/new",
            web::get().to(handlers::new_zone),
        )
        .route(
            "/provider/delivery/zones",
            web::post().to(handlers::create_zone),
        )
        .route(
            "/provider/delivery/zones/{id}/edit",
            web::get().to(handlers::edit_zone),
        )
        .route(
            "/provider/delivery/zones/{id}",
            web::post().to(handlers::update_zone),
        )
        .route(
            "/provider/delivery/zones/{id}/delete",
            web::post().to(handlers::delete_zone),
        )
        .route(
            "/provider/delivery/closures",
            web::post().to(handlers::add_closure),
        )
        .route(
            "/provider/delivery/closures/{id}/delete",
            web::post().to(handlers::delete_closure),
        );
}

//! Buyer organisations (businesses) and their delivery locations.

pub mod forms;
pub mod handlers;
pub mod model;
pub mod postcode;
pub mod queries;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buyer", web::get().to(handlers::home))
        .route("/buyer/business", web::post().to(handlers::update_business))
        .route(
            "/buyer/locations/new",
            web::get().to(handlers::new_location),
        )
        .route(
            "/buyer/locations",
            web::post().to(handlers::create_location),
        )
        .route(
            "/buyer/locations/{id}/edit",
            web::get().to(handlers::edit_location),
        )
        .route(
            "/buyer/locations/{id}",
            web::post().to(handlers::update_location),
        )
        .route(
            "/buyer/locations/{id}/default",
            web::post().to(handlers::make_default),
        )
        .route(
            "/buyer/locations/{id}/delete",
            web::post().to(handlers::delete_location),
        );
}

//! The catalogue: a provider's products, their CSV import and export, and the pure rules
//! (field checks, price per base unit) that buyers' pages reuse.

pub mod csv_io;
pub mod forms;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod rules;
pub mod unit_price;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/provider/products", web::get().to(handlers::list))
        .route("/provider/products", web::post().to(handlers::create))
        .route(
            "/provider/products/new",
            web::get().to(handlers::new_product),
        )
        .route(
            "/provider/products/export.csv",
            web::get().to(handlers::export),
        )
        .route(
            "/provider/products/import",
            web::get().to(handlers::import_form),
        )
        .route(
            "/provider/products/import",
            web::post().to(handlers::import_upload),
        )
        .route(
            "/provider/products/import/{id}/apply",
            web::post().to(handlers::import_apply),
        )
        .route(
            "/provider/products/{id}/edit",
            web::get().to(handlers::edit),
        )
        .route("/provider/products/{id}", web::post().to(handlers::update))
        .route(
            "/provider/products/{id}/stock",
            web::post().to(handlers::set_stock),
        )
        .route(
            "/provider/products/{id}/delete",
            web::get().to(handlers::confirm_delete),
        )
        .route(
            "/provider/products/{id}/delete",
            web::post().to(handlers::delete),
        );
}

//! Checkout: one provider's cart, a delivery location and date, and an exactly-once submit
//! that re-checks everything in its transaction.

pub mod all;
pub mod handlers;
pub mod rules;
pub mod submit;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/checkout", web::get().to(all::checkout))
        .route("/checkout", web::post().to(all::submit))
        .route("/checkout/{slug}", web::get().to(handlers::checkout))
        .route("/checkout/{slug}", web::post().to(handlers::submit));
}

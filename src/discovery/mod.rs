//! Discovery: buyers find providers (filters, full-text search), read a provider's
//! catalogue, and compare one product across providers.

pub mod handlers;
pub mod queries;
pub mod search;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/discover", web::get().to(handlers::discover))
        .route("/compare", web::get().to(handlers::compare))
        .route("/providers/{slug}", web::get().to(handlers::provider_page));
}

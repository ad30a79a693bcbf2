//! Payments: Stripe Checkout or a local test gateway, and webhook events applied once.

pub mod events;
pub mod gateway;
pub mod handlers;
pub mod queries;
pub mod reconcile;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/invoices/{id}/pay", web::post().to(handlers::pay))
        .route(
            "/pay/test/{session}",
            web::get().to(handlers::test_checkout),
        )
        .route(
            "/pay/test/{session}/{outcome}",
            web::post().to(handlers::test_checkout_outcome),
        )
        .route("/webhooks/stripe", web::post().to(handlers::webhook));
}

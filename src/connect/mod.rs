//! Providers paid through Stripe Connect (Express): onboarding through a Stripe-hosted link,
//! what Stripe says about the account, and the local stand-in when no Stripe key is set.

pub mod gateway;
pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/provider/payouts/settings",
        web::get().to(handlers::settings),
    )
    .route(
        "/provider/payouts/settings/onboard",
        web::post().to(handlers::onboard),
    )
    .route(
        "/provider/payouts/settings/return",
        web::get().to(handlers::returned),
    )
    .route(
        "/provider/payouts/settings/refresh",
        web::get().to(handlers::refresh),
    )
    .route(
        "/provider/payouts/test-onboarding",
        web::get().to(handlers::test_onboarding),
    )
    .route(
        "/provider/payouts/test-onboarding",
        web::post().to(handlers::test_onboarding_done),
    );
}

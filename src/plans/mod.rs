//! Provider plans: a monthly price billed through Stripe Subscriptions, a take-rate rule that
//! is versioned (never edited in place), and featured placement in discovery.

pub mod admin;
pub mod events;
pub mod forms;
pub mod gateway;
pub mod lifecycle;
pub mod provider;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/provider/plan", web::get().to(provider::show))
        .route("/provider/plan", web::post().to(provider::choose))
        .route(
            "/provider/plan/test/{session}",
            web::get().to(provider::test_checkout),
        )
        .route(
            "/provider/plan/test/{session}/pay",
            web::post().to(provider::test_checkout_pay),
        )
        // Configured before the admin area, whose `/admin/{entity}` would catch these.
        .route("/admin/plans", web::get().to(admin::list))
        .route("/admin/plans", web::post().to(admin::create))
        .route("/admin/plans/{id}", web::get().to(admin::show))
        .route(
            "/admin/plans/{id}/rules",
            web::post().to(admin::add_version),
        );
}

//! Payouts to providers' banks: recorded from Stripe's webhooks, matched to the payments and
//! refunds they carried, and shown to providers (and failures to admins).

pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

/// Registered after `connect`'s routes, so `/provider/payouts/settings` is never read as an id.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/provider/payouts", web::get().to(h::list))
        .route("/provider/payouts/{id}", web::get().to(h::show))
        .route("/admin/payouts", web::get().to(h::attention))
        .route("/admin/reconciliation", web::get().to(h::reconciliation));
}

//! Ratings and the trust score: buyers rate delivered orders, providers reply once, and a
//! provider's score is worked out from the last 90 days and stored for discovery.

pub mod handlers;
pub mod queries;
pub mod ratings;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/orders/{id}/rating", web::get().to(h::rate_form))
        .route("/orders/{id}/rating", web::post().to(h::rate))
        .route("/provider/reliability", web::get().to(h::reliability))
        .route("/provider/ratings/{id}/reply", web::post().to(h::reply));
}

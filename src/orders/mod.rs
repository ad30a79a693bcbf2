//! Orders: lists and pages for both sides, the state machine, the actions on an order, and
//! the after-change hook (timeline and emails) every change goes through.

pub mod action_handlers;
pub mod actions;
pub mod change;
pub mod changes;
pub mod handlers;
pub mod model;
pub mod notify;
pub mod queries;
pub mod reorder;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use action_handlers as a;
    use handlers as o;
    cfg.route("/orders", web::get().to(o::buyer_orders))
        .route("/orders/{id}", web::get().to(o::buyer_order))
        .route("/orders/{id}/status", web::get().to(o::buyer_status))
        .route("/orders/{id}/cancel", web::post().to(a::cancel))
        .route("/orders/{id}/change", web::post().to(a::change))
        .route("/orders/{id}/approve", web::post().to(a::approve))
        .route("/orders/{id}/decline", web::post().to(a::decline))
        .route("/approvals", web::get().to(o::approvals))
        .route("/orders/{id}/reorder", web::post().to(a::reorder))
        .route("/provider/orders", web::get().to(o::provider_orders))
        .route("/provider/orders/{id}", web::get().to(o::provider_order))
        .route(
            "/provider/orders/{id}/status",
            web::get().to(o::provider_status),
        )
        .route("/provider/orders/{id}/confirm", web::post().to(a::confirm))
        .route("/provider/orders/{id}/reject", web::post().to(a::reject))
        .route(
            "/provider/orders/{id}/schedule",
            web::post().to(a::schedule),
        )
        .route(
            "/provider/orders/{id}/dispatch",
            web::post().to(a::dispatch),
        )
        .route("/provider/orders/{id}/deliver", web::post().to(a::deliver));
}

//! Receiving deliveries and credit requests: the buyer checks a delivery in, asks for
//! credit on short, damaged or wrong lines, and the provider accepts (a refund or an
//! invoice correction) or declines; a decline or silence can go to Larder's team.

pub mod admin;
pub mod answers;
pub mod handlers;
pub mod notify;
pub mod provider;
pub mod queries;
pub mod raise_form;
pub mod rules;
pub mod thread;
pub mod thread_handlers;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    use provider as p;
    use thread_handlers as t;
    cfg.route("/orders/{id}/receive", web::get().to(h::receive_form))
        .route("/orders/{id}/receive", web::post().to(h::receive))
        .route("/orders/{id}/credit-request", web::get().to(h::new_form))
        .route("/orders/{id}/credit-request", web::post().to(h::raise))
        .route("/credit-requests", web::get().to(h::list))
        .route("/credit-requests/{id}", web::get().to(h::show))
        .route(
            "/credit-requests/{id}/escalate",
            web::post().to(h::escalate),
        )
        .route("/provider/credit-requests", web::get().to(p::list))
        .route("/provider/credit-requests/{id}", web::get().to(p::show))
        .route(
            "/provider/credit-requests/{id}/accept",
            web::post().to(p::accept),
        )
        .route(
            "/provider/credit-requests/{id}/decline",
            web::post().to(p::decline),
        )
        .route(
            "/credit-requests/{id}/messages",
            web::post().to(t::buyer_post),
        )
        .route(
            "/credit-requests/{id}/photos/{photo}",
            web::get().to(t::buyer_photo),
        )
        .route(
            "/provider/credit-requests/{id}/messages",
            web::post().to(t::provider_post),
        )
        .route(
            "/provider/credit-requests/{id}/photos/{photo}",
            web::get().to(t::provider_photo),
        )
        .route(
            "/admin/disputes/{id}/messages",
            web::post().to(t::admin_post),
        )
        .route(
            "/admin/disputes/{id}/photos/{photo}",
            web::get().to(t::admin_photo),
        )
        .route("/admin/disputes", web::get().to(admin::queue))
        .route("/admin/disputes/{id}", web::get().to(admin::show))
        .route(
            "/admin/disputes/{id}/resolve",
            web::post().to(admin::resolve),
        );
}

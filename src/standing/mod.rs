//! Standing orders: a buyer's order repeated on a schedule, placed by the worker before each
//! cut-off through the same submit as checkout.

pub mod forms;
pub mod handlers;
pub mod place;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/standing-orders", web::get().to(handlers::list))
        .route("/standing-orders", web::post().to(handlers::create))
        .route("/standing-orders/new", web::get().to(handlers::new))
        .route("/standing-orders/{id}", web::get().to(handlers::show))
        .route("/standing-orders/{id}/skip", web::post().to(handlers::skip))
        .route(
            "/standing-orders/{id}/pause",
            web::post().to(handlers::pause),
        )
        .route("/standing-orders/{id}/end", web::post().to(handlers::end))
        .route(
            "/standing-orders/{id}/lines",
            web::post().to(handlers::lines),
        )
        .route("/provider/standing-demand", web::get().to(handlers::demand));
}

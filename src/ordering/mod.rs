//! Ordering: carts, checkout with exactly-once submit, order pages for both sides, the
//! order state machine, and the emails each change sends.

pub mod actions;
pub mod cart;
pub mod cart_handlers;
pub mod changes;
pub mod checkout;
pub mod model;
pub mod notify;
pub mod order_actions;
pub mod order_pages;
pub mod queries;
pub mod rules;
pub mod submit;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use order_actions as a;
    use order_pages as o;
    cfg.route("/cart", web::get().to(cart_handlers::cart_page))
        .route("/cart/items", web::post().to(cart_handlers::add))
        .route("/cart/items/{id}", web::post().to(cart_handlers::update))
        .route(
            "/cart/items/{id}/remove",
            web::post().to(cart_handlers::remove),
        )
        .route("/checkout/{slug}", web::get().to(checkout::checkout))
        .route("/checkout/{slug}", web::post().to(checkout::submit))
        .route("/orders", web::get().to(o::buyer_orders))
        .route("/orders/{id}", web::get().to(o::buyer_order))
        .route("/orders/{id}/status", web::get().to(o::buyer_status))
        .route("/orders/{id}/cancel", web::post().to(a::cancel))
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

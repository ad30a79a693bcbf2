//! Carts: one per business and provider, priced live from the catalogue, with quantities
//! checked as typed.

pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/cart", web::get().to(h::cart_page))
        .route("/cart/items", web::post().to(h::add))
        .route("/cart/items/{id}", web::post().to(h::update))
        .route("/cart/items/{id}/remove", web::post().to(h::remove));
}

//! Customer prices: a provider's own price for one buyer business or a named group of them,
//! per product and period. Buyers see and pay it everywhere a price shows (catalogue,
//! compare, guide, cart, checkout, order lines, invoices); nobody else ever sees it.

pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/provider/customer-prices", web::get().to(h::prices))
        .route("/provider/customer-prices", web::post().to(h::add))
        .route("/provider/customer-prices.csv", web::get().to(h::export))
        .route(
            "/provider/customer-prices/import",
            web::post().to(h::import),
        )
        .route(
            "/provider/customer-prices/{id}/remove",
            web::post().to(h::remove),
        )
        .route("/provider/buyer-groups", web::post().to(h::create_group))
        .route(
            "/provider/buyer-groups/{id}/members",
            web::post().to(h::add_member),
        )
        .route(
            "/provider/buyer-groups/{id}/members/{business}/remove",
            web::post().to(h::remove_member),
        );
}

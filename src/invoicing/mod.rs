//! Invoicing: VAT invoices made from delivered orders, numbered per provider without gaps.

pub mod auto;
pub mod changes;
pub mod credit;
pub mod draft_form;
pub mod draft_handlers;
pub mod handlers;
pub mod live;
pub mod model;
mod notify;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use draft_handlers as d;
    use handlers as h;
    cfg.route("/invoices", web::get().to(h::buyer_invoices))
        .route("/invoices/{id}", web::get().to(h::buyer_invoice))
        .route("/invoices/{id}/payment", web::get().to(h::payment_region))
        .route("/provider/invoices", web::get().to(h::provider_invoices))
        .route(
            "/provider/invoices/{id}",
            web::get().to(h::provider_invoice),
        )
        .route("/provider/invoices/{id}", web::post().to(d::update))
        .route("/provider/invoices/{id}/issue", web::post().to(d::issue))
        .route("/provider/invoices/{id}/void", web::post().to(d::void))
        .route("/provider/invoices/{id}/paid", web::post().to(d::mark_paid))
        .route("/provider/orders/{id}/invoice", web::post().to(d::create));
}

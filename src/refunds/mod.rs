//! Refunds of paid invoices and the credit notes that record them (and voids).

pub mod credit_notes;
pub mod form;
pub mod gateway;
pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/provider/invoices/{id}/refund", web::post().to(h::refund))
        .route(
            "/provider/credit-notes/{id}",
            web::get().to(h::provider_note),
        )
        .route("/credit-notes/{id}", web::get().to(h::buyer_note))
        .route(
            "/admin/refunds/{id}/refund",
            web::post().to(h::refund_unapplied),
        );
}

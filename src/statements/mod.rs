//! A provider's monthly statement: the invoices it issued, the credit notes against them,
//! Larder's fee on each, and the payouts that reached its bank, as a page and as CSV.

pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/provider/statement", web::get().to(h::page))
        .route("/provider/statement.csv", web::get().to(h::csv));
}

//! The admin area: every tenant's users, businesses and providers, and suspension.
//! Only `AdminCtx` may enter; anyone else gets the same 404 as for a missing page.

pub mod handlers;
pub mod health;
pub mod invoices;
pub mod model;
pub mod queries;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(handlers::dashboard))
        .route("/admin/refunds", web::get().to(handlers::refunds))
        .route("/admin/health", web::get().to(health::show))
        .route("/admin/jobs/{id}/retry", web::post().to(health::retry))
        .route("/admin/invoices", web::get().to(invoices::list))
        .route("/admin/invoices/{id}", web::get().to(invoices::show))
        .route(
            "/admin/invoices/{id}/refund",
            web::post().to(invoices::refund),
        )
        .route(
            "/admin/credit-notes/{id}",
            web::get().to(invoices::credit_note),
        )
        .route("/admin/fees", web::get().to(crate::ledger::handlers::show))
        .route(
            "/admin/fees",
            web::post().to(crate::ledger::handlers::save_platform),
        )
        .route(
            "/admin/fees/providers",
            web::post().to(crate::ledger::handlers::save_provider),
        )
        .route(
            "/admin/fees/providers/{id}/delete",
            web::post().to(crate::ledger::handlers::remove_provider),
        )
        .route(
            "/admin/users/{id}/sessions/end",
            web::post().to(handlers::end_sessions),
        )
        .route("/admin/{entity}", web::get().to(handlers::list))
        .route(
            "/admin/{entity}/{id}/status",
            web::get().to(handlers::confirm),
        )
        .route(
            "/admin/{entity}/{id}/status",
            web::post().to(handlers::set_status),
        );
}

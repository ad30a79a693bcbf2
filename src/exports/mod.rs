//! Finance exports in the CSV layouts Xero and QuickBooks Online import: providers' sales
//! invoices, credit notes and payouts, and the platform's fee invoices. Each runs as a
//! background job with visible progress, so no request waits on a large range.

pub mod handlers;
pub mod job;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/provider/exports", web::get().to(h::provider_page))
        .route("/provider/exports", web::post().to(h::provider_request))
        .route(
            "/provider/exports/{id}/download",
            web::get().to(h::provider_download),
        )
        // Before the admin area's `/admin/{entity}` catch-alls.
        .route("/admin/exports", web::get().to(h::admin_page))
        .route("/admin/exports", web::post().to(h::admin_request))
        .route(
            "/admin/exports/{id}/download",
            web::get().to(h::admin_download),
        );
}

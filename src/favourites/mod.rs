//! Favourites: a business's shortlist of providers and products, starred from discovery and
//! catalogues and used to filter them. Setting a star is idempotent (the form says which
//! way), so a double click or a second tab leaves it as meant.

pub mod handlers;
pub mod queries;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/favourites/providers/{id}", web::post().to(h::provider))
        .route("/favourites/products/{id}", web::post().to(h::product));
}

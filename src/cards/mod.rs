//! Saved cards: a business saves cards with Stripe and pays invoices with one in one click.

pub mod autopay;
pub mod gateway;
pub mod handlers;
pub mod queries;
pub mod rules;
pub mod stand_in;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/buyer/cards", web::get().to(h::list))
        .route("/buyer/cards", web::post().to(h::add))
        .route("/buyer/cards/added", web::get().to(h::added))
        .route("/buyer/cards/autopay", web::post().to(h::autopay))
        .route(
            "/buyer/cards/test-setup",
            web::get().to(stand_in::test_setup),
        )
        .route(
            "/buyer/cards/test-setup",
            web::post().to(stand_in::test_setup_save),
        )
        .route("/buyer/cards/{id}/default", web::post().to(h::make_default))
        .route("/buyer/cards/{id}/remove", web::post().to(h::remove))
        .route("/invoices/{id}/pay-saved", web::post().to(h::pay_saved))
        .route(
            "/invoices/{id}/pay-saved/return",
            web::get().to(h::returned),
        )
        .route(
            "/invoices/{id}/test-authenticate",
            web::get().to(stand_in::test_authenticate),
        )
        .route(
            "/invoices/{id}/test-authenticate",
            web::post().to(stand_in::test_authenticated),
        );
}

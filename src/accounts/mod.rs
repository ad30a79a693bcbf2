//! Accounts: sign-up, login and sessions, the account page, password reset.
//! Guards (who may see what) live in `web::auth`.

pub mod forms;
pub mod handlers;
pub mod hashing;
pub mod mfa;
pub mod mfa_handlers;
pub mod model;
pub mod password;
pub mod queries;
pub mod reset;
pub mod sessions;
pub mod settings;
pub mod signup;
pub mod throttle;
pub mod tokens;
pub mod verify;
pub mod views;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/signup", web::get().to(handlers::signup_choice))
        .route("/signup/buyer", web::get().to(handlers::signup_buyer_form))
        .route(
            "/signup/buyer",
            web::post().to(handlers::signup_buyer_submit),
        )
        .route(
            "/signup/provider",
            web::get().to(handlers::signup_provider_form),
        )
        .route(
            "/signup/provider",
            web::post().to(handlers::signup_provider_submit),
        )
        .route("/login", web::get().to(handlers::login_form))
        .route("/login", web::post().to(handlers::login_submit))
        .route("/login/mfa", web::get().to(mfa_handlers::second_step_page))
        .route("/login/mfa", web::post().to(mfa_handlers::second_step))
        .route("/verify-email/{token}", web::get().to(verify::confirm))
        .route("/account/verify-email", web::post().to(verify::resend))
        .route("/account/sessions", web::get().to(sessions::pages::list))
        .route(
            "/account/sessions/{id}/end",
            web::post().to(sessions::pages::end),
        )
        .route("/account/mfa", web::get().to(mfa_handlers::mfa_page))
        .route("/account/mfa", web::post().to(mfa_handlers::enable))
        .route(
            "/account/mfa/disable",
            web::post().to(mfa_handlers::disable),
        )
        .route("/logout", web::post().to(handlers::logout))
        .route("/account", web::get().to(settings::account_page))
        .route("/account", web::post().to(settings::update_account))
        .route(
            "/account/password",
            web::post().to(settings::change_password),
        )
        .route(
            "/account/logout-everywhere",
            web::post().to(settings::logout_everywhere),
        )
        .route("/password-reset", web::get().to(reset::request_form))
        .route("/password-reset", web::post().to(reset::request_submit))
        .route("/password-reset/{token}", web::get().to(reset::reset_form))
        .route(
            "/password-reset/{token}",
            web::post().to(reset::reset_submit),
        );
}

//! Teams: the members of a business or provider, their roles, invites by email, and
//! switching between the organisations a person belongs to.

pub mod accept;
pub mod handlers;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/team", web::get().to(h::team_page))
        .route("/team/invites", web::post().to(h::invite))
        .route("/team/invites/{id}/revoke", web::post().to(h::revoke))
        .route("/team/members/{id}/role", web::post().to(h::change_role))
        .route("/team/members/{id}/remove", web::post().to(h::remove))
        .route("/team/members/{id}/limits", web::post().to(h::set_limits))
        .route("/organisations", web::get().to(h::organisations))
        .route("/organisations/{id}", web::post().to(h::switch))
        .route("/invites/{token}", web::get().to(accept::invite_page))
        .route("/invites/{token}", web::post().to(accept::accept));
}

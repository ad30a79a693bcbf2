//! The audit log: who did what to which thing, for which organisation, from where. Rows are
//! written with `record` inside the transaction of the change they describe (so a rolled
//! back change leaves no entry, and a committed one always has one) and can never be
//! changed: the database refuses UPDATE, DELETE and TRUNCATE on the table.

pub mod handlers;
pub mod queries;

use diesel::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use crate::db::schema::audit_log;
use crate::ids::{UserId, new_id};

/// Who acted, and from where: built from the request by the tenancy contexts, or
/// `Actor::system()` for jobs and webhooks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user: Option<UserId>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn system() -> Self {
        Self::default()
    }

    /// The acting user's id, for tables that name who did something.
    pub fn user_id(&self) -> Option<Uuid> {
        self.user.map(|u| u.0)
    }
}

/// One thing that happened. `action` is `area.verb` ("member.role_changed"); `before` and
/// `after` hold the fields that changed, never secrets.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: &'static str,
    pub business: Option<Uuid>,
    pub provider: Option<Uuid>,
    pub target_type: &'static str,
    pub target_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Entry {
    pub fn new(action: &'static str, target_type: &'static str, target_id: Option<Uuid>) -> Self {
        Self {
            action,
            business: None,
            provider: None,
            target_type,
            target_id,
            before: None,
            after: None,
        }
    }

    pub fn org(mut self, business: Option<Uuid>, provider: Option<Uuid>) -> Self {
        self.business = business;
        self.provider = provider;
        self
    }

    pub fn change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

pub fn record(conn: &mut PgConnection, actor: &Actor, entry: Entry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::actor_id.eq(actor.user_id()),
            audit_log::actor_email.eq(actor.email.as_deref()),
            audit_log::business_id.eq(entry.business),
            audit_log::provider_id.eq(entry.provider),
            audit_log::action.eq(entry.action),
            audit_log::target_type.eq(entry.target_type),
            audit_log::target_id.eq(entry.target_id),
            audit_log::before.eq(entry.before),
            audit_log::after.eq(entry.after),
            audit_log::ip.eq(actor.ip.as_deref()),
            audit_log::request_id.eq(actor.request_id.as_deref()),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.route("/admin/audit", web::get().to(handlers::admin_log))
        .route("/admin/audit.csv", web::get().to(handlers::admin_csv))
        .route("/team/audit", web::get().to(handlers::team_log))
        .route("/team/audit.csv", web::get().to(handlers::team_csv));
}

//! Product analytics: events written in the same transaction as what they record (a rolled
//! back order is never counted), and the admin page that reads them: orders per week, the
//! repeat-buyer share, time to first order and the sign-up funnel, drawn on the server.

pub mod chart;
pub mod handlers;
pub mod money;
pub mod queries;
pub mod rules;

use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::analytics_events;

crate::text_enum! {
    pub enum Kind {
        Signup = "signup",
        BusinessAdded = "business_added",
        FirstCart = "first_cart",
        OrderPlaced = "order_placed",
        OrderConfirmed = "order_confirmed",
        InvoicePaid = "invoice_paid",
        StandingOrderPlaced = "standing_order_placed",
    }
}

/// Who and what an event is about; unknown parts stay empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct About {
    pub user: Option<Uuid>,
    pub business: Option<Uuid>,
    pub provider: Option<Uuid>,
    pub subject: Option<Uuid>,
}

/// Records `kind` in the caller's transaction. A replay (same subject, or a business's
/// second first cart) records nothing.
pub fn record(conn: &mut PgConnection, kind: Kind, about: About) -> QueryResult<()> {
    diesel::insert_into(analytics_events::table)
        .values((
            analytics_events::kind.eq(kind.as_str()),
            analytics_events::user_id.eq(about.user),
            analytics_events::business_id.eq(about.business),
            analytics_events::provider_id.eq(about.provider),
            analytics_events::subject_id.eq(about.subject),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.route("/admin/analytics", web::get().to(handlers::show))
        .route(
            "/admin/analytics/trial-balance.csv",
            web::get().to(handlers::trial_balance_csv),
        );
}

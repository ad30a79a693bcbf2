//! Live updates. A change's after-change hook `publish`es the ids it touched with
//! `pg_notify`, which PostgreSQL delivers at commit to every instance's one listening
//! connection (`hub`); payment attempts notify from a trigger, since many paths (webhooks,
//! reconciliation, saved cards) change them. Each open page's socket (`socket`) hears the ids, and if they are
//! what it shows, re-reads them with its own user's permissions and sends the fresh HTML
//! for htmx's ws extension to swap in. Nothing but ids crosses the channel, so nothing
//! crosses tenants.

pub mod hub;
pub mod socket;
mod views;

use std::fmt;

use actix_web::web;
use diesel::prelude::*;
use diesel::sql_types::Text;
use uuid::Uuid;

pub use hub::Hub;

/// The channel every instance listens on.
pub const CHANNEL: &str = "larder_live";

/// Something a page may show that just changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Order(Uuid),
    Invoice(Uuid),
    /// A person's notifications (the bell).
    Bell(Uuid),
    /// The order list of a buyer business or a provider (their ids never collide).
    Orders(Uuid),
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Order(id) => write!(f, "o:{id}"),
            Self::Invoice(id) => write!(f, "i:{id}"),
            Self::Bell(id) => write!(f, "u:{id}"),
            Self::Orders(id) => write!(f, "l:{id}"),
        }
    }
}

impl Topic {
    /// The payload's topic, or `None` for anything else on the channel.
    pub fn parse(payload: &str) -> Option<Self> {
        let (kind, id) = payload.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "o" => Some(Self::Order(id)),
            "i" => Some(Self::Invoice(id)),
            "u" => Some(Self::Bell(id)),
            "l" => Some(Self::Orders(id)),
            _ => None,
        }
    }
}

/// Tells every instance that `topic` changed, when the caller's transaction commits
/// (`pg_notify` sends nothing if it rolls back, and a payload once however often a
/// transaction repeats it).
pub fn publish(conn: &mut PgConnection, topic: Topic) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(topic.to_string())
        .execute(conn)?;
    Ok(())
}

/// A short name for what a region reads as, so a socket sends it only when it changes.
pub fn fingerprint(html: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(html.as_bytes())[..8])
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use socket as s;
    cfg.route("/live", web::get().to(s::bell))
        .route("/orders/{id}/live", web::get().to(s::buyer_page))
        .route(
            "/provider/orders/{id}/live",
            web::get().to(s::provider_page),
        )
        .route("/invoices/{id}/live", web::get().to(s::buyer_page))
        .route("/live/orders", web::get().to(s::buyer_orders))
        .route("/live/provider/orders", web::get().to(s::provider_orders))
        .route(
            "/provider/invoices/{id}/live",
            web::get().to(s::provider_page),
        );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_round_trip_and_nothing_else_parses() {
        let id = Uuid::now_v7();
        for t in [
            Topic::Order(id),
            Topic::Invoice(id),
            Topic::Bell(id),
            Topic::Orders(id),
        ] {
            assert_eq!(Topic::parse(&t.to_string()), Some(t));
        }
        assert_eq!(Topic::parse("x:1"), None);
        assert_eq!(Topic::parse(&format!("z:{id}")), None);
        assert_eq!(Topic::parse("o:not-a-uuid"), None);
        assert_eq!(Topic::parse(""), None);
    }
}

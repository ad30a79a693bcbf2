//! The order aggregate's one after-change hook. Every change to an order calls
//! `after_change` inside the transaction that made it; it writes the timeline row and queues
//! the emails the recipient rule asks for. In-app notifications, live updates, metrics and
//! the audit log join here, so no action has to remember them one by one.

use diesel::prelude::*;
use uuid::Uuid;

use super::notify::{self, Event};
use crate::audit::{Actor, Entry};
use crate::db::schema::{order_events, orders};
use crate::ids::new_id;
use crate::web::AppError;

/// What happened to an order, with what the timeline says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Placed over the orderer's limits, and why.
    AwaitingApproval {
        why: String,
    },
    Approved,
    Declined {
        reason: String,
    },
    Submitted,
    Cancelled,
    /// The buyer changed quantities before confirmation: what changed.
    Changed {
        summary: String,
    },
    Confirmed {
        shorts: usize,
    },
    Rejected {
        reason: String,
    },
    Scheduled {
        when: String,
    },
    Dispatched,
    Delivered {
        received_by: String,
    },
}

impl Change {
    /// The timeline's status word and note.
    fn timeline(&self) -> (&'static str, Option<String>) {
        match self {
            Self::AwaitingApproval { why } => ("awaiting_approval", Some(why.clone())),
            Self::Approved => ("approved", None),
            Self::Declined { reason } => ("declined", Some(reason.clone())),
            Self::Submitted => ("submitted", None),
            Self::Cancelled => ("cancelled", None),
            Self::Changed { summary } => ("changed", Some(summary.clone())),
            Self::Confirmed { shorts: 0 } => ("confirmed", None),
            Self::Confirmed { shorts } => ("confirmed", Some(format!("{shorts} item(s) short"))),
            Self::Rejected { reason } => ("rejected", Some(reason.clone())),
            Self::Scheduled { when } => {
                ("scheduled", Some(format!("Delivery scheduled for {when}")))
            }
            Self::Dispatched => ("out_for_delivery", None),
            Self::Delivered { received_by } => {
                ("delivered", Some(format!("Received by {received_by}")))
            }
        }
    }

    /// The audit log's name for it.
    fn action(&self) -> &'static str {
        match self {
            Self::AwaitingApproval { .. } => "order.awaiting_approval",
            Self::Approved => "order.approved",
            Self::Declined { .. } => "order.declined",
            Self::Submitted => "order.submitted",
            Self::Cancelled => "order.cancelled",
            Self::Changed { .. } => "order.changed",
            Self::Confirmed { .. } => "order.confirmed",
            Self::Rejected { .. } => "order.rejected",
            Self::Scheduled { .. } => "order.scheduled",
            Self::Dispatched => "order.dispatched",
            Self::Delivered { .. } => "order.delivered",
        }
    }

    fn event(&self) -> Event {
        match self {
            Self::AwaitingApproval { .. } => Event::AwaitingApproval,
            Self::Approved => Event::Approved,
            Self::Declined { .. } => Event::Declined,
            Self::Submitted => Event::Submitted,
            Self::Cancelled => Event::Cancelled,
            Self::Changed { .. } => Event::Changed,
            Self::Confirmed { .. } => Event::Confirmed,
            Self::Rejected { .. } => Event::Rejected,
            Self::Scheduled { .. } => Event::Scheduled,
            Self::Dispatched => Event::Dispatched,
            Self::Delivered { .. } => Event::Delivered,
        }
    }
}

/// Records `change` to `order` by `actor` and tells whoever the recipient rule names. Call
/// it in the transaction that made the change, after the change is written.
pub fn after_change(
    conn: &mut PgConnection,
    order: Uuid,
    change: &Change,
    actor: &Actor,
    base_url: &str,
) -> Result<(), AppError> {
    let (status, note) = change.timeline();
    diesel::insert_into(order_events::table)
        .values((
            order_events::id.eq(new_id()),
            order_events::order_id.eq(order),
            order_events::status.eq(status),
            order_events::actor_id.eq(actor.user_id()),
            order_events::note.eq(note.clone()),
        ))
        .execute(conn)?;
    // Both parties' owners see an order's history in their audit log.
    let (business, provider): (Uuid, Uuid) = orders::table
        .find(order)
        .select((orders::business_id, orders::provider_id))
        .first(conn)?;
    let entry = Entry::new(change.action(), "order", Some(order))
        .org(Some(business), Some(provider))
        .change(None, note.map(|n| serde_json::json!({ "note": n })));
    crate::audit::record(conn, actor, entry)?;
    crate::live::publish(conn, crate::live::Topic::Order(order))?;
    crate::live::publish(conn, crate::live::Topic::Orders(business))?;
    crate::live::publish(conn, crate::live::Topic::Orders(provider))?;
    // Placed means sent to the provider: straight away, or once approved.
    let about = crate::analytics::About {
        user: actor.user_id(),
        business: Some(business),
        provider: Some(provider),
        subject: Some(order),
    };
    match change {
        Change::Submitted | Change::Approved => {
            crate::monitoring::order_placed();
            crate::analytics::record(conn, crate::analytics::Kind::OrderPlaced, about)?;
        }
        Change::Confirmed { .. } => {
            crate::analytics::record(conn, crate::analytics::Kind::OrderConfirmed, about)?;
        }
        Change::Delivered { .. } => {
            crate::invoicing::auto::after_delivery(conn, order, provider)?;
        }
        _ => {}
    }
    notify::order_event(conn, (order, actor.user_id()), change.event(), base_url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timeline_says_what_happened_in_words() {
        assert_eq!(
            Change::Confirmed { shorts: 0 }.timeline(),
            ("confirmed", None)
        );
        assert_eq!(
            Change::Confirmed { shorts: 2 }.timeline().1.as_deref(),
            Some("2 item(s) short")
        );
        assert_eq!(
            Change::Delivered {
                received_by: "Ada".into()
            }
            .timeline(),
            ("delivered", Some("Received by Ada".into()))
        );
        assert_eq!(Change::Dispatched.event(), Event::Dispatched);
    }
}

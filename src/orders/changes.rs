//! The order aggregate's one after-change hook. Every change to an order calls
//! `after_change` inside the transaction that made it; it writes the timeline row and queues
//! the emails the recipient rule asks for. In-app notifications, live updates, metrics and
//! the audit log join here, so no action has to remember them one by one.

use diesel::prelude::*;
use uuid::Uuid;

use super::notify::{self, Event};
use crate::db::schema::order_events;
use crate::ids::{UserId, new_id};
use crate::web::AppError;

/// What happened to an order, with what the timeline says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Submitted,
    Cancelled,
    Confirmed { shorts: usize },
    Rejected { reason: String },
    Scheduled { when: String },
    Dispatched,
    Delivered { received_by: String },
}

impl Change {
    /// The timeline's status word and note.
    fn timeline(&self) -> (&'static str, Option<String>) {
        match self {
            Self::Submitted => ("submitted", None),
            Self::Cancelled => ("cancelled", None),
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

    fn event(&self) -> Event {
        match self {
            Self::Submitted => Event::Submitted,
            Self::Cancelled => Event::Cancelled,
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
    actor: UserId,
    base_url: &str,
) -> Result<(), AppError> {
    let (status, note) = change.timeline();
    diesel::insert_into(order_events::table)
        .values((
            order_events::id.eq(new_id()),
            order_events::order_id.eq(order),
            order_events::status.eq(status),
            order_events::actor_id.eq(Some(actor.0)),
            order_events::note.eq(note),
        ))
        .execute(conn)?;
    notify::order_event(conn, order, change.event(), base_url)
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

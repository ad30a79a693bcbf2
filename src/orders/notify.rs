//! Order emails: written when the order changes, in the same transaction, and sent by the
//! job worker. Each links to the order page with an absolute URL; a logged-out reader goes
//! through the login page and back.

use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use super::model::OrderDetail;
use super::queries::detail;
use crate::db::schema::{providers, users};
use crate::email::{self, OutgoingEmail};
use crate::tenancy::Permission;
use crate::tenancy::Scope;
use crate::tenancy::members::{
    buyer_emails_allowed, buyer_members_allowed, provider_members_allowed,
};
use crate::web::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    AwaitingApproval,
    Approved,
    Declined,
    Submitted,
    Cancelled,
    Changed,
    Confirmed,
    Rejected,
    Scheduled,
    Dispatched,
    Delivered,
}

/// Which side of an order an email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The person who placed the order.
    Buyer,
    Provider,
    /// The buyer's members who may approve orders (managers and owners).
    Approvers,
}

impl Event {
    fn key(self) -> &'static str {
        match self {
            Self::AwaitingApproval => "awaiting_approval",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Submitted => "submitted",
            Self::Cancelled => "cancelled",
            Self::Changed => "changed",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Scheduled => "scheduled",
            Self::Dispatched => "dispatched",
            Self::Delivered => "delivered",
        }
    }

    /// Who hears of a change: the other side always, and the buyer also gets a receipt for
    /// the order they placed and their own cancellation, so their inbox holds the record.
    pub fn recipients(self) -> &'static [Recipient] {
        match self {
            Self::AwaitingApproval => &[Recipient::Approvers, Recipient::Buyer],
            Self::Approved => &[Recipient::Provider, Recipient::Buyer],
            Self::Declined => &[Recipient::Buyer],
            Self::Submitted | Self::Cancelled | Self::Changed => {
                &[Recipient::Provider, Recipient::Buyer]
            }
            Self::Confirmed
            | Self::Rejected
            | Self::Scheduled
            | Self::Dispatched
            | Self::Delivered => &[Recipient::Buyer],
        }
    }
}

#[derive(Template)]
#[template(path = "emails/order.txt")]
struct OrderText<'a> {
    e: &'a OrderEmail,
}

#[derive(Template)]
#[template(path = "emails/order.html")]
struct OrderHtml<'a> {
    e: &'a OrderEmail,
}

struct OrderEmail {
    headline: String,
    message: String,
    lines: Vec<(String, String, String)>,
    total: String,
    link: String,
}

pub fn order_event(
    conn: &mut PgConnection,
    (order_id, actor): (Uuid, Option<Uuid>),
    event: Event,
    base_url: &str,
) -> Result<(), AppError> {
    let d = detail(conn, Scope::System, order_id)?;
    let provider = d.order.provider_id;
    // A reschedule is a new change; everything else happens once per order.
    let occurrence = match (event, &d.delivery) {
        (Event::Scheduled, Some(del)) => format!(":{}", del.summary()),
        (Event::Changed, _) => format!(
            ":{}",
            d.events.iter().filter(|e| e.status == "changed").count()
        ),
        _ => String::new(),
    };
    let mut sends = Vec::new();
    for &recipient in event.recipients() {
        match recipient {
            Recipient::Buyer => sends.push((
                recipient,
                users::table
                    .find(d.order.placed_by)
                    .select(users::email)
                    .first::<String>(conn)?,
            )),
            Recipient::Provider => sends.push((
                recipient,
                providers::table
                    .find(provider)
                    .select(providers::contact_email)
                    .first::<String>(conn)?,
            )),
            Recipient::Approvers => {
                for email in
                    buyer_emails_allowed(conn, d.order.business_id, Permission::ApproveOrders)?
                {
                    sends.push((recipient, email));
                }
            }
        }
    }
    for (recipient, to) in sends {
        let link = match recipient {
            Recipient::Buyer | Recipient::Approvers => format!("{base_url}/orders/{order_id}"),
            Recipient::Provider => format!("{base_url}/provider/orders/{order_id}"),
        };
        let (subject, message) = wording(&d, event, recipient);
        let content = OrderEmail {
            headline: subject.clone(),
            message,
            lines: d
                .lines
                .iter()
                .map(|l| (l.product_name.clone(), l.confirmed_text(), l.total_text()))
                .collect(),
            total: d.order.total_text(),
            link,
        };
        let message = OutgoingEmail {
            to: to.clone(),
            subject,
            text: OrderText { e: &content }.render()?,
            html: OrderHtml { e: &content }.render()?,
        };
        let side = match recipient {
            Recipient::Buyer => "buyer".to_owned(),
            Recipient::Provider => "provider".to_owned(),
            Recipient::Approvers => format!("approver:{to}"),
        };
        // One email per order, event and side, however often the change is replayed.
        email::queue(
            conn,
            &message,
            &format!("order:{order_id}:{}:{side}{occurrence}", event.key()),
        )?;
    }
    notices(conn, &d, (event, &occurrence), actor)
}

/// The same change in the bell of each person told, except whoever made it.
fn notices(
    conn: &mut PgConnection,
    d: &OrderDetail,
    (event, occurrence): (Event, &str),
    actor: Option<Uuid>,
) -> Result<(), AppError> {
    let order_id = d.order.id;
    for &recipient in event.recipients() {
        let (users, link): (Vec<Uuid>, String) = match recipient {
            Recipient::Buyer => (vec![d.order.placed_by.0], format!("/orders/{order_id}")),
            Recipient::Approvers => (
                crate::tenancy::members::user_ids(buyer_members_allowed(
                    conn,
                    d.order.business_id,
                    Permission::ApproveOrders,
                )?),
                format!("/orders/{order_id}"),
            ),
            Recipient::Provider => (
                crate::tenancy::members::user_ids(provider_members_allowed(
                    conn,
                    d.order.provider_id,
                    Permission::ConfirmOrders,
                )?),
                format!("/provider/orders/{order_id}"),
            ),
        };
        let users: Vec<Uuid> = users.into_iter().filter(|u| Some(*u) != actor).collect();
        let (title, body) = wording(d, event, recipient);
        crate::notifications::tell(
            conn,
            &users,
            &crate::notifications::Notice {
                kind: "order",
                title: &title,
                body: &body,
                link: &link,
                key: &format!("order:{order_id}:{}{occurrence}", event.key()),
            },
        )?;
    }
    Ok(())
}

/// The note the latest `status` event carries (a decline's reason, an approval's why).
fn note_of(d: &OrderDetail, status: &str) -> String {
    d.events
        .iter()
        .rev()
        .find(|e| e.status == status)
        .and_then(|e| e.note.clone())
        .unwrap_or_default()
}

fn wording(d: &OrderDetail, event: Event, recipient: Recipient) -> (String, String) {
    let number = &d.order.number;
    let shorts = d.lines.iter().filter(|l| l.is_short()).count();
    match (event, recipient) {
        (Event::AwaitingApproval, Recipient::Approvers) => (
            format!("Order {number} needs your approval"),
            format!(
                "An order to {} for delivery on {} is over its orderer's limit. {} Approve it to send it to {}, or decline it.",
                d.provider_name,
                d.order.delivery_date_text(),
                note_of(d, "awaiting_approval"),
                d.provider_name
            ),
        ),
        (Event::AwaitingApproval, _) => (
            format!("Order {number} is waiting for approval"),
            format!(
                "{} We've asked a manager to approve it; it goes to {} when they do.",
                note_of(d, "awaiting_approval"),
                d.provider_name
            ),
        ),
        (Event::Approved, Recipient::Provider) | (Event::Submitted, Recipient::Provider) => (
            format!("New order {number} from {}", d.business_name),
            format!(
                "{} has ordered for delivery on {}. Please confirm it, or reject it with a reason.",
                d.business_name,
                d.order.delivery_date_text()
            ),
        ),
        (Event::Approved, _) => (
            format!("Order {number} approved and sent to {}", d.provider_name),
            format!(
                "Your order was approved and sent to {} for delivery on {}. We'll email you when they confirm it.",
                d.provider_name,
                d.order.delivery_date_text()
            ),
        ),
        (Event::Declined, _) => (
            format!("Order {number} was declined"),
            format!(
                "Your order to {} wasn't approved: {}",
                d.provider_name,
                note_of(d, "declined")
            ),
        ),
        (Event::Submitted, _) => (
            format!("Order {number} sent to {}", d.provider_name),
            format!(
                "We've sent your order to {} for delivery on {}. We'll email you when they confirm it.",
                d.provider_name,
                d.order.delivery_date_text()
            ),
        ),
        (Event::Changed, Recipient::Provider) => (
            format!("Order {number} changed by {}", d.business_name),
            format!(
                "{} changed this order before you confirmed it: {}. The lines below are the order now.",
                d.business_name,
                note_of(d, "changed")
            ),
        ),
        (Event::Changed, _) => (
            format!("You changed order {number}"),
            format!(
                "Your change is with {}: {}.",
                d.provider_name,
                note_of(d, "changed")
            ),
        ),
        (Event::Cancelled, Recipient::Provider) => (
            format!("Order {number} was cancelled"),
            format!(
                "{} cancelled this order before you confirmed it.",
                d.business_name
            ),
        ),
        (Event::Cancelled, _) => (
            format!("You cancelled order {number}"),
            format!(
                "Your order from {} is cancelled; nothing will be delivered or invoiced.",
                d.provider_name
            ),
        ),
        (Event::Confirmed, _) if shorts > 0 => (
            format!("Order {number} confirmed, with {shorts} item(s) short"),
            format!(
                "{} confirmed your order, but can't supply everything. The totals below are what you'll be invoiced.",
                d.provider_name
            ),
        ),
        (Event::Confirmed, _) => (
            format!("Order {number} confirmed"),
            format!(
                "{} confirmed your order for {}.",
                d.provider_name,
                d.order.delivery_date_text()
            ),
        ),
        (Event::Rejected, _) => (
            format!("Order {number} was rejected"),
            format!(
                "{} can't take this order: {}",
                d.provider_name,
                d.order.rejection_reason.clone().unwrap_or_default()
            ),
        ),
        (Event::Scheduled, _) => (
            format!("Order {number}: delivery scheduled"),
            format!(
                "{} will deliver your order on {}.",
                d.provider_name,
                d.delivery
                    .as_ref()
                    .map(|del| del.summary())
                    .unwrap_or_else(|| d.order.delivery_date_text())
            ),
        ),
        (Event::Dispatched, _) => (
            format!("Order {number} is on its way"),
            format!("{} has sent your order out for delivery.", d.provider_name),
        ),
        (Event::Delivered, _) => (
            format!("Order {number} delivered"),
            format!("{} marked your order as delivered.", d.provider_name),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_hear_of_an_order_and_the_buyer_of_every_provider_change() {
        assert_eq!(
            Event::Submitted.recipients(),
            &[Recipient::Provider, Recipient::Buyer]
        );
        for e in [
            Event::Confirmed,
            Event::Rejected,
            Event::Scheduled,
            Event::Dispatched,
            Event::Delivered,
        ] {
            assert_eq!(e.recipients(), &[Recipient::Buyer], "{e:?}");
        }
        assert!(Event::Cancelled.recipients().contains(&Recipient::Provider));
    }
}

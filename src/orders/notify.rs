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
use crate::tenancy::Scope;
use crate::web::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Submitted,
    Cancelled,
    Confirmed,
    Rejected,
    Scheduled,
    Dispatched,
    Delivered,
}

/// Which side of an order an email is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    Buyer,
    Provider,
}

impl Event {
    fn key(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Cancelled => "cancelled",
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
            Self::Submitted | Self::Cancelled => &[Recipient::Provider, Recipient::Buyer],
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
    order_id: Uuid,
    event: Event,
    base_url: &str,
) -> Result<(), AppError> {
    let d = detail(conn, Scope::System, order_id)?;
    let provider = d.order.provider_id;
    // A reschedule is a new change; everything else happens once per order.
    let occurrence = match (event, &d.delivery) {
        (Event::Scheduled, Some(del)) => format!(":{}", del.summary()),
        _ => String::new(),
    };
    for &recipient in event.recipients() {
        let to: String = match recipient {
            Recipient::Buyer => users::table
                .find(d.order.placed_by)
                .select(users::email)
                .first(conn)?,
            Recipient::Provider => providers::table
                .find(provider)
                .select(providers::contact_email)
                .first(conn)?,
        };
        let link = match recipient {
            Recipient::Buyer => format!("{base_url}/orders/{order_id}"),
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
            to,
            subject,
            text: OrderText { e: &content }.render()?,
            html: OrderHtml { e: &content }.render()?,
        };
        let side = match recipient {
            Recipient::Buyer => "buyer",
            Recipient::Provider => "provider",
        };
        // One email per order, event and side, however often the change is replayed.
        email::queue(
            conn,
            &message,
            &format!("order:{order_id}:{}:{side}{occurrence}", event.key()),
        )?;
    }
    Ok(())
}

fn wording(d: &OrderDetail, event: Event, recipient: Recipient) -> (String, String) {
    let number = &d.order.number;
    let shorts = d.lines.iter().filter(|l| l.is_short()).count();
    match (event, recipient) {
        (Event::Submitted, Recipient::Provider) => (
            format!("New order {number} from {}", d.business_name),
            format!(
                "{} has ordered for delivery on {}. Please confirm it, or reject it with a reason.",
                d.business_name,
                d.order.delivery_date_text()
            ),
        ),
        (Event::Submitted, Recipient::Buyer) => (
            format!("Order {number} sent to {}", d.provider_name),
            format!(
                "We've sent your order to {} for delivery on {}. We'll email you when they confirm it.",
                d.provider_name,
                d.order.delivery_date_text()
            ),
        ),
        (Event::Cancelled, Recipient::Provider) => (
            format!("Order {number} was cancelled"),
            format!(
                "{} cancelled this order before you confirmed it.",
                d.business_name
            ),
        ),
        (Event::Cancelled, Recipient::Buyer) => (
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

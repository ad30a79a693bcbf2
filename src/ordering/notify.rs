//! Order emails: written when the order changes, in the same transaction, and sent by the
//! job worker. Each links to the order page with an absolute URL; a logged-out reader goes
//! through the login page and back.

use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use super::queries::{Scope, detail};
use crate::db::schema::{orders, providers, users};
use crate::email::{self, OutgoingEmail};
use crate::ids::ProviderId;
use crate::jobs::queries as jobs;
use crate::web::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Submitted,
    Cancelled,
    Confirmed,
    Rejected,
    Dispatched,
    Delivered,
}

impl Event {
    fn key(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Cancelled => "cancelled",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
            Self::Dispatched => "dispatched",
            Self::Delivered => "delivered",
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
    let provider: Uuid = orders::table
        .find(order_id)
        .select(orders::provider_id)
        .first(conn)?;
    let d = detail(conn, Scope::Provider(ProviderId(provider)), order_id)?;
    let number = &d.order.number;
    let buyer_email: String = users::table
        .find(d.order.placed_by)
        .select(users::email)
        .first(conn)?;
    let provider_email: String = providers::table
        .find(provider)
        .select(providers::contact_email)
        .first(conn)?;
    let to_provider = matches!(event, Event::Submitted | Event::Cancelled);
    let (to, link) = if to_provider {
        (
            provider_email,
            format!("{base_url}/provider/orders/{order_id}"),
        )
    } else {
        (buyer_email, format!("{base_url}/orders/{order_id}"))
    };
    let shorts = d.lines.iter().filter(|l| l.is_short()).count();
    let (subject, message) = match event {
        Event::Submitted => (
            format!("New order {number} from {}", d.business_name),
            format!(
                "{} has ordered for delivery on {}. Please confirm it, or reject it with a reason.",
                d.business_name,
                d.order.delivery_date_text()
            ),
        ),
        Event::Cancelled => (
            format!("Order {number} was cancelled"),
            format!(
                "{} cancelled this order before you confirmed it.",
                d.business_name
            ),
        ),
        Event::Confirmed if shorts > 0 => (
            format!("Order {number} confirmed, with {shorts} item(s) short"),
            format!(
                "{} confirmed your order, but can't supply everything. The totals below are what you'll be invoiced.",
                d.provider_name
            ),
        ),
        Event::Confirmed => (
            format!("Order {number} confirmed"),
            format!(
                "{} confirmed your order for {}.",
                d.provider_name,
                d.order.delivery_date_text()
            ),
        ),
        Event::Rejected => (
            format!("Order {number} was rejected"),
            format!(
                "{} can't take this order: {}",
                d.provider_name,
                d.order.rejection_reason.clone().unwrap_or_default()
            ),
        ),
        Event::Dispatched => (
            format!("Order {number} is on its way"),
            format!("{} has sent your order out for delivery.", d.provider_name),
        ),
        Event::Delivered => (
            format!("Order {number} delivered"),
            format!("{} marked your order as delivered.", d.provider_name),
        ),
    };
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
    let payload = serde_json::to_value(&message).map_err(anyhow::Error::from)?;
    // One email per order and event, however often the change is replayed.
    jobs::enqueue(
        conn,
        email::JOB_KIND,
        &payload,
        Some(&format!("order:{order_id}:{}", event.key())),
    )?;
    Ok(())
}

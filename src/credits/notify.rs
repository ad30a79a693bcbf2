//! Who hears about a credit request, and what they read: the provider's people who may
//! answer when it is raised or escalated; the buyer's people who check deliveries in when
//! it is answered. Queued in the caller's transaction, so a rollback sends nothing.

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::queries::Request;
use crate::db::schema::providers;
use crate::email;
use crate::tenancy::Permission;
use crate::tenancy::members::{
    buyer_emails_allowed, buyer_members_allowed, provider_emails_allowed, provider_members_allowed,
};
use crate::web::AppError;

pub enum Event<'a> {
    Raised,
    Accepted {
        amount: Decimal,
    },
    Declined {
        reason: &'a str,
    },
    Escalated,
    /// Larder's team decided: both sides hear.
    Resolved,
    /// A message in the conversation (its id keeps each one's email apart).
    Message(uuid::Uuid),
}

impl Event<'_> {
    fn name(&self) -> &'static str {
        match self {
            Self::Raised => "raised",
            Self::Accepted { .. } => "accepted",
            Self::Declined { .. } => "declined",
            Self::Escalated => "escalated",
            Self::Resolved => "resolved",
            Self::Message(_) => "message",
        }
    }
}

pub fn send(
    conn: &mut PgConnection,
    r: &Request,
    event: Event<'_>,
    base_url: &str,
) -> Result<(), AppError> {
    let order = &r.order_number;
    if let Event::Resolved = event {
        let text = r.decision_text().unwrap_or_default();
        let subject = format!("Larder's team decided the credit request on order {order}");
        let mut to = vec![];
        for address in buyer_emails_allowed(conn, r.business_id, Permission::ReceiveDeliveries)? {
            to.push((address, format!("{base_url}/credit-requests/{}", r.id)));
        }
        for address in provider_recipients(conn, r)? {
            to.push((
                address,
                format!("{base_url}/provider/credit-requests/{}", r.id),
            ));
        }
        for (address, link) in to {
            queue(
                conn,
                r,
                &event,
                (&address, &subject),
                (std::slice::from_ref(&text), &link),
            )?;
        }
        let key = format!("credit_request:{}:{}", r.id, event.name());
        return notices(conn, r, (true, true), (&subject, &text, &key));
    }
    let (to, subject, paragraphs, link) = match &event {
        Event::Raised | Event::Escalated | Event::Resolved | Event::Message(_) => {
            let to = provider_recipients(conn, r)?;
            let (subject, lead) = if matches!(event, Event::Raised) {
                (
                    format!("{} asks for {} credit on order {order}", r.business_name, r.amount_text()),
                    "Accept all or some of the lines, or decline with a reason, within two working days.".to_owned(),
                )
            } else {
                (
                    format!("{} took the credit request on order {order} to Larder's team", r.business_name),
                    "Larder's team will look at the request and its conversation, and decide. Add anything they should know.".to_owned(),
                )
            };
            let link = format!("{base_url}/provider/credit-requests/{}", r.id);
            (to, subject, vec![lead], link)
        }
        Event::Accepted { amount } => {
            let amount = crate::money::format_gbp(*amount);
            let to = buyer_emails_allowed(conn, r.business_id, Permission::ReceiveDeliveries)?;
            (
                to,
                format!(
                    "{} accepted {amount} of your credit request on order {order}",
                    r.provider_name
                ),
                vec![format!(
                    "{} accepted {amount} of the {} you asked for. If the invoice was paid, the money is on its way back with a credit note; otherwise the invoice will be corrected.",
                    r.provider_name,
                    r.amount_text()
                )],
                format!("{base_url}/credit-requests/{}", r.id),
            )
        }
        Event::Declined { reason } => {
            let to = buyer_emails_allowed(conn, r.business_id, Permission::ReceiveDeliveries)?;
            (
                to,
                format!(
                    "{} declined your credit request on order {order}",
                    r.provider_name
                ),
                vec![
                    format!("Their reason: {reason}"),
                    "If you disagree, you can take the request to Larder's team from its page."
                        .to_owned(),
                ],
                format!("{base_url}/credit-requests/{}", r.id),
            )
        }
    };
    for address in to {
        queue(conn, r, &event, (&address, &subject), (&paragraphs, &link))?;
    }
    let to_buyer = matches!(event, Event::Accepted { .. } | Event::Declined { .. });
    let key = format!("credit_request:{}:{}", r.id, event.name());
    let body = paragraphs.first().cloned().unwrap_or_default();
    notices(conn, r, (to_buyer, !to_buyer), (&subject, &body, &key))
}

/// The same news in the bell of each side's people who may deal with the request.
fn notices(
    conn: &mut PgConnection,
    r: &Request,
    (buyer, provider): (bool, bool),
    (title, body, key): (&str, &str, &str),
) -> Result<(), AppError> {
    let mut sides = Vec::new();
    if buyer {
        sides.push((
            buyer_members_allowed(conn, r.business_id, Permission::ReceiveDeliveries)?,
            format!("/credit-requests/{}", r.id),
        ));
    }
    if provider {
        sides.push((
            provider_members_allowed(conn, r.provider_id, Permission::AnswerCredits)?,
            format!("/provider/credit-requests/{}", r.id),
        ));
    }
    for (members, link) in sides {
        let users = crate::tenancy::members::user_ids(members);
        crate::notifications::tell(
            conn,
            &users,
            &crate::notifications::Notice {
                kind: "credit_request",
                title,
                body,
                link: &link,
                key,
            },
        )?;
    }
    Ok(())
}

/// The provider's people who may answer, and its contact address.
fn provider_recipients(conn: &mut PgConnection, r: &Request) -> Result<Vec<String>, AppError> {
    let mut to = provider_emails_allowed(conn, r.provider_id, Permission::AnswerCredits)?;
    let contact: String = providers::table
        .find(r.provider_id.0)
        .select(providers::contact_email)
        .first(conn)?;
    if !to.contains(&contact) {
        to.push(contact);
    }
    Ok(to)
}

fn queue(
    conn: &mut PgConnection,
    r: &Request,
    event: &Event<'_>,
    (address, subject): (&str, &str),
    (paragraphs, link): (&[String], &str),
) -> Result<(), AppError> {
    let message = email::notice(address, subject, paragraphs, (link, "See the request"))?;
    let dedup = match event {
        Event::Message(m) => format!("credit_request:{}:message:{m}:{address}", r.id),
        _ => format!("credit_request:{}:{}:{address}", r.id, event.name()),
    };
    email::queue(conn, &message, &dedup)
}

/// Tells the other parties a message was posted: the provider when the buyer writes, the
/// buyer when the provider writes, both when Larder's team does.
pub fn message(
    conn: &mut PgConnection,
    r: &Request,
    from: super::thread::Side,
    message: uuid::Uuid,
    base_url: &str,
) -> Result<(), AppError> {
    use super::thread::Side;
    let who = match from {
        Side::Buyer => r.business_name.clone(),
        Side::Provider => r.provider_name.clone(),
        Side::Admin => "Larder's team".to_owned(),
    };
    let subject = format!(
        "{who} wrote about the credit request on order {}",
        r.order_number
    );
    let lead = vec![format!(
        "{who} added a message to the credit request on order {}.",
        r.order_number
    )];
    let mut to = Vec::new();
    if from != Side::Buyer {
        for address in buyer_emails_allowed(conn, r.business_id, Permission::ReceiveDeliveries)? {
            to.push((address, format!("{base_url}/credit-requests/{}", r.id)));
        }
    }
    if from != Side::Provider {
        for address in provider_recipients(conn, r)? {
            to.push((
                address,
                format!("{base_url}/provider/credit-requests/{}", r.id),
            ));
        }
    }
    let event = Event::Message(message);
    for (address, link) in to {
        queue(conn, r, &event, (&address, &subject), (&lead, &link))?;
    }
    let key = format!("credit_request:{}:message:{message}", r.id);
    notices(
        conn,
        r,
        (from != Side::Buyer, from != Side::Provider),
        (&subject, &lead[0], &key),
    )
}

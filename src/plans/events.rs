//! Stripe's news about plan subscriptions, read from verified webhook events.

use time::OffsetDateTime;

use super::gateway::OURS;
use super::lifecycle::News;
use super::queries::Key;
use super::rules::SubStatus;

fn at(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix).ok()
}

/// Our row, when the object's metadata names it.
fn ours(metadata: Option<&std::collections::HashMap<String, String>>) -> Option<Key> {
    metadata
        .and_then(|m| m.get(OURS))
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .map(Key::Ours)
}

fn from_subscription(s: &stripe_billing::Subscription, deleted: bool) -> (Key, News) {
    let status = if deleted {
        Some(SubStatus::Cancelled)
    } else {
        SubStatus::from_stripe(s.status.as_str())
    };
    let period_end = s
        .items
        .data
        .iter()
        .map(|i| i.current_period_end)
        .max()
        .and_then(at);
    let cancel_at = match (s.cancel_at.and_then(at), s.cancel_at_period_end) {
        (Some(c), _) => Some(c),
        (None, true) => period_end,
        (None, false) => None,
    };
    let news = News {
        status,
        stripe_subscription: Some(s.id.to_string()),
        stripe_customer: Some(s.customer.id().to_string()),
        period_end,
        cancel_at: Some(cancel_at),
    };
    let key = ours(Some(&s.metadata)).unwrap_or_else(|| Key::Stripe(s.id.to_string()));
    (key, news)
}

/// The subscription news in `event`, if it is about one of ours (or may be).
pub fn news(event: &stripe_webhook::Event) -> Option<(Key, News)> {
    use stripe_webhook::EventObject as O;
    match &event.data.object {
        O::CustomerSubscriptionCreated(s)
        | O::CustomerSubscriptionUpdated(s)
        | O::CustomerSubscriptionResumed(s) => Some(from_subscription(s, false)),
        O::CustomerSubscriptionDeleted(s) => Some(from_subscription(s, true)),
        O::InvoicePaymentFailed(invoice) => {
            let sub = invoice
                .parent
                .as_ref()?
                .subscription_details
                .as_ref()?
                .subscription
                .id()
                .to_string();
            Some((
                Key::Stripe(sub),
                News {
                    status: Some(SubStatus::PastDue),
                    ..News::default()
                },
            ))
        }
        O::CheckoutSessionCompleted(s) | O::CheckoutSessionExpired(s)
            if s.mode == stripe_checkout::CheckoutSessionMode::Subscription =>
        {
            let expired = matches!(&event.data.object, O::CheckoutSessionExpired(_));
            let news = News {
                status: Some(if expired {
                    SubStatus::Abandoned
                } else {
                    SubStatus::Active
                }),
                stripe_subscription: s.subscription.as_ref().map(|x| x.id().to_string()),
                stripe_customer: s.customer.as_ref().map(|c| c.id().to_string()),
                ..News::default()
            };
            let key = ours(s.metadata.as_ref()).unwrap_or_else(|| Key::Session(s.id.to_string()));
            Some((key, news))
        }
        _ => None,
    }
}

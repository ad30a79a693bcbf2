//! Stripe's side of a day for the reconciliation: the platform's balance transactions.

use rust_decimal::Decimal;
use stripe_core::balance_transaction::ListBalanceTransaction;
use stripe_types::{RangeBoundsTs, RangeQueryTs};
use time::Date;

use super::reconcile::{Side, bounds};
use crate::payments::gateway::{Gateway, GatewayError};

/// The day's card payments and refunds as Stripe's balance has them; `None` under the test
/// gateway, which has no balance to check against.
pub async fn day(gateway: &Gateway, day: Date) -> Result<Option<Side>, GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Ok(None);
    };
    let (start, end) = bounds(day);
    let range = RangeQueryTs::Bounds(RangeBoundsTs {
        gte: Some(start.unix_timestamp()),
        lt: Some(end.unix_timestamp()),
        ..RangeBoundsTs::default()
    });
    let mut side = Side::default();
    let mut after: Option<String> = None;
    loop {
        let mut request = ListBalanceTransaction::new().created(range).limit(100);
        if let Some(last) = &after {
            request = request.starting_after(last.as_str());
        }
        let page = request.send(client.as_ref()).await?;
        for bt in &page.data {
            let amount = Decimal::new(bt.amount, 2);
            match bt.type_.as_str() {
                "charge" | "payment" => side.charges += amount,
                "refund" | "payment_refund" => {
                    if let Some(source) = &bt.source {
                        *side.refunds.entry(source.id().to_string()).or_default() -= amount;
                    }
                }
                // The card's bank sent a refund back: money returns to the balance, and the
                // transaction's source is the refund.
                "refund_failure" => {
                    if let Some(source) = &bt.source {
                        *side.returned.entry(source.id().to_string()).or_default() += amount;
                    }
                }
                _ => {}
            }
        }
        after = page.data.last().map(|bt| bt.id.to_string());
        if !page.has_more || after.is_none() {
            break;
        }
    }
    Ok(Some(side))
}

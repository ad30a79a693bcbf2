//! Orders as read back for lists and order pages.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use super::rules::OrderStatus;
use crate::db::schema::{deliveries, order_events, order_lines, orders};
use crate::ids::{BusinessId, LocationId, OrderId, ProviderId, UserId};
use crate::money::{self, format_gbp};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders, check_for_backend(diesel::pg::Pg))]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub business_id: BusinessId,
    pub location_id: LocationId,
    pub provider_id: ProviderId,
    pub placed_by: UserId,
    pub status: OrderStatus,
    pub requested_delivery_date: Date,
    pub delivery_address: String,
    pub notes: String,
    pub rejection_reason: Option<String>,
    pub subtotal: Decimal,
    pub vat_total: Decimal,
    pub total: Decimal,
    pub created_at: OffsetDateTime,
    pub window_start: Option<Time>,
    pub window_end: Option<Time>,
    /// The zone's delivery charge, net, when the order was placed.
    pub delivery_charge: Decimal,
    /// The cut-off the order beat; the buyer may change or cancel it until then.
    pub cutoff_at: Option<OffsetDateTime>,
    /// Placed by the worker for this standing order.
    pub standing_order_id: Option<Uuid>,
}

impl Order {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn total_text(&self) -> String {
        format_gbp(self.total)
    }

    pub fn placed_text(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }

    /// "25 Nov 2026" or "25 Nov 2026, 06:00–09:00".
    pub fn delivery_date_text(&self) -> String {
        let day = crate::timefmt::date(self.requested_delivery_date);
        match (self.window_start, self.window_end) {
            (Some(a), Some(b)) => {
                format!("{day}, {}", crate::availability::rules::window_text(a, b))
            }
            _ => day,
        }
    }

    /// "£7.50" when the order carries a delivery charge.
    pub fn delivery_charge_text(&self) -> Option<String> {
        (!self.delivery_charge.is_zero()).then(|| format_gbp(self.delivery_charge))
    }

    /// Status of a finished order never changes, so polling can stop.
    pub fn is_final(&self) -> bool {
        matches!(
            self.status,
            OrderStatus::Delivered | OrderStatus::Rejected | OrderStatus::Cancelled
        )
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_lines, check_for_backend(diesel::pg::Pg))]
pub struct OrderLine {
    pub id: Uuid,
    pub position: i32,
    pub product_id: Option<Uuid>,
    pub sku: String,
    pub product_name: String,
    pub unit: String,
    pub pack_size: String,
    pub unit_price: Decimal,
    pub vat_rate: Decimal,
    pub quantity: Decimal,
    pub confirmed_quantity: Option<Decimal>,
    pub line_total: Decimal,
    pub line_vat: Decimal,
    pub fractional: bool,
    /// Priced at the buyer's own price, not the list price.
    pub customer_price: bool,
}

impl OrderLine {
    /// What will be delivered: the confirmed quantity once confirmed, else what was ordered.
    pub fn delivered_quantity(&self) -> Decimal {
        self.confirmed_quantity.unwrap_or(self.quantity)
    }

    pub fn is_short(&self) -> bool {
        self.confirmed_quantity.is_some_and(|c| c < self.quantity)
    }

    pub fn quantity_text(&self) -> String {
        self.quantity.normalize().to_string()
    }

    pub fn confirmed_text(&self) -> String {
        self.delivered_quantity().normalize().to_string()
    }

    pub fn price_text(&self) -> String {
        format_gbp(self.unit_price)
    }

    pub fn total_text(&self) -> String {
        format_gbp(self.line_total)
    }

    pub fn vat_text(&self) -> String {
        format!("{}%", self.vat_rate.normalize())
    }
}

/// The order's totals: its lines plus the delivery charge as a line at the standard rate.
pub fn totals(lines: &[OrderLine], delivery_charge: Decimal) -> money::Totals {
    let charge = (!delivery_charge.is_zero())
        .then(|| crate::availability::rules::delivery_charge_line(delivery_charge));
    money::Totals::from_lines(
        lines
            .iter()
            .map(|l| (l.line_total, l.vat_rate, l.line_vat))
            .chain(charge),
    )
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_events, check_for_backend(diesel::pg::Pg))]
pub struct OrderEvent {
    pub status: String,
    pub note: Option<String>,
    pub created_at: OffsetDateTime,
}

impl OrderEvent {
    pub fn label(&self) -> &str {
        match self.status.as_str() {
            "scheduled" => "Delivery scheduled",
            "approved" => "Approved and sent to the provider",
            "changed" => "Changed by the buyer",
            "declined" => "Declined",
            other => match OrderStatus::parse(other) {
                Some(status) => status.label(),
                None => other,
            },
        }
    }

    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries, check_for_backend(diesel::pg::Pg))]
pub struct Delivery {
    pub status: String,
    pub scheduled_date: Date,
    pub window_start: Option<Time>,
    pub window_end: Option<Time>,
    pub delivered_at: Option<OffsetDateTime>,
    pub received_by: Option<String>,
}

impl Delivery {
    pub fn summary(&self) -> String {
        let mut text = crate::timefmt::date(self.scheduled_date);
        if let (Some(a), Some(b)) = (self.window_start, self.window_end) {
            text.push_str(&format!(
                ", {:02}:{:02}–{:02}:{:02}",
                a.hour(),
                a.minute(),
                b.hour(),
                b.minute()
            ));
        }
        text
    }

    pub fn delivered_text(&self) -> Option<String> {
        self.delivered_at.map(|t| {
            let who = self
                .received_by
                .as_deref()
                .map(|r| format!(", received by {r}"))
                .unwrap_or_default();
            format!("{}{who}", crate::timefmt::datetime(t))
        })
    }
}

/// A row of an orders list, with the other party's name.
#[derive(Debug, Clone, Queryable)]
pub struct OrderRow {
    pub id: OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub requested_delivery_date: Date,
    pub total: Decimal,
    pub created_at: OffsetDateTime,
    pub counterparty: String,
}

impl OrderRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn total_text(&self) -> String {
        format_gbp(self.total)
    }
    pub fn placed_text(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
    pub fn delivery_text(&self) -> String {
        crate::timefmt::date(self.requested_delivery_date)
    }
}

/// Everything an order page shows.
#[derive(Debug, Clone)]
pub struct OrderDetail {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    pub events: Vec<OrderEvent>,
    pub delivery: Option<Delivery>,
    pub provider_name: String,
    pub provider_slug: String,
    pub business_name: String,
}

impl OrderDetail {
    /// Every change to an order appends an event, so their count names what a page shows;
    /// the status poll compares it to skip re-rendering (and wiping a half-typed form).
    pub fn version(&self) -> usize {
        self.events.len()
    }
}

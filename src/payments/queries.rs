//! Payment rows: reserving one before the gateway is called, attaching its session, and
//! reading them back. Buyer-facing lookups take the business id from the session.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::gateway::CheckoutSession;
use crate::db::schema::{invoices, payments};
use crate::ids::{BusinessId, ProviderId, new_id};
use crate::providers::rules::Trade;
use crate::web::AppError;

pub enum Reserved {
    /// A session still open from an earlier "Pay": send the buyer back to it.
    Reuse(String),
    New {
        payment: Uuid,
        amount: Decimal,
        number: String,
    },
}

pub fn reserve(
    conn: &mut PgConnection,
    business: BusinessId,
    invoice: Uuid,
    gateway: &str,
) -> Result<Reserved, AppError> {
    conn.transaction(|conn| {
        let (status, number, total, paid, provider): (
            String,
            Option<String>,
            Decimal,
            Decimal,
            Uuid,
        ) = invoices::table
            .filter(invoices::id.eq(invoice))
            .filter(invoices::business_id.eq(business.0))
            .filter(invoices::status.ne("draft"))
            .select((
                invoices::status,
                invoices::number,
                invoices::total,
                invoices::amount_paid,
                invoices::provider_id,
            ))
            .for_update()
            .first(conn)?;
        match status.as_str() {
            "issued" => {}
            "paid" => return Err(AppError::conflict("This invoice is already paid.")),
            _ => {
                return Err(AppError::conflict(
                    "This invoice is void, so it can't be paid.",
                ));
            }
        }
        crate::providers::queries::ensure_may_trade(conn, ProviderId(provider), Trade::BePaid)?;
        let soon = OffsetDateTime::now_utc() + Duration::minutes(2);
        let open: Option<(Option<String>, Option<OffsetDateTime>, OffsetDateTime)> =
            payments::table
                .filter(payments::invoice_id.eq(invoice))
                .filter(payments::status.eq("pending"))
                .order(payments::created_at.desc())
                .select((
                    payments::checkout_url,
                    payments::expires_at,
                    payments::created_at,
                ))
                .first(conn)
                .optional()?;
        match open {
            Some((Some(url), Some(expires), _)) if expires > soon => {
                return Ok(Reserved::Reuse(url));
            }
            Some((None, _, created))
                if created > OffsetDateTime::now_utc() - Duration::minutes(2) =>
            {
                return Err(AppError::conflict(
                    "A payment for this invoice is being set up. Wait a moment and try again.",
                ));
            }
            _ => {}
        }
        let payment = new_id();
        diesel::insert_into(payments::table)
            .values((
                payments::id.eq(payment),
                payments::invoice_id.eq(invoice),
                payments::business_id.eq(business.0),
                payments::amount.eq(total - paid),
                payments::gateway.eq(gateway),
            ))
            .execute(conn)?;
        Ok(Reserved::New {
            payment,
            amount: total - paid,
            number: number.unwrap_or_default(),
        })
    })
}

pub fn attach_session(
    conn: &mut PgConnection,
    payment: Uuid,
    session: &CheckoutSession,
) -> QueryResult<()> {
    diesel::update(payments::table.find(payment))
        .set((
            payments::checkout_session_id.eq(Some(&session.id)),
            payments::checkout_url.eq(Some(&session.url)),
            payments::expires_at.eq(Some(session.expires_at)),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn setup_failed(conn: &mut PgConnection, payment: Uuid, reason: &str) -> QueryResult<()> {
    diesel::update(payments::table.find(payment))
        .set((
            payments::status.eq("failed"),
            payments::failure_reason.eq(Some(reason.chars().take(500).collect::<String>())),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable)]
pub struct PaymentRow {
    pub amount: Decimal,
    pub gateway: String,
    pub status: String,
    pub failure_reason: Option<String>,
    pub created_at: OffsetDateTime,
}

impl PaymentRow {
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
    pub fn label(&self) -> &'static str {
        match self.status.as_str() {
            "succeeded" => "Paid",
            "failed" => "Failed",
            "expired" => "Abandoned",
            _ => "Processing",
        }
    }
}

pub fn for_invoice(conn: &mut PgConnection, invoice: Uuid) -> QueryResult<Vec<PaymentRow>> {
    payments::table
        .filter(payments::invoice_id.eq(invoice))
        .order(payments::created_at.desc())
        .select((
            payments::amount,
            payments::gateway,
            payments::status,
            payments::failure_reason,
            payments::created_at,
        ))
        .load(conn)
}

/// A local test-gateway session of this business: (invoice, payment status).
pub fn test_session(
    conn: &mut PgConnection,
    business: BusinessId,
    session: &str,
) -> QueryResult<(Uuid, String, Decimal)> {
    payments::table
        .filter(payments::checkout_session_id.eq(session))
        .filter(payments::business_id.eq(business.0))
        .filter(payments::gateway.eq("test"))
        .select((payments::invoice_id, payments::status, payments::amount))
        .first(conn)
}

//! Payment rows: reserving one before the gateway is called, attaching its session, and
//! reading them back. Buyer-facing lookups take the business id from the session.

use super::rules::PaymentStatus;
use crate::invoicing::rules::InvoiceStatus;
use diesel::prelude::*;
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::gateway::CheckoutSession;
use crate::db::schema::{invoices, payments};
use crate::ids::{BusinessId, InvoiceId, PaymentId, ProviderId, new_id};
use crate::providers::rules::Trade;
use crate::web::AppError;

pub enum Reserved {
    /// A session still open from an earlier "Pay": send the buyer back to it.
    Reuse(String),
    New {
        payment: PaymentId,
        amount: Decimal,
        number: String,
        destination: super::gateway::Destination,
    },
}

pub fn reserve(
    conn: &mut PgConnection,
    business: BusinessId,
    invoice: InvoiceId,
    gateway: &str,
) -> Result<Reserved, AppError> {
    conn.transaction(|conn| {
        let (status, number, total, paid, provider): (
            InvoiceStatus,
            Option<String>,
            Decimal,
            Decimal,
            ProviderId,
        ) = invoices::table
            .filter(invoices::id.eq(invoice))
            .filter(invoices::business_id.eq(business.0))
            .filter(invoices::status.ne(InvoiceStatus::Draft))
            .select((
                invoices::status,
                invoices::number,
                invoices::total - invoices::amount_credited,
                invoices::amount_paid,
                invoices::provider_id,
            ))
            .for_update()
            .first(conn)?;
        match status {
            InvoiceStatus::Issued => {}
            InvoiceStatus::Paid | InvoiceStatus::PartiallyRefunded | InvoiceStatus::Refunded => {
                return Err(AppError::conflict("This invoice is already paid."));
            }
            InvoiceStatus::Credited => {
                return Err(AppError::conflict(
                    "This invoice was credited in full, so there is nothing to pay.",
                ));
            }
            InvoiceStatus::Draft | InvoiceStatus::Void => {
                return Err(AppError::conflict(
                    "This invoice is void, so it can't be paid.",
                ));
            }
        }
        crate::providers::queries::ensure_may_trade(conn, provider, Trade::BePaid)?;
        if bank_payment_on_its_way(conn, invoice)? {
            return Err(AppError::conflict(
                "A bank payment for this invoice is on its way (they can take a few working days). We'll email you when it clears, so there's no need to pay again.",
            ));
        }
        let soon = OffsetDateTime::now_utc() + Duration::minutes(2);
        let open: Option<(Option<String>, Option<OffsetDateTime>, OffsetDateTime)> =
            payments::table
                .filter(payments::invoice_id.eq(invoice))
                .filter(payments::status.eq(PaymentStatus::Pending))
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
        // Card money goes straight to the provider's connected account, so it must be able
        // to take charges.
        let account = crate::connect::queries::chargeable_account(conn, provider)?.ok_or_else(|| {
            AppError::conflict(crate::connect::rules::NOT_YET_MESSAGE)
        })?;
        let (fee_net, fee_vat): (Decimal, Decimal) = invoices::table
            .find(invoice)
            .select((invoices::platform_fee, invoices::platform_fee_vat))
            .first(conn)?;
        let destination = super::gateway::Destination {
            account,
            fee: fee_net + fee_vat,
        };
        let payment = PaymentId(new_id());
        diesel::insert_into(payments::table)
            .values((
                payments::id.eq(payment),
                payments::invoice_id.eq(invoice),
                payments::business_id.eq(business.0),
                payments::amount.eq(total - paid),
                payments::gateway.eq(gateway),
                payments::destination_account.eq(Some(&destination.account)),
                payments::application_fee.eq(destination.fee),
            ))
            .execute(conn)?;
        Ok(Reserved::New {
            payment,
            amount: total - paid,
            number: number.unwrap_or_default(),
            destination,
        })
    })
}

pub fn attach_session(
    conn: &mut PgConnection,
    payment: PaymentId,
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

pub fn setup_failed(conn: &mut PgConnection, payment: PaymentId, reason: &str) -> QueryResult<()> {
    diesel::update(payments::table.find(payment))
        .set((
            payments::status.eq(PaymentStatus::Failed),
            payments::failure_reason.eq(Some(reason.chars().take(500).collect::<String>())),
        ))
        .execute(conn)
        .map(|_| ())
}

#[derive(Debug, Clone, Queryable)]
pub struct PaymentRow {
    pub amount: Decimal,
    pub gateway: String,
    pub status: PaymentStatus,
    pub failure_reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub method: String,
    pub reference: Option<String>,
    pub paid_on: Option<time::Date>,
}

impl PaymentRow {
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
    pub fn when(&self) -> String {
        match self.paid_on {
            Some(day) => crate::timefmt::date(day),
            None => crate::timefmt::datetime(self.created_at),
        }
    }
    pub fn method_text(&self) -> &'static str {
        match self.method.as_str() {
            "bank_transfer" => "bank transfer",
            "cheque" => "cheque",
            "cash" => "cash",
            "other" => "other",
            _ => "card",
        }
    }
    pub fn label(&self) -> &'static str {
        use PaymentStatus as S;
        match (self.status, self.gateway.as_str()) {
            (S::Succeeded, "offline") => "Paid outside Larder",
            (S::Succeeded, _) => "Paid",
            (S::Failed, _) => "Failed",
            (S::Expired, _) => "Not completed",
            (S::Processing, _) => "Bank payment on its way",
            (S::NeedsRefund, _) => "Being refunded",
            (S::Refunded, _) => "Refunded to the buyer",
            (S::Pending, _) => "Checkout open",
        }
    }
}

pub fn for_invoice(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<Vec<PaymentRow>> {
    payments::table
        .filter(payments::invoice_id.eq(invoice))
        .order(payments::created_at.desc())
        .select((
            payments::amount,
            payments::gateway,
            payments::status,
            payments::failure_reason,
            payments::created_at,
            payments::method,
            payments::reference,
            payments::paid_on,
        ))
        .load(conn)
}

/// A local test-gateway session of this business: (invoice, payment status).
pub fn test_session(
    conn: &mut PgConnection,
    business: BusinessId,
    session: &str,
) -> QueryResult<(InvoiceId, PaymentStatus, Decimal)> {
    payments::table
        .filter(payments::checkout_session_id.eq(session))
        .filter(payments::business_id.eq(business.0))
        .filter(payments::gateway.eq("test"))
        .select((payments::invoice_id, payments::status, payments::amount))
        .first(conn)
}

/// Is this invoice the business's, and past draft? (Checked before anything else is done
/// on its behalf.)
pub fn owns_invoice(
    conn: &mut PgConnection,
    business: BusinessId,
    invoice: InvoiceId,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        invoices::table
            .filter(invoices::id.eq(invoice))
            .filter(invoices::business_id.eq(business.0))
            .filter(invoices::status.ne(InvoiceStatus::Draft)),
    ))
    .get_result(conn)
}

/// The invoice's open card checkouts `(payment, session)`, for closing before it is voided
/// or marked paid; refuses while a bank payment is on its way (it can't be called back).
pub fn open_checkouts(
    conn: &mut PgConnection,
    provider: ProviderId,
    invoice: InvoiceId,
) -> Result<Vec<(Uuid, String)>, AppError> {
    let owned: bool = diesel::select(diesel::dsl::exists(
        invoices::table
            .filter(invoices::id.eq(invoice))
            .filter(invoices::provider_id.eq(provider.0)),
    ))
    .get_result(conn)?;
    if !owned {
        return Err(AppError::NotFound);
    }
    refuse_if_on_its_way(conn, invoice)?;
    Ok(payments::table
        .filter(payments::invoice_id.eq(invoice))
        .filter(payments::status.eq(PaymentStatus::Pending))
        .filter(payments::checkout_session_id.is_not_null())
        .select((
            payments::id,
            payments::checkout_session_id.assume_not_null(),
        ))
        .load(conn)?)
}

/// Is a delayed (bank) payment for this invoice still clearing?
pub fn bank_payment_on_its_way(conn: &mut PgConnection, invoice: InvoiceId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        payments::table
            .filter(payments::invoice_id.eq(invoice))
            .filter(payments::status.eq(PaymentStatus::Processing)),
    ))
    .get_result(conn)
}

fn refuse_if_on_its_way(conn: &mut PgConnection, invoice: InvoiceId) -> Result<(), AppError> {
    if bank_payment_on_its_way(conn, invoice)? {
        return Err(AppError::conflict(
            "The buyer's bank payment for this invoice is on its way, so it can't be voided or marked paid now. It settles by itself, or fails, within a few working days.",
        ));
    }
    Ok(())
}

/// Before an invoice is voided or settled another way: no bank payment on its way, and its
/// open checkouts (already expired at the gateway) recorded as closed. In the caller's
/// transaction, with the invoice row locked.
pub fn close_attempts(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    why: &str,
) -> Result<(), AppError> {
    refuse_if_on_its_way(conn, invoice)?;
    diesel::update(
        payments::table
            .filter(payments::invoice_id.eq(invoice))
            .filter(payments::status.eq(PaymentStatus::Pending)),
    )
    .set((
        payments::status.eq(PaymentStatus::Expired),
        payments::failure_reason.eq(why),
    ))
    .execute(conn)?;
    Ok(())
}

/// Records money the provider received outside Larder and settles the invoice with it.
pub fn record_offline(
    conn: &mut PgConnection,
    provider: ProviderId,
    invoice: InvoiceId,
    recorded_by: &crate::audit::Actor,
    offline: &super::rules::OfflinePayment,
    base_url: &str,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let (status, business, total, paid): (String, Uuid, Decimal, Decimal) = invoices::table
            .filter(invoices::id.eq(invoice))
            .filter(invoices::provider_id.eq(provider.0))
            .select((
                invoices::status,
                invoices::business_id,
                invoices::total - invoices::amount_credited,
                invoices::amount_paid,
            ))
            .for_update()
            .first(conn)?;
        match status.as_str() {
            "issued" => {}
            "paid" | "partially_refunded" | "refunded" => {
                return Err(AppError::conflict("This invoice is already paid."));
            }
            "credited" => {
                return Err(AppError::conflict(
                    "This invoice was credited in full, so there is nothing to pay.",
                ));
            }
            "draft" => return Err(AppError::conflict("Issue the invoice before recording a payment.")),
            _ => return Err(AppError::conflict("This invoice is void, so it can't be paid.")),
        }
        close_attempts(conn, invoice, "Closed: the provider recorded a payment received outside Larder.")?;
        let now = OffsetDateTime::now_utc();
        let payment = new_id();
        diesel::insert_into(payments::table)
            .values((
                payments::id.eq(payment),
                payments::invoice_id.eq(invoice),
                payments::business_id.eq(business),
                payments::amount.eq(total - paid),
                payments::gateway.eq("offline"),
                payments::status.eq(PaymentStatus::Succeeded),
                payments::method.eq(offline.method),
                payments::reference.eq(&offline.reference),
                payments::paid_on.eq(Some(offline.paid_on)),
                payments::recorded_by.eq(recorded_by.user_id()),
                payments::completed_at.eq(Some(now)),
            ))
            .execute(conn)?;
        match crate::invoicing::queries::settle(
            conn,
            (invoice, total - paid),
            now,
            (recorded_by, base_url),
        )? {
            crate::invoicing::queries::Settled::Paid => {}
            crate::invoicing::queries::Settled::NotPayable(state) => {
                return Err(AppError::Conflict(format!("This invoice is {state}.")));
            }
        }
        let parties = crate::ledger::rules::Parties {
            business: crate::ids::BusinessId(business),
            provider,
        };
        crate::ledger::queries::post_paid_outside(
            conn,
            crate::ids::PaymentId(payment),
            invoice,
            parties,
            total - paid,
            now,
        )?;
        tracing::info!(%invoice, by = ?recorded_by.user_id(), method = offline.method, "offline payment recorded");
        Ok(())
    })
}

/// A payment an admin must refund.
#[derive(Debug, Clone, Queryable)]
pub struct RefundRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub number: Option<String>,
    pub business: String,
    pub provider: String,
    pub amount: Decimal,
    pub reason: Option<String>,
    pub intent: Option<String>,
}

impl RefundRow {
    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
    pub fn invoice(&self) -> &str {
        self.number.as_deref().unwrap_or("draft")
    }
}

/// Every payment needing a refund, oldest first (platform-wide: admins only).
pub fn needing_refund(conn: &mut PgConnection) -> QueryResult<Vec<RefundRow>> {
    use crate::db::schema::{businesses, providers};
    payments::table
        .inner_join(invoices::table.inner_join(providers::table))
        .inner_join(businesses::table)
        .filter(payments::status.eq(PaymentStatus::NeedsRefund))
        .order(payments::created_at)
        .limit(500)
        .select((
            payments::id,
            payments::created_at,
            invoices::number,
            businesses::name,
            providers::name,
            payments::amount,
            payments::failure_reason,
            payments::payment_intent_id,
        ))
        .load(conn)
}

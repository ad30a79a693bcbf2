//! Saved cards, their setups and one-click payments, always scoped by the business.

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::gateway::{CardDetails, PayOutcome};
use crate::db::schema::{businesses, card_setups, payments, saved_cards};
use crate::ids::{BusinessId, InvoiceId, PaymentId};
use crate::payments::events::{self, Applied};
use crate::payments::rules::PaymentStatus;
use crate::web::AppError;

pub fn customer(conn: &mut PgConnection, business: BusinessId) -> QueryResult<Option<String>> {
    businesses::table
        .find(business.0)
        .select(businesses::stripe_customer_id)
        .first(conn)
}

pub fn set_customer(conn: &mut PgConnection, business: BusinessId, id: &str) -> QueryResult<()> {
    diesel::update(businesses::table.find(business.0))
        .set(businesses::stripe_customer_id.eq(Some(id)))
        .execute(conn)
        .map(|_| ())
}

pub fn business_name(conn: &mut PgConnection, business: BusinessId) -> QueryResult<String> {
    businesses::table
        .find(business.0)
        .select(businesses::name)
        .first(conn)
}

pub fn new_setup(
    conn: &mut PgConnection,
    business: BusinessId,
    by: Option<Uuid>,
) -> QueryResult<Uuid> {
    diesel::insert_into(card_setups::table)
        .values((
            card_setups::business_id.eq(business.0),
            card_setups::created_by.eq(by),
        ))
        .returning(card_setups::id)
        .get_result(conn)
}

pub fn attach_setup(conn: &mut PgConnection, setup: Uuid, session: &str) -> QueryResult<()> {
    diesel::update(card_setups::table.find(setup))
        .set(card_setups::checkout_session_id.eq(Some(session)))
        .execute(conn)
        .map(|_| ())
}

/// The setup's Stripe session, if the setup is this business's.
pub fn setup_session(
    conn: &mut PgConnection,
    business: BusinessId,
    setup: Uuid,
) -> QueryResult<Option<String>> {
    card_setups::table
        .filter(card_setups::id.eq(setup))
        .filter(card_setups::business_id.eq(business.0))
        .select(card_setups::checkout_session_id)
        .first::<Option<String>>(conn)
        .optional()
        .map(Option::flatten)
}

/// Saves a card from a finished setup, once however often the return page is loaded. The
/// business's first card becomes its default.
pub fn save(
    conn: &mut PgConnection,
    business: BusinessId,
    setup: Uuid,
    card: &CardDetails,
    by: Option<Uuid>,
) -> Result<String, AppError> {
    conn.transaction(|conn| {
        let mine = diesel::update(
            card_setups::table
                .filter(card_setups::id.eq(setup))
                .filter(card_setups::business_id.eq(business.0)),
        )
        .set(card_setups::completed_at.eq(Some(OffsetDateTime::now_utc())))
        .execute(conn)?;
        if mine == 0 {
            return Err(AppError::NotFound);
        }
        let has_default: bool = diesel::select(diesel::dsl::exists(
            saved_cards::table
                .filter(saved_cards::business_id.eq(business.0))
                .filter(saved_cards::is_default),
        ))
        .get_result(conn)?;
        diesel::insert_into(saved_cards::table)
            .values((
                saved_cards::business_id.eq(business.0),
                saved_cards::payment_method_id.eq(&card.payment_method),
                saved_cards::brand.eq(&card.brand),
                saved_cards::last4.eq(&card.last4),
                saved_cards::exp_month.eq(card.exp_month),
                saved_cards::exp_year.eq(card.exp_year),
                saved_cards::is_default.eq(!has_default),
                saved_cards::added_by.eq(by),
            ))
            .on_conflict(saved_cards::payment_method_id)
            .do_nothing()
            .execute(conn)?;
        Ok(super::rules::label(&card.brand, &card.last4))
    })
}

#[derive(Debug, Clone, Queryable)]
pub struct SavedCard {
    pub id: Uuid,
    pub payment_method_id: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: i32,
    pub exp_year: i32,
    pub is_default: bool,
}

impl SavedCard {
    pub fn label(&self) -> String {
        super::rules::label(&self.brand, &self.last4)
    }
    pub fn expiry(&self) -> String {
        format!("{:02}/{}", self.exp_month, self.exp_year % 100)
    }
    pub fn expired(&self) -> bool {
        super::rules::expired(
            self.exp_month,
            self.exp_year,
            crate::timefmt::london_today(),
        )
    }
}

const CARD: (
    saved_cards::id,
    saved_cards::payment_method_id,
    saved_cards::brand,
    saved_cards::last4,
    saved_cards::exp_month,
    saved_cards::exp_year,
    saved_cards::is_default,
) = (
    saved_cards::id,
    saved_cards::payment_method_id,
    saved_cards::brand,
    saved_cards::last4,
    saved_cards::exp_month,
    saved_cards::exp_year,
    saved_cards::is_default,
);

/// The business's cards, default first.
pub fn list(conn: &mut PgConnection, business: BusinessId) -> QueryResult<Vec<SavedCard>> {
    saved_cards::table
        .filter(saved_cards::business_id.eq(business.0))
        .filter(saved_cards::removed_at.is_null())
        .order((saved_cards::is_default.desc(), saved_cards::created_at))
        .select(CARD)
        .load(conn)
}

pub fn default_card(
    conn: &mut PgConnection,
    business: BusinessId,
) -> QueryResult<Option<SavedCard>> {
    saved_cards::table
        .filter(saved_cards::business_id.eq(business.0))
        .filter(saved_cards::is_default)
        .select(CARD)
        .first(conn)
        .optional()
}

pub fn find(
    conn: &mut PgConnection,
    business: BusinessId,
    card: Uuid,
) -> Result<SavedCard, AppError> {
    Ok(saved_cards::table
        .filter(saved_cards::id.eq(card))
        .filter(saved_cards::business_id.eq(business.0))
        .filter(saved_cards::removed_at.is_null())
        .select(CARD)
        .first(conn)?)
}

pub fn make_default(
    conn: &mut PgConnection,
    business: BusinessId,
    card: Uuid,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        find(conn, business, card)?;
        diesel::update(
            saved_cards::table
                .filter(saved_cards::business_id.eq(business.0))
                .filter(saved_cards::is_default),
        )
        .set(saved_cards::is_default.eq(false))
        .execute(conn)?;
        diesel::update(saved_cards::table.find(card))
            .set(saved_cards::is_default.eq(true))
            .execute(conn)?;
        Ok(())
    })
}

/// Removes a card; if it was the default, the oldest card left takes over.
pub fn remove(conn: &mut PgConnection, business: BusinessId, card: Uuid) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let was = find(conn, business, card)?;
        diesel::update(saved_cards::table.find(card))
            .set((
                saved_cards::removed_at.eq(Some(OffsetDateTime::now_utc())),
                saved_cards::is_default.eq(false),
            ))
            .execute(conn)?;
        if was.is_default
            && let Some(next) = list(conn, business)?.first()
        {
            diesel::update(saved_cards::table.find(next.id))
                .set(saved_cards::is_default.eq(true))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The business's open Stripe-page checkouts for the invoice, `(payment, session)`.
pub fn open_checkouts(
    conn: &mut PgConnection,
    business: BusinessId,
    invoice: InvoiceId,
) -> QueryResult<Vec<(Uuid, String)>> {
    payments::table
        .filter(payments::invoice_id.eq(invoice.0))
        .filter(payments::business_id.eq(business.0))
        .filter(payments::status.eq(PaymentStatus::Pending))
        .filter(payments::checkout_session_id.is_not_null())
        .select((
            payments::id,
            payments::checkout_session_id.assume_not_null(),
        ))
        .load(conn)
}

/// A checkout closed at the gateway (the buyer chose to pay another way).
pub fn closed_checkout(conn: &mut PgConnection, payment: Uuid) -> QueryResult<()> {
    diesel::update(
        payments::table
            .filter(payments::id.eq(payment))
            .filter(payments::status.eq(PaymentStatus::Pending)),
    )
    .set((
        payments::status.eq(PaymentStatus::Expired),
        payments::failure_reason.eq("Closed: paid with a saved card instead."),
    ))
    .execute(conn)
    .map(|_| ())
}

pub fn mark_card(conn: &mut PgConnection, payment: PaymentId, card: Uuid) -> QueryResult<()> {
    diesel::update(payments::table.find(payment.0))
        .set(payments::saved_card_id.eq(Some(card)))
        .execute(conn)
        .map(|_| ())
}

/// A saved-card payment of this business's invoice, if it is one.
pub fn saved_payment(
    conn: &mut PgConnection,
    business: BusinessId,
    invoice: InvoiceId,
    payment: Uuid,
) -> QueryResult<Option<(PaymentId, Option<String>)>> {
    payments::table
        .filter(payments::id.eq(payment))
        .filter(payments::business_id.eq(business.0))
        .filter(payments::invoice_id.eq(invoice.0))
        .filter(payments::saved_card_id.is_not_null())
        .select((payments::id, payments::payment_intent_id))
        .first::<(Uuid, Option<String>)>(conn)
        .optional()
        .map(|r| r.map(|(id, intent)| (PaymentId(id), intent)))
}

pub fn amount(conn: &mut PgConnection, payment: PaymentId) -> QueryResult<Decimal> {
    payments::table
        .find(payment.0)
        .select(payments::amount)
        .first(conn)
}

/// Records what the bank said about a one-click payment. A success settles the invoice as a
/// webhook would; answering twice changes nothing the second time.
pub fn record(
    conn: &mut PgConnection,
    (payment, invoice): (PaymentId, InvoiceId),
    outcome: &PayOutcome,
    base_url: &str,
) -> Result<Applied, AppError> {
    conn.transaction(|conn| {
        let (status, amount): (PaymentStatus, Decimal) = payments::table
            .find(payment.0)
            .select((payments::status, payments::amount))
            .for_update()
            .first(conn)?;
        if !status.is_open() {
            return Ok(Applied::Duplicate);
        }
        match outcome {
            PayOutcome::Succeeded {
                intent,
                amount_minor,
            } => {
                if Some(*amount_minor) != crate::payments::gateway::pennies(amount) {
                    return Err(AppError::Unexpected(anyhow::anyhow!(
                        "payment {payment} charged {amount_minor} pence, not {amount}"
                    )));
                }
                events::succeeded(conn, (payment, invoice), &Some(intent.clone()), base_url)
            }
            PayOutcome::NeedsAction { intent, .. } => {
                set_intent(conn, payment, intent, PaymentStatus::Pending)?;
                Ok(Applied::Ignored)
            }
            PayOutcome::Processing { intent } => {
                set_intent(conn, payment, intent, PaymentStatus::Processing)?;
                Ok(Applied::Processing)
            }
            PayOutcome::Declined { intent, reason } => {
                diesel::update(payments::table.find(payment.0))
                    .set((
                        payments::status.eq(PaymentStatus::Failed),
                        payments::payment_intent_id.eq(intent),
                        payments::failure_reason
                            .eq(Some(reason.chars().take(500).collect::<String>())),
                    ))
                    .execute(conn)?;
                crate::telemetry::payment_failed();
                Ok(Applied::Failed)
            }
        }
    })
}

fn set_intent(
    conn: &mut PgConnection,
    payment: PaymentId,
    intent: &str,
    status: PaymentStatus,
) -> QueryResult<()> {
    diesel::update(payments::table.find(payment.0))
        .set((
            payments::payment_intent_id.eq(Some(intent)),
            payments::status.eq(status),
        ))
        .execute(conn)
        .map(|_| ())
}

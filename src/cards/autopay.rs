//! Auto-pay: a business that turned it on has each issued invoice charged to its default card
//! on the due date, by a periodic job, with nobody at the keyboard. A failed try is retried 1,
//! 3 and 5 days after the due date; each failure emails the business's finance people why,
//! and when the next try is (or that there won't be one).

use askama::Template;
use diesel::prelude::*;
use time::Date;

use super::gateway::{self, PayOrder, PayOutcome};
use super::{queries, rules};
use crate::db::schema::{businesses, invoices, payments, saved_cards};
use crate::email::{self, OutgoingEmail};
use crate::ids::{BusinessId, InvoiceId};
use crate::payments::queries::{self as payment_queries, Reserved};
use crate::payments::rules::PaymentStatus;
use crate::tenancy::Permission;
use crate::tenancy::members::buyer_emails_allowed;
use crate::web::AppError;

/// Turns auto-pay on (only with a default card to pay with) or off, in the audit log.
pub fn turn(
    conn: &mut PgConnection,
    business: BusinessId,
    on: bool,
    actor: &crate::audit::Actor,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        if on && queries::default_card(conn, business)?.is_none() {
            return Err(AppError::conflict(
                "Save a card first: auto-pay pays with your default card.",
            ));
        }
        diesel::update(businesses::table.find(business.0))
            .set(businesses::autopay.eq(on))
            .execute(conn)?;
        let entry = crate::audit::Entry::new("business.autopay", "business", Some(business.0))
            .org(Some(business.0), None)
            .change(None, Some(serde_json::json!({ "autopay": on })));
        crate::audit::record(conn, actor, entry)?;
        Ok(())
    })
}

pub fn is_on(conn: &mut PgConnection, business: BusinessId) -> QueryResult<bool> {
    businesses::table
        .find(business.0)
        .select(businesses::autopay)
        .first(conn)
}

/// An unpaid invoice auto-pay may charge today.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub invoice: InvoiceId,
    pub business: BusinessId,
    pub due: Date,
    pub failures: usize,
}

/// Issued invoices past due of businesses with auto-pay and a default card, whose next try
/// has come.
pub fn candidates(conn: &mut PgConnection, today: Date) -> QueryResult<Vec<Candidate>> {
    let rows: Vec<(InvoiceId, BusinessId, Option<Date>)> = invoices::table
        .inner_join(businesses::table)
        .filter(businesses::autopay)
        .filter(invoices::status.eq("issued"))
        .filter(invoices::due_date.le(today))
        .filter(diesel::dsl::exists(
            saved_cards::table
                .filter(saved_cards::business_id.eq(invoices::business_id))
                .filter(saved_cards::is_default),
        ))
        .order(invoices::due_date)
        .limit(200)
        .select((invoices::id, invoices::business_id, invoices::due_date))
        .load(conn)?;
    // Every earlier try of these invoices in one query.
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.0.0).collect();
    let tried: Vec<(uuid::Uuid, PaymentStatus, time::OffsetDateTime)> = payments::table
        .filter(payments::invoice_id.eq_any(&ids))
        .filter(payments::autopay)
        .select((payments::invoice_id, payments::status, payments::created_at))
        .load(conn)?;
    let mut due = Vec::new();
    for (invoice, business, date) in rows {
        let Some(date) = date else { continue };
        let tries = tried.iter().filter(|(i, _, _)| *i == invoice.0);
        let failures = tries
            .clone()
            .filter(|(_, s, _)| *s == PaymentStatus::Failed)
            .count();
        let last = tries
            .map(|(_, _, at)| crate::timefmt::to_london(*at).date())
            .max();
        if rules::autopay_due(date, failures, last, today) {
            due.push(Candidate {
                invoice,
                business,
                due: date,
                failures,
            });
        }
    }
    Ok(due)
}

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub paid: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Charges every invoice whose try has come. `run` carries a request to the gateway to
/// completion (the job runs outside the web server's runtime).
pub fn sweep(
    conn: &mut PgConnection,
    gateway_name: &str,
    today: Date,
    base_url: &str,
    run: &dyn Fn(&PayOrder) -> Result<PayOutcome, crate::payments::gateway::GatewayError>,
) -> Result<Tally, AppError> {
    let mut tally = Tally::default();
    for c in candidates(conn, today)? {
        let (Some(card), Some(customer)) = (
            queries::default_card(conn, c.business)?,
            queries::customer(conn, c.business)?,
        ) else {
            tally.skipped += 1;
            continue;
        };
        if card.expired() {
            tally.skipped += 1;
            continue;
        }
        // An attempt already open (a checkout, a bank payment) is left to finish.
        let Ok(Reserved::New {
            payment,
            amount,
            number,
            destination,
        }) = payment_queries::reserve(conn, c.business, c.invoice, gateway_name)
        else {
            tally.skipped += 1;
            continue;
        };
        queries::mark_card(conn, payment, card.id)?;
        diesel::update(payments::table.find(payment.0))
            .set(payments::autopay.eq(true))
            .execute(conn)?;
        let order = PayOrder {
            payment,
            invoice: c.invoice,
            amount,
            description: format!("Invoice {number}"),
            customer,
            payment_method: card.payment_method_id.clone(),
            destination,
            return_url: String::new(),
            off_session: true,
        };
        let outcome = run(&order).unwrap_or_else(|e| {
            tracing::warn!(error = %e, invoice = %c.invoice, "auto-pay not answered");
            PayOutcome::Declined {
                intent: None,
                reason: "The payment provider couldn't be reached.".into(),
            }
        });
        queries::record(conn, (payment, c.invoice), &outcome, base_url)?;
        match outcome {
            PayOutcome::Declined { reason, .. } => {
                tally.failed += 1;
                let next = rules::autopay_on(c.due, c.failures + 1).filter(|d| *d > today);
                tell_failed(conn, &c, (&number, &card.label(), &reason), next, base_url)?;
            }
            _ => tally.paid += 1,
        }
    }
    Ok(tally)
}

#[derive(Template)]
#[template(path = "emails/autopay_failed.txt")]
struct FailedText<'a> {
    number: &'a str,
    card: &'a str,
    reason: &'a str,
    next: Option<String>,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/autopay_failed.html")]
struct FailedHtml<'a> {
    number: &'a str,
    card: &'a str,
    reason: &'a str,
    next: Option<String>,
    link: &'a str,
}

fn tell_failed(
    conn: &mut PgConnection,
    c: &Candidate,
    (number, card, reason): (&str, &str, &str),
    next: Option<Date>,
    base_url: &str,
) -> Result<(), AppError> {
    let link = format!("{base_url}/invoices/{}", c.invoice);
    let next = next.map(crate::timefmt::date);
    for to in buyer_emails_allowed(conn, c.business, Permission::PayInvoices)? {
        let message = OutgoingEmail {
            subject: format!("Automatic payment of invoice {number} failed"),
            text: FailedText {
                number,
                card,
                reason,
                next: next.clone(),
                link: &link,
            }
            .render()?,
            html: FailedHtml {
                number,
                card,
                reason,
                next: next.clone(),
                link: &link,
            }
            .render()?,
            to: to.clone(),
        };
        email::queue(
            conn,
            &message,
            &format!("autopay:{}:{}:{to}", c.invoice, c.failures),
        )?;
    }
    Ok(())
}

/// `pay` from the job, to completion.
pub fn pay_blocking(
    config: &crate::config::Config,
    order: &PayOrder,
) -> Result<PayOutcome, crate::payments::gateway::GatewayError> {
    crate::payments::gateway::blocking(config, |gateway| async move {
        gateway::pay(&gateway, order).await
    })
}

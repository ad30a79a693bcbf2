//! Invoicing without clicks: a provider who asks for it has each order invoiced, from what
//! was delivered, and the invoice issued as soon as the order is marked delivered. A job does
//! it after the delivery commits, so a delivery never fails because an invoice couldn't be
//! made; at-least-once is safe because an order has at most one invoice.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::draft_form::DraftInput;
use super::queries;
use crate::db::schema::providers;
use crate::ids::ProviderId;
use crate::jobs::registry::JobType;
use crate::jobs::worker::JobContext;
use crate::tenancy::Scope;
use crate::web::AppError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payload {
    pub order: Uuid,
    pub provider: Uuid,
}

/// Queues the job when the order's provider invoices automatically (in the delivery's
/// transaction; once per order).
pub fn after_delivery(
    conn: &mut PgConnection,
    order: Uuid,
    provider: Uuid,
) -> Result<(), AppError> {
    let on: bool = providers::table
        .find(provider)
        .select(providers::auto_invoice)
        .first(conn)?;
    if on {
        crate::jobs::registry::enqueue::<AutoInvoice>(
            conn,
            &Payload { order, provider },
            Some(&format!("auto_invoice:{order}")),
        )?;
    }
    Ok(())
}

/// What the job did, for its log line and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Issued(String),
    /// Already invoiced (a retry, or the provider was quicker by hand).
    AlreadyInvoiced,
    /// Left as a draft (or not made) with the reason: the provider finishes it by hand.
    Left(String),
}

pub fn run(
    conn: &mut PgConnection,
    p: &Payload,
    (today, base_url): (time::Date, &str),
) -> Result<Outcome, AppError> {
    let provider = ProviderId(p.provider);
    let id = match queries::create_from_order(conn, provider, p.order) {
        Ok(id) => id,
        Err(AppError::Conflict(why)) => return Ok(Outcome::Left(why)),
        Err(e) => return Err(e),
    };
    if !queries::find(conn, Scope::Provider(provider), id)?.is_draft() {
        return Ok(Outcome::AlreadyInvoiced);
    }
    let untouched = DraftInput {
        edits: Vec::new(),
        charge: None,
    };
    let actor = crate::audit::Actor::system();
    match queries::issue(conn, provider, id, &untouched, today, (&actor, base_url)) {
        Ok(Ok(number)) => Ok(Outcome::Issued(number)),
        Ok(Err(problems)) => Ok(Outcome::Left(
            problems.into_values().collect::<Vec<_>>().join(" "),
        )),
        Err(AppError::Conflict(why)) => Ok(Outcome::Left(why)),
        Err(e) => Err(e),
    }
}

pub struct AutoInvoice;

impl JobType for AutoInvoice {
    const NAME: &'static str = "auto_invoice";
    type Payload = Payload;
    fn run(p: Payload, conn: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        let today = crate::timefmt::to_london(ctx.clock.now()).date();
        match run(conn, &p, (today, &ctx.base_url)).map_err(anyhow::Error::from)? {
            Outcome::Issued(number) => {
                tracing::info!(order = %p.order, %number, "invoiced on delivery")
            }
            Outcome::AlreadyInvoiced => {}
            Outcome::Left(why) => {
                tracing::warn!(order = %p.order, why, "not invoiced on delivery; left to the provider");
            }
        }
        Ok(())
    }
}

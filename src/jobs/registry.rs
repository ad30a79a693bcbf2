//! Kinds of job, each a type with a name, a payload and `run`; the worker finds a claimed
//! job's runner here by its `kind`. Jobs are at-least-once: `run` must be idempotent.

use diesel::PgConnection;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::worker::JobContext;
use crate::web::AppError;

pub trait JobType {
    /// Stored in `jobs.kind`; never rename one that may be queued.
    const NAME: &'static str;
    type Payload: Serialize + DeserializeOwned;
    fn run(payload: Self::Payload, conn: &mut PgConnection, ctx: &JobContext)
    -> anyhow::Result<()>;
}

/// Queues a job of type `J` in the caller's transaction; a `dedup` key already used makes
/// this a no-op.
pub fn enqueue<J: JobType>(
    conn: &mut PgConnection,
    payload: &J::Payload,
    dedup: Option<&str>,
) -> Result<(), AppError> {
    let payload = serde_json::to_value(payload).map_err(anyhow::Error::from)?;
    super::queries::enqueue(conn, J::NAME, &payload, dedup)?;
    Ok(())
}

type Runner = fn(serde_json::Value, &mut PgConnection, &JobContext) -> anyhow::Result<()>;

fn runner<J: JobType>(
    payload: serde_json::Value,
    conn: &mut PgConnection,
    ctx: &JobContext,
) -> anyhow::Result<()> {
    J::run(serde_json::from_value(payload)?, conn, ctx)
}

/// Every kind of job the worker runs.
const RUNNERS: &[(&str, Runner)] = &[
    (SendEmail::NAME, runner::<SendEmail>),
    (PurgeThrottleLogs::NAME, runner::<PurgeThrottleLogs>),
    (PlaceStandingOrders::NAME, runner::<PlaceStandingOrders>),
    (AutoPay::NAME, runner::<AutoPay>),
    (SettleStalePayments::NAME, runner::<SettleStalePayments>),
    (ReconcileStripe::NAME, runner::<ReconcileStripe>),
    (RecomputeTrust::NAME, runner::<RecomputeTrust>),
    (
        crate::invoicing::auto::AutoInvoice::NAME,
        runner::<crate::invoicing::auto::AutoInvoice>,
    ),
    (
        crate::plans::lifecycle::SweepPlans::NAME,
        runner::<crate::plans::lifecycle::SweepPlans>,
    ),
    (
        crate::fee_invoices::IssueFeeInvoices::NAME,
        runner::<crate::fee_invoices::IssueFeeInvoices>,
    ),
    (
        crate::exports::job::RunExport::NAME,
        runner::<crate::exports::job::RunExport>,
    ),
];

/// Works every active provider's trust score out again (the 90-day window moves on even when
/// nothing happens), so discovery reads stored, indexed scores.
pub struct RecomputeTrust;

impl JobType for RecomputeTrust {
    const NAME: &'static str = "recompute_trust";
    type Payload = serde_json::Value;
    fn run(_: Self::Payload, conn: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        let n = crate::trust::queries::recompute_all(conn, ctx.clock.now())?;
        tracing::info!(providers = n, "trust scores recomputed");
        Ok(())
    }
}

/// Checks yesterday (London) in the journal against Stripe's balance transactions and stores
/// what differs for admins (idempotent: checking a day again replaces its result).
pub struct ReconcileStripe;

impl JobType for ReconcileStripe {
    const NAME: &'static str = "reconcile_stripe";
    type Payload = serde_json::Value;
    fn run(_: Self::Payload, conn: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        use crate::ledger::reconcile;
        let day = crate::timefmt::to_london(ctx.clock.now() - time::Duration::days(1)).date();
        let theirs = crate::payments::gateway::blocking(&ctx.config, |gateway| async move {
            crate::ledger::stripe_balance::day(&gateway, day).await
        })
        .map_err(|e| anyhow::anyhow!("reading Stripe's balance for {day}: {e}"))?;
        let Some(theirs) = theirs else {
            return Ok(()); // the test gateway has no balance to check
        };
        let ours = reconcile::ours(conn, day)?;
        let found = reconcile::compare(&ours, &theirs);
        if !found.is_empty() {
            tracing::error!(%day, mismatches = found.len(), "the journal and Stripe disagree");
        }
        reconcile::save(conn, day, (&ours, &theirs), &found)?;
        Ok(())
    }
}

/// Asks Stripe about every payment left waiting (a checkout past its expiry whose webhook
/// never came, a one-click payment whose buyer never came back from the bank's check), so
/// money that arrived is applied even if nobody opens the invoice again.
pub struct SettleStalePayments;

impl JobType for SettleStalePayments {
    const NAME: &'static str = "settle_stale_payments";
    type Payload = serde_json::Value;
    fn run(_: Self::Payload, conn: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        use crate::payments::reconcile;
        let settled = reconcile::sweep(conn, ctx.clock.now(), &ctx.base_url, &|stale| {
            crate::payments::gateway::blocking(&ctx.config, |gateway| async move {
                Ok(reconcile::ask(&gateway, stale).await)
            })
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "could not ask Stripe about stale payments");
                Vec::new()
            })
        })
        .map_err(|e| anyhow::anyhow!("settling stale payments: {e}"))?;
        if settled > 0 {
            tracing::info!(settled, "stale payments settled");
        }
        Ok(())
    }
}

/// Charges invoices of businesses with auto-pay whose try has come (idempotent: a try opens a
/// payment row, and an invoice with one open or tried today is left alone).
pub struct AutoPay;

impl JobType for AutoPay {
    const NAME: &'static str = "autopay_invoices";
    type Payload = serde_json::Value;
    fn run(_: Self::Payload, conn: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        let today = crate::timefmt::to_london(ctx.clock.now()).date();
        let name = if ctx.config.stripe_secret_key.is_some() {
            "stripe"
        } else {
            "test"
        };
        let tally = crate::cards::autopay::sweep(conn, name, today, &ctx.base_url, &|order| {
            crate::cards::autopay::pay_blocking(&ctx.config, order)
        })
        .map_err(|e| anyhow::anyhow!("auto-pay: {e}"))?;
        if tally != crate::cards::autopay::Tally::default() {
            tracing::info!(?tally, "auto-pay ran");
        }
        Ok(())
    }
}

/// Places every standing-order delivery that is due (idempotent: each delivery date is
/// decided once, whoever runs the sweep).
pub struct PlaceStandingOrders;

impl JobType for PlaceStandingOrders {
    const NAME: &'static str = "place_standing_orders";
    type Payload = serde_json::Value;
    fn run(_: Self::Payload, conn: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        let tally = crate::standing::place::place_due(
            conn,
            ctx.clock.now(),
            ctx.standing_place_before,
            &ctx.base_url,
        )
        .map_err(|e| anyhow::anyhow!("placing standing orders: {e}"))?;
        if tally != crate::standing::place::Tally::default() {
            tracing::info!(?tally, "standing orders placed");
        }
        Ok(())
    }
}

/// The runner for a claimed job's kind, if it is one this build knows.
pub fn runner_for(kind: &str) -> Option<Runner> {
    RUNNERS
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, run)| *run)
}

/// Sends one email (queued with `email::queue`; the payload is the rendered message).
pub struct SendEmail;

impl JobType for SendEmail {
    const NAME: &'static str = crate::email::JOB_KIND;
    type Payload = crate::email::OutgoingEmail;
    fn run(message: Self::Payload, _: &mut PgConnection, ctx: &JobContext) -> anyhow::Result<()> {
        ctx.mailer.send(&message)
    }
}

/// Forgets login attempts and throttled requests older than a week: they only matter for an
/// hour, and nothing else reads them.
pub struct PurgeThrottleLogs;

impl JobType for PurgeThrottleLogs {
    const NAME: &'static str = "purge_throttle_logs";
    type Payload = serde_json::Value;
    fn run(_: Self::Payload, conn: &mut PgConnection, _: &JobContext) -> anyhow::Result<()> {
        use crate::db::schema::{login_attempts, throttled_requests};
        use diesel::prelude::*;
        let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(7);
        diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(cutoff)))
            .execute(conn)?;
        diesel::delete(throttled_requests::table.filter(throttled_requests::created_at.lt(cutoff)))
            .execute(conn)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_runner() {
        let mut names: Vec<&str> = RUNNERS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RUNNERS.len());
        assert!(runner_for("send_email").is_some());
        assert!(runner_for("no_such_job").is_none());
    }
}

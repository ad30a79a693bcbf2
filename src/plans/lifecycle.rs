//! How a subscription's news changes the provider's plan, whoever brings it: a Stripe webhook,
//! the local test gateway, or the grace job. Each function runs in the caller's transaction and
//! is safe to repeat: a state already reached changes nothing.

use diesel::prelude::*;
use time::OffsetDateTime;

use super::queries::{self, Key, SubUpdate, Subscription};
use super::rules::{self, SubStatus};
use crate::ids::ProviderId;

/// What Stripe (or the test gateway) says about a subscription now.
#[derive(Debug, Clone, Default)]
pub struct News {
    pub status: Option<SubStatus>,
    pub stripe_subscription: Option<String>,
    pub stripe_customer: Option<String>,
    pub period_end: Option<OffsetDateTime>,
    /// When it is set to end (`Some(None)`: no end is scheduled any more).
    pub cancel_at: Option<Option<OffsetDateTime>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Unknown,
    Unchanged,
    Started,
    PastDue,
    Resumed,
    Ended,
    Abandoned,
    EndScheduled,
    EndCalledOff,
}

/// Applies `news` about the subscription found by `key`, at `at`.
pub fn apply(
    conn: &mut PgConnection,
    key: &Key,
    news: &News,
    at: OffsetDateTime,
) -> QueryResult<Outcome> {
    let Some(sub) = queries::locate(conn, key)? else {
        return Ok(Outcome::Unknown);
    };
    let provider = ProviderId(sub.provider);
    let was = sub.status;
    let mut update = SubUpdate {
        stripe_subscription: news.stripe_subscription.clone(),
        stripe_customer: news.stripe_customer.clone(),
        period_end: news.period_end,
        ..SubUpdate::default()
    };
    let mut outcome = Outcome::Unchanged;
    if let Some(next) = news.status.filter(|n| was.can_become(*n)) {
        update.status = Some(next);
        outcome = match next {
            SubStatus::Active if was == SubStatus::PastDue => {
                update.grace_until = Some(None);
                Outcome::Resumed
            }
            SubStatus::Active => {
                queries::choose(conn, provider, sub.plan, at, "upgrade")?;
                if update.period_end.is_none() && sub.period_end.is_none() {
                    update.period_end = Some(rules::month_after(at));
                }
                Outcome::Started
            }
            SubStatus::PastDue => {
                if was == SubStatus::Pending {
                    queries::choose(conn, provider, sub.plan, at, "upgrade")?;
                }
                update.grace_until = Some(Some(rules::grace_until(sub.grace_until, at)));
                Outcome::PastDue
            }
            SubStatus::Cancelled => {
                if was.has_plan() {
                    back_to_default(conn, provider, at, "cancelled")?;
                }
                Outcome::Ended
            }
            SubStatus::Abandoned => Outcome::Abandoned,
            SubStatus::Pending => Outcome::Unchanged,
        };
    }
    let live = update.status.unwrap_or(was).has_plan();
    if let (Some(cancel_at), true) = (news.cancel_at, live)
        && cancel_at != sub.cancel_at
    {
        update.cancel_at = Some(cancel_at);
        outcome = schedule_end(conn, &sub, cancel_at, at)?.unwrap_or(outcome);
    }
    queries::update(conn, sub.id, &update)?;
    Ok(outcome)
}

/// The end of a live subscription was scheduled (`Some`) or called off (`None`).
fn schedule_end(
    conn: &mut PgConnection,
    sub: &Subscription,
    cancel_at: Option<OffsetDateTime>,
    at: OffsetDateTime,
) -> QueryResult<Option<Outcome>> {
    let provider = ProviderId(sub.provider);
    match cancel_at {
        Some(end) if end > at => {
            let default = queries::default_plan(conn)?;
            queries::choose(conn, provider, default, end, "downgrade")?;
            Ok(Some(Outcome::EndScheduled))
        }
        Some(_) => Ok(None),
        None => {
            queries::unschedule(conn, provider, at)?;
            Ok(Some(Outcome::EndCalledOff))
        }
    }
}

/// Puts the provider back on the default plan from `at`, unless they are on it already.
fn back_to_default(
    conn: &mut PgConnection,
    provider: ProviderId,
    at: OffsetDateTime,
    reason: &str,
) -> QueryResult<()> {
    let default = queries::default_plan(conn)?;
    if queries::plan_at(conn, provider, at)? != default {
        queries::choose(conn, provider, default, at, reason)?;
    } else {
        queries::unschedule(conn, provider, at)?;
    }
    Ok(())
}

/// Subscriptions whose grace ran out or whose scheduled end came: their providers go back to
/// the default plan. Returns the subscriptions ended whose Stripe side must be cancelled too.
pub fn sweep(conn: &mut PgConnection, now: OffsetDateTime) -> QueryResult<Vec<Subscription>> {
    let mut to_cancel = Vec::new();
    for sub in queries::grace_over(conn, now)? {
        conn.transaction(|conn| {
            let Some(locked) = queries::locate(conn, &Key::Ours(sub.id))? else {
                return Ok(());
            };
            if locked.status != SubStatus::PastDue {
                return Ok(());
            }
            let update = SubUpdate {
                status: Some(SubStatus::Cancelled),
                ..SubUpdate::default()
            };
            queries::update(conn, locked.id, &update)?;
            back_to_default(conn, ProviderId(locked.provider), now, "grace_ended")?;
            to_cancel.push(locked);
            QueryResult::Ok(())
        })?;
    }
    for sub in queries::ended(conn, now)? {
        conn.transaction(|conn| {
            let Some(locked) = queries::locate(conn, &Key::Ours(sub.id))? else {
                return Ok(());
            };
            let due = locked.cancel_at.is_some_and(|c| c <= now);
            if !locked.status.has_plan() || !due {
                return Ok(());
            }
            let update = SubUpdate {
                status: Some(SubStatus::Cancelled),
                ..SubUpdate::default()
            };
            queries::update(conn, locked.id, &update)?;
            back_to_default(conn, ProviderId(locked.provider), now, "downgrade")?;
            QueryResult::Ok(())
        })?;
    }
    Ok(to_cancel)
}

/// The periodic sweep: ends lapsed subscriptions here, then at Stripe, so a provider whose grace
/// ran out is no longer charged for a plan they no longer have.
pub struct SweepPlans;

impl crate::jobs::registry::JobType for SweepPlans {
    const NAME: &'static str = "sweep_plans";
    type Payload = serde_json::Value;
    fn run(
        _: Self::Payload,
        conn: &mut PgConnection,
        ctx: &crate::jobs::worker::JobContext,
    ) -> anyhow::Result<()> {
        let ended = sweep(conn, ctx.clock.now())?;
        for sub in ended {
            let Some(stripe_id) = sub.stripe_subscription.clone() else {
                continue;
            };
            crate::payments::gateway::blocking(&ctx.config, |gateway| async move {
                super::gateway::cancel_now(&gateway, &stripe_id, sub.id).await
            })
            .map_err(|e| anyhow::anyhow!("cancelling a lapsed plan at Stripe: {e}"))?;
        }
        Ok(())
    }
}

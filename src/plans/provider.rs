//! The provider's plan page: their plan and fee, what each plan would have cost them, and
//! switching, through Stripe Checkout (or the local test gateway) for a paid plan.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::gateway::{self as plan_gateway, SubscribeRequest};
use super::lifecycle::{self, News, Outcome};
use super::queries::{self, Key, Plan, Subscription};
use super::rules::{self, SubStatus, Switch};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::ProviderId;
use crate::money::format_gbp;
use crate::payments::gateway::{Gateway, GatewayError};
use crate::tenancy::{Permission, ProviderCtx};
use crate::timefmt::{date, to_london};
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

const PAGE: &str = "/provider/plan";

pub struct PlanRow {
    pub id: Uuid,
    pub name: String,
    pub price: String,
    pub fee: String,
    pub featured: bool,
    pub would_have_cost: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "plans/provider.html")]
struct PlanPage {
    meta: PageMeta,
    current: String,
    current_id: Uuid,
    fee: String,
    own_fee: bool,
    featured: bool,
    status: Option<String>,
    next: Option<String>,
    rows: Vec<PlanRow>,
    may_change: bool,
    test_mode: bool,
}

struct Loaded {
    plans: Vec<Plan>,
    current: Uuid,
    next: Option<rules::Version<Uuid>>,
    live: Option<Subscription>,
    fee: crate::ledger::rules::FeeRule,
    own_fee: bool,
    rules: Vec<(Uuid, crate::ledger::rules::FeeRule)>,
    totals: Vec<Decimal>,
}

fn load(
    conn: &mut diesel::PgConnection,
    provider: ProviderId,
    now: time::OffsetDateTime,
) -> Result<Loaded, AppError> {
    let plans = queries::all(conn)?;
    let (current, next) = queries::now_and_next(conn, provider, now)?;
    let versions = crate::ledger::queries::all_plan_versions(conn)?;
    let plan_rules = plans
        .iter()
        .map(|p| {
            let v = versions.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            (p.id, rules::in_force(v, now).unwrap_or_default())
        })
        .collect();
    Ok(Loaded {
        current,
        next,
        live: queries::live(conn, provider)?,
        fee: crate::ledger::queries::rule_for(conn, provider, now)?,
        own_fee: crate::ledger::queries::provider_rule(conn, provider)?.is_some(),
        rules: plan_rules,
        totals: queries::recent_totals(conn, provider, now - time::Duration::days(30))?,
        plans,
    })
}

pub async fn show(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let (provider, now) = (ctx.provider_id, ctx.user.now);
    let l = with_conn(&pool, move |conn| load(conn, provider, now)).await?;
    let plan_of = |id: Uuid| l.plans.iter().find(|p| p.id == id);
    let current = plan_of(l.current);
    let status = l.live.as_ref().map(|s| match s.status {
        SubStatus::PastDue => format!(
            "Your last plan payment failed. Update your card with Stripe by {} to keep your plan; after that you move to the free plan.",
            s.grace_until.map(|g| date(to_london(g).date())).unwrap_or_default()
        ),
        _ => match s.period_end {
            Some(end) => format!("Paid monthly; the current period ends {}.", date(to_london(end).date())),
            None => "Paid monthly.".to_owned(),
        },
    });
    let next = l.next.map(|n| {
        format!(
            "You move to {} on {}.",
            plan_of(n.value)
                .map(|p| p.name.as_str())
                .unwrap_or("another plan"),
            date(to_london(n.starts_at).date())
        )
    });
    let rows = l
        .plans
        .iter()
        .map(|p| {
            let rule = l
                .rules
                .iter()
                .find(|(id, _)| *id == p.id)
                .map(|(_, r)| *r)
                .unwrap_or_default();
            PlanRow {
                id: p.id,
                name: p.name.clone(),
                price: if p.paid() {
                    format!("{} a month", format_gbp(p.monthly_price))
                } else {
                    "Free".into()
                },
                fee: rule.describe(),
                featured: p.featured,
                would_have_cost: format_gbp(rules::would_charge(&rule, &l.totals)),
                current: p.id == l.current,
            }
        })
        .collect();
    render(&PlanPage {
        meta: ctx.user.meta("Your plan"),
        current: current.map(|p| p.name.clone()).unwrap_or_default(),
        current_id: l.current,
        featured: current.is_some_and(|p| p.featured),
        fee: l.fee.describe(),
        own_fee: l.own_fee,
        status,
        next,
        rows,
        may_change: ctx.require(Permission::ManagePayouts).is_ok(),
        test_mode: gateway.is_test(),
    })
}

#[derive(Debug, Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    pub plan_id: String,
}

fn unavailable(e: GatewayError) -> AppError {
    tracing::error!(error = %e, "Stripe plan request failed");
    AppError::Unavailable(
        "We couldn't reach Stripe to change your plan. Nothing has changed; please try again in a few minutes.".into(),
    )
}

/// Moves the provider towards the chosen plan: a checkout for a paid plan, an end at the
/// period's close for the free one, or calling such an end off.
pub async fn choose(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
    Form(form): Form<ChooseForm>,
) -> Result<HttpResponse, AppError> {
    // The plan is billed to the business: owners only, like where payouts go.
    ctx.require(Permission::ManagePayouts)?;
    let target = Uuid::parse_str(form.plan_id.trim()).map_err(|_| AppError::NotFound)?;
    let (provider, now) = (ctx.provider_id, ctx.user.now);
    let (target, current, next, live) = with_conn(&pool, move |conn| {
        let target = queries::find(conn, target)?.ok_or(AppError::NotFound)?;
        let (current, next) = queries::now_and_next(conn, provider, now)?;
        let current = queries::find(conn, current)?.ok_or(AppError::NotFound)?;
        Ok((target, current, next, queries::live(conn, provider)?))
    })
    .await?;
    let ending = next.is_some() && live.as_ref().is_some_and(|s| s.cancel_at.is_some());
    let switch = rules::switch(
        current.choice(),
        current.id == target.id,
        target.choice(),
        ending,
    );
    let flash = |kind, text: String| {
        ctx.user.session.flash(kind, text);
        Ok(see_other(PAGE))
    };
    match (switch, live) {
        (Switch::AlreadyOn, _) => {
            flash(FlashKind::Ok, format!("You're on {} already.", target.name))
        }
        (Switch::EndCurrentFirst, _) => flash(
            FlashKind::Error,
            format!(
                "To move from {} to {}, first choose the free plan: {} then ends with its paid period, and you can choose {} once it has.",
                current.name, target.name, current.name, target.name
            ),
        ),
        (Switch::Checkout, _) => {
            let sub = with_conn(&pool, move |conn| {
                Ok(queries::start(conn, provider, target.id)?)
            })
            .await?;
            let base = config.base_url.trim_end_matches('/');
            let req = SubscribeRequest {
                subscription: sub,
                provider: provider.0,
                plan_name: target.name.clone(),
                monthly_price: target.monthly_price,
                email: ctx.user.email.clone(),
                success_url: format!("{base}{PAGE}?subscribed=1"),
                cancel_url: format!("{base}{PAGE}"),
            };
            let (session, url) = plan_gateway::subscribe(&gateway, &req)
                .await
                .map_err(unavailable)?;
            with_conn(&pool, move |conn| {
                Ok(queries::set_session(conn, sub, &session)?)
            })
            .await?;
            Ok(see_other(&url))
        }
        (Switch::DowngradeAtPeriodEnd | Switch::KeepCurrent, Some(sub)) => {
            let end = matches!(switch, Switch::DowngradeAtPeriodEnd);
            let period_end = sub
                .period_end
                .unwrap_or_else(|| rules::month_after(now))
                .max(now);
            if let Some(stripe_id) = &sub.stripe_subscription {
                let version = sub.cancel_at.map(|c| c.unix_timestamp()).unwrap_or(0)
                    + sub.period_end.map(|p| p.unix_timestamp()).unwrap_or(0);
                plan_gateway::end_at_period_end(&gateway, stripe_id, sub.id, end, version)
                    .await
                    .map_err(unavailable)?;
            }
            let news = News {
                cancel_at: Some(end.then_some(period_end)),
                ..News::default()
            };
            let actor = ctx.user.actor.clone();
            let outcome = with_conn(&pool, move |conn| {
                conn.transaction(|conn| {
                    let outcome = lifecycle::apply(conn, &Key::Ours(sub.id), &news, now)?;
                    let entry = crate::audit::Entry::new(
                        if end {
                            "plans.end_scheduled"
                        } else {
                            "plans.end_called_off"
                        },
                        "plan_subscription",
                        Some(sub.id),
                    )
                    .org(None, Some(provider.0));
                    crate::audit::record(conn, &actor, entry)?;
                    Ok(outcome)
                })
            })
            .await?;
            let text = match outcome {
                Outcome::EndScheduled => format!(
                    "Done: you keep {} until {}, then move to {}. Nothing more is charged.",
                    current.name,
                    date(to_london(period_end).date()),
                    target.name
                ),
                Outcome::EndCalledOff => format!("Done: you stay on {}.", current.name),
                _ => "Nothing needed changing.".to_owned(),
            };
            flash(FlashKind::Ok, text)
        }
        // A paid plan with no live subscription (an admin's or a lapsed one): nothing to end.
        (Switch::DowngradeAtPeriodEnd | Switch::KeepCurrent, None) => {
            let default = target.id;
            with_conn(&pool, move |conn| {
                Ok(queries::choose(conn, provider, default, now, "downgrade")?)
            })
            .await?;
            flash(
                FlashKind::Ok,
                format!("Done: you're on {} now.", target.name),
            )
        }
    }
}

#[derive(Template)]
#[template(path = "plans/test_checkout.html")]
struct TestCheckoutPage {
    meta: PageMeta,
    session: String,
    plan: String,
    price: String,
    pending: bool,
}

/// The local test gateway's stand-in for Stripe's subscription checkout.
pub async fn test_checkout(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
    session: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let (provider, session) = (ctx.provider_id, session.into_inner());
    let lookup = session.clone();
    let (sub, plan) = with_conn(&pool, move |conn| {
        let sub = queries::by_session(conn, provider, &lookup)?.ok_or(AppError::NotFound)?;
        let plan = queries::find(conn, sub.plan)?.ok_or(AppError::NotFound)?;
        Ok((sub, plan))
    })
    .await?;
    render(&TestCheckoutPage {
        meta: ctx.user.meta("Test subscription checkout"),
        session,
        price: format!("{} a month", format_gbp(plan.monthly_price)),
        plan: plan.name,
        pending: sub.status == SubStatus::Pending,
    })
}

/// The test gateway's Subscribe button: the same news Stripe's webhooks bring.
pub async fn test_checkout_pay(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
    session: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let (provider, session, now) = (ctx.provider_id, session.into_inner(), ctx.user.now);
    let outcome = with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let sub = queries::by_session(conn, provider, &session)?.ok_or(AppError::NotFound)?;
            let news = News {
                status: Some(SubStatus::Active),
                stripe_subscription: Some(format!("sub_local_{}", sub.id.simple())),
                period_end: Some(rules::month_after(now)),
                ..News::default()
            };
            Ok(lifecycle::apply(conn, &Key::Ours(sub.id), &news, now)?)
        })
    })
    .await?;
    let text = match outcome {
        Outcome::Started => "Subscribed: your new plan applies from now.",
        _ => "That checkout was already used; your plan is as shown.",
    };
    ctx.user.session.flash(FlashKind::Ok, text);
    Ok(see_other(PAGE))
}

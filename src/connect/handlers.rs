//! The provider owner's payout settings: start or continue Stripe onboarding, see what
//! Stripe still needs; and the local stand-in for Stripe's onboarding pages.

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection;

use super::queries::{self, PayoutAccount};
use super::rules::{self, Stage};
use crate::config::Config;
use crate::db::DbPool;
use crate::payments::gateway::Gateway;
use crate::tenancy::{Permission, ProviderCtx};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, see_other, with_conn};

#[derive(Template)]
#[template(path = "connect/settings.html")]
struct SettingsPage {
    meta: PageMeta,
    stage: Stage,
    account: Option<PayoutAccount>,
    needed: Vec<String>,
    test_mode: bool,
}

async fn payout_account(
    pool: &web::Data<DbPool>,
    provider: crate::ids::ProviderId,
) -> Result<Option<PayoutAccount>, AppError> {
    with_conn(pool, move |conn| Ok(queries::account(conn, provider)?)).await
}

pub async fn settings(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    let provider = ctx.provider_id;
    let account = payout_account(&pool, provider).await?;
    let state = account.as_ref().map(PayoutAccount::state);
    render(&SettingsPage {
        meta: ctx.user.meta("Payout settings"),
        stage: rules::stage(state.as_ref()),
        needed: state
            .as_ref()
            .map(|s| rules::still_needed(&s.requirements))
            .unwrap_or_default(),
        account,
        test_mode: gateway.is_test(),
    })
}

/// Opens the account if there is none (one per provider, whatever the retries), then sends
/// the owner to a fresh Stripe onboarding link.
pub async fn onboard(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    let provider = ctx.provider_id;
    let existing = payout_account(&pool, provider).await?;
    let account = match existing {
        Some(a) => a.stripe_account_id,
        None => {
            let created = super::gateway::create_account(&gateway, provider, &ctx.user.email)
                .await
                .map_err(unavailable)?;
            let actor = ctx.user.actor.clone();
            with_conn(&pool, move |conn| {
                conn.transaction(|conn| {
                    let kept = queries::attach(conn, provider, &created)?;
                    let entry = crate::audit::Entry::new(
                        "payouts.account_opened",
                        "provider",
                        Some(provider.0),
                    )
                    .org(None, Some(provider.0))
                    .change(None, Some(serde_json::json!({ "stripe_account": kept })));
                    crate::audit::record(conn, &actor, entry)?;
                    Ok(kept)
                })
            })
            .await?
        }
    };
    link(&ctx, &config, &pool, &gateway, account).await
}

async fn link(
    ctx: &ProviderCtx,
    config: &Config,
    pool: &web::Data<DbPool>,
    gateway: &Gateway,
    account: String,
) -> Result<HttpResponse, AppError> {
    let provider = ctx.provider_id;
    let n = with_conn(pool, move |conn| Ok(queries::next_link(conn, provider)?)).await?;
    let url = super::gateway::onboarding_link(gateway, &account, n, &config.base_url)
        .await
        .map_err(unavailable)?;
    Ok(see_other(&url))
}

fn unavailable(e: crate::payments::gateway::GatewayError) -> AppError {
    tracing::error!(error = %e, "Stripe onboarding request failed");
    AppError::Unavailable(
        "We couldn't reach Stripe to set up payouts. Nothing has changed; please try again in a few minutes.".into(),
    )
}

/// Stripe's link expired or was used: a fresh one.
pub async fn refresh(
    ctx: ProviderCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    let provider = ctx.provider_id;
    let account = payout_account(&pool, provider)
        .await?
        .ok_or(AppError::NotFound)?;
    link(&ctx, &config, &pool, &gateway, account.stripe_account_id).await
}

/// Back from Stripe: ask Stripe how the account stands rather than wait for its webhook.
pub async fn returned(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    let provider = ctx.provider_id;
    let account = payout_account(&pool, provider)
        .await?
        .ok_or(AppError::NotFound)?;
    match super::gateway::account_state(&gateway, &account.stripe_account_id).await {
        Ok(Some(state)) => {
            let id = account.stripe_account_id.clone();
            with_conn(&pool, move |conn| {
                Ok(queries::update_state(conn, &id, &state)?)
            })
            .await?;
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not ask Stripe about an account on return"),
    }
    Ok(see_other("/provider/payouts/settings"))
}

#[derive(Template)]
#[template(path = "connect/test_onboarding.html")]
struct TestOnboardingPage {
    meta: PageMeta,
}

/// The test gateway's stand-in for Stripe's hosted onboarding.
pub async fn test_onboarding(
    ctx: ProviderCtx,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    render(&TestOnboardingPage {
        meta: ctx.user.meta("Test payout onboarding"),
    })
}

/// Finishing the stand-in onboarding does what Stripe's `account.updated` would.
pub async fn test_onboarding_done(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    gateway: web::Data<Gateway>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManagePayouts)?;
    if !gateway.is_test() {
        return Err(AppError::NotFound);
    }
    let provider = ctx.provider_id;
    let done = with_conn(&pool, move |conn| {
        let Some(account) = queries::account(conn, provider)? else {
            return Ok(false);
        };
        let state = rules::AccountState {
            charges_enabled: true,
            payouts_enabled: true,
            details_submitted: true,
            ..rules::AccountState::default()
        };
        Ok(queries::update_state(
            conn,
            &account.stripe_account_id,
            &state,
        )?)
    })
    .await?;
    if !done {
        return Err(AppError::NotFound);
    }
    ctx.user.session.flash(
        FlashKind::Ok,
        "Payouts are set up: buyers can now pay you by card.",
    );
    Ok(see_other("/provider/payouts/settings"))
}

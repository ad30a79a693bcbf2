//! Connected accounts through stripe-rust, or the local stand-in under the test gateway.

use std::collections::HashMap;

use stripe::StripeRequest;
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesCardPayments,
    CreateAccountCapabilitiesTransfers, CreateAccountType, RetrieveAccount,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};

use super::rules::AccountState;
use crate::ids::ProviderId;
use crate::payments::gateway::{Gateway, GatewayError, once};

/// What Stripe says about an account, as we keep it.
pub fn state_of(a: &stripe_connect::Account) -> AccountState {
    let req = a.requirements.as_ref();
    AccountState {
        charges_enabled: a.charges_enabled.unwrap_or(false),
        payouts_enabled: a.payouts_enabled.unwrap_or(false),
        details_submitted: a.details_submitted.unwrap_or(false),
        requirements: req
            .and_then(|r| r.currently_due.clone())
            .unwrap_or_default(),
        disabled_reason: req
            .and_then(|r| r.disabled_reason.as_ref())
            .map(|d| d.as_str().to_owned()),
    }
}

/// Opens an Express account for the provider. The key names the provider, so however often
/// this is retried the provider gets one account.
pub async fn create_account(
    gateway: &Gateway,
    provider: ProviderId,
    email: &str,
) -> Result<String, GatewayError> {
    let client = match gateway {
        Gateway::Test => return Ok(format!("acct_local_{}", provider.0.simple())),
        Gateway::Stripe(client) => client,
    };
    let mut capabilities = CreateAccountCapabilities::new();
    capabilities.card_payments = Some(CreateAccountCapabilitiesCardPayments {
        requested: Some(true),
    });
    capabilities.transfers = Some(CreateAccountCapabilitiesTransfers {
        requested: Some(true),
    });
    let account = CreateAccount::new()
        .type_(CreateAccountType::Express)
        .country("GB")
        .email(email)
        .capabilities(capabilities)
        .metadata(HashMap::from([(
            "provider_id".to_owned(),
            provider.to_string(),
        )]))
        .customize()
        .request_strategy(once(&format!("larder-account-{provider}"))?)
        .send(client.as_ref())
        .await?;
    Ok(account.id.to_string())
}

/// A single-use link to Stripe's onboarding; `n` is our count of links for this account.
pub async fn onboarding_link(
    gateway: &Gateway,
    account: &str,
    n: i32,
    base_url: &str,
) -> Result<String, GatewayError> {
    let client = match gateway {
        Gateway::Test => return Ok("/provider/payouts/test-onboarding".to_owned()),
        Gateway::Stripe(client) => client,
    };
    let link = CreateAccountLink::new(account, CreateAccountLinkType::AccountOnboarding)
        .refresh_url(format!("{base_url}/provider/payouts/settings/refresh"))
        .return_url(format!("{base_url}/provider/payouts/settings/return"))
        .customize()
        .request_strategy(once(&format!("larder-account-link-{account}-{n}"))?)
        .send(client.as_ref())
        .await?;
    Ok(link.url)
}

/// The account as Stripe has it now (`None` under the test gateway: its state is ours).
pub async fn account_state(
    gateway: &Gateway,
    account: &str,
) -> Result<Option<AccountState>, GatewayError> {
    let Gateway::Stripe(client) = gateway else {
        return Ok(None);
    };
    let a = RetrieveAccount::new(account).send(client.as_ref()).await?;
    Ok(Some(state_of(&a)))
}

//! Payout accounts.

use diesel::prelude::*;

use super::rules::AccountState;
use crate::db::schema::payout_accounts;
use crate::ids::ProviderId;

#[derive(Debug, Clone, Queryable)]
pub struct PayoutAccount {
    pub stripe_account_id: String,
    pub charges_enabled: bool,
    pub payouts_enabled: bool,
    pub details_submitted: bool,
    pub requirements: Vec<String>,
    pub disabled_reason: Option<String>,
}

impl PayoutAccount {
    pub fn state(&self) -> AccountState {
        AccountState {
            charges_enabled: self.charges_enabled,
            payouts_enabled: self.payouts_enabled,
            details_submitted: self.details_submitted,
            requirements: self.requirements.clone(),
            disabled_reason: self.disabled_reason.clone(),
        }
    }
}

pub fn account(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Option<PayoutAccount>> {
    payout_accounts::table
        .find(provider.0)
        .select((
            payout_accounts::stripe_account_id,
            payout_accounts::charges_enabled,
            payout_accounts::payouts_enabled,
            payout_accounts::details_submitted,
            payout_accounts::requirements,
            payout_accounts::disabled_reason,
        ))
        .first(conn)
        .optional()
}

/// The account card money can go to, if Stripe lets it take charges.
pub fn chargeable_account(
    conn: &mut PgConnection,
    provider: ProviderId,
) -> QueryResult<Option<String>> {
    payout_accounts::table
        .find(provider.0)
        .filter(payout_accounts::charges_enabled.eq(true))
        .select(payout_accounts::stripe_account_id)
        .first(conn)
        .optional()
}

/// Records the provider's new account; an existing one is kept (two tabs, a retry).
pub fn attach(
    conn: &mut PgConnection,
    provider: ProviderId,
    stripe_id: &str,
) -> QueryResult<String> {
    diesel::insert_into(payout_accounts::table)
        .values((
            payout_accounts::provider_id.eq(provider.0),
            payout_accounts::stripe_account_id.eq(stripe_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    payout_accounts::table
        .find(provider.0)
        .select(payout_accounts::stripe_account_id)
        .first(conn)
}

/// Numbers the next onboarding link (its idempotency key).
pub fn next_link(conn: &mut PgConnection, provider: ProviderId) -> QueryResult<i32> {
    diesel::update(payout_accounts::table.find(provider.0))
        .set(payout_accounts::links_issued.eq(payout_accounts::links_issued + 1))
        .returning(payout_accounts::links_issued)
        .get_result(conn)
}

/// Stores what Stripe says about an account; false when the account isn't one of ours.
pub fn update_state(
    conn: &mut PgConnection,
    stripe_id: &str,
    s: &AccountState,
) -> QueryResult<bool> {
    diesel::update(payout_accounts::table.filter(payout_accounts::stripe_account_id.eq(stripe_id)))
        .set((
            payout_accounts::charges_enabled.eq(s.charges_enabled),
            payout_accounts::payouts_enabled.eq(s.payouts_enabled),
            payout_accounts::details_submitted.eq(s.details_submitted),
            payout_accounts::requirements.eq(&s.requirements),
            payout_accounts::disabled_reason.eq(&s.disabled_reason),
        ))
        .execute(conn)
        .map(|n| n > 0)
}

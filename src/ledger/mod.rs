//! The double-entry journal: every money event posts balanced lines in its own transaction,
//! and balances (a provider's, an invoice's amount due, the platform's fee revenue) are read
//! from it. Fee rules live here too: the fee is a posting's input.

pub mod forms;
pub mod handlers;
pub mod queries;
pub mod reconcile;
pub mod rules;
pub mod stripe_balance;

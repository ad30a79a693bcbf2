//! Who is acting and what they may do: the request contexts (`CurrentUser`, `Viewer`,
//! `BuyerCtx`, `ProviderCtx`, `AdminCtx`), the pure `Role × Permission` table, and the `Scope` every tenant query takes.

pub mod access;
pub mod context;
pub mod members;
pub mod roles;
pub mod scope;

pub use context::*;
pub use roles::{Acting, Permission, Role, Side};
pub use scope::Scope;

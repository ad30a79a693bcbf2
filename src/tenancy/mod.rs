//! Who is acting and what they may do: the request contexts (`CurrentUser`, `Viewer`,
//! `BuyerCtx`, `ProviderCtx`, `AdminCtx`) and the pure `Role × Permission` table.

pub mod context;
pub mod roles;

pub use context::*;
pub use roles::{Permission, Role, Side};

//! Whose rows a query may touch. Every tenant query takes a `Scope` built from the request
//! context (never from the URL), so another tenant's id reads as "not found". `Admin` and
//! `System` (jobs, webhooks) see every tenant; they are built only by the admin context and
//! by code that runs without a request.

use super::roles::Side;
use crate::ids::{BusinessId, ProviderId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Buyer(BusinessId),
    Provider(ProviderId),
    /// A platform admin, answering for any tenant.
    Admin,
    /// Background work (jobs, webhooks, reconciliation) acting for no one user.
    System,
}

impl Scope {
    /// The side a tenant scope acts for; `None` for the admin area and jobs.
    pub fn side(self) -> Option<Side> {
        match self {
            Self::Buyer(_) => Some(Side::Buyer),
            Self::Provider(_) => Some(Side::Provider),
            Self::Admin | Self::System => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tenant_scopes_have_a_side() {
        let id = uuid::Uuid::nil();
        assert_eq!(Scope::Buyer(BusinessId(id)).side(), Some(Side::Buyer));
        assert_eq!(Scope::Provider(ProviderId(id)).side(), Some(Side::Provider));
        assert_eq!(Scope::Admin.side(), None);
        assert_eq!(Scope::System.side(), None);
    }
}

//! Roles and permissions as one pure table: which role on which side may do what. Every
//! action asks `ctx.require(Permission::…)`; a missing permission answers 404 like any page
//! that isn't yours. The roles follow DESIGN.md; today every member is an owner, and teams
//! (invites, assigning roles) build on this table.

use crate::web::AppError;

/// Which kind of organisation a member acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Provider,
}

impl Side {
    pub fn is_provider(self) -> bool {
        self == Self::Provider
    }

    /// Where this side's order pages live ("/orders" or "/provider/orders").
    pub fn orders_path(self) -> &'static str {
        match self {
            Self::Buyer => "/orders",
            Self::Provider => "/provider/orders",
        }
    }

    /// Where this side's invoice pages live.
    pub fn invoices_path(self) -> &'static str {
        match self {
            Self::Buyer => "/invoices",
            Self::Provider => "/provider/invoices",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Manager,
    /// Buyer side: builds carts and submits orders.
    Orderer,
    /// Buyer side: reads only.
    Viewer,
    /// Provider side: fulfils confirmed orders (the schema's `staff`).
    Dispatcher,
    Finance,
}

impl Role {
    /// The membership's role as stored; `None` for a value this build doesn't know.
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "owner" => Self::Owner,
            "manager" => Self::Manager,
            "orderer" => Self::Orderer,
            "viewer" => Self::Viewer,
            "staff" | "dispatcher" => Self::Dispatcher,
            "finance" => Self::Finance,
            _ => return None,
        })
    }

    /// As stored in `memberships.role` (the dispatcher is the schema's `staff`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Manager => "manager",
            Self::Orderer => "orderer",
            Self::Viewer => "viewer",
            Self::Dispatcher => "staff",
            Self::Finance => "finance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Manager => "Manager",
            Self::Orderer => "Orderer",
            Self::Viewer => "Viewer",
            Self::Dispatcher => "Dispatcher",
            Self::Finance => "Finance",
        }
    }

    /// What the role is for, in a line for the invite form.
    pub fn summary(self, side: Side) -> &'static str {
        match (side, self) {
            (_, Self::Owner) => "everything, including the team",
            (Side::Buyer, Self::Manager) => "orders, locations and invoices",
            (Side::Provider, Self::Manager) => "catalogue, orders, deliveries and invoices",
            (_, Self::Orderer) => "builds carts and places orders",
            (_, Self::Viewer) => "reads only",
            (_, Self::Dispatcher) => "delivers confirmed orders",
            (Side::Buyer, Self::Finance) => "sees orders, sees and pays invoices",
            (Side::Provider, Self::Finance) => "invoices and payments",
        }
    }

    /// The roles a member of `side` can hold, most powerful first.
    pub fn for_side(side: Side) -> &'static [Role] {
        match side {
            Side::Buyer => &[
                Self::Owner,
                Self::Manager,
                Self::Orderer,
                Self::Finance,
                Self::Viewer,
            ],
            Side::Provider => &[Self::Owner, Self::Manager, Self::Dispatcher, Self::Finance],
        }
    }
}

/// May a member with role `actor` give someone `role` (invite, re-role, remove)? Owners
/// manage everyone; managers manage the roles below them; nobody else manages anyone.
pub fn may_grant(side: Side, actor: Role, role: Role) -> bool {
    if !Role::for_side(side).contains(&role) {
        return false;
    }
    match actor {
        Role::Owner => true,
        Role::Manager => !matches!(role, Role::Owner | Role::Manager),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Buyer: carts, checkout, cancelling and reordering.
    PlaceOrders,
    /// Buyer: delivery addresses and business details.
    ManageLocations,
    /// Both: see orders.
    ViewOrders,
    /// Both: see invoices.
    ViewInvoices,
    /// Buyer: pay invoices.
    PayInvoices,
    /// Provider: products, prices, imports, profile.
    ManageCatalogue,
    /// Provider: confirm or reject orders.
    ConfirmOrders,
    /// Provider: schedule, dispatch and deliver confirmed orders.
    FulfilOrders,
    /// Provider: draft, issue and void invoices; record payments received.
    ManageInvoices,
    /// Both: see the team, invite people and change their roles (within `may_grant`).
    ManageTeam,
    /// Both: read the organisation's audit log (owners only).
    ViewAudit,
    /// Buyer: approve or decline orders over an orderer's limits.
    ApproveOrders,
    /// Provider: delivery zones, windows, cut-offs and closures.
    ManageDelivery,
    /// Provider: Stripe payout onboarding (owners only: it is where the money goes).
    ManagePayouts,
    /// Provider: refund paid invoices (owners and managers: money leaves the business).
    RefundInvoices,
    /// Provider: see payouts and what each carried.
    ViewPayouts,
    /// Buyer: check deliveries in and ask for credit on them (the kitchen does this).
    ReceiveDeliveries,
    /// Provider: accept or decline credit requests (accepting may refund money), and reply
    /// publicly to ratings.
    AnswerCredits,
}

/// The table. Owners may do everything on their side; the others what DESIGN.md gives them.
pub fn allows(side: Side, role: Role, permission: Permission) -> bool {
    use Permission as P;
    use Role as R;
    match side {
        Side::Buyer | Side::Provider if role == R::Owner && permission == P::ViewAudit => true,
        Side::Provider if role == R::Owner && permission == P::ManagePayouts => true,
        Side::Buyer => match role {
            R::Owner | R::Manager => matches!(
                permission,
                P::PlaceOrders
                    | P::ManageLocations
                    | P::ViewOrders
                    | P::ViewInvoices
                    | P::PayInvoices
                    | P::ManageTeam
                    | P::ApproveOrders
                    | P::ReceiveDeliveries
            ),
            R::Orderer => matches!(
                permission,
                P::PlaceOrders | P::ViewOrders | P::ReceiveDeliveries
            ),
            R::Finance => matches!(permission, P::ViewOrders | P::ViewInvoices | P::PayInvoices),
            R::Viewer => matches!(permission, P::ViewOrders | P::ViewInvoices),
            R::Dispatcher => false,
        },
        Side::Provider => match role {
            R::Owner | R::Manager => matches!(
                permission,
                P::ManageCatalogue
                    | P::ManageDelivery
                    | P::ConfirmOrders
                    | P::FulfilOrders
                    | P::ViewOrders
                    | P::ViewInvoices
                    | P::ManageInvoices
                    | P::RefundInvoices
                    | P::ViewPayouts
                    | P::ManageTeam
                    | P::AnswerCredits
            ),
            R::Dispatcher => matches!(permission, P::ViewOrders | P::FulfilOrders),
            R::Finance => matches!(
                permission,
                P::ViewOrders | P::ViewInvoices | P::ManageInvoices | P::ViewPayouts
            ),
            R::Orderer | R::Viewer => false,
        },
    }
}

/// A member acting: whose rows they see, their side and role; all a page needs to read and
/// to decide what to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acting {
    pub scope: super::Scope,
    pub side: Side,
    pub role: Role,
}

impl Acting {
    pub fn may(self, permission: Permission) -> bool {
        allows(self.side, self.role, permission)
    }
}

/// `Ok` when allowed; otherwise the 404 every other refusal gives.
pub fn require(side: Side, role: Role, permission: Permission) -> Result<(), AppError> {
    if allows(side, role, permission) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Permission; 18] = [
        Permission::PlaceOrders,
        Permission::ManageLocations,
        Permission::ViewOrders,
        Permission::ViewInvoices,
        Permission::PayInvoices,
        Permission::ManageCatalogue,
        Permission::ConfirmOrders,
        Permission::FulfilOrders,
        Permission::ManageInvoices,
        Permission::ManageTeam,
        Permission::ViewAudit,
        Permission::ApproveOrders,
        Permission::ManageDelivery,
        Permission::ManagePayouts,
        Permission::RefundInvoices,
        Permission::ViewPayouts,
        Permission::ReceiveDeliveries,
        Permission::AnswerCredits,
    ];

    fn allowed(side: Side, role: Role) -> Vec<Permission> {
        ALL.into_iter().filter(|p| allows(side, role, *p)).collect()
    }

    #[test]
    fn owners_do_everything_on_their_own_side_only() {
        use Permission as P;
        assert_eq!(
            allowed(Side::Buyer, Role::Owner),
            vec![
                P::PlaceOrders,
                P::ManageLocations,
                P::ViewOrders,
                P::ViewInvoices,
                P::PayInvoices,
                P::ManageTeam,
                P::ViewAudit,
                P::ApproveOrders,
                P::ReceiveDeliveries
            ]
        );
        assert_eq!(
            allowed(Side::Provider, Role::Owner),
            vec![
                P::ViewOrders,
                P::ViewInvoices,
                P::ManageCatalogue,
                P::ConfirmOrders,
                P::FulfilOrders,
                P::ManageInvoices,
                P::ManageTeam,
                P::ViewAudit,
                P::ManageDelivery,
                P::ManagePayouts,
                P::RefundInvoices,
                P::ViewPayouts,
                P::AnswerCredits
            ]
        );
    }

    #[test]
    fn each_role_gets_what_its_job_needs_and_no_more() {
        use Permission as P;
        assert_eq!(
            allowed(Side::Buyer, Role::Orderer),
            vec![P::PlaceOrders, P::ViewOrders, P::ReceiveDeliveries]
        );
        assert_eq!(
            allowed(Side::Buyer, Role::Finance),
            vec![P::ViewOrders, P::ViewInvoices, P::PayInvoices]
        );
        assert_eq!(
            allowed(Side::Buyer, Role::Viewer),
            vec![P::ViewOrders, P::ViewInvoices]
        );
        assert_eq!(
            allowed(Side::Provider, Role::Dispatcher),
            vec![P::ViewOrders, P::FulfilOrders]
        );
        assert_eq!(
            allowed(Side::Provider, Role::Finance),
            vec![
                P::ViewOrders,
                P::ViewInvoices,
                P::ManageInvoices,
                P::ViewPayouts
            ]
        );
        assert!(allowed(Side::Buyer, Role::Dispatcher).is_empty());
        assert!(allowed(Side::Provider, Role::Orderer).is_empty());
    }

    #[test]
    fn a_missing_permission_is_a_404() {
        let refused = require(Side::Buyer, Role::Viewer, Permission::PlaceOrders).unwrap_err();
        assert!(matches!(refused, AppError::NotFound));
        assert!(require(Side::Provider, Role::Owner, Permission::ConfirmOrders).is_ok());
    }

    #[test]
    fn owners_grant_any_role_managers_only_lower_ones_others_none() {
        use Role as R;
        assert!(may_grant(Side::Buyer, R::Owner, R::Owner));
        assert!(may_grant(Side::Buyer, R::Manager, R::Orderer));
        assert!(!may_grant(Side::Buyer, R::Manager, R::Manager));
        assert!(!may_grant(Side::Buyer, R::Manager, R::Owner));
        assert!(!may_grant(Side::Buyer, R::Finance, R::Viewer));
        assert!(
            !may_grant(Side::Buyer, R::Owner, R::Dispatcher),
            "not a buyer role"
        );
        assert!(
            !may_grant(Side::Provider, R::Owner, R::Orderer),
            "not a provider role"
        );
        assert!(may_grant(Side::Provider, R::Manager, R::Dispatcher));
    }

    #[test]
    fn every_role_a_side_offers_is_stored_and_read_back_as_itself() {
        for side in [Side::Buyer, Side::Provider] {
            for &role in Role::for_side(side) {
                assert_eq!(Role::parse(role.as_str()), Some(role));
            }
        }
    }

    #[test]
    fn stored_roles_parse_and_unknown_ones_do_not() {
        assert_eq!(Role::parse("owner"), Some(Role::Owner));
        assert_eq!(Role::parse("staff"), Some(Role::Dispatcher));
        assert_eq!(Role::parse("superuser"), None);
    }
}

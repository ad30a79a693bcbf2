//! Who may use each route, declared in one table. `tests/api/route_matrix.rs` reads the
//! route registrations from the source and fails for any route missing here (or listed
//! here but gone), then proves every role gets 404 wherever its permission is missing.
//! Handlers enforce it with `ctx.require(…)`; this table is the checked map of them.

use super::roles::Permission as P;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Stripe, with a signature the handler checks.
    Signed,
    /// Any logged-in person, about their own account.
    Account,
    Admin,
    /// A buyer member whose role allows the permission.
    Buyer(P),
    /// A provider member whose role allows the permission.
    Provider(P),
    /// A member of either side whose role allows the permission.
    Member(P),
    /// Registered only when the clock is settable (tests); production never has it.
    TestOnly,
}

pub struct RouteAccess {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

const fn r(method: &'static str, path: &'static str, access: Access) -> RouteAccess {
    RouteAccess {
        method,
        path,
        access,
    }
}

use Access::{Account, Admin, Buyer, Member, Provider, Public, Signed, TestOnly};

pub const ROUTES: &[RouteAccess] = &[
    r("GET", "/", Public),
    r("GET", "/healthz", Public),
    r("GET", "/readyz", Public),
    r("GET", "/signup", Public),
    r("GET", "/signup/buyer", Public),
    r("POST", "/signup/buyer", Public),
    r("GET", "/signup/provider", Public),
    r("POST", "/signup/provider", Public),
    r("GET", "/login", Public),
    r("POST", "/login", Public),
    r("GET", "/login/mfa", Public),
    r("POST", "/login/mfa", Public),
    r("POST", "/logout", Public),
    r("GET", "/password-reset", Public),
    r("POST", "/password-reset", Public),
    r("GET", "/password-reset/{token}", Public),
    r("POST", "/password-reset/{token}", Public),
    r("GET", "/verify-email/{token}", Public),
    r("POST", "/account/verify-email", Account),
    r("GET", "/invites/{token}", Public),
    r("POST", "/invites/{token}", Public),
    r("POST", "/webhooks/stripe", Signed),
    r("POST", "/test/clock", TestOnly),
    r("GET", "/account", Account),
    r("POST", "/account", Account),
    r("POST", "/account/password", Account),
    r("POST", "/account/logout-everywhere", Account),
    r("GET", "/account/sessions", Account),
    r("POST", "/account/sessions/{id}/end", Account),
    r("GET", "/account/mfa", Account),
    r("POST", "/account/mfa", Account),
    r("POST", "/account/mfa/disable", Account),
    r("GET", "/organisations", Account),
    r("POST", "/organisations/{id}", Account),
    r("GET", "/admin", Admin),
    r("GET", "/admin/refunds", Admin),
    r("POST", "/admin/refunds/{id}/refund", Admin),
    r("GET", "/admin/payouts", Admin),
    r("GET", "/admin/reconciliation", Admin),
    r("GET", "/admin/fees", Admin),
    r("POST", "/admin/fees", Admin),
    r("POST", "/admin/fees/providers", Admin),
    r("POST", "/admin/fees/providers/{id}/delete", Admin),
    r("GET", "/admin/audit", Admin),
    r("GET", "/admin/audit.csv", Admin),
    r("POST", "/admin/users/{id}/sessions/end", Admin),
    r("GET", "/admin/{entity}", Admin),
    r("GET", "/admin/{entity}/{id}/status", Admin),
    r("POST", "/admin/{entity}/{id}/status", Admin),
    r("GET", "/team", Member(P::ManageTeam)),
    r("POST", "/team/invites", Member(P::ManageTeam)),
    r("POST", "/team/invites/{id}/revoke", Member(P::ManageTeam)),
    r("POST", "/team/members/{id}/role", Member(P::ManageTeam)),
    r("POST", "/team/members/{id}/remove", Member(P::ManageTeam)),
    r("POST", "/team/members/{id}/limits", Member(P::ManageTeam)),
    r("GET", "/team/audit", Member(P::ViewAudit)),
    r("GET", "/team/audit.csv", Member(P::ViewAudit)),
    // Buyer side.
    r("GET", "/buyer", Buyer(P::ViewOrders)),
    r("POST", "/buyer/business", Buyer(P::ManageLocations)),
    r("GET", "/buyer/locations/new", Buyer(P::ManageLocations)),
    r("POST", "/buyer/locations", Buyer(P::ManageLocations)),
    r(
        "GET",
        "/buyer/locations/{id}/edit",
        Buyer(P::ManageLocations),
    ),
    r("POST", "/buyer/locations/{id}", Buyer(P::ManageLocations)),
    r(
        "POST",
        "/buyer/locations/{id}/default",
        Buyer(P::ManageLocations),
    ),
    r(
        "POST",
        "/buyer/locations/{id}/delete",
        Buyer(P::ManageLocations),
    ),
    r("GET", "/discover", Buyer(P::ViewOrders)),
    r("GET", "/compare", Buyer(P::ViewOrders)),
    r("GET", "/providers/{slug}", Buyer(P::ViewOrders)),
    r("GET", "/cart", Buyer(P::PlaceOrders)),
    r("POST", "/cart/items", Buyer(P::PlaceOrders)),
    r("POST", "/cart/items/{id}", Buyer(P::PlaceOrders)),
    r("POST", "/cart/items/{id}/remove", Buyer(P::PlaceOrders)),
    r("GET", "/checkout/{slug}", Buyer(P::PlaceOrders)),
    r("POST", "/checkout/{slug}", Buyer(P::PlaceOrders)),
    r("GET", "/orders", Buyer(P::ViewOrders)),
    r("GET", "/orders/{id}", Buyer(P::ViewOrders)),
    r("GET", "/orders/{id}/status", Buyer(P::ViewOrders)),
    r("POST", "/orders/{id}/cancel", Buyer(P::PlaceOrders)),
    r("POST", "/orders/{id}/change", Buyer(P::PlaceOrders)),
    r("POST", "/orders/{id}/reorder", Buyer(P::PlaceOrders)),
    r("POST", "/orders/{id}/approve", Buyer(P::ApproveOrders)),
    r("POST", "/orders/{id}/decline", Buyer(P::ApproveOrders)),
    r("GET", "/approvals", Buyer(P::ApproveOrders)),
    r("GET", "/standing-orders", Buyer(P::ViewOrders)),
    r("POST", "/standing-orders", Buyer(P::PlaceOrders)),
    r("GET", "/standing-orders/new", Buyer(P::PlaceOrders)),
    r("GET", "/standing-orders/{id}", Buyer(P::ViewOrders)),
    r("POST", "/standing-orders/{id}/skip", Buyer(P::PlaceOrders)),
    r("POST", "/standing-orders/{id}/pause", Buyer(P::PlaceOrders)),
    r("POST", "/standing-orders/{id}/end", Buyer(P::PlaceOrders)),
    r("POST", "/standing-orders/{id}/lines", Buyer(P::PlaceOrders)),
    r("GET", "/invoices", Buyer(P::ViewInvoices)),
    r("GET", "/invoices/{id}", Buyer(P::ViewInvoices)),
    r("GET", "/invoices/{id}/payment", Buyer(P::ViewInvoices)),
    r("POST", "/invoices/{id}/pay", Buyer(P::PayInvoices)),
    r("GET", "/credit-notes/{id}", Buyer(P::ViewInvoices)),
    r("GET", "/buyer/cards", Buyer(P::PayInvoices)),
    r("POST", "/buyer/cards", Buyer(P::PayInvoices)),
    r("GET", "/buyer/cards/added", Buyer(P::PayInvoices)),
    r("POST", "/buyer/cards/autopay", Buyer(P::PayInvoices)),
    r("GET", "/buyer/cards/test-setup", Buyer(P::PayInvoices)),
    r("POST", "/buyer/cards/test-setup", Buyer(P::PayInvoices)),
    r("POST", "/buyer/cards/{id}/default", Buyer(P::PayInvoices)),
    r("POST", "/buyer/cards/{id}/remove", Buyer(P::PayInvoices)),
    r("POST", "/invoices/{id}/pay-saved", Buyer(P::PayInvoices)),
    r(
        "GET",
        "/invoices/{id}/pay-saved/return",
        Buyer(P::PayInvoices),
    ),
    r(
        "GET",
        "/invoices/{id}/test-authenticate",
        Buyer(P::PayInvoices),
    ),
    r(
        "POST",
        "/invoices/{id}/test-authenticate",
        Buyer(P::PayInvoices),
    ),
    r("GET", "/pay/test/{session}", Buyer(P::PayInvoices)),
    r(
        "POST",
        "/pay/test/{session}/{outcome}",
        Buyer(P::PayInvoices),
    ),
    // Provider side.
    r("GET", "/provider", Provider(P::ViewOrders)),
    r("POST", "/provider/profile", Provider(P::ManageCatalogue)),
    r("GET", "/provider/products", Provider(P::ManageCatalogue)),
    r("POST", "/provider/products", Provider(P::ManageCatalogue)),
    r(
        "GET",
        "/provider/products/new",
        Provider(P::ManageCatalogue),
    ),
    r(
        "GET",
        "/provider/products/export.csv",
        Provider(P::ManageCatalogue),
    ),
    r(
        "GET",
        "/provider/products/import",
        Provider(P::ManageCatalogue),
    ),
    r(
        "POST",
        "/provider/products/import",
        Provider(P::ManageCatalogue),
    ),
    r(
        "POST",
        "/provider/products/import/{id}/apply",
        Provider(P::ManageCatalogue),
    ),
    r(
        "GET",
        "/provider/products/{id}/edit",
        Provider(P::ManageCatalogue),
    ),
    r(
        "POST",
        "/provider/products/{id}",
        Provider(P::ManageCatalogue),
    ),
    r(
        "POST",
        "/provider/products/{id}/stock",
        Provider(P::ManageCatalogue),
    ),
    r(
        "GET",
        "/provider/products/{id}/delete",
        Provider(P::ManageCatalogue),
    ),
    r(
        "POST",
        "/provider/products/{id}/delete",
        Provider(P::ManageCatalogue),
    ),
    r("GET", "/provider/delivery", Provider(P::ManageDelivery)),
    r(
        "GET",
        "/provider/delivery/zones/new",
        Provider(P::ManageDelivery),
    ),
    r(
        "POST",
        "/provider/delivery/zones",
        Provider(P::ManageDelivery),
    ),
    r(
        "GET",
        "/provider/delivery/zones/{id}/edit",
        Provider(P::ManageDelivery),
    ),
    r(
        "POST",
        "/provider/delivery/zones/{id}",
        Provider(P::ManageDelivery),
    ),
    r(
        "POST",
        "/provider/delivery/zones/{id}/delete",
        Provider(P::ManageDelivery),
    ),
    r(
        "POST",
        "/provider/delivery/closures",
        Provider(P::ManageDelivery),
    ),
    r(
        "POST",
        "/provider/delivery/closures/{id}/delete",
        Provider(P::ManageDelivery),
    ),
    r(
        "GET",
        "/provider/payouts/settings",
        Provider(P::ManagePayouts),
    ),
    r(
        "POST",
        "/provider/payouts/settings/onboard",
        Provider(P::ManagePayouts),
    ),
    r(
        "GET",
        "/provider/payouts/settings/return",
        Provider(P::ManagePayouts),
    ),
    r(
        "GET",
        "/provider/payouts/settings/refresh",
        Provider(P::ManagePayouts),
    ),
    r(
        "GET",
        "/provider/payouts/test-onboarding",
        Provider(P::ManagePayouts),
    ),
    r(
        "POST",
        "/provider/payouts/test-onboarding",
        Provider(P::ManagePayouts),
    ),
    r("GET", "/provider/payouts", Provider(P::ViewPayouts)),
    r("GET", "/provider/payouts/{id}", Provider(P::ViewPayouts)),
    r("GET", "/provider/standing-demand", Provider(P::ViewOrders)),
    r("GET", "/provider/orders", Provider(P::ViewOrders)),
    r("GET", "/provider/orders/{id}", Provider(P::ViewOrders)),
    r(
        "GET",
        "/provider/orders/{id}/status",
        Provider(P::ViewOrders),
    ),
    r(
        "POST",
        "/provider/orders/{id}/confirm",
        Provider(P::ConfirmOrders),
    ),
    r(
        "POST",
        "/provider/orders/{id}/reject",
        Provider(P::ConfirmOrders),
    ),
    r(
        "POST",
        "/provider/orders/{id}/schedule",
        Provider(P::FulfilOrders),
    ),
    r(
        "POST",
        "/provider/orders/{id}/dispatch",
        Provider(P::FulfilOrders),
    ),
    r(
        "POST",
        "/provider/orders/{id}/deliver",
        Provider(P::FulfilOrders),
    ),
    r(
        "POST",
        "/provider/orders/{id}/invoice",
        Provider(P::ManageInvoices),
    ),
    r("GET", "/provider/invoices", Provider(P::ViewInvoices)),
    r("GET", "/provider/invoices/{id}", Provider(P::ViewInvoices)),
    r(
        "POST",
        "/provider/invoices/{id}",
        Provider(P::ManageInvoices),
    ),
    r(
        "POST",
        "/provider/invoices/{id}/issue",
        Provider(P::ManageInvoices),
    ),
    r(
        "POST",
        "/provider/invoices/{id}/void",
        Provider(P::ManageInvoices),
    ),
    r(
        "POST",
        "/provider/invoices/{id}/paid",
        Provider(P::ManageInvoices),
    ),
    r(
        "POST",
        "/provider/invoices/{id}/refund",
        Provider(P::RefundInvoices),
    ),
    r(
        "GET",
        "/provider/credit-notes/{id}",
        Provider(P::ViewInvoices),
    ),
];

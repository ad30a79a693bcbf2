//! What the layout's navigation needs to know about the person, in HTTP terms only: which
//! area they belong to, their name and cart badge. `tenancy` fills it in.

/// The part of the site a person works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Buyer,
    Provider,
    Admin,
}

impl Area {
    pub fn home_path(self) -> &'static str {
        match self {
            Self::Buyer => "/buyer",
            Self::Provider => "/provider",
            Self::Admin => "/admin",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub area: Area,
    pub cart_items: i64,
    /// Unread notifications, for the bell (counted up to its cap).
    pub unread: i64,
    /// The organisation acted for, shown in the header.
    pub org: Option<String>,
    /// Which of the area's links this member's role may use; the rest are not shown.
    pub links: NavLinks,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct NavLinks {
    pub order: bool,
    pub invoices: bool,
    pub catalogue: bool,
    pub delivery: bool,
    pub payouts: bool,
    pub team: bool,
    pub approve: bool,
}

impl NavUser {
    pub fn unread_text(&self) -> String {
        crate::notifications::queries::count_text(self.unread)
    }
    pub fn home_path(&self) -> &'static str {
        self.area.home_path()
    }
    pub fn is_buyer(&self) -> bool {
        self.area == Area::Buyer
    }
    pub fn is_provider(&self) -> bool {
        self.area == Area::Provider
    }
    pub fn is_admin(&self) -> bool {
        self.area == Area::Admin
    }
}

/// The logged-in person's navigation, left in the request for the error page (rendered by
/// middleware, which runs no extractors).
#[derive(Debug, Clone)]
pub struct ErrorNav {
    pub user: NavUser,
    pub csrf: String,
}

//! Users and what a session needs to know about them.

use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::users;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    Buyer,
    Provider,
    Admin,
}

impl AccountType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buyer => "buyer",
            Self::Provider => "provider",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "buyer" => Some(Self::Buyer),
            "provider" => Some(Self::Provider),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Where this kind of user lands after logging in.
    pub fn home_path(self) -> &'static str {
        match self {
            Self::Buyer => "/buyer",
            Self::Provider => "/provider",
            Self::Admin => "/admin",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub name: String,
    pub account_type: String,
    pub status: String,
    pub session_epoch: i32,
}

impl User {
    pub fn kind(&self) -> Option<AccountType> {
        AccountType::parse(&self.account_type)
    }

    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub name: &'a str,
    pub account_type: &'a str,
}

/// The organisation a user belongs to, as the session needs it.
#[derive(Debug, Clone)]
pub struct OrgRef {
    pub id: Uuid,
    pub name: String,
    pub status: String,
}

/// A user with their organisation, loaded on every authenticated request.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    /// Two-step verification is set up.
    pub mfa_enabled: bool,
    /// The login email has been confirmed by its link.
    pub email_verified: bool,
    pub business: Option<OrgRef>,
    pub provider: Option<OrgRef>,
    /// The membership acted through (none for admins and orphaned accounts).
    pub membership_id: Option<Uuid>,
    pub role: Option<String>,
    /// Items in the business's carts (buyers only), for the header badge.
    pub cart_items: i64,
    /// Unread notifications, for the bell.
    pub unread: i64,
}

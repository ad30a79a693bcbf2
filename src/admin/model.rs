//! What the admin lists show, and the kinds of account an admin can suspend.

use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::schema::{businesses, providers, users};

/// The three kinds of thing an admin can suspend, named as in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Users,
    Businesses,
    Providers,
}

impl Entity {
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "users" => Some(Self::Users),
            "businesses" => Some(Self::Businesses),
            "providers" => Some(Self::Providers),
            _ => None,
        }
    }

    pub fn segment(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Businesses => "businesses",
            Self::Providers => "providers",
        }
    }

    /// The `status_changes.entity_type` value.
    pub fn audit_type(self) -> &'static str {
        match self {
            Self::Users => "user",
            Self::Businesses => "business",
            Self::Providers => "provider",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Users => "Users",
            Self::Businesses => "Businesses",
            Self::Providers => "Providers",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub account_type: String,
    pub status: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = businesses, check_for_backend(diesel::pg::Pg))]
pub struct BusinessRow {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = providers, check_for_backend(diesel::pg::Pg))]
pub struct ProviderRow {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub status: String,
    pub created_at: OffsetDateTime,
}

/// One row of any list, as the shared template shows it.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: Uuid,
    pub title: String,
    pub detail: String,
    pub status: String,
    pub created: String,
}

/// The subject of a status change, for the confirmation page.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: Uuid,
    pub title: String,
    pub status: String,
    pub last_change: Option<(String, String)>,
}

//! Admin SQL: searchable lists across all tenants, and status changes with an audit row.

use diesel::prelude::*;
use uuid::Uuid;

use super::model::{BusinessRow, Entity, ListRow, ProviderRow, Subject, UserRow};
use crate::db::schema::{businesses, providers, status_changes, users};
use crate::ids::new_id;
use crate::timefmt;
use crate::web::pagination::PageRequest;

/// A `LIKE` pattern matching `q` literally anywhere: `%` and `_` typed by the admin are text.
pub fn contains_pattern(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn list(
    conn: &mut PgConnection,
    entity: Entity,
    q: &str,
    page: PageRequest,
) -> QueryResult<Vec<ListRow>> {
    let pattern = contains_pattern(q);
    let rows = match entity {
        Entity::Users => users::table
            .filter(users::email.ilike(&pattern).or(users::name.ilike(&pattern)))
            .order((users::created_at.desc(), users::id))
            .limit(page.fetch_limit())
            .offset(page.offset())
            .select(UserRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|u| ListRow {
                id: u.id,
                title: u.name,
                detail: format!("{} · {}", u.email, u.account_type),
                status: u.status,
                created: timefmt::datetime(u.created_at),
            })
            .collect(),
        Entity::Businesses => businesses::table
            .filter(businesses::name.ilike(&pattern))
            .order((businesses::created_at.desc(), businesses::id))
            .limit(page.fetch_limit())
            .offset(page.offset())
            .select(BusinessRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|b| ListRow {
                id: b.id,
                title: b.name,
                detail: String::new(),
                status: b.status,
                created: timefmt::datetime(b.created_at),
            })
            .collect(),
        Entity::Providers => providers::table
            .filter(
                providers::name
                    .ilike(&pattern)
                    .or(providers::slug.ilike(&pattern)),
            )
            .order((providers::created_at.desc(), providers::id))
            .limit(page.fetch_limit())
            .offset(page.offset())
            .select(ProviderRow::as_select())
            .load(conn)?
            .into_iter()
            .map(|p| ListRow {
                id: p.id,
                title: p.name,
                detail: format!("/providers/{}", p.slug),
                status: p.status,
                created: timefmt::datetime(p.created_at),
            })
            .collect(),
    };
    Ok(rows)
}

pub fn subject(conn: &mut PgConnection, entity: Entity, id: Uuid) -> QueryResult<Subject> {
    let (title, status): (String, String) = match entity {
        Entity::Users => users::table
            .find(id)
            .select((users::email, users::status))
            .first(conn)?,
        Entity::Businesses => businesses::table
            .find(id)
            .select((businesses::name, businesses::status))
            .first(conn)?,
        Entity::Providers => providers::table
            .find(id)
            .select((providers::name, providers::status))
            .first(conn)?,
    };
    let last_change = status_changes::table
        .left_join(users::table.on(users::id.nullable().eq(status_changes::changed_by)))
        .filter(status_changes::entity_type.eq(entity.audit_type()))
        .filter(status_changes::entity_id.eq(id))
        .order(status_changes::created_at.desc())
        .select((users::email.nullable(), status_changes::created_at))
        .first::<(Option<String>, time::OffsetDateTime)>(conn)
        .optional()?
        .map(|(who, at)| {
            (
                who.unwrap_or_else(|| "a deleted admin".into()),
                timefmt::datetime(at),
            )
        });
    Ok(Subject {
        id,
        title,
        status,
        last_change,
    })
}

/// Is this user an admin? Admins are not suspended from the admin pages.
pub fn user_exists(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.find(id))).get_result(conn)
}

pub fn is_admin_user(conn: &mut PgConnection, id: Uuid) -> QueryResult<bool> {
    users::table
        .find(id)
        .select(users::account_type)
        .first::<String>(conn)
        .map(|t| t == "admin")
}

/// Sets the status and records who did it. Suspending a user also ends their sessions.
/// Returns false when there is no such row.
pub fn set_status(
    conn: &mut PgConnection,
    entity: Entity,
    id: Uuid,
    status: &str,
    admin: &crate::audit::Actor,
) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let changed = match entity {
            Entity::Users => {
                let bump = i32::from(status == "suspended");
                diesel::update(users::table.find(id))
                    .set((
                        users::status.eq(status),
                        users::session_epoch.eq(users::session_epoch + bump),
                    ))
                    .execute(conn)?
            }
            Entity::Businesses => diesel::update(businesses::table.find(id))
                .set(businesses::status.eq(status))
                .execute(conn)?,
            Entity::Providers => diesel::update(providers::table.find(id))
                .set(providers::status.eq(status))
                .execute(conn)?,
        };
        if changed == 0 {
            return Ok(false);
        }
        diesel::insert_into(status_changes::table)
            .values((
                status_changes::id.eq(new_id()),
                status_changes::entity_type.eq(entity.audit_type()),
                status_changes::entity_id.eq(id),
                status_changes::new_status.eq(status),
                status_changes::changed_by.eq(admin.user_id()),
            ))
            .execute(conn)?;
        let (business, provider) = match entity {
            Entity::Businesses => (Some(id), None),
            Entity::Providers => (None, Some(id)),
            Entity::Users => (None, None),
        };
        let entry = crate::audit::Entry::new("admin.status_changed", entity.audit_type(), Some(id))
            .org(business, provider)
            .change(None, Some(serde_json::json!({ "status": status })));
        crate::audit::record(conn, admin, entry)?;
        Ok(true)
    })
}

/// Issued invoices of every tenant, newest first, matching `q` on the number or either
/// party's name as printed on the invoice.
pub fn invoices(
    conn: &mut PgConnection,
    q: &str,
    page: PageRequest,
) -> QueryResult<Vec<crate::invoicing::model::Invoice>> {
    use crate::db::schema::invoices;
    use crate::invoicing::rules::InvoiceStatus;
    let pattern = contains_pattern(q.trim());
    invoices::table
        .filter(invoices::status.ne(InvoiceStatus::Draft))
        .filter(
            invoices::number
                .ilike(&pattern)
                .or(invoices::seller_name.ilike(&pattern))
                .or(invoices::buyer_name.ilike(&pattern)),
        )
        .order((invoices::issue_date.desc(), invoices::id.desc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .select(crate::invoicing::model::Invoice::as_select())
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn wildcards_typed_by_the_admin_are_literal() {
        assert_eq!(contains_pattern("bob"), "%bob%");
        assert_eq!(contains_pattern("50%_off"), "%50\\%\\_off%");
        assert_eq!(contains_pattern("a\\b"), "%a\\\\b%");
    }
}

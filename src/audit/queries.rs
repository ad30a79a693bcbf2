//! Reading the audit log: an organisation's own entries (both parties see an order's), or
//! every tenant's for admins, newest first, filtered by action, actor and organisation.

use diesel::pg::Pg;
use diesel::prelude::*;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::lower;
use crate::db::schema::audit_log;
use crate::tenancy::Scope;
use crate::web::pagination::PageRequest;

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// An area ("order") or a whole action ("order.confirmed").
    pub action: Option<String>,
    /// Part of the actor's email.
    pub actor: Option<String>,
    /// A business or provider id (admins only).
    pub org: Option<Uuid>,
}

#[derive(Debug, Clone, Queryable)]
pub struct AuditRow {
    pub at: OffsetDateTime,
    pub actor_email: Option<String>,
    pub business_id: Option<Uuid>,
    pub provider_id: Option<Uuid>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl AuditRow {
    pub fn when(&self) -> String {
        crate::timefmt::datetime(self.at)
    }
    pub fn who(&self) -> &str {
        self.actor_email.as_deref().unwrap_or("Larder (automatic)")
    }
    pub fn target(&self) -> String {
        match self.target_id {
            Some(id) => format!("{} {id}", self.target_type),
            None => self.target_type.clone(),
        }
    }
    pub fn change_text(&self) -> String {
        let show = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
        match (show(&self.before), show(&self.after)) {
            (Some(b), Some(a)) => format!("{b} → {a}"),
            (None, Some(a)) => a,
            (Some(b), None) => format!("was {b}"),
            (None, None) => String::new(),
        }
    }
}

type Boxed<'a> = audit_log::BoxedQuery<'a, Pg>;

fn filtered(scope: Scope, filter: &AuditFilter) -> Boxed<'static> {
    let mut q = audit_log::table.into_boxed();
    q = match scope {
        Scope::Buyer(b) => q.filter(audit_log::business_id.eq(b.0)),
        Scope::Provider(p) => q.filter(audit_log::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => match filter.org {
            Some(org) => q.filter(
                audit_log::business_id
                    .eq(org)
                    .or(audit_log::provider_id.eq(org)),
            ),
            None => q,
        },
    };
    if let Some(action) = &filter.action {
        q = if action.contains('.') {
            q.filter(audit_log::action.eq(action.clone()))
        } else {
            q.filter(audit_log::action.like(format!("{action}.%")))
        };
    }
    if let Some(actor) = &filter.actor {
        q = q.filter(lower(audit_log::actor_email.assume_not_null()).like(
            crate::admin::queries::contains_pattern(&actor.to_lowercase()),
        ));
    }
    q
}

pub fn list(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &AuditFilter,
    page: PageRequest,
) -> QueryResult<Vec<AuditRow>> {
    filtered(scope, filter)
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .select(columns())
        .load(conn)
}

/// Up to `limit` rows for a CSV export, newest first.
pub fn export(
    conn: &mut PgConnection,
    scope: Scope,
    filter: &AuditFilter,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    filtered(scope, filter)
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(columns())
        .load(conn)
}

#[allow(clippy::type_complexity)]
fn columns() -> (
    audit_log::at,
    audit_log::actor_email,
    audit_log::business_id,
    audit_log::provider_id,
    audit_log::action,
    audit_log::target_type,
    audit_log::target_id,
    audit_log::before,
    audit_log::after,
    audit_log::ip,
    audit_log::request_id,
) {
    (
        audit_log::at,
        audit_log::actor_email,
        audit_log::business_id,
        audit_log::provider_id,
        audit_log::action,
        audit_log::target_type,
        audit_log::target_id,
        audit_log::before,
        audit_log::after,
        audit_log::ip,
        audit_log::request_id,
    )
}

/// The rows as CSV, with a header; cells that a spreadsheet would run as a formula are
/// prefixed with a quote.
pub fn to_csv(rows: &[AuditRow]) -> Result<String, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "at", "actor", "business", "provider", "action", "target", "change", "ip", "request",
    ])?;
    let safe = |s: String| {
        if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s
        }
    };
    for r in rows {
        let at =
            r.at.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
        out.write_record([
            at,
            safe(r.who().to_owned()),
            r.business_id.map(|i| i.to_string()).unwrap_or_default(),
            r.provider_id.map(|i| i.to_string()).unwrap_or_default(),
            r.action.clone(),
            r.target(),
            safe(r.change_text()),
            r.ip.clone().unwrap_or_default(),
            r.request_id.clone().unwrap_or_default(),
        ])?;
    }
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_are_defused() {
        let row = AuditRow {
            at: OffsetDateTime::UNIX_EPOCH,
            actor_email: Some("=HYPERLINK(\"x\")".into()),
            business_id: None,
            provider_id: None,
            action: "member.removed".into(),
            target_type: "membership".into(),
            target_id: None,
            before: None,
            after: None,
            ip: None,
            request_id: None,
        };
        let csv = to_csv(&[row]).unwrap();
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        assert!(csv.starts_with("at,actor,"));
    }
}

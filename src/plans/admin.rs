//! Admins define plans and version their take-rate rules: a new version starts now or on a
//! later day, and never changes a version already in force.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::Connection;
use uuid::Uuid;

use super::forms::{self, PlanForm, VersionForm};
use super::queries::{self, NewPlan, Plan};
use super::rules::{Version, in_force, scheduled};
use crate::db::DbPool;
use crate::ledger::forms::FeeForm;
use crate::ledger::queries::RuleScope;
use crate::ledger::rules::FeeRule;
use crate::money::format_gbp;
use crate::tenancy::AdminCtx;
use crate::timefmt::{datetime, to_london};
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

pub struct PlanSummary {
    pub id: Uuid,
    pub name: String,
    pub price: String,
    pub featured: bool,
    pub is_default: bool,
    pub fee: String,
    pub next: Option<String>,
    pub providers: i64,
}

#[derive(Template)]
#[template(path = "admin/plans.html")]
struct PlansPage {
    meta: PageMeta,
    plans: Vec<PlanSummary>,
    form: PlanForm,
    errors: FieldErrors,
}

fn describe_next(v: Option<Version<FeeRule>>) -> Option<String> {
    v.map(|v| {
        format!(
            "{} from {}",
            v.value.describe(),
            datetime(to_london(v.starts_at))
        )
    })
}

async fn list_page(
    admin: &AdminCtx,
    pool: &web::Data<DbPool>,
    form: Option<(PlanForm, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let now = admin.user.now;
    let plans = with_conn(pool, move |conn| {
        let counts = queries::counts(conn, now)?;
        let all = crate::ledger::queries::all_plan_versions(conn)?;
        let mut out = Vec::new();
        for p in queries::all(conn)? {
            let versions = all.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            out.push(PlanSummary {
                fee: in_force(versions, now).unwrap_or_default().describe(),
                next: describe_next(scheduled(versions, now)),
                providers: counts
                    .iter()
                    .find(|(id, _)| *id == p.id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
                price: format_gbp(p.monthly_price),
                id: p.id,
                name: p.name,
                featured: p.featured,
                is_default: p.is_default,
            });
        }
        Ok(out)
    })
    .await?;
    let failed = form.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let (form, errors) = form.unwrap_or_default();
    render_with_status(
        if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PlansPage {
            meta: admin.user.meta("Plans"),
            plans,
            form,
            errors,
        },
    )
}

pub async fn list(admin: AdminCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    list_page(&admin, &pool, None).await
}

pub async fn create(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<PlanForm>,
) -> Result<HttpResponse, AppError> {
    let parsed = match forms::parse_plan(&form) {
        Ok(p) => p,
        Err(errors) => return list_page(&admin, &pool, Some((form, errors))).await,
    };
    let (actor, by, now) = (admin.user.actor.clone(), admin.user.id.0, admin.user.now);
    let made = parsed.clone();
    let id = with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let Some(id) = queries::create(
                conn,
                &NewPlan {
                    name: &made.name,
                    monthly_price: made.monthly_price,
                    featured: made.featured,
                    by,
                },
            )?
            else {
                return Ok(None);
            };
            crate::ledger::queries::add_version(
                conn,
                RuleScope::Plan(id),
                Some(&made.rule),
                now,
                Some(by),
            )?;
            let entry = crate::audit::Entry::new("plans.created", "plan", Some(id)).change(
                None,
                Some(serde_json::json!({
                    "name": made.name,
                    "monthly_price": made.monthly_price.to_string(),
                    "featured": made.featured,
                    "fee": made.rule.describe(),
                })),
            );
            crate::audit::record(conn, &actor, entry)?;
            Ok(Some(id))
        })
    })
    .await?;
    let Some(id) = id else {
        let mut errors = FieldErrors::new();
        errors.add("name", "A plan with that name exists already.");
        return list_page(&admin, &pool, Some((form, errors))).await;
    };
    admin
        .user
        .session
        .flash(FlashKind::Ok, format!("Plan {} created.", parsed.name));
    Ok(see_other(&format!("/admin/plans/{id}")))
}

pub struct VersionRow {
    pub starts: String,
    pub fee: String,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "admin/plan.html")]
struct PlanDetail {
    meta: PageMeta,
    plan: Plan,
    price: String,
    versions: Vec<VersionRow>,
    form: VersionForm,
    errors: FieldErrors,
}

async fn detail_page(
    admin: &AdminCtx,
    pool: &web::Data<DbPool>,
    id: Uuid,
    form: Option<(VersionForm, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let now = admin.user.now;
    let (plan, versions) = with_conn(pool, move |conn| {
        let plan = queries::find(conn, id)?.ok_or(AppError::NotFound)?;
        Ok((plan, crate::ledger::queries::plan_versions(conn, id)?))
    })
    .await?;
    let current = in_force(&versions, now);
    let mut seen_current = false;
    let rows = versions
        .iter()
        .map(|v| {
            let state = if v.starts_at > now {
                "Scheduled"
            } else if !seen_current && Some(v.value) == current {
                seen_current = true;
                "In force"
            } else {
                "Ended"
            };
            VersionRow {
                starts: datetime(to_london(v.starts_at)),
                fee: v.value.describe(),
                state,
            }
        })
        .collect();
    let failed = form.as_ref().is_some_and(|(_, e)| !e.is_empty());
    let (form, errors) = form.unwrap_or_else(|| {
        (
            VersionForm {
                starts_on: String::new(),
                rule: FeeForm::from_rule(&current.unwrap_or_default()),
            },
            FieldErrors::new(),
        )
    });
    render_with_status(
        if failed {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PlanDetail {
            meta: admin.user.meta(format!("Plan: {}", plan.name)),
            price: format_gbp(plan.monthly_price),
            plan,
            versions: rows,
            form,
            errors,
        },
    )
}

pub async fn show(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    detail_page(&admin, &pool, id.into_inner(), None).await
}

pub async fn add_version(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<VersionForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = admin.user.now;
    let (rule, starts_at) = match forms::parse_version(&form, now) {
        Ok(v) => v,
        Err(errors) => return detail_page(&admin, &pool, id, Some((form, errors))).await,
    };
    let (actor, by) = (admin.user.actor.clone(), admin.user.id.0);
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            queries::find(conn, id)?.ok_or(AppError::NotFound)?;
            crate::ledger::queries::add_version(
                conn,
                RuleScope::Plan(id),
                Some(&rule),
                starts_at,
                Some(by),
            )?;
            let entry = crate::audit::Entry::new("plans.rule_versioned", "plan", Some(id)).change(
                None,
                Some(serde_json::json!({
                    "fee": rule.describe(),
                    "starts_at": starts_at.unix_timestamp(),
                })),
            );
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    let when = if starts_at <= now {
        "from now".to_owned()
    } else {
        format!("from {}", datetime(to_london(starts_at)))
    };
    admin.user.session.flash(
        FlashKind::Ok,
        format!("New fee {}: invoices issued before then keep theirs.", when),
    );
    Ok(see_other(&format!("/admin/plans/{id}")))
}

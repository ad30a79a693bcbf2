//! Admins set the platform fee rule and per-provider overrides. A change applies to invoices
//! issued from then on; issued invoices keep the fee they were issued with.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use super::forms::{self, FeeForm};
use super::queries;
use super::rules::FeeRule;
use crate::db::DbPool;
use crate::db::schema::providers;
use crate::ids::ProviderId;
use crate::plans::rules::{in_force, scheduled};
use crate::tenancy::AdminCtx;
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

pub struct Override {
    pub provider: Uuid,
    pub name: String,
    pub rule: String,
    pub next: Option<String>,
    pub removable: bool,
}

#[derive(Template)]
#[template(path = "admin/fees.html")]
struct FeesPage {
    meta: PageMeta,
    platform: FeeForm,
    platform_text: String,
    errors: FieldErrors,
    provider_form: FeeForm,
    provider_errors: FieldErrors,
    chosen: Option<Uuid>,
    starts_on: String,
    overrides: Vec<Override>,
    providers: Vec<(Uuid, String)>,
}

struct Loaded {
    platform: FeeRule,
    overrides: Vec<Override>,
    providers: Vec<(Uuid, String)>,
}

fn load(conn: &mut PgConnection, now: time::OffsetDateTime) -> Result<Loaded, AppError> {
    let platform = queries::platform_rule(conn)?;
    let all = queries::all_override_versions(conn)?;
    let names: Vec<(Uuid, String)> = providers::table
        .filter(providers::id.eq_any(all.keys().copied().collect::<Vec<_>>()))
        .order(providers::name)
        .select((providers::id, providers::name))
        .load(conn)?;
    let mut overrides = Vec::new();
    for (provider, name) in names {
        let versions = all.get(&provider).map(Vec::as_slice).unwrap_or_default();
        let current = in_force(versions, now).flatten();
        let next = scheduled(versions, now);
        if current.is_none() && next.is_none() {
            continue;
        }
        overrides.push(Override {
            provider,
            name,
            rule: current
                .map(|r| r.describe())
                .unwrap_or_else(|| "Their plan's fee".into()),
            next: next.map(|v| {
                format!(
                    "{} from {}",
                    v.value
                        .map(|r| r.describe())
                        .unwrap_or_else(|| "their plan's fee".into()),
                    crate::timefmt::datetime(crate::timefmt::to_london(v.starts_at))
                )
            }),
            removable: current.is_some(),
        });
    }
    let providers = providers::table
        .order(providers::name)
        .select((providers::id, providers::name))
        .limit(1000)
        .load(conn)?;
    Ok(Loaded {
        platform,
        overrides,
        providers,
    })
}

async fn page(
    admin: &AdminCtx,
    pool: &web::Data<DbPool>,
    platform: Option<(FeeForm, FieldErrors)>,
    provider: Option<(FeeForm, FieldErrors, Option<Uuid>, String)>,
) -> Result<HttpResponse, AppError> {
    let now = admin.user.now;
    let loaded = with_conn(pool, move |conn| load(conn, now)).await?;
    let failed = platform.as_ref().is_some_and(|(_, e)| !e.is_empty())
        || provider.as_ref().is_some_and(|(_, e, _, _)| !e.is_empty());
    let (platform, errors) =
        platform.unwrap_or_else(|| (FeeForm::from_rule(&loaded.platform), FieldErrors::new()));
    let (provider_form, provider_errors, chosen, starts_on) =
        provider.unwrap_or_else(|| (FeeForm::default(), FieldErrors::new(), None, String::new()));
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(
        status,
        &FeesPage {
            meta: admin.user.meta("Platform fees"),
            platform_text: loaded.platform.describe(),
            platform,
            errors,
            provider_form,
            provider_errors,
            chosen,
            starts_on,
            overrides: loaded.overrides,
            providers: loaded.providers,
        },
    )
}

pub async fn show(admin: AdminCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    page(&admin, &pool, None, None).await
}

fn audit(
    conn: &mut PgConnection,
    admin: &crate::audit::Actor,
    provider: Option<ProviderId>,
    rule: Option<&FeeRule>,
) -> QueryResult<()> {
    let entry = crate::audit::Entry::new("fees.rule_set", "fee_rule", provider.map(|p| p.0))
        .org(None, provider.map(|p| p.0))
        .change(
            None,
            Some(match rule {
                Some(r) => serde_json::json!({
                    "percent": r.percent.to_string(),
                    "fixed": r.fixed.to_string(),
                    "minimum": r.minimum.to_string(),
                    "maximum": r.maximum.map(|m| m.to_string()),
                }),
                None => serde_json::json!({ "override": "removed" }),
            }),
        );
    crate::audit::record(conn, admin, entry)
}

pub async fn save_platform(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<FeeForm>,
) -> Result<HttpResponse, AppError> {
    let rule = match forms::parse(&form) {
        Ok(r) => r,
        Err(errors) => return page(&admin, &pool, Some((form, errors)), None).await,
    };
    let (actor, by) = (admin.user.actor.clone(), admin.user.id.0);
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            queries::save_rule(conn, None, &rule, Some(by))?;
            audit(conn, &actor, None, Some(&rule))?;
            Ok(())
        })
    })
    .await?;
    admin.user.session.flash(
        FlashKind::Ok,
        "Platform fee saved. It applies to invoices issued from now on.",
    );
    Ok(see_other("/admin/fees"))
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProviderFeeForm {
    #[serde(default)]
    pub provider_id: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(flatten)]
    pub rule: FeeForm,
}

pub async fn save_provider(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ProviderFeeForm>,
) -> Result<HttpResponse, AppError> {
    let chosen = Uuid::parse_str(form.provider_id.trim()).ok();
    let parsed = forms::parse(&form.rule);
    let exists = match chosen {
        Some(p) => {
            with_conn(&pool, move |conn| {
                Ok(providers::table.find(p).count().get_result::<i64>(conn)? > 0)
            })
            .await?
        }
        None => false,
    };
    let mut date_errors = FieldErrors::new();
    let starts_at = crate::plans::forms::starts_at(
        &form.starts_on,
        admin.user.now,
        &mut date_errors,
        "starts_on",
    );
    let (rule, provider, starts_at) = match (parsed, chosen, starts_at) {
        (Ok(rule), Some(p), Some(at)) if exists => (rule, ProviderId(p), at),
        (result, _, _) => {
            let mut errors = result.err().unwrap_or_default();
            if !exists {
                errors.add("provider_id", "Choose a provider.");
            }
            for (field, message) in date_errors.entries() {
                errors.add(field, message.clone());
            }
            let kept = (form.rule, errors, chosen, form.starts_on);
            return page(&admin, &pool, None, Some(kept)).await;
        }
    };
    let (actor, by) = (admin.user.actor.clone(), admin.user.id.0);
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            queries::add_version(
                conn,
                queries::RuleScope::Provider(provider),
                Some(&rule),
                starts_at,
                Some(by),
            )?;
            audit(conn, &actor, Some(provider), Some(&rule))?;
            Ok(())
        })
    })
    .await?;
    admin.user.session.flash(
        FlashKind::Ok,
        "Provider fee saved. It applies to their invoices issued from its start.",
    );
    Ok(see_other("/admin/fees"))
}

pub async fn remove_provider(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let (provider, actor) = (ProviderId(id.into_inner()), admin.user.actor.clone());
    let removed = with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let removed = queries::clear_rule(conn, provider)?;
            if removed {
                audit(conn, &actor, Some(provider), None)?;
            }
            Ok(removed)
        })
    })
    .await?;
    if !removed {
        return Err(AppError::NotFound);
    }
    admin.user.session.flash(
        FlashKind::Ok,
        "Override removed: the platform fee applies to that provider again.",
    );
    Ok(see_other("/admin/fees"))
}

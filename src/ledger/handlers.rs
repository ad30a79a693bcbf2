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
use crate::db::schema::{fee_rules, providers};
use crate::ids::ProviderId;
use crate::tenancy::AdminCtx;
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

pub struct Override {
    pub provider: Uuid,
    pub name: String,
    pub rule: String,
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
    overrides: Vec<Override>,
    providers: Vec<(Uuid, String)>,
}

struct Loaded {
    platform: FeeRule,
    overrides: Vec<Override>,
    providers: Vec<(Uuid, String)>,
}

fn load(conn: &mut PgConnection) -> Result<Loaded, AppError> {
    let platform = queries::platform_rule(conn)?;
    type Row = (
        Uuid,
        String,
        rust_decimal::Decimal,
        rust_decimal::Decimal,
        rust_decimal::Decimal,
        Option<rust_decimal::Decimal>,
    );
    let rows: Vec<Row> = fee_rules::table
        .inner_join(providers::table)
        .order(providers::name)
        .select((
            providers::id,
            providers::name,
            fee_rules::percent,
            fee_rules::fixed,
            fee_rules::minimum,
            fee_rules::maximum,
        ))
        .load(conn)?;
    let overrides = rows
        .into_iter()
        .map(
            |(provider, name, percent, fixed, minimum, maximum)| Override {
                provider,
                name,
                rule: FeeRule {
                    percent,
                    fixed,
                    minimum,
                    maximum,
                }
                .describe(),
            },
        )
        .collect();
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
    provider: Option<(FeeForm, FieldErrors, Option<Uuid>)>,
) -> Result<HttpResponse, AppError> {
    let loaded = with_conn(pool, |conn| load(conn)).await?;
    let failed = platform.as_ref().is_some_and(|(_, e)| !e.is_empty())
        || provider.as_ref().is_some_and(|(_, e, _)| !e.is_empty());
    let (platform, errors) =
        platform.unwrap_or_else(|| (FeeForm::from_rule(&loaded.platform), FieldErrors::new()));
    let (provider_form, provider_errors, chosen) =
        provider.unwrap_or_else(|| (FeeForm::default(), FieldErrors::new(), None));
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
    let (rule, provider) = match (parsed, chosen) {
        (Ok(rule), Some(p)) if exists => (rule, ProviderId(p)),
        (result, _) => {
            let mut errors = result.err().unwrap_or_default();
            if !exists {
                errors.add("provider_id", "Choose a provider.");
            }
            return page(&admin, &pool, None, Some((form.rule, errors, chosen))).await;
        }
    };
    let (actor, by) = (admin.user.actor.clone(), admin.user.id.0);
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            queries::save_rule(conn, Some(provider), &rule, Some(by))?;
            audit(conn, &actor, Some(provider), Some(&rule))?;
            Ok(())
        })
    })
    .await?;
    admin.user.session.flash(
        FlashKind::Ok,
        "Provider fee saved. It applies to their invoices issued from now on.",
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

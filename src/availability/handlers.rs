//! The provider's delivery pages: zones (areas, days, windows, cut-off, minimum, charge,
//! capacity) and closures.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use super::forms::{ClosureForm, LEAD_TIMES, ZoneForm};
use super::queries;
use super::rules::{self, Closure, Zone};
use crate::db::DbPool;
use crate::providers::model::WEEKDAYS;
use crate::tenancy::{Permission, ProviderCtx};
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

/// A zone as the overview lists it.
pub struct ZoneRow {
    pub zone: Zone,
    pub days: String,
    pub cutoff: String,
    pub windows: Vec<(String, String)>,
    pub next: Option<String>,
}

impl ZoneRow {
    fn new(zone: Zone, closures: &[Closure], now: time::OffsetDateTime) -> Self {
        let next = rules::slots(&zone, closures, &rules::Booked::default(), now, 1)
            .first()
            .map(|s| {
                format!(
                    "{} (orders close {})",
                    s.label(),
                    crate::timefmt::datetime(s.cutoff)
                )
            });
        let windows = WEEKDAYS
            .iter()
            .filter_map(|(n, day)| {
                let ws: Vec<String> = zone
                    .windows
                    .iter()
                    .filter(|w| w.weekday == *n)
                    .map(|w| rules::window_text(w.starts, w.ends))
                    .collect();
                (!ws.is_empty()).then(|| ((*day).to_owned(), ws.join(", ")))
            })
            .collect();
        Self {
            days: days_text(&zone.days),
            cutoff: cutoff_text(&zone),
            windows,
            next,
            zone,
        }
    }

    pub fn money(&self, v: &rust_decimal::Decimal) -> String {
        crate::money::format_gbp(*v)
    }
}

fn days_text(days: &[i16]) -> String {
    WEEKDAYS
        .iter()
        .filter(|(n, _)| days.contains(n))
        .map(|(_, name)| &name[..3])
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Order by 14:00 the day before".
pub fn cutoff_text(z: &Zone) -> String {
    let when = LEAD_TIMES
        .iter()
        .find(|(n, _)| *n == z.lead_days)
        .map_or_else(
            || format!("{} days before", z.lead_days),
            |(_, l)| (*l).to_owned(),
        );
    format!(
        "Order by {:02}:{:02} {when}",
        z.cutoff.hour(),
        z.cutoff.minute()
    )
}

#[derive(Template)]
#[template(path = "availability/overview.html")]
struct OverviewPage {
    meta: PageMeta,
    zones: Vec<ZoneRow>,
    closures: Vec<(Closure, String)>,
    closure: ClosureForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "availability/zone_form.html")]
struct ZoneFormPage {
    meta: PageMeta,
    zone_id: Option<Uuid>,
    form: ZoneForm,
    errors: FieldErrors,
    weekdays: &'static [(i16, &'static str)],
    lead_times: &'static [(i16, &'static str)],
}

impl ZoneFormPage {
    fn action(&self) -> String {
        self.zone_id.map_or_else(
            || "/provider/delivery/zones".into(),
            |id| format!("/provider/delivery/zones/{id}"),
        )
    }
}

async fn overview_page(
    ctx: &ProviderCtx,
    pool: &web::Data<DbPool>,
    closure: ClosureForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let provider = ctx.provider_id;
    let now = ctx.user.now;
    let today = crate::timefmt::to_london(now).date();
    let (zones, closures) = with_conn(pool, move |conn| {
        Ok((
            queries::zones(conn, provider)?,
            queries::closures(conn, provider, today)?,
        ))
    })
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &OverviewPage {
            meta: ctx.user.meta("Delivery"),
            zones: zones
                .into_iter()
                .map(|z| ZoneRow::new(z, &closures, now))
                .collect(),
            closures: closures
                .into_iter()
                .map(|c| {
                    let text = rules::closed_text(&c);
                    (c, text)
                })
                .collect(),
            closure,
            errors,
        },
    )
}

pub async fn overview(ctx: ProviderCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    overview_page(&ctx, &pool, ClosureForm::default(), FieldErrors::new()).await
}

fn zone_page(
    ctx: &ProviderCtx,
    zone_id: Option<Uuid>,
    form: ZoneForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = if zone_id.is_some() {
        "Edit delivery zone"
    } else {
        "New delivery zone"
    };
    render_with_status(
        status,
        &ZoneFormPage {
            meta: ctx.user.meta(title),
            zone_id,
            form,
            errors,
            weekdays: &WEEKDAYS,
            lead_times: &LEAD_TIMES,
        },
    )
}

pub async fn new_zone(ctx: ProviderCtx) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    zone_page(&ctx, None, ZoneForm::new_zone(), FieldErrors::new())
}

pub async fn edit_zone(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    let (provider, id) = (ctx.provider_id, id.into_inner());
    let zone = with_conn(&pool, move |conn| Ok(queries::zone(conn, provider, id)?)).await?;
    zone_page(
        &ctx,
        Some(id),
        ZoneForm::from_zone(&zone),
        FieldErrors::new(),
    )
}

async fn save(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: Option<Uuid>,
    form: ZoneForm,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    let input = match form.parse() {
        Ok(input) => input,
        Err(errors) => {
            // A foreign zone id is 404 even when the form is bad.
            if let Some(id) = id {
                let provider = ctx.provider_id;
                with_conn(&pool, move |conn| Ok(queries::zone(conn, provider, id)?)).await?;
            }
            return zone_page(&ctx, id, form, errors);
        }
    };
    let (provider, actor) = (ctx.provider_id, ctx.user.actor.clone());
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            if !queries::save_zone(conn, provider, id, &input)? {
                return Err(AppError::NotFound);
            }
            let entry = crate::audit::Entry::new("delivery.zone_saved", "delivery_zone", id)
                .org(None, Some(provider.0))
                .change(
                    None,
                    Some(serde_json::json!({
                        "name": input.name,
                        "areas": input.areas,
                        "days": input.days,
                        "lead_days": input.lead_days,
                        "cutoff": format!("{:02}:{:02}", input.cutoff.hour(), input.cutoff.minute()),
                        "min_order_value": input.min_order_value.to_string(),
                        "delivery_charge": input.delivery_charge.to_string(),
                    })),
                );
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Delivery zone saved.");
    Ok(see_other("/provider/delivery"))
}

pub async fn create_zone(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ZoneForm>,
) -> Result<HttpResponse, AppError> {
    save(ctx, pool, None, form).await
}

pub async fn update_zone(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<ZoneForm>,
) -> Result<HttpResponse, AppError> {
    save(ctx, pool, Some(id.into_inner()), form).await
}

pub async fn delete_zone(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    let (provider, id, actor) = (ctx.provider_id, id.into_inner(), ctx.user.actor.clone());
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            if !queries::delete_zone(conn, provider, id)? {
                return Err(AppError::NotFound);
            }
            let entry =
                crate::audit::Entry::new("delivery.zone_deleted", "delivery_zone", Some(id))
                    .org(None, Some(provider.0));
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Delivery zone deleted. Orders already placed keep their delivery.",
    );
    Ok(see_other("/provider/delivery"))
}

pub async fn add_closure(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<ClosureForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let input = match form.parse(today) {
        Ok(input) => input,
        Err(errors) => return overview_page(&ctx, &pool, form, errors).await,
    };
    let (provider, actor) = (ctx.provider_id, ctx.user.actor.clone());
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            let id = queries::add_closure(
                conn,
                provider,
                input.starts_on,
                input.ends_on,
                &input.message,
            )?;
            let entry =
                crate::audit::Entry::new("delivery.closure_added", "provider_closure", Some(id))
                    .org(None, Some(provider.0))
                    .change(
                        None,
                        Some(serde_json::json!({
                            "starts_on": input.starts_on.to_string(),
                            "ends_on": input.ends_on.to_string(),
                            "message": input.message,
                        })),
                    );
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Closure added. Buyers can't choose those days; orders already placed for them are not changed.",
    );
    Ok(see_other("/provider/delivery"))
}

pub async fn delete_closure(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ManageDelivery)?;
    let (provider, id, actor) = (ctx.provider_id, id.into_inner(), ctx.user.actor.clone());
    with_conn(&pool, move |conn| {
        conn.transaction(|conn| {
            if !queries::delete_closure(conn, provider, id)? {
                return Err(AppError::NotFound);
            }
            let entry =
                crate::audit::Entry::new("delivery.closure_removed", "provider_closure", Some(id))
                    .org(None, Some(provider.0));
            crate::audit::record(conn, &actor, entry)?;
            Ok(())
        })
    })
    .await?;
    ctx.user.session.flash(FlashKind::Ok, "Closure removed.");
    Ok(see_other("/provider/delivery"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::time;

    #[test]
    fn cut_offs_read_as_a_sentence() {
        let mut z = crate::availability::rules::Zone {
            id: Uuid::nil(),
            name: "Z".into(),
            areas: vec!["E".into()],
            days: vec![1],
            min_order_value: rust_decimal::Decimal::ZERO,
            delivery_charge: rust_decimal::Decimal::ZERO,
            lead_days: 1,
            cutoff: time!(14:00),
            max_per_day: None,
            max_per_window: None,
            windows: Vec::new(),
        };
        assert_eq!(cutoff_text(&z), "Order by 14:00 the day before");
        z.lead_days = 0;
        z.cutoff = time!(06:30);
        assert_eq!(cutoff_text(&z), "Order by 06:30 on the delivery day");
    }
}

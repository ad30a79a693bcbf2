//! The buyer's standing orders: start one from a past order, see what comes next, skip a
//! date, pause until a date, resume, end.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::{Date, Time};
use uuid::Uuid;

use super::forms::StandingForm;
use super::queries::{self, NewStanding, StandingOrder};
use super::rules;
use crate::availability::rules::{Zone, window_text, zone_for};
use crate::businesses::model::Location;
use crate::cart::queries::CartLine;
use crate::db::DbPool;
use crate::ids::ProviderId;
use crate::providers::model::WEEKDAYS;
use crate::tenancy::{BuyerCtx, Permission};
use crate::web::forms::{FieldErrors, Form};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

/// One row of the list.
pub struct Row {
    pub so: StandingOrder,
    pub provider: String,
    pub location: String,
    pub schedule: String,
    pub state: String,
}

fn state(so: &StandingOrder, today: Date) -> String {
    match (so.ended_at, so.paused_until) {
        (Some(_), _) => "Ended".into(),
        (None, Some(until)) if until > today => {
            format!("Paused until {}", crate::timefmt::date(until))
        }
        _ => "Active".into(),
    }
}

#[derive(Template)]
#[template(path = "standing/list.html")]
struct ListPage {
    meta: PageMeta,
    rows: Vec<Row>,
}

pub async fn list(ctx: BuyerCtx, pool: web::Data<DbPool>) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let business = ctx.business_id;
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let rows = with_conn(&pool, move |conn| Ok(queries::list(conn, business)?)).await?;
    render(&ListPage {
        meta: ctx.user.meta("Standing orders"),
        rows: rows
            .into_iter()
            .map(|(so, provider, location)| Row {
                schedule: rules::describe(&so.schedule()),
                state: state(&so, today),
                so,
                provider,
                location,
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "standing/form.html")]
struct FormPage {
    meta: PageMeta,
    lines: Vec<CartLine>,
    locations: Vec<Location>,
    windows: Vec<(String, String)>,
    form: StandingForm,
    errors: FieldErrors,
    weekdays: &'static [(i16, &'static str)],
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    order: String,
    /// A provider id: repeat the business's cart for that provider.
    cart: String,
}

/// What the form needs from a past order: its provider, lines at today's prices, the
/// addresses this member may order for, and the provider's zones.
struct Source {
    provider_id: Uuid,
    provider: String,
    location: Uuid,
    product_lines: Vec<(Uuid, rust_decimal::Decimal)>,
    lines: Vec<CartLine>,
    locations: Vec<Location>,
    zones: Vec<Zone>,
}

/// Where the lines come from: a past order or the cart for a provider.
enum Basis {
    Order(Uuid),
    Cart(Uuid),
}

impl Basis {
    fn parse(order: &str, cart: &str) -> Result<Self, AppError> {
        let id = |raw: &str| Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound);
        if order.trim().is_empty() {
            Ok(Self::Cart(id(cart)?))
        } else {
            Ok(Self::Order(id(order)?))
        }
    }
}

async fn source(ctx: &BuyerCtx, pool: &web::Data<DbPool>, from: Basis) -> Result<Source, AppError> {
    let (business, today) = (
        ctx.business_id,
        crate::timefmt::to_london(ctx.user.now).date(),
    );
    // An orderer limited to some addresses is offered only those.
    let limited_to = ctx.limited_to();
    with_conn(pool, move |conn| {
        let (provider_id, location, product_lines) = match from {
            Basis::Order(order) => queries::order_lines_of(conn, business, order)?,
            Basis::Cart(provider) => {
                let lines =
                    crate::cart::queries::lines(conn, business, Some(ProviderId(provider)), today)?;
                if lines.is_empty() {
                    return Err(AppError::NotFound);
                }
                let default = crate::businesses::queries::list_locations(conn, business)?
                    .into_iter()
                    .find(|l| l.is_default)
                    .map(|l| l.id)
                    .unwrap_or_default();
                let pairs = lines.iter().map(|l| (l.product_id, l.quantity)).collect();
                (provider, default, pairs)
            }
        };
        let provider = crate::providers::queries::provider(conn, ProviderId(provider_id))?;
        let lines = queries::priced(conn, business, &product_lines, today)?;
        let locations = crate::teams::queries::orderable_locations(conn, business, limited_to)?;
        let zones = crate::availability::queries::zones(conn, ProviderId(provider_id))?;
        Ok(Source {
            provider_id,
            provider: provider.name,
            location,
            product_lines,
            lines,
            locations,
            zones,
        })
    })
    .await
}

/// The distinct window start times of the zone covering `location`, for the window choice.
fn window_choices(src: &Source, location: Option<&Location>) -> Vec<(String, String)> {
    let Some(zone) = location.and_then(|l| zone_for(&src.zones, &l.outcode)) else {
        return Vec::new();
    };
    let mut seen: Vec<(Time, Time)> = zone.windows.iter().map(|w| (w.starts, w.ends)).collect();
    seen.sort();
    seen.dedup_by_key(|w| w.0);
    seen.into_iter()
        .map(|(a, b)| {
            (
                format!("{:02}:{:02}", a.hour(), a.minute()),
                window_text(a, b),
            )
        })
        .collect()
}

fn form_page(
    ctx: &BuyerCtx,
    src: Source,
    form: StandingForm,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let chosen = src
        .locations
        .iter()
        .find(|l| l.id.to_string() == form.location)
        .or_else(|| src.locations.iter().find(|l| l.id == src.location))
        .or_else(|| src.locations.first());
    let windows = window_choices(&src, chosen);
    let form = StandingForm {
        location: chosen.map(|l| l.id.to_string()).unwrap_or_default(),
        ..form
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &FormPage {
            meta: ctx
                .user
                .meta(format!("Standing order from {}", src.provider)),
            lines: src.lines,
            locations: src.locations,
            windows,
            form,
            errors,
            weekdays: &WEEKDAYS,
        },
    )
}

pub async fn new(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let src = source(&ctx, &pool, Basis::parse(&query.order, &query.cart)?).await?;
    let tomorrow = crate::timefmt::to_london(ctx.user.now).date().next_day();
    let form = StandingForm {
        order: query.order.trim().to_owned(),
        cart: query.cart.trim().to_owned(),
        every_weeks: "1".into(),
        starts_on: tomorrow.map(|d| d.to_string()).unwrap_or_default(),
        ..StandingForm::default()
    };
    form_page(&ctx, src, form, FieldErrors::new())
}

pub async fn create(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<StandingForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let src = source(&ctx, &pool, Basis::parse(&form.order, &form.cart)?).await?;
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let location = src
        .locations
        .iter()
        .find(|l| l.id.to_string() == form.location.trim());
    let zone = location.and_then(|l| zone_for(&src.zones, &l.outcode));
    let mut parsed = form.parse(zone.map_or(&[][..], |z| z.days.as_slice()), today);
    if location.is_none() || zone.is_none() {
        let mut errors = parsed.err().unwrap_or_default();
        errors.add(
            "location",
            if location.is_none() {
                "Choose one of your delivery addresses."
            } else {
                "This provider doesn't deliver to that address."
            },
        );
        parsed = Err(errors);
    }
    let input = match parsed {
        Ok(input) => input,
        Err(errors) => return form_page(&ctx, src, form, errors),
    };
    let new = NewStanding {
        provider_id: src.provider_id,
        location_id: location.map(|l| l.id).unwrap_or_default(),
        weekdays: input.weekdays,
        every_weeks: input.every_weeks,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        window_start: input.window_start,
        notes: input.notes,
        lines: src.product_lines,
    };
    let (business, by) = (ctx.business_id, ctx.user.id.0);
    let id = with_conn(&pool, move |conn| {
        Ok(queries::create(conn, business, by, &new)?)
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Standing order set up. Each delivery is ordered for you before the provider's cut-off, at that day's prices; you'll get an email each time.",
    );
    Ok(see_other(&format!("/standing-orders/{id}")))
}

/// One upcoming or decided date on the detail page.
pub struct Upcoming {
    pub date: Date,
    pub label: String,
    /// "placed", "skipped", "closed", "refused", or "" when still to come.
    pub outcome: String,
    pub order: Option<Uuid>,
    pub note: String,
}

#[derive(Template)]
#[template(path = "standing/detail.html")]
struct DetailPage {
    meta: PageMeta,
    so: StandingOrder,
    schedule: String,
    state: String,
    lines: Vec<CartLine>,
    upcoming: Vec<Upcoming>,
    ended: bool,
    can_change: bool,
    /// The provider still delivers to the standing order's address.
    covered: bool,
    typed: HashMap<Uuid, String>,
    errors: HashMap<Uuid, String>,
}

impl DetailPage {
    fn typed_quantity(&self, line: &CartLine) -> String {
        self.typed
            .get(&line.product_id)
            .cloned()
            .unwrap_or_else(|| line.quantity_text())
    }

    fn error(&self, line: &CartLine) -> Option<&String> {
        self.errors.get(&line.product_id)
    }
}

pub async fn show(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    detail(&ctx, &pool, id.into_inner(), HashMap::new(), HashMap::new()).await
}

/// The detail page; `typed` and `errors` re-show a refused quantity change.
async fn detail(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    id: Uuid,
    typed: HashMap<Uuid, String>,
    errors: HashMap<Uuid, String>,
) -> Result<HttpResponse, AppError> {
    let business = ctx.business_id;
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let (so, provider, lines, decided, covered) = with_conn(pool, move |conn| {
        let so = queries::find(conn, business, id)?;
        let provider = crate::providers::queries::provider(conn, ProviderId(so.provider_id))?.name;
        let lines = queries::lines(conn, business, id, today)?;
        let decided = queries::occurrences(conn, id, today - time::Duration::days(14))?;
        let (outcode, archived) = queries::address_of(conn, business, so.location_id)?;
        let zones = crate::availability::queries::zones(conn, ProviderId(so.provider_id))?;
        let covered = !archived && zone_for(&zones, &outcode).is_some();
        Ok((so, provider, lines, decided, covered))
    })
    .await?;
    let mut dates: Vec<Date> = decided.iter().map(|d| d.0).collect();
    if so.ended_at.is_none() {
        dates.extend(rules::upcoming(&so.schedule(), today, 8));
    }
    dates.sort_unstable();
    dates.dedup();
    let upcoming = dates
        .into_iter()
        .map(|date| {
            let found = decided.iter().find(|d| d.0 == date);
            Upcoming {
                date,
                label: format!("{} {}", date.weekday(), crate::timefmt::date(date)),
                outcome: found.map(|d| d.1.clone()).unwrap_or_default(),
                order: found.and_then(|d| d.2),
                note: found.map(|d| d.3.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_with_status(
        status,
        &DetailPage {
            meta: ctx.user.meta(format!("Standing order from {provider}")),
            schedule: rules::describe(&so.schedule()),
            state: state(&so, today),
            ended: so.ended_at.is_some(),
            can_change: ctx.acting().may(Permission::PlaceOrders),
            covered,
            so,
            lines,
            upcoming,
            typed,
            errors,
        },
    )
}

/// Quantities for future deliveries: `qty_<product id>` fields; 0 takes a product off.
pub async fn lines(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, id) = (ctx.business_id, id.into_inner());
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let current = with_conn(&pool, move |conn| {
        queries::find(conn, business, id)?;
        Ok(queries::lines(conn, business, id, today)?)
    })
    .await?;
    let mut typed = HashMap::new();
    let mut errors = HashMap::new();
    let mut quantities = Vec::new();
    for line in &current {
        let Some(raw) = form.get(&format!("qty_{}", line.product_id)) else {
            continue;
        };
        typed.insert(line.product_id, raw.clone());
        match crate::cart::rules::confirmed_quantity(raw, line.fractional) {
            Ok(q) => quantities.push((line.product_id, q)),
            Err(why) => {
                errors.insert(line.product_id, why.to_owned());
            }
        }
    }
    if quantities.iter().all(|(_, q)| q.is_zero()) && quantities.len() == current.len() {
        for line in &current {
            errors.insert(
                line.product_id,
                "Keep at least one item; to stop deliveries, end the standing order.".to_owned(),
            );
        }
    }
    if !errors.is_empty() {
        return detail(&ctx, &pool, id, typed, errors).await;
    }
    let saved = with_conn(&pool, move |conn| {
        Ok(queries::set_quantities(conn, business, id, &quantities)?)
    })
    .await?;
    if !saved {
        return Err(AppError::Conflict(
            "Keep at least one item; to stop deliveries, end the standing order.".into(),
        ));
    }
    ctx.user.session.flash(
        FlashKind::Ok,
        "Quantities saved for deliveries not yet ordered. Orders already placed are not changed.",
    );
    Ok(see_other(&format!("/standing-orders/{id}")))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DateForm {
    date: String,
    /// "skip" or "restore" for the skip route.
    action: String,
}

fn parse_date(raw: &str) -> Result<Date, AppError> {
    Date::parse(
        raw.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .map_err(|_| AppError::BadRequest("Choose a date.".into()))
}

pub async fn skip(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<DateForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, id) = (ctx.business_id, id.into_inner());
    let date = parse_date(&form.date)?;
    let today = crate::timefmt::to_london(ctx.user.now).date();
    if date < today {
        return Err(AppError::Conflict("That date has passed.".into()));
    }
    let skip = form.action != "restore";
    let changed = with_conn(&pool, move |conn| {
        Ok(queries::set_skipped(conn, business, id, date, skip)?)
    })
    .await?;
    let day = crate::timefmt::date(date);
    let message = match (skip, changed) {
        (true, true) => format!("{day} skipped: nothing will be ordered for it."),
        (false, true) => format!("{day} will be ordered as usual."),
        (_, false) => format!("{day} was already decided, so nothing changed."),
    };
    ctx.user.session.flash(FlashKind::Ok, message);
    Ok(see_other(&format!("/standing-orders/{id}")))
}

pub async fn pause(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<DateForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, id) = (ctx.business_id, id.into_inner());
    let until = match form.date.trim() {
        "" => None,
        raw => Some(parse_date(raw)?),
    };
    let changed = with_conn(&pool, move |conn| {
        Ok(queries::set_paused_until(conn, business, id, until)?)
    })
    .await?;
    if !changed {
        // Not theirs (404) or ended (nothing to pause).
        with_conn(&pool, move |conn| Ok(queries::find(conn, business, id)?)).await?;
        return Err(AppError::Conflict("This standing order has ended.".into()));
    }
    let message = match until {
        Some(d) => format!(
            "Paused: nothing is ordered before {}.",
            crate::timefmt::date(d)
        ),
        None => "Resumed.".to_owned(),
    };
    ctx.user.session.flash(FlashKind::Ok, message);
    Ok(see_other(&format!("/standing-orders/{id}")))
}

pub async fn end(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let (business, id, now) = (ctx.business_id, id.into_inner(), ctx.user.now);
    let ended = with_conn(&pool, move |conn| {
        queries::find(conn, business, id)?;
        Ok(queries::end(conn, business, id, now)?)
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        if ended {
            "Standing order ended. Orders already placed are not changed."
        } else {
            "This standing order had already ended."
        },
    );
    Ok(see_other(&format!("/standing-orders/{id}")))
}

#[derive(Template)]
#[template(path = "standing/demand.html")]
struct DemandPage {
    meta: PageMeta,
    days: Vec<String>,
    rows: Vec<rules::Demand>,
    count: usize,
}

impl DemandPage {
    fn qty(&self, q: &rust_decimal::Decimal) -> String {
        if q.is_zero() {
            String::new()
        } else {
            q.normalize().to_string()
        }
    }
}

/// What the provider's buyers' standing orders will ask for over the next 14 days.
pub async fn demand(
    ctx: crate::tenancy::ProviderCtx,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    const DAYS: usize = 14;
    let provider = ctx.provider_id;
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let (live, lines, off) = with_conn(&pool, move |conn| {
        Ok(queries::provider_demand(conn, provider, today)?)
    })
    .await?;
    let schedules: Vec<_> = live.iter().map(|s| (s.id, s.schedule())).collect();
    let rows = rules::demand(&schedules, &lines, &off, today, DAYS);
    let days = (0..DAYS)
        .map(|d| {
            let day = today + time::Duration::days(i64::try_from(d).unwrap_or(0));
            format!("{} {}", &day.weekday().to_string()[..3], day.day())
        })
        .collect();
    render(&DemandPage {
        meta: ctx.user.meta("Standing demand"),
        days,
        rows,
        count: live.len(),
    })
}

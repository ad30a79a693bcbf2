//! The order guide page: a location's usual products with par levels; today's counts in, a
//! suggested order out, put into each provider's cart in one click.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::queries::{self, GuideRow};
use super::rules;
use crate::accounts::forms::safe_next;
use crate::availability::queries as availability;
use crate::availability::rules as avail;
use crate::businesses::model::Location;
use crate::db::DbPool;
use crate::ids::{BusinessId, LocationId};
use crate::money::{format_gbp, price_line};
use crate::tenancy::{BuyerCtx, Permission};
use crate::timefmt::to_london;
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

/// What a provider's block needs from its delivery terms at the chosen location.
struct Terms {
    /// "Next delivery to Kitchen: tomorrow, 06:00–09:00."
    delivery: String,
    minimum: Decimal,
}

struct Loaded {
    locations: Vec<Location>,
    location: Option<Location>,
    rows: Vec<GuideRow>,
    terms: HashMap<Uuid, Terms>,
    now: OffsetDateTime,
}

/// The guide's locations (an orderer limited to some addresses sees only those), the one
/// asked for (another business's, or one not offered, is 404) or the default, its rows, and
/// each provider's next delivery there.
async fn load(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    asked: Option<String>,
) -> Result<Loaded, AppError> {
    let asked = match asked.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| AppError::NotFound)?),
    };
    let business = ctx.business_id;
    let now = ctx.user.now;
    // An orderer limited to some addresses is offered only those.
    let limited_to = ctx.limited_to();
    with_conn(pool, move |conn| {
        let locations = crate::teams::queries::orderable_locations(conn, business, limited_to)?;
        let location = match asked {
            Some(id) => Some(
                locations
                    .iter()
                    .find(|l| l.id == id)
                    .cloned()
                    .ok_or(AppError::NotFound)?,
            ),
            None => locations
                .iter()
                .find(|l| l.is_default)
                .or_else(|| locations.first())
                .cloned(),
        };
        let Some(place) = location.clone() else {
            return Ok(Loaded {
                locations,
                location,
                rows: Vec::new(),
                terms: HashMap::new(),
                now,
            });
        };
        let since = now - Duration::days(rules::HISTORY_DAYS);
        let today = to_london(now).date();
        let rows = queries::rows(conn, business, LocationId(place.id), since, today)?;
        let terms = terms_for(conn, &rows, &place, now)?;
        Ok(Loaded {
            locations,
            location,
            rows,
            terms,
            now,
        })
    })
    .await
}

/// Each provider on the guide: its next delivery slot to `place` and its minimum there.
fn terms_for(
    conn: &mut diesel::PgConnection,
    rows: &[GuideRow],
    place: &Location,
    now: OffsetDateTime,
) -> Result<HashMap<Uuid, Terms>, AppError> {
    let mut providers: Vec<Uuid> = rows.iter().map(|r| r.provider_id).collect();
    providers.dedup();
    let today = to_london(now).date();
    let zones = availability::zones_of(conn, &providers)?;
    let closures = availability::closures_of(conn, &providers, today)?;
    let mut terms = HashMap::new();
    for row in rows {
        if terms.contains_key(&row.provider_id) {
            continue;
        }
        let own: Vec<avail::Zone> = zones
            .iter()
            .filter(|(p, _)| *p == row.provider_id)
            .map(|(_, z)| z.clone())
            .collect();
        let shut: Vec<avail::Closure> = closures
            .iter()
            .filter(|(p, _)| *p == row.provider_id)
            .map(|(_, c)| c.clone())
            .collect();
        let entry = match avail::zone_for(&own, &place.outcode) {
            None => Terms {
                delivery: format!("Doesn't deliver to {} at the moment.", place.label),
                minimum: row.provider_min_order,
            },
            Some(zone) => {
                // Bookings matter only to a zone with a daily or per-window cap.
                let booked = if zone.max_per_day.is_some() || zone.max_per_window.is_some() {
                    availability::booked(conn, zone.id, today)?
                } else {
                    avail::Booked::default()
                };
                let delivery = match avail::slots(zone, &shut, &booked, now, 1).first() {
                    Some(slot) => format!(
                        "Next delivery to {}: {}.",
                        place.label,
                        slot.relative(today)
                    ),
                    None => format!(
                        "No delivery days open to {} in the next three months.",
                        place.label
                    ),
                };
                Terms {
                    delivery,
                    minimum: zone.min_order_value,
                }
            }
        };
        terms.insert(row.provider_id, entry);
    }
    Ok(terms)
}

/// One row of the guide as the page shows it, with what was typed beside it.
pub struct Line {
    pub row: GuideRow,
    pub par: String,
    pub count: String,
    pub qty: String,
    pub error: Option<String>,
    pub change: Option<String>,
}

impl Line {
    pub fn id(&self) -> Uuid {
        self.row.product_id
    }
    pub fn usual(&self) -> String {
        self.row
            .usual
            .map_or_else(String::new, |u| u.normalize().to_string())
    }
    pub fn last_price(&self) -> String {
        self.row.last_price.map_or_else(String::new, format_gbp)
    }
    pub fn price(&self) -> String {
        format_gbp(self.row.price)
    }
    pub fn last_ordered(&self) -> String {
        self.row
            .last_at
            .map_or_else(String::new, |at| crate::timefmt::date(to_london(at).date()))
    }
    /// Why it can't be ordered now, if it can't.
    pub fn unavailable(&self) -> Option<&'static str> {
        if !self.row.active
            || !crate::providers::rules::is_open_for_orders(&self.row.provider_status)
        {
            Some("No longer listed")
        } else if !self.row.in_stock {
            Some("Out of stock")
        } else {
            None
        }
    }
}

/// One provider's part of the guide.
pub struct Block {
    pub provider: String,
    pub slug: String,
    pub delivery: String,
    pub minimum: String,
    /// The net of the quantities in the Order column, when there are any.
    pub subtotal: Option<String>,
    pub short: Option<String>,
    pub lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "guide/guide.html")]
struct GuidePage {
    meta: PageMeta,
    locations: Vec<Location>,
    location: Option<Location>,
    blocks: Vec<Block>,
    pruned: Vec<GuideRow>,
    since: String,
    /// Set when the Order column holds suggestions to check.
    suggested: usize,
    problems: Vec<String>,
}

/// What the form sent for each row, bounded so an overlong field can't fill the page.
#[derive(Default)]
struct Typed(HashMap<String, String>);

impl Typed {
    fn get(&self, field: &str, id: Uuid) -> String {
        self.0
            .get(&format!("{field}_{id}"))
            .map(|v| v.trim().chars().take(24).collect())
            .unwrap_or_default()
    }
}

/// Lays the rows out per provider with what was typed, suggested quantities and errors.
fn blocks(
    loaded: &Loaded,
    typed: &Typed,
    suggested: &HashMap<Uuid, Decimal>,
    errors: &HashMap<Uuid, String>,
) -> (Vec<Block>, Vec<GuideRow>) {
    let mut blocks: Vec<Block> = Vec::new();
    let mut pruned = Vec::new();
    for row in &loaded.rows {
        if row.hidden {
            pruned.push(row.clone());
            continue;
        }
        let id = row.product_id;
        let qty = match suggested.get(&id) {
            Some(q) if q.is_zero() => String::new(),
            Some(q) => q.normalize().to_string(),
            None => typed.get("qty", id),
        };
        let par = if typed.0.contains_key(&format!("par_{id}")) {
            typed.get("par", id)
        } else {
            row.par
                .map_or_else(String::new, |p| p.normalize().to_string())
        };
        let line = Line {
            row: row.clone(),
            par,
            count: typed.get("count", id),
            qty,
            error: errors.get(&id).cloned(),
            change: rules::price_change(row.last_price, row.price),
        };
        match blocks.last_mut() {
            Some(b) if b.slug == row.provider_slug => b.lines.push(line),
            _ => {
                let terms = loaded.terms.get(&row.provider_id);
                blocks.push(Block {
                    provider: row.provider_name.clone(),
                    slug: row.provider_slug.clone(),
                    delivery: terms.map_or_else(String::new, |t| t.delivery.clone()),
                    minimum: format_gbp(terms.map_or(row.provider_min_order, |t| t.minimum)),
                    subtotal: None,
                    short: None,
                    lines: vec![line],
                });
            }
        }
    }
    for block in &mut blocks {
        let subtotal: Decimal = block
            .lines
            .iter()
            .filter_map(|l| {
                let q = crate::cart::rules::quantity(&l.qty, l.row.fractional).ok()?;
                Some(price_line(l.row.price, q, l.row.vat_rate).0)
            })
            .sum();
        let minimum = block
            .lines
            .first()
            .and_then(|l| loaded.terms.get(&l.row.provider_id))
            .map_or(Decimal::ZERO, |t| t.minimum);
        if subtotal > Decimal::ZERO {
            block.subtotal = Some(format_gbp(subtotal));
            block.short = rules::short_of_minimum(subtotal, minimum);
        }
    }
    (blocks, pruned)
}

fn page(
    ctx: &BuyerCtx,
    loaded: &Loaded,
    typed: &Typed,
    suggested: &HashMap<Uuid, Decimal>,
    errors: &HashMap<Uuid, String>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (blocks, pruned) = blocks(loaded, typed, suggested, errors);
    let since = to_london(loaded.now - Duration::days(rules::HISTORY_DAYS)).date();
    render_with_status(
        status,
        &GuidePage {
            meta: ctx.user.meta("Order guide"),
            locations: loaded.locations.clone(),
            location: loaded.location.clone(),
            blocks,
            pruned,
            since: crate::timefmt::date(since),
            suggested: suggested.values().filter(|q| !q.is_zero()).count(),
            problems,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GuideQuery {
    pub location: Option<String>,
}

pub async fn guide(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<GuideQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let loaded = load(&ctx, &pool, query.into_inner().location).await?;
    page(
        &ctx,
        &loaded,
        &Typed::default(),
        &HashMap::new(),
        &HashMap::new(),
        Vec::new(),
        StatusCode::OK,
    )
}

fn guide_path(location: &Location) -> String {
    format!("/guide?location={}", location.id)
}

/// The guide's one form: save pars, suggest from counts, or put the Order column into carts.
pub async fn submit(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let intent = form.get("intent").cloned().unwrap_or_default();
    let loaded = load(&ctx, &pool, form.get("location").cloned()).await?;
    let place = loaded.location.clone().ok_or(AppError::NotFound)?;
    let typed = Typed(form);
    let visible: Vec<&GuideRow> = loaded.rows.iter().filter(|r| !r.hidden).collect();
    match intent.as_str() {
        "pars" | "suggest" => {
            let mut errors = HashMap::new();
            let mut pars = Vec::new();
            let mut counts = HashMap::new();
            for row in &visible {
                let id = row.product_id;
                match rules::amount(&typed.get("par", id)) {
                    Ok(par) => pars.push((id, par)),
                    Err(why) => {
                        errors.insert(id, format!("Par: {why}"));
                    }
                }
                if intent == "suggest" {
                    match rules::amount(&typed.get("count", id)) {
                        Ok(Some(count)) => {
                            counts.insert(id, count);
                        }
                        Ok(None) => {}
                        Err(why) => {
                            errors.insert(id, format!("On hand: {why}"));
                        }
                    }
                }
            }
            if !errors.is_empty() {
                let problems = vec!["Some numbers need a look: see the rows marked below.".into()];
                return page(
                    &ctx,
                    &loaded,
                    &typed,
                    &HashMap::new(),
                    &errors,
                    problems,
                    StatusCode::UNPROCESSABLE_ENTITY,
                );
            }
            let (business, location) = (ctx.business_id, LocationId(place.id));
            let saved = pars.clone();
            with_conn(&pool, move |conn| {
                Ok(queries::save_pars(conn, business, location, &saved)?)
            })
            .await?;
            if intent == "pars" {
                ctx.user.session.flash(
                    FlashKind::Ok,
                    format!("Par levels saved for {}.", place.label),
                );
                return Ok(see_other(&guide_path(&place)));
            }
            suggest_page(&ctx, &pool, &place, &typed, &pars, &counts).await
        }
        "carts" => put_into_carts(&ctx, &pool, &loaded, &place, &typed).await,
        _ => Err(AppError::BadRequest(
            "The form was damaged. Reload the guide and try again.".into(),
        )),
    }
}

/// The guide again, its Order column filled with what tops each counted shelf up to par.
async fn suggest_page(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    place: &Location,
    typed: &Typed,
    pars: &[(Uuid, Option<Decimal>)],
    counts: &HashMap<Uuid, Decimal>,
) -> Result<HttpResponse, AppError> {
    // Read again: the pars just saved are part of what the page shows.
    let loaded = load(ctx, pool, Some(place.id.to_string())).await?;
    let fractional: HashMap<Uuid, bool> = loaded
        .rows
        .iter()
        .map(|r| (r.product_id, r.fractional))
        .collect();
    let suggested: HashMap<Uuid, Decimal> = pars
        .iter()
        .filter_map(|(id, par)| {
            let (par, count) = ((*par)?, counts.get(id)?);
            let whole = !fractional.get(id).copied().unwrap_or(false);
            Some((*id, rules::suggest(par, *count, !whole)))
        })
        .collect();
    let mut problems = Vec::new();
    let without_par = counts
        .keys()
        .filter(|id| pars.iter().any(|(p, par)| p == *id && par.is_none()))
        .count();
    if without_par > 0 {
        problems.push(format!(
            "{without_par} counted product(s) have no par level, so nothing is suggested for them: set one, or type a quantity to order."
        ));
    }
    if suggested.is_empty() {
        problems.push(
            "Type what is on hand beside products with a par level to get a suggestion.".into(),
        );
    }
    // Typed quantities for uncounted rows stay; counted rows take the suggestion.
    page(
        ctx,
        &loaded,
        typed,
        &suggested,
        &HashMap::new(),
        problems,
        StatusCode::OK,
    )
}

/// Sets each provider's cart to the Order column's quantities (setting, not adding, so a
/// second click changes nothing) and says, per provider, what went in and what is missing.
async fn put_into_carts(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    loaded: &Loaded,
    place: &Location,
    typed: &Typed,
) -> Result<HttpResponse, AppError> {
    let mut errors = HashMap::new();
    let mut wanted = Vec::new();
    for row in loaded.rows.iter().filter(|r| !r.hidden) {
        let raw = typed.get("qty", row.product_id);
        if raw.is_empty() {
            continue;
        }
        if !row.orderable() {
            errors.insert(
                row.product_id,
                "Not available to order now: clear its quantity.".to_owned(),
            );
            continue;
        }
        match crate::cart::rules::quantity(&raw, row.fractional) {
            Ok(_) => wanted.push((row.product_id, raw)),
            Err(why) => {
                errors.insert(row.product_id, format!("Order: {why}"));
            }
        }
    }
    if wanted.is_empty() && errors.is_empty() {
        let problems = vec!["Type a quantity to order beside at least one product.".into()];
        return page(
            ctx,
            loaded,
            typed,
            &HashMap::new(),
            &errors,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if !errors.is_empty() {
        let problems = vec!["Nothing went into the carts yet: see the rows marked below.".into()];
        return page(
            ctx,
            loaded,
            typed,
            &HashMap::new(),
            &errors,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let business: BusinessId = ctx.business_id;
    let outcomes = with_conn(pool, move |conn| {
        let mut outcomes = Vec::new();
        for (product, raw) in &wanted {
            outcomes.push((
                *product,
                crate::cart::queries::set(conn, business, *product, raw)?,
            ));
        }
        Ok(outcomes)
    })
    .await?;
    let (message, kind) = carts_message(loaded, place, typed, &outcomes);
    ctx.user.session.flash(kind, message);
    Ok(see_other("/cart"))
}

/// "Into 2 carts for Kitchen: Brakes, 3 items, £62.00 (next delivery tomorrow …). …"
fn carts_message(
    loaded: &Loaded,
    place: &Location,
    typed: &Typed,
    outcomes: &[(Uuid, crate::cart::queries::Added)],
) -> (String, FlashKind) {
    use crate::cart::queries::Added;
    let (blocks, _) = blocks(loaded, typed, &HashMap::new(), &HashMap::new());
    let mut parts = Vec::new();
    let mut refused = Vec::new();
    for block in &blocks {
        let ids: Vec<Uuid> = block.lines.iter().map(Line::id).collect();
        let added = outcomes
            .iter()
            .filter(|(id, o)| ids.contains(id) && matches!(o, Added::Added { .. }))
            .count();
        for (id, outcome) in outcomes.iter().filter(|(id, _)| ids.contains(id)) {
            let name = block
                .lines
                .iter()
                .find(|l| l.id() == *id)
                .map_or_else(String::new, |l| l.row.label());
            match outcome {
                Added::Added { .. } => {}
                Added::Unavailable => refused.push(format!("{name} (no longer available)")),
                Added::Refused(why) => refused.push(format!("{name} ({why})")),
            }
        }
        if added == 0 {
            continue;
        }
        let mut part = format!(
            "{}: {added} item(s), {} before VAT. {}",
            block.provider,
            block.subtotal.clone().unwrap_or_default(),
            block.delivery
        );
        if let Some(short) = &block.short {
            part.push_str(&format!(" {short}"));
        }
        parts.push(part);
    }
    let mut message = format!(
        "Carts updated for {} from the guide. {}",
        place.label,
        parts.join(" ")
    );
    if !refused.is_empty() {
        message.push_str(&format!(" Not put in: {}.", refused.join(", ")));
    }
    let kind = if parts.is_empty() {
        FlashKind::Error
    } else {
        FlashKind::Ok
    };
    (message, kind)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    pub product_id: String,
    pub location: String,
    pub back: String,
}

/// "Save to guide" from a catalogue: onto the guide of the location given, else the default.
pub async fn add(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    Form(form): Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let product = Uuid::parse_str(form.product_id.trim()).map_err(|_| AppError::NotFound)?;
    let loaded = load(&ctx, &pool, Some(form.location.clone())).await?;
    let place = loaded.location.ok_or_else(|| {
        AppError::Validation("Add a delivery address before building an order guide.".into())
    })?;
    let business = ctx.business_id;
    let location = LocationId(place.id);
    let added = with_conn(&pool, move |conn| {
        Ok(queries::pin(conn, business, location, product)?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    ctx.user.session.flash(
        FlashKind::Ok,
        format!("{added} is on the order guide for {}.", place.label),
    );
    let back = safe_next(&form.back).map_or_else(|| guide_path(&place), str::to_owned);
    Ok(see_other(&back))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RowForm {
    pub location: String,
}

/// Prunes a product from a location's guide (`hidden`), or puts it back. A product that
/// isn't on that guide, or a location that isn't the business's, is 404.
async fn set_hidden(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    product: Uuid,
    location: String,
    hidden: bool,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let loaded = load(&ctx, &pool, Some(location)).await?;
    let place = loaded.location.clone().ok_or(AppError::NotFound)?;
    let row = loaded
        .rows
        .iter()
        .find(|r| r.product_id == product && r.hidden != hidden)
        .ok_or(AppError::NotFound)?;
    let name = row.label();
    let (business, at) = (ctx.business_id, LocationId(place.id));
    with_conn(&pool, move |conn| {
        Ok(queries::set_hidden(conn, business, at, product, hidden)?)
    })
    .await?;
    let message = if hidden {
        format!(
            "{name} is off the guide for {}. Put it back from the list at the bottom.",
            place.label
        )
    } else {
        format!("{name} is back on the guide for {}.", place.label)
    };
    ctx.user.session.flash(FlashKind::Ok, message);
    Ok(see_other(&guide_path(&place)))
}

pub async fn remove(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<RowForm>,
) -> Result<HttpResponse, AppError> {
    set_hidden(ctx, pool, id.into_inner(), form.location, true).await
}

pub async fn restore(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<Uuid>,
    Form(form): Form<RowForm>,
) -> Result<HttpResponse, AppError> {
    set_hidden(ctx, pool, id.into_inner(), form.location, false).await
}

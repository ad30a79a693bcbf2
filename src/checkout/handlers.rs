//! Checkout: review a provider's cart, choose address, date and notes, submit exactly once.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rules::{self, CheckoutFacts};
use super::submit::{self, Submission, SubmitOutcome};
use crate::availability::queries as availability;
use crate::availability::rules::{self as avail, Booked, Closure, Zone};
use crate::businesses::model::Location;
use crate::businesses::queries as businesses;
use crate::cart::queries::{self as cart, CartLine};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::{LocationId, ProviderId};
use crate::money::Totals;
use crate::providers::model::Provider;
use crate::providers::queries as providers;
use crate::tenancy::BuyerCtx;
use crate::tenancy::Permission;
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render_with_status, see_other, with_conn};

#[derive(Template)]
#[template(path = "ordering/checkout.html")]
struct CheckoutPage {
    meta: PageMeta,
    provider: Provider,
    lines: Vec<CartLine>,
    totals: Totals,
    locations: Vec<Location>,
    dates: Vec<(String, String)>,
    /// "Order within 3 h 20 min for delivery tomorrow, 06:00–09:00."
    countdown: Option<String>,
    /// The covering zone's terms: "Minimum order £50.00 before VAT. Order by 14:00 the day before."
    terms: Option<String>,
    /// The zone's delivery charge, net, when there is one.
    delivery_charge: Option<String>,
    closures: Vec<String>,
    problems: Vec<String>,
    form: CheckoutForm,
    recent: Option<(Uuid, String, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CheckoutForm {
    pub location: String,
    pub date: String,
    pub notes: String,
    pub key: String,
    /// The fingerprint of the cart as this page showed it.
    pub cart: String,
}

struct Loaded {
    provider: Provider,
    lines: Vec<CartLine>,
    locations: Vec<Location>,
    zones: Vec<Zone>,
    closures: Vec<Closure>,
    booked: HashMap<Uuid, Booked>,
    now: OffsetDateTime,
    business_active: bool,
    /// An order placed from this cart in the last day: (id, number, placed at).
    recent: Option<(Uuid, String, String)>,
}

async fn load(ctx: &BuyerCtx, pool: &web::Data<DbPool>, slug: String) -> Result<Loaded, AppError> {
    let business = ctx.business_id;
    let now = ctx.user.now;
    // An orderer limited to some addresses is offered only those.
    let limited_to = ctx.limited_to();
    with_conn(pool, move |conn| {
        let provider = providers::by_slug(conn, &slug)?;
        let today = crate::timefmt::to_london(now).date();
        let lines = cart::lines(conn, business, Some(ProviderId(provider.id)), today)?;
        let locations = crate::teams::queries::orderable_locations(conn, business, limited_to)?;
        let business_active = businesses::business(conn, business)?.status == "active";
        let provider_id = ProviderId(provider.id);
        let zones = availability::zones(conn, provider_id)?;
        let closures = availability::closures(conn, provider_id, today)?;
        let mut booked = HashMap::new();
        for z in zones
            .iter()
            .filter(|z| z.max_per_day.is_some() || z.max_per_window.is_some())
        {
            booked.insert(z.id, availability::booked(conn, z.id, today)?);
        }
        let since = now - time::Duration::days(1);
        let recent =
            crate::orders::queries::latest_since(conn, business, ProviderId(provider.id), since)?
                .map(|(id, number, at)| (id, number, crate::timefmt::datetime(at)));
        Ok(Loaded {
            provider,
            lines,
            locations,
            zones,
            closures,
            booked,
            now,
            business_active,
            recent,
        })
    })
    .await
}

/// What checkout says about one provider's cart delivered to one address at `now`: why it
/// can't be placed, the slots offered, the totals and the zone's terms. The one-provider and
/// the every-provider checkout show the same.
pub(super) struct Review {
    pub problems: Vec<String>,
    pub dates: Vec<(String, String)>,
    pub countdown: Option<String>,
    pub totals: Totals,
    pub terms: Option<String>,
    pub delivery_charge: Option<String>,
    pub closures: Vec<String>,
}

pub(super) struct Delivering<'a> {
    pub business_active: bool,
    pub provider: &'a Provider,
    pub lines: &'a [CartLine],
    pub zones: &'a [Zone],
    pub closures: &'a [Closure],
    pub booked: &'a HashMap<Uuid, Booked>,
    pub now: OffsetDateTime,
}

pub(super) fn review(d: &Delivering, chosen: Option<&Location>, extra: Vec<String>) -> Review {
    let zone = chosen.and_then(|l| avail::zone_for(d.zones, &l.outcode));
    let facts = CheckoutFacts::gather(d.business_active, d.provider, zone, d.lines);
    let mut problems = extra;
    for p in rules::checkout_problems(&facts) {
        if !problems.contains(&p) {
            problems.push(p);
        }
    }
    let now = d.now;
    let slots = zone.map_or_else(Vec::new, |z| {
        let booked = d.booked.get(&z.id).cloned().unwrap_or_default();
        avail::slots(z, d.closures, &booked, now, 14)
    });
    if zone.is_some() && slots.is_empty() && !d.lines.is_empty() {
        problems.push(
            "This provider has no delivery days open for that address in the next three months."
                .to_owned(),
        );
    }
    let horizon = crate::timefmt::to_london(now).date() + time::Duration::days(avail::HORIZON_DAYS);
    Review {
        problems,
        countdown: slots.first().map(|s| avail::headline(now, s)),
        dates: slots.iter().map(|s| (s.value(), s.label())).collect(),
        totals: rules::order_totals(d.lines, zone.map_or(Decimal::ZERO, |z| z.delivery_charge)),
        terms: zone.map(|z| {
            format!(
                "Minimum order {} before VAT. {}.",
                crate::money::format_gbp(z.min_order_value),
                crate::availability::handlers::cutoff_text(z)
            )
        }),
        delivery_charge: zone
            .filter(|z| !z.delivery_charge.is_zero())
            .map(|z| crate::money::format_gbp(z.delivery_charge)),
        closures: d
            .closures
            .iter()
            .filter(|c| c.starts_on <= horizon)
            .map(avail::closed_text)
            .collect(),
    }
}

/// The address to show: the one chosen, else the default, else the first.
pub(super) fn chosen<'a>(locations: &'a [Location], asked: &str) -> Option<&'a Location> {
    locations
        .iter()
        .find(|l| l.id.to_string() == asked)
        .or_else(|| locations.iter().find(|l| l.is_default))
        .or_else(|| locations.first())
}

fn page(
    ctx: &BuyerCtx,
    loaded: Loaded,
    form: CheckoutForm,
    extra: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let chosen = chosen(&loaded.locations, &form.location);
    let r = review(
        &Delivering {
            business_active: loaded.business_active,
            provider: &loaded.provider,
            lines: &loaded.lines,
            zones: &loaded.zones,
            closures: &loaded.closures,
            booked: &loaded.booked,
            now: loaded.now,
        },
        chosen,
        extra,
    );
    let form = CheckoutForm {
        location: chosen.map(|l| l.id.to_string()).unwrap_or_default(),
        // What this page shows is what the next submit must find.
        cart: cart::fingerprint(&loaded.lines),
        key: if form.key.is_empty() {
            Uuid::now_v7().to_string()
        } else {
            form.key
        },
        ..form
    };
    let empty = loaded.lines.is_empty();
    render_with_status(
        status,
        &CheckoutPage {
            meta: ctx.user.meta(format!("Checkout: {}", loaded.provider.name)),
            provider: loaded.provider,
            lines: loaded.lines,
            totals: r.totals,
            locations: loaded.locations,
            dates: r.dates,
            countdown: r.countdown,
            terms: r.terms,
            delivery_charge: r.delivery_charge,
            closures: r.closures,
            problems: r.problems,
            form,
            recent: loaded.recent.filter(|_| empty),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckoutQuery {
    /// The address to show delivery days for (the page re-asks when it changes).
    pub location: String,
}

pub async fn checkout(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    slug: web::Path<String>,
    query: web::Query<CheckoutQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let loaded = load(&ctx, &pool, slug.into_inner()).await?;
    page(
        &ctx,
        loaded,
        CheckoutForm {
            location: query.into_inner().location,
            ..CheckoutForm::default()
        },
        unconfirmed(&ctx).into_iter().collect(),
        StatusCode::OK,
    )
}

/// A buyer confirms their email address before ordering: the provider and the emails about
/// the order must reach a real person.
pub(super) fn unconfirmed(ctx: &BuyerCtx) -> Option<String> {
    (!ctx.user.loaded.email_verified).then(|| {
        format!(
            "Confirm your email address before you order: we sent a link to {}. Didn't get it? Send it again from your account page.",
            ctx.user.email
        )
    })
}

pub async fn submit(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    slug: web::Path<String>,
    Form(form): Form<CheckoutForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let key = Uuid::parse_str(form.key.trim()).map_err(|_| {
        AppError::BadRequest(
            "The checkout form is missing its key. Reload the page and try again.".into(),
        )
    })?;
    let location = Uuid::parse_str(form.location.trim())
        .map_err(|_| AppError::BadRequest("Choose a delivery address.".into()))?;
    let notes: String = form.notes.trim().to_owned();
    let slot = avail::parse_slot(&form.date);
    let slug = slug.into_inner();
    let mut early: Vec<String> = unconfirmed(&ctx).into_iter().collect();
    if notes.chars().count() > 1000 {
        early.push("Keep the notes under 1,000 characters.".to_owned());
    }
    let Some((date, window)) = slot.filter(|_| early.is_empty()) else {
        if slot.is_none() {
            early.push("Choose a delivery date.".to_owned());
        }
        let loaded = load(&ctx, &pool, slug).await?;
        return page(&ctx, loaded, form, early, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let (business, placed_by, base_url) = (ctx.business_id, ctx.user.id, config.base_url.clone());
    let actor = ctx.user.actor.clone();
    let provider_slug = slug.clone();
    let form_cart = form.cart.trim().to_owned();
    let at = ctx.user.now;
    let outcome = with_conn(&pool, move |conn| {
        let provider = providers::by_slug(conn, &provider_slug)?;
        let submission = Submission {
            provider: ProviderId(provider.id),
            location: LocationId(location),
            date,
            window,
            notes,
            key,
            placed_by,
            actor,
            at,
            basket: submit::Basket::Cart { seen: form_cart },
        };
        submit::submit(conn, business, &submission, &base_url)
    })
    .await?;
    match outcome {
        SubmitOutcome::Placed(id) => {
            ctx.user.session.flash(
                FlashKind::Ok,
                "Order placed. The provider has been told; you'll get an email when they confirm.",
            );
            Ok(see_other(&format!("/orders/{id}")))
        }
        SubmitOutcome::AwaitingApproval(id, why) => {
            ctx.user.session.flash(
                FlashKind::Ok,
                format!("Order saved for approval. {why} A manager has been asked to approve it; it goes to the provider when they do."),
            );
            Ok(see_other(&format!("/orders/{id}")))
        }
        SubmitOutcome::Replayed(id) => Ok(see_other(&format!("/orders/{id}"))),
        SubmitOutcome::Refused(problems) => {
            let loaded = load(&ctx, &pool, slug).await?;
            page(
                &ctx,
                loaded,
                form,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

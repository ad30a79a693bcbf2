//! One checkout for every provider: each cart is a block with its own delivery day, the
//! address and notes are shared, and "Place orders" submits each cart as its own order
//! exactly once (a key per cart). A refusal for one provider does not stop the others.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::handlers::{Delivering, Review, chosen, review, unconfirmed};
use super::submit::{self, Submission, SubmitOutcome};
use crate::availability::queries as availability;
use crate::availability::rules::{self as avail, Booked, Closure, Zone};
use crate::businesses::model::Location;
use crate::cart::queries::{self as cart, CartLine};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::{LocationId, ProviderId};
use crate::providers::model::Provider;
use crate::tenancy::{BuyerCtx, Permission};
use crate::web::forms::Form;
use crate::web::{AppError, PageMeta, render_with_status, with_conn};

/// One provider's cart with what its checkout needs.
struct Cart {
    provider: Provider,
    lines: Vec<CartLine>,
    zones: Vec<Zone>,
    closures: Vec<Closure>,
    booked: HashMap<Uuid, Booked>,
}

struct Loaded {
    carts: Vec<Cart>,
    locations: Vec<Location>,
    business_active: bool,
    now: OffsetDateTime,
}

async fn load(ctx: &BuyerCtx, pool: &web::Data<DbPool>) -> Result<Loaded, AppError> {
    let (business, now, limited_to) = (ctx.business_id, ctx.user.now, ctx.limited_to());
    with_conn(pool, move |conn| {
        let today = crate::timefmt::to_london(now).date();
        let all = cart::lines(conn, business, None, today)?;
        let mut carts: Vec<Cart> = Vec::new();
        for line in all {
            match carts.last_mut() {
                Some(c) if c.provider.id == line.provider_id => c.lines.push(line),
                _ => {
                    let id = ProviderId(line.provider_id);
                    let zones = availability::zones(conn, id)?;
                    let mut booked = HashMap::new();
                    for z in zones
                        .iter()
                        .filter(|z| z.max_per_day.is_some() || z.max_per_window.is_some())
                    {
                        booked.insert(z.id, availability::booked(conn, z.id, today)?);
                    }
                    carts.push(Cart {
                        provider: crate::providers::queries::provider(conn, id)?,
                        closures: availability::closures(conn, id, today)?,
                        zones,
                        booked,
                        lines: vec![line],
                    });
                }
            }
        }
        Ok(Loaded {
            carts,
            locations: crate::teams::queries::orderable_locations(conn, business, limited_to)?,
            business_active: crate::businesses::queries::business(conn, business)?.status
                == "active",
            now,
        })
    })
    .await
}

/// A provider's block on the page.
pub(super) struct Block {
    pub provider: Provider,
    pub lines: Vec<CartLine>,
    pub review: Review,
    pub key: String,
    pub cart: String,
    pub date: String,
    pub include: bool,
}

#[derive(Template)]
#[template(path = "ordering/checkout_all.html")]
struct AllPage {
    meta: PageMeta,
    blocks: Vec<Block>,
    locations: Vec<Location>,
    location: String,
    notes: String,
    problems: Vec<String>,
}

/// The form as sent: shared fields, and per provider `key_`, `cart_`, `date_`, `include_`.
#[derive(Default)]
struct Sent(HashMap<String, String>);

impl Sent {
    fn field(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }
    fn of(&self, field: &str, provider: Uuid) -> Option<&String> {
        self.0.get(&format!("{field}_{provider}"))
    }
    /// The providers whose carts were ticked, in a stable order.
    fn included(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix("include_"))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        ids.sort();
        ids
    }
}

fn blocks(
    loaded: Loaded,
    sent: &Sent,
    refusals: &HashMap<Uuid, Vec<String>>,
    extra: &[String],
) -> (Vec<Block>, Vec<Location>, String) {
    let location = chosen(&loaded.locations, &sent.field("location")).cloned();
    let first_visit = sent.0.is_empty();
    let blocks = loaded
        .carts
        .into_iter()
        .map(|c| {
            let id = c.provider.id;
            let mut problems = extra.to_vec();
            problems.extend(refusals.get(&id).cloned().unwrap_or_default());
            let review = review(
                &Delivering {
                    business_active: loaded.business_active,
                    provider: &c.provider,
                    lines: &c.lines,
                    zones: &c.zones,
                    closures: &c.closures,
                    booked: &c.booked,
                    now: loaded.now,
                },
                location.as_ref(),
                problems,
            );
            Block {
                key: sent
                    .of("key", id)
                    .filter(|k| Uuid::parse_str(k).is_ok())
                    .cloned()
                    .unwrap_or_else(|| Uuid::now_v7().to_string()),
                cart: cart::fingerprint(&c.lines),
                date: sent.of("date", id).cloned().unwrap_or_default(),
                include: first_visit || sent.of("include", id).is_some(),
                review,
                provider: c.provider,
                lines: c.lines,
            }
        })
        .collect();
    let location = location.map(|l| l.id.to_string()).unwrap_or_default();
    (blocks, loaded.locations, location)
}

fn page(
    ctx: &BuyerCtx,
    loaded: Loaded,
    sent: &Sent,
    refusals: &HashMap<Uuid, Vec<String>>,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (blocks, locations, location) = blocks(loaded, sent, refusals, &[]);
    render_with_status(
        status,
        &AllPage {
            meta: ctx.user.meta("Checkout: every cart"),
            blocks,
            locations,
            location,
            notes: sent.field("notes"),
            problems,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AllQuery {
    pub location: String,
}

pub async fn checkout(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<AllQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let loaded = load(&ctx, &pool).await?;
    let mut sent = Sent::default();
    if !query.location.is_empty() {
        // Choosing an address re-asks; every block stays included.
        sent.0.insert("location".into(), query.location.clone());
        for c in &loaded.carts {
            sent.0
                .insert(format!("include_{}", c.provider.id), "on".into());
        }
    }
    let problems = unconfirmed(&ctx).into_iter().collect();
    page(
        &ctx,
        loaded,
        &sent,
        &HashMap::new(),
        problems,
        StatusCode::OK,
    )
}

/// What became of one provider's cart.
pub struct Outcome {
    pub provider: String,
    /// The order, its number and whether it waits for approval.
    pub placed: Option<(Uuid, String, bool)>,
    pub problems: Vec<String>,
}

#[derive(Template)]
#[template(path = "ordering/checkout_all_done.html")]
struct DonePage {
    meta: PageMeta,
    outcomes: Vec<Outcome>,
    /// Carts left to check out (refused or not included).
    left: usize,
}

pub async fn submit(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::PlaceOrders)?;
    let sent = Sent(form);
    let loaded = load(&ctx, &pool).await?;
    let mut early: Vec<String> = unconfirmed(&ctx).into_iter().collect();
    let notes = sent.field("notes").trim().to_owned();
    if notes.chars().count() > 1000 {
        early.push("Keep the notes under 1,000 characters.".to_owned());
    }
    // The address must be one this member may order for; another business's is 404.
    let location = Uuid::parse_str(sent.field("location").trim())
        .map_err(|_| AppError::BadRequest("Choose a delivery address.".into()))?;
    if !loaded.locations.iter().any(|l| l.id == location) {
        return Err(AppError::NotFound);
    }
    // Carts named by the form, not by what is in the database now: a cart already placed
    // by this form's key (a double click, a retry) answers with its order.
    let mut wanted = Vec::new();
    let mut refusals: HashMap<Uuid, Vec<String>> = HashMap::new();
    for id in sent.included() {
        let key = sent
            .of("key", id)
            .and_then(|k| Uuid::parse_str(k.trim()).ok());
        let slot = sent.of("date", id).and_then(|d| avail::parse_slot(d));
        match (key, slot) {
            (Some(key), Some((date, window))) => wanted.push((id, key, date, window)),
            (None, _) => {
                refusals.insert(
                    id,
                    vec!["This cart's form was damaged: reload the page.".into()],
                );
            }
            (_, None) => {
                refusals.insert(id, vec!["Choose a delivery date.".into()]);
            }
        }
    }
    if !early.is_empty() || (wanted.is_empty() && refusals.is_empty()) {
        if early.is_empty() {
            early.push("Tick at least one cart to order.".into());
        }
        return page(
            &ctx,
            loaded,
            &sent,
            &refusals,
            early,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let submissions: Vec<Submission> = wanted
        .iter()
        .map(|(id, key, date, window)| Submission {
            provider: ProviderId(*id),
            location: LocationId(location),
            date: *date,
            window: *window,
            notes: notes.clone(),
            key: *key,
            placed_by: ctx.user.id,
            actor: ctx.user.actor.clone(),
            at: ctx.user.now,
            basket: submit::Basket::Cart {
                seen: sent.of("cart", *id).cloned().unwrap_or_default(),
            },
        })
        .collect();
    let (business, base_url) = (ctx.business_id, config.base_url.clone());
    let named: Vec<Uuid> = refusals.keys().copied().collect();
    // Each cart in its own transaction: one provider's refusal leaves the others placed.
    let (results, names) = with_conn(&pool, move |conn| {
        let mut names = HashMap::new();
        for id in submissions.iter().map(|s| s.provider.0).chain(named) {
            names.insert(
                id,
                crate::providers::queries::provider(conn, ProviderId(id))?.name,
            );
        }
        let mut results = Vec::new();
        for s in &submissions {
            let outcome = submit::submit(conn, business, s, &base_url)?;
            let number = match &outcome {
                SubmitOutcome::Placed(id)
                | SubmitOutcome::Replayed(id)
                | SubmitOutcome::AwaitingApproval(id, _) => {
                    Some(crate::orders::queries::number_of(conn, business, *id)?)
                }
                SubmitOutcome::Refused(_) => None,
            };
            results.push((s.provider.0, outcome, number));
        }
        Ok((results, names))
    })
    .await?;
    let name = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let mut outcomes: Vec<Outcome> = refusals
        .iter()
        .map(|(id, why)| Outcome {
            provider: name(id),
            placed: None,
            problems: why.clone(),
        })
        .collect();
    let mut placed_from = Vec::new();
    for (id, outcome, number) in results {
        let number = number.unwrap_or_default();
        let (placed, problems) = match outcome {
            SubmitOutcome::Placed(o) | SubmitOutcome::Replayed(o) => {
                (Some((o, number, false)), vec![])
            }
            SubmitOutcome::AwaitingApproval(o, why) => (Some((o, number, true)), vec![why]),
            SubmitOutcome::Refused(why) => {
                refusals.insert(id, why.clone());
                (None, why)
            }
        };
        if placed.is_some() {
            placed_from.push(id);
        }
        outcomes.push(Outcome {
            provider: name(&id),
            placed,
            problems,
        });
    }
    if outcomes.iter().all(|o| o.placed.is_none()) {
        let problems = vec!["No order was placed: see each provider below.".into()];
        return page(
            &ctx,
            loaded,
            &sent,
            &refusals,
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    outcomes.sort_by(|a, b| {
        b.placed
            .is_some()
            .cmp(&a.placed.is_some())
            .then(a.provider.cmp(&b.provider))
    });
    let placed = outcomes.iter().filter(|o| o.placed.is_some()).count();
    render_with_status(
        StatusCode::OK,
        &DonePage {
            meta: ctx.user.meta(format!("{placed} order(s) placed")),
            left: loaded
                .carts
                .iter()
                .filter(|c| !placed_from.contains(&c.provider.id))
                .count(),
            outcomes,
        },
    )
}

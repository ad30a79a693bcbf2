//! Buyer-facing discovery: the provider list with filters, a provider's page, and compare.
//! Discovery and compare answer an htmx request with the results fragment alone.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

use super::queries::{self, CompareRow, CompareSort, DiscoveryFilter, ProviderCard};
use super::search::SearchText;
use crate::availability::rules::{self as avail, Slot};
use crate::businesses::model::Location;
use crate::businesses::postcode::covering_areas;
use crate::businesses::queries as businesses;
use crate::catalog::model::Product;
use crate::catalog::unit_price;
use crate::categories::{CATEGORIES, is_category, label};
use crate::db::DbPool;
use crate::money::{format_gbp, parse_gbp};
use crate::providers::model::{Provider, WEEKDAYS};
use crate::tenancy::BuyerCtx;
use crate::tenancy::Permission;
use crate::web::htmx::{is_htmx, with_vary};
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, with_conn};

type Categories = &'static [(&'static str, &'static str)];

/// The buyer's chosen location: the one named in the URL if it is theirs, else the default.
fn choose_location(locations: &[Location], requested: Option<&str>) -> Option<Location> {
    let requested = requested.and_then(|r| Uuid::parse_str(r).ok());
    locations
        .iter()
        .find(|l| Some(l.id) == requested)
        .or_else(|| locations.iter().find(|l| l.is_default))
        .or_else(|| locations.first())
        .cloned()
}

fn days_text(days: &[Option<i16>]) -> String {
    WEEKDAYS
        .iter()
        .filter(|(n, _)| days.contains(&Some(*n)))
        .map(|(_, name)| &name[..3])
        .collect::<Vec<_>>()
        .join(", ")
}

fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

#[derive(Debug, Deserialize, Default)]
pub struct DiscoverQuery {
    q: Option<String>,
    category: Option<String>,
    location: Option<String>,
    delivers: Option<String>,
    max_min_order: Option<String>,
    /// "Can deliver by": "", "tomorrow" or a date.
    by: Option<String>,
    /// Present once the filter form has been used, so an unticked box means "off".
    filtered: Option<String>,
    /// "score": most trusted first.
    sort: Option<String>,
    /// Only favourite providers.
    favourites: Option<String>,
    page: Option<String>,
}

fn by_options(today: time::Date) -> Vec<(String, String)> {
    let mut options = vec![("tomorrow".to_owned(), "Tomorrow".to_owned())];
    for d in 2..=7 {
        let day = today + time::Duration::days(d);
        options.push((
            day.to_string(),
            format!("{} {}", day.weekday(), crate::timefmt::date(day)),
        ));
    }
    options
}

/// The latest delivery date a buyer will accept, from the "can deliver by" choice.
fn deliver_by(raw: &str, today: time::Date) -> Option<time::Date> {
    match raw.trim() {
        "" => None,
        "tomorrow" => today.next_day(),
        "today" => Some(today),
        other => time::Date::parse(other, &time::format_description::well_known::Iso8601::DATE)
            .ok()
            .filter(|d| *d >= today),
    }
}

/// Each provider's next open slot for an address, from their zones and closures
/// (capacity is left to checkout).
fn next_slots(
    conn: &mut diesel::PgConnection,
    providers: &[Uuid],
    outcode: &str,
    now: time::OffsetDateTime,
) -> Result<std::collections::HashMap<Uuid, Slot>, AppError> {
    let today = crate::timefmt::to_london(now).date();
    let zones = crate::availability::queries::zones_of(conn, providers)?;
    let closures = crate::availability::queries::closures_of(conn, providers, today)?;
    let mut next = std::collections::HashMap::new();
    for p in providers {
        let mine: Vec<_> = zones
            .iter()
            .filter(|(owner, _)| owner == p)
            .map(|(_, z)| z.clone())
            .collect();
        let shut: Vec<_> = closures
            .iter()
            .filter(|(owner, _)| owner == p)
            .map(|(_, c)| c.clone())
            .collect();
        if let Some(zone) = avail::zone_for(&mine, outcode) {
            if let Some(slot) = avail::slots(zone, &shut, &avail::Booked::default(), now, 1).pop() {
                next.insert(*p, slot);
            }
        }
    }
    Ok(next)
}

pub struct CardView {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub categories: String,
    pub min_order: String,
    pub days: String,
    pub delivers: bool,
    pub product_count: i64,
    /// "Wednesday 25 Nov 2026, 06:00–09:00 (order by 24 Nov 2026, 14:00)".
    pub next: Option<String>,
    /// "98 % on time · 99 % filled · 4.7 ★ from 63 orders", or "New on Larder".
    pub trust: String,
    pub score: Option<i16>,
    pub id: Uuid,
    pub favourite: bool,
    /// On a featured plan: badged, and eligible for the spotlight above the results.
    pub featured: bool,
}

impl From<ProviderCard> for CardView {
    fn from(c: ProviderCard) -> Self {
        let description: String = c.description.chars().take(200).collect();
        let trust = crate::trust::rules::summary(&crate::trust::rules::Trust {
            orders: c
                .trust_orders
                .and_then(|o| u32::try_from(o).ok())
                .unwrap_or(0),
            on_time: c.on_time,
            fill: c.fill,
            upheld: None,
            confirm_minutes: None,
            ratings: c.ratings.and_then(|o| u32::try_from(o).ok()).unwrap_or(0),
            rating: c.rating,
            score: c.score.and_then(|s| u8::try_from(s).ok()),
        });
        Self {
            trust,
            score: c.score,
            id: c.id,
            favourite: c.favourite,
            featured: false,
            categories: c
                .categories
                .iter()
                .flatten()
                .map(|s| label(s))
                .collect::<Vec<_>>()
                .join(" · "),
            min_order: format_gbp(c.min_order_value),
            days: days_text(&c.delivery_days),
            delivers: c.delivers,
            product_count: c.product_count,
            next: None,
            description,
            name: c.name,
            slug: c.slug,
        }
    }
}

/// How many featured providers the spotlight shows at most.
const SPOTLIGHT: i64 = 3;

#[derive(Template)]
#[template(path = "discovery/_results.html")]
struct DiscoverResults {
    cards: Paged<CardView>,
    /// Featured providers matching the filters (first page only).
    spotlight: Vec<CardView>,
    notes: Vec<String>,
    location_label: String,
    link_base: String,
    /// For the star forms: the session's token, and whether this member may star.
    csrf: String,
    may_star: bool,
    only_favourites: bool,
}

impl DiscoverResults {
    /// Where a star form comes back to: this page of results.
    fn back(&self) -> String {
        self.page_link(self.cards.page)
    }
}

impl DiscoverResults {
    fn page_link(&self, page: i64) -> String {
        format!("/discover?{}&page={page}", self.link_base)
    }
}

#[derive(Template)]
#[template(path = "discovery/discover.html")]
struct DiscoverPage {
    meta: PageMeta,
    q: String,
    category: String,
    max_min_order: String,
    /// The "can deliver by" choice as typed.
    by: String,
    /// (value, label): tomorrow and the week after it.
    by_options: Vec<(String, String)>,
    by_score: bool,
    delivers: bool,
    locations: Vec<Location>,
    location_id: Option<Uuid>,
    categories: Categories,
    results: DiscoverResults,
}

pub async fn discover(
    req: HttpRequest,
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<DiscoverQuery>,
) -> Result<HttpResponse, AppError> {
    // Every buyer role may browse; ordering from here asks for PlaceOrders.
    ctx.require(Permission::ViewOrders)?;
    let search = SearchText::parse(query.q.as_deref().unwrap_or(""));
    let category = query
        .category
        .clone()
        .filter(|c| is_category(c))
        .unwrap_or_default();
    let delivers = query.filtered.is_none() || query.delivers.is_some();
    let mut notes = Vec::new();
    if search.shortened {
        notes.push("Your search was long, so only its first 200 characters were used.".to_owned());
    }
    let raw_max = query
        .max_min_order
        .as_deref()
        .unwrap_or("")
        .trim()
        .to_owned();
    let max_min_order = if raw_max.is_empty() {
        None
    } else {
        match parse_gbp(&raw_max) {
            Ok(v) => Some(v),
            Err(_) => {
                notes.push("The maximum minimum order isn't an amount like 50 or 49.99, so it was ignored.".to_owned());
                None
            }
        }
    };
    let page = PageRequest::from_query(query.page.as_deref());
    let business = ctx.business_id;
    let requested = query.location.clone();
    let now = ctx.user.now;
    let raw_by = query.by.clone().unwrap_or_default().trim().to_owned();
    let by = deliver_by(&raw_by, crate::timefmt::to_london(now).date());
    if by.is_none() && !raw_by.is_empty() {
        notes.push("Choose a delivery date from today on; that one was ignored.".to_owned());
    }
    let by_score = query.sort.as_deref() == Some("score");
    let only_favourites = query.favourites.is_some();
    let (locations, location, cards, spotlight) = with_conn(&pool, move |conn| {
        let locations = businesses::list_locations(conn, business)?;
        let location = choose_location(&locations, requested.as_deref());
        let filter = DiscoveryFilter {
            category: (!category.is_empty()).then(|| category.clone()),
            areas: location
                .as_ref()
                .map(|l| covering_areas(&l.outcode))
                .unwrap_or_default(),
            only_delivering: (delivers || by.is_some()) && location.is_some(),
            max_min_order,
            tsquery: search.tsquery(),
            by_score,
            viewer: Some(business.0),
            only_favourites,
            only: None,
        };
        // "Can deliver by" is judged on zones, windows and closures, which SQL can't see:
        // every match is read (only those covering the address, so a bounded set) and the
        // page is cut after filtering.
        let (rows, window) = match (by, &location) {
            (Some(_), Some(_)) => (
                queries::discover(conn, &filter, PageRequest::everything())?,
                Some(page),
            ),
            _ => (queries::discover(conn, &filter, page)?, None),
        };
        let mut cards: Vec<CardView> = Vec::with_capacity(rows.len());
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let next = match &location {
            Some(l) => next_slots(conn, &ids, &l.outcode, now)?,
            None => std::collections::HashMap::new(),
        };
        for row in rows {
            let slot = next.get(&row.id);
            if let Some(by) = by.filter(|_| location.is_some()) {
                if slot.is_none_or(|s| s.date > by) {
                    continue;
                }
            }
            let mut card = CardView::from(row);
            card.next = slot.map(|s| {
                format!(
                    "{} (order by {})",
                    s.label(),
                    crate::timefmt::datetime(s.cutoff)
                )
            });
            cards.push(card);
        }
        if let Some(page) = window {
            let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
            cards = cards.into_iter().skip(skip).collect();
        }
        // Featured placement is bounded: a labelled spotlight of at most three providers that
        // match the same filters, on the first page only; the ranking below is untouched.
        let featured = crate::plans::queries::featured_providers(conn, now)?;
        let mut spotlight = Vec::new();
        if !featured.is_empty() && page.page == 1 && by.is_none() {
            let only = DiscoveryFilter {
                only: Some(featured.clone()),
                ..filter
            };
            // A page fetches one row more than it shows: three rows is a "page" of two.
            let first = PageRequest {
                page: 1,
                per_page: SPOTLIGHT - 1,
            };
            for row in queries::discover(conn, &only, first)? {
                let mut card = CardView::from(row);
                card.featured = true;
                spotlight.push(card);
            }
        }
        for card in &mut cards {
            card.featured = featured.contains(&card.id);
        }
        Ok((locations, location, cards, spotlight))
    })
    .await?;
    let category = query
        .category
        .clone()
        .filter(|c| is_category(c))
        .unwrap_or_default();
    let search = SearchText::parse(query.q.as_deref().unwrap_or(""));
    let link_base = query_string(&[
        ("q", search.shown.clone()),
        ("category", category.clone()),
        (
            "location",
            location
                .as_ref()
                .map(|l| l.id.to_string())
                .unwrap_or_default(),
        ),
        (
            "delivers",
            if delivers { "1".into() } else { String::new() },
        ),
        ("max_min_order", raw_max.clone()),
        ("by", raw_by.clone()),
        (
            "sort",
            if by_score {
                "score".into()
            } else {
                String::new()
            },
        ),
        (
            "favourites",
            if only_favourites {
                "1".into()
            } else {
                String::new()
            },
        ),
        ("filtered", "1".into()),
    ]);
    let meta = ctx.user.meta("Find providers");
    let results = DiscoverResults {
        csrf: meta.csrf.clone(),
        may_star: ctx.require(Permission::PlaceOrders).is_ok(),
        only_favourites,
        spotlight,
        cards: Paged::new(cards, page),
        notes,
        location_label: location
            .as_ref()
            .map(|l| format!("{} ({})", l.label, l.postcode))
            .unwrap_or_default(),
        link_base,
    };
    if is_htmx(req.headers()) {
        return Ok(with_vary(render(&results)?));
    }
    Ok(with_vary(render(&DiscoverPage {
        meta,
        q: search.shown,
        category,
        max_min_order: raw_max,
        by_options: by_options(crate::timefmt::to_london(now).date()),
        by: raw_by,
        by_score,
        delivers,
        location_id: location.map(|l| l.id),
        locations,
        categories: CATEGORIES,
        results,
    })?))
}

#[derive(Debug, Deserialize, Default)]
pub struct ProviderQuery {
    category: Option<String>,
    q: Option<String>,
    page: Option<String>,
    /// The address whose order guide "Save to guide" adds to (from the guide's link).
    guide: Option<String>,
    /// Only the business's favourite products.
    favourites: Option<String>,
}

#[derive(Template)]
#[template(path = "discovery/provider.html")]
struct ProviderPage {
    meta: PageMeta,
    provider: Provider,
    delivers: Option<bool>,
    tabs: Vec<(String, &'static str, i64)>,
    total: i64,
    category: String,
    q: String,
    products: Paged<Product>,
    /// The trust summary and the latest ratings with the provider's replies.
    trust: String,
    ratings: Vec<crate::trust::ratings::Rating>,
    /// May this member order (and so build the order guide)?
    may_order: bool,
    guide: String,
    /// The list price of each product shown at the buyer's own price.
    own_prices: HashMap<Uuid, Decimal>,
    /// The business's favourites: this provider, and which of the products shown.
    favourite_provider: bool,
    favourite_products: std::collections::HashSet<Uuid>,
    only_favourites: bool,
}

impl ProviderPage {
    fn tab_link(&self, category: &str) -> String {
        let qs = query_string(&[("category", category.to_owned())]);
        format!(
            "/providers/{}{}{qs}",
            self.provider.slug,
            if qs.is_empty() { "" } else { "?" }
        )
    }

    fn page_link(&self, page: i64) -> String {
        let qs = query_string(&[
            ("category", self.category.clone()),
            ("q", self.q.clone()),
            ("page", page.to_string()),
            ("guide", self.guide.clone()),
            (
                "favourites",
                if self.only_favourites {
                    "1".into()
                } else {
                    String::new()
                },
            ),
        ]);
        format!("/providers/{}?{qs}", self.provider.slug)
    }

    /// Where a plain add-to-cart form comes back to.
    fn back(&self) -> String {
        self.page_link(self.products.page)
    }

    fn is_favourite(&self, product: impl std::borrow::Borrow<Uuid>) -> bool {
        self.favourite_products.contains(product.borrow())
    }

    /// The catalogue with or without the favourites filter, on its first page.
    fn favourites_link(&self, only: bool) -> String {
        let qs = query_string(&[
            ("category", self.category.clone()),
            ("favourites", if only { "1".into() } else { String::new() }),
        ]);
        format!(
            "/providers/{}{}{qs}",
            self.provider.slug,
            if qs.is_empty() { "" } else { "?" }
        )
    }

    /// "£5.60" when the product is shown at the buyer's own price instead.
    fn list_price(&self, product: impl std::borrow::Borrow<Uuid>) -> Option<String> {
        self.own_prices
            .get(product.borrow())
            .map(|p| format_gbp(*p))
    }
}

pub async fn provider_page(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    slug: web::Path<String>,
    query: web::Query<ProviderQuery>,
) -> Result<HttpResponse, AppError> {
    // Every buyer role may browse; ordering from here asks for PlaceOrders.
    ctx.require(Permission::ViewOrders)?;
    let slug = slug.into_inner();
    let category = query
        .category
        .clone()
        .filter(|c| is_category(c))
        .unwrap_or_default();
    let search = SearchText::parse(query.q.as_deref().unwrap_or(""));
    let page = PageRequest::from_query(query.page.as_deref());
    let business = ctx.business_id;
    let (cat, tsq) = (category.clone(), search.tsquery());
    let today = crate::timefmt::to_london(ctx.user.now).date();
    let only_favourites = query.favourites.is_some();
    let favourites_of = only_favourites.then_some(business.0);
    let (provider, delivers, counts, (rows, trust, own_prices), stars) =
        with_conn(&pool, move |conn| {
            let provider = queries::active_provider_by_slug(conn, &slug)?;
            let id = crate::ids::ProviderId(provider.id);
            let trust = (
                crate::trust::handlers::summary_of(conn, id)?,
                crate::trust::ratings::recent(conn, id, 10)?,
            );
            let locations = businesses::list_locations(conn, business)?;
            let delivers =
                choose_location(&locations, None).map(|l| provider.delivers_to(&l.outcode));
            let counts = queries::category_counts(conn, provider.id)?;
            let mut rows = queries::listed_products(
                conn,
                provider.id,
                (!cat.is_empty()).then_some(cat.as_str()),
                tsq.as_deref(),
                favourites_of,
                page,
            )?;
            let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
            let stars = (
                crate::favourites::queries::is_starred_provider(conn, business, provider.id)?,
                crate::favourites::queries::starred_products(conn, business, &ids)?,
            );
            let own = crate::prices::queries::for_products(conn, business, today, &ids)?;
            let mut list_prices = HashMap::new();
            for p in &mut rows {
                if let Some(price) = own.get(&p.id) {
                    list_prices.insert(p.id, p.price);
                    p.price = *price;
                }
            }
            Ok((
                provider,
                delivers,
                counts,
                (rows, trust, list_prices),
                stars,
            ))
        })
        .await?;
    let total = counts.iter().map(|(_, n)| n).sum();
    render(&ProviderPage {
        meta: ctx.user.meta(&provider.name),
        tabs: counts
            .into_iter()
            .map(|(slug, n)| {
                let l = label(&slug);
                (slug, l, n)
            })
            .collect(),
        total,
        delivers,
        provider,
        category,
        q: search.shown,
        products: Paged::new(rows, page),
        trust: trust.0,
        ratings: trust.1,
        may_order: ctx.require(Permission::PlaceOrders).is_ok(),
        own_prices,
        favourite_provider: stars.0,
        favourite_products: stars.1,
        only_favourites,
        guide: query
            .guide
            .as_deref()
            .and_then(|g| Uuid::parse_str(g.trim()).ok())
            .map_or_else(String::new, |g| g.to_string()),
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct CompareQuery {
    q: Option<String>,
    location: Option<String>,
    delivers: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

pub struct CompareView {
    pub product_id: Uuid,
    pub name: String,
    /// Name, pack and provider: same-named rows must not share an accessible label.
    pub label: String,
    pub pack: String,
    pub price: String,
    pub vat: String,
    pub per_unit: Option<String>,
    pub in_stock: bool,
    pub provider_name: String,
    pub provider_slug: String,
    pub min_order: String,
    pub delivers: bool,
    pub own_price: bool,
}

impl From<CompareRow> for CompareView {
    fn from(r: CompareRow) -> Self {
        let per = unit_price::per_base_unit(r.price, &r.unit, &r.pack_size);
        let pack = if r.pack_size.is_empty() {
            r.unit.clone()
        } else {
            format!("{} · {}", r.unit, r.pack_size)
        };
        Self {
            label: format!("{} ({}) from {}", r.name, pack, r.provider_name),
            pack,
            price: format_gbp(r.price),
            vat: format!("{}%", r.vat_rate.normalize()),
            per_unit: per.map(|(p, base)| format!("{} / {}", format_gbp(p), base.label())),
            in_stock: r.in_stock,
            own_price: r.own_price,
            provider_name: r.provider_name,
            provider_slug: r.provider_slug,
            min_order: format_gbp(r.min_order_value),
            delivers: r.delivers,
            product_id: r.product_id,
            name: r.name,
        }
    }
}

#[derive(Template)]
#[template(path = "discovery/_compare_results.html")]
struct CompareResults {
    meta: PageMeta,
    rows: Paged<CompareView>,
    searched: bool,
    notes: Vec<String>,
    link_base: String,
}

impl CompareResults {
    fn page_link(&self, page: i64) -> String {
        format!("/compare?{}&page={page}", self.link_base)
    }

    fn back(&self) -> String {
        self.page_link(self.rows.page)
    }
}

#[derive(Template)]
#[template(path = "discovery/compare.html")]
struct ComparePage {
    meta: PageMeta,
    q: String,
    sort: &'static str,
    delivers: bool,
    locations: Vec<Location>,
    location_id: Option<Uuid>,
    results: CompareResults,
}

pub async fn compare(
    req: HttpRequest,
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<CompareQuery>,
) -> Result<HttpResponse, AppError> {
    // Every buyer role may browse; ordering from here asks for PlaceOrders.
    ctx.require(Permission::ViewOrders)?;
    let search = SearchText::parse(query.q.as_deref().unwrap_or(""));
    let sort = if query.sort.as_deref() == Some("price") {
        CompareSort::Price
    } else {
        CompareSort::Relevance
    };
    let delivers = query.delivers.is_some();
    let page = PageRequest::from_query(query.page.as_deref());
    let business = ctx.business_id;
    let viewer = queries::Viewer {
        business: business.0,
        on: crate::timefmt::to_london(ctx.user.now).date(),
    };
    let (requested, tsquery) = (query.location.clone(), search.tsquery());
    let (locations, location, rows) = with_conn(&pool, move |conn| {
        let locations = businesses::list_locations(conn, business)?;
        let location = choose_location(&locations, requested.as_deref());
        let areas = location
            .as_ref()
            .map(|l| covering_areas(&l.outcode))
            .unwrap_or_default();
        let rows = match &tsquery {
            Some(tsq) => queries::compare(conn, viewer, tsq, &areas, delivers, sort, page)?,
            None => Vec::new(),
        };
        Ok((locations, location, rows))
    })
    .await?;
    let sort_name = if sort == CompareSort::Price {
        "price"
    } else {
        "relevance"
    };
    let mut notes = Vec::new();
    if search.shortened {
        notes.push("Your search was long, so only its first 200 characters were used.".to_owned());
    }
    let results = CompareResults {
        meta: ctx.user.meta(""),
        rows: Paged::new(rows.into_iter().map(CompareView::from).collect(), page),
        searched: !search.is_empty(),
        notes,
        link_base: query_string(&[
            ("q", search.shown.clone()),
            (
                "location",
                location
                    .as_ref()
                    .map(|l| l.id.to_string())
                    .unwrap_or_default(),
            ),
            (
                "delivers",
                if delivers { "1".into() } else { String::new() },
            ),
            ("sort", sort_name.into()),
        ]),
    };
    if is_htmx(req.headers()) {
        return Ok(with_vary(render(&results)?));
    }
    Ok(with_vary(render(&ComparePage {
        meta: ctx.user.meta("Compare products"),
        q: search.shown,
        sort: sort_name,
        delivers,
        location_id: location.map(|l| l.id),
        locations,
        results,
    })?))
}

//! The buyer's side: check a delivery in, ask for credit, follow and escalate a request.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::queries::{self, Counted, Raised, Receiving, ReceivingLine, Request, RequestLine};
use super::rules::{self, Reason};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::{CreditRequestId, OrderId};
use crate::tenancy::{BuyerCtx, Permission, Scope};
use crate::web::forms::Form;
use crate::web::pagination::{ListQuery, PageRequest, Paged};
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

type Fields = HashMap<String, String>;

#[derive(Template)]
#[template(path = "credits/receive.html")]
struct ReceivePage {
    meta: PageMeta,
    r: Receiving,
    typed: Fields,
    errors: HashMap<Uuid, String>,
}

impl ReceivePage {
    fn typed(&self, name: &str, line: &ReceivingLine, shown: String) -> String {
        self.typed
            .get(&format!("{name}_{}", line.id))
            .cloned()
            .unwrap_or(shown)
    }
    fn received(&self, l: &ReceivingLine) -> String {
        self.typed("received", l, l.received_text())
    }
    fn note(&self, l: &ReceivingLine) -> String {
        self.typed("note", l, l.note.clone())
    }
    fn damaged(&self, l: &ReceivingLine) -> bool {
        if self.typed.is_empty() {
            l.damaged
        } else {
            self.typed.contains_key(&format!("damaged_{}", l.id))
        }
    }
    fn error(&self, l: &ReceivingLine) -> Option<&String> {
        self.errors.get(&l.id)
    }
    fn note_error(&self) -> Option<&String> {
        self.errors.get(&Uuid::nil())
    }
    fn order_note(&self) -> String {
        self.typed
            .get("note")
            .cloned()
            .unwrap_or_else(|| self.r.note.clone())
    }
    fn has_suggestions(&self) -> bool {
        self.r.checked_at.is_some() && self.r.lines.iter().any(|l| l.suggested().is_some())
    }
    fn delivered_text(&self) -> String {
        crate::timefmt::datetime(self.r.delivered_at)
    }
    fn checked_text(&self) -> String {
        self.r
            .checked_at
            .map(crate::timefmt::datetime)
            .unwrap_or_default()
    }
}

async fn load(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    order: OrderId,
) -> Result<Receiving, AppError> {
    let business = ctx.business_id;
    with_conn(pool, move |conn| queries::receiving(conn, business, order)).await
}

pub async fn receive_form(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let r = load(&ctx, &pool, id.into_inner()).await?;
    render(&ReceivePage {
        meta: ctx.user.meta(format!("Check in order {}", r.number)),
        r,
        typed: Fields::new(),
        errors: HashMap::new(),
    })
}

pub async fn receive(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
    Form(form): Form<Fields>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let order = id.into_inner();
    let r = load(&ctx, &pool, order).await?;
    let mut counted = Vec::new();
    let mut errors = HashMap::new();
    for l in &r.lines {
        // A line the form didn't send arrived in full; one sent blank must be typed.
        let all = l.delivered.normalize().to_string();
        let raw = form
            .get(&format!("received_{}", l.id))
            .map_or(all.as_str(), String::as_str);
        let note = form
            .get(&format!("note_{}", l.id))
            .map(|n| n.trim())
            .unwrap_or("");
        let received = match rules::received(raw, l.fractional) {
            Ok(q) => q,
            Err(e) => {
                errors.insert(l.id, e.to_owned());
                continue;
            }
        };
        if note.chars().count() > rules::MAX_NOTE {
            errors.insert(
                l.id,
                format!("Keep the note to {} characters.", rules::MAX_NOTE),
            );
            continue;
        }
        counted.push(Counted {
            line: l.id,
            received,
            damaged: form.contains_key(&format!("damaged_{}", l.id)),
            note: note.to_owned(),
        });
    }
    let note = form
        .get("note")
        .map(|n| n.trim().to_owned())
        .unwrap_or_default();
    if note.chars().count() > 1000 {
        errors.insert(Uuid::nil(), "Keep the note to 1,000 characters.".into());
    }
    if !errors.is_empty() {
        return render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ReceivePage {
                meta: ctx.user.meta(format!("Check in order {}", r.number)),
                r,
                typed: form,
                errors,
            },
        );
    }
    let (business, user, actor, at) = (
        ctx.business_id,
        ctx.user.id,
        ctx.user.actor.clone(),
        ctx.user.now,
    );
    with_conn(&pool, move |conn| {
        queries::save_receipt(conn, business, order, (&counted, &note), (user, &actor, at))
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Delivery checked in.");
    Ok(see_other(&format!("/orders/{order}/receive")))
}

#[derive(Template)]
#[template(path = "credits/new.html")]
struct NewPage {
    meta: PageMeta,
    r: Receiving,
    key: String,
    typed: Fields,
    errors: HashMap<Uuid, String>,
    /// Start from what the check-in found short or damaged.
    from_receipt: bool,
    now: time::OffsetDateTime,
}

impl NewPage {
    fn reasons(&self) -> [Reason; 5] {
        Reason::ALL
    }
    fn field(&self, name: &str, l: &ReceivingLine) -> Option<String> {
        self.typed.get(&format!("{name}_{}", l.id)).cloned()
    }
    fn reason_of(&self, l: &ReceivingLine) -> String {
        self.field("reason", l)
            .unwrap_or_else(|| match (self.from_receipt, l.suggested()) {
                (true, Some((r, _))) => r.as_str().to_owned(),
                _ => String::new(),
            })
    }
    fn quantity_of(&self, l: &ReceivingLine) -> String {
        self.field("quantity", l)
            .unwrap_or_else(|| match (self.from_receipt, l.suggested()) {
                (true, Some((_, q))) => q.normalize().to_string(),
                _ => String::new(),
            })
    }
    fn note_of(&self, l: &ReceivingLine) -> String {
        self.field("note", l).unwrap_or_else(|| {
            if self.from_receipt {
                l.note.clone()
            } else {
                String::new()
            }
        })
    }
    fn error(&self, l: &ReceivingLine) -> Option<&String> {
        self.errors.get(&l.id)
    }
    fn general_error(&self) -> Option<&String> {
        self.errors.get(&Uuid::nil())
    }
    fn photo_error(&self) -> Option<&String> {
        self.errors.get(&super::raise_form::PHOTO)
    }
    fn open(&self, l: &ReceivingLine) -> bool {
        rules::claimable(self.r.delivered_at, l.category.as_deref(), self.now)
            && l.delivered > l.claimed
    }
    fn until(&self, l: &ReceivingLine) -> String {
        crate::timefmt::datetime(rules::claim_until(
            self.r.delivered_at,
            l.category.as_deref(),
        ))
    }
    fn left_text(&self, l: &ReceivingLine) -> String {
        (l.delivered - l.claimed).normalize().to_string()
    }
}

#[derive(Debug, serde::Deserialize, Default)]
pub struct NewQuery {
    from: Option<String>,
}

pub async fn new_form(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let r = load(&ctx, &pool, id.into_inner()).await?;
    render(&NewPage {
        meta: ctx
            .user
            .meta(format!("Ask for credit on order {}", r.number)),
        r,
        key: Uuid::now_v7().to_string(),
        typed: Fields::new(),
        errors: HashMap::new(),
        from_receipt: query.from.as_deref() == Some("receipt"),
        now: ctx.user.now,
    })
}

pub async fn raise(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
    (req, payload): (HttpRequest, web::Payload),
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let (form, photo) = super::raise_form::read(&req, payload).await?;
    let order = id.into_inner();
    let key = form.get("key").and_then(|k| Uuid::parse_str(k.trim()).ok());
    if let Some(key) = key {
        // Sent before (a double click): show what it made rather than re-checking it
        // against the claims it added itself.
        let business = ctx.business_id;
        let sent = with_conn(&pool, move |conn| Ok(queries::by_key(conn, business, key)?)).await?;
        if let Some(id) = sent {
            return Ok(see_other(&format!("/credit-requests/{id}")));
        }
    }
    let r = load(&ctx, &pool, order).await?;
    if r.open_request.is_some() {
        // The waiting request may be this very form's, sent a moment ago by a double click.
        if let Some(key) = key {
            let business = ctx.business_id;
            let sent =
                with_conn(&pool, move |conn| Ok(queries::by_key(conn, business, key)?)).await?;
            if let Some(id) = sent {
                return Ok(see_other(&format!("/credit-requests/{id}")));
            }
        }
        return Err(AppError::conflict(queries::ONE_AT_A_TIME));
    }
    let get = |name: &str, l: &ReceivingLine| {
        form.get(&format!("{name}_{}", l.id))
            .map(String::as_str)
            .unwrap_or("")
    };
    let mut claims = Vec::new();
    let mut errors = HashMap::new();
    for l in &r.lines {
        match rules::claim(
            get("reason", l),
            get("quantity", l),
            get("note", l),
            l.facts(),
        ) {
            Ok(Some(c)) => claims.push((l.id, c)),
            Ok(None) => {}
            Err(e) => {
                errors.insert(l.id, e);
            }
        }
    }
    if errors.is_empty() && claims.is_empty() {
        errors.insert(Uuid::nil(), "Choose a reason on at least one line.".into());
    }
    let photo = match photo.as_deref().map(super::raise_form::check_photo) {
        None => None,
        Some(Ok(kind)) => photo.map(|bytes| (bytes, kind)),
        Some(Err(problem)) => {
            errors.insert(super::raise_form::PHOTO, problem);
            None
        }
    };
    let refused = |r: Receiving, form: Fields, errors: HashMap<Uuid, String>| {
        render_with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                meta: ctx
                    .user
                    .meta(format!("Ask for credit on order {}", r.number)),
                key: form
                    .get("key")
                    .cloned()
                    .unwrap_or_else(|| Uuid::now_v7().to_string()),
                r,
                typed: form,
                errors,
                from_receipt: false,
                now: ctx.user.now,
            },
        )
    };
    if !errors.is_empty() {
        return refused(r, form, errors);
    }
    let key = key.ok_or_else(|| {
        AppError::BadRequest("This form is out of date. Reload the page and try again.".into())
    })?;
    let (business, user, actor, now) = (
        ctx.business_id,
        ctx.user.id,
        ctx.user.actor.clone(),
        ctx.user.now,
    );
    let base = config.base_url.clone();
    let raised = with_conn(&pool, move |conn| {
        queries::raise(
            conn,
            business,
            order,
            &claims,
            (key, user, &actor, now),
            &base,
        )
    })
    .await?;
    match raised {
        Raised::Created(id) => {
            ctx.user.session.flash(
                FlashKind::Ok,
                format!("Credit request sent to {}. They have two working days to answer; we'll email you when they do.", r.provider_name),
            );
            if let Some(photo) = photo {
                let sent = super::raise_form::attach(
                    (&pool, &config),
                    &ctx.user,
                    (ctx.business_id, id),
                    photo,
                    key,
                )
                .await;
                if let Err(e) = sent {
                    tracing::error!(error = %e, request = %id, "photo sent with a credit request not saved");
                    ctx.user.session.flash(
                        FlashKind::Error,
                        "The request was sent, but its photo couldn't be saved: add it to the conversation below.",
                    );
                }
            }
            Ok(see_other(&format!("/credit-requests/{id}")))
        }
        Raised::Replayed(id) => Ok(see_other(&format!("/credit-requests/{id}"))),
        Raised::Refused(problems) => {
            let r = load(&ctx, &pool, order).await?;
            refused(r, form, problems)
        }
    }
}

#[derive(Template)]
#[template(path = "credits/list.html")]
struct ListPage {
    meta: PageMeta,
    provider: bool,
    rows: Paged<Request>,
    /// Each listed request's latest message: (request, side that wrote it, when).
    latest: Vec<(Uuid, String, time::OffsetDateTime)>,
}

impl ListPage {
    /// "New message from Veg Co" when the other side (or Larder's team) wrote last.
    fn notice(&self, r: &Request) -> Option<String> {
        let (_, side, at) = self.latest.iter().find(|(id, ..)| *id == r.id.0)?;
        let mine = if self.provider { "provider" } else { "buyer" };
        if side == mine {
            return None;
        }
        let who = match side.as_str() {
            "buyer" => r.business_name.as_str(),
            "provider" => r.provider_name.as_str(),
            _ => "Larder's team",
        };
        Some(format!(
            "New message from {who}, {}",
            crate::timefmt::datetime(*at)
        ))
    }

    fn link(&self, r: &Request) -> String {
        if self.provider {
            format!("/provider/credit-requests/{}", r.id)
        } else {
            format!("/credit-requests/{}", r.id)
        }
    }
    fn page_link(&self, page: i64) -> String {
        let base = if self.provider {
            "/provider/credit-requests"
        } else {
            "/credit-requests"
        };
        format!("{base}?page={page}")
    }
}

pub(super) async fn list_page(
    meta: PageMeta,
    pool: &web::Data<DbPool>,
    scope: Scope,
    query: &ListQuery,
) -> Result<HttpResponse, AppError> {
    let req = PageRequest::from_query(query.page.as_deref());
    let (rows, latest) = with_conn(pool, move |conn| {
        let rows = queries::list(conn, scope, req)?;
        let ids: Vec<CreditRequestId> = rows.iter().map(|r| r.id).collect();
        Ok((rows, super::thread::latest(conn, &ids)?))
    })
    .await?;
    render(&ListPage {
        meta,
        provider: matches!(scope, Scope::Provider(_)),
        rows: Paged::new(rows, req),
        latest,
    })
}

pub async fn list(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    list_page(
        ctx.user.meta("Credit requests"),
        &pool,
        Scope::Buyer(ctx.business_id),
        &query,
    )
    .await
}

/// The request page both sides share: what was asked, what was answered, and (per side)
/// what can be done next.
#[derive(Template)]
#[template(path = "credits/request.html")]
pub(super) struct RequestPage {
    pub meta: PageMeta,
    pub r: Request,
    pub lines: Vec<RequestLine>,
    pub provider: bool,
    /// The provider may answer now.
    pub can_answer: bool,
    /// The buyer may take it to Larder's team now.
    pub can_escalate: bool,
    /// When the provider should answer by.
    pub due: String,
    pub decline_error: Option<String>,
    pub typed_reason: String,
    /// The invoice is paid: accepting refunds.
    pub refunds: bool,
    pub thread: super::thread::ThreadView,
}

impl RequestPage {
    pub fn order_link(&self) -> String {
        if self.provider {
            format!("/provider/orders/{}", self.r.order_id)
        } else {
            format!("/orders/{}", self.r.order_id)
        }
    }
    pub fn total_text(&self) -> String {
        crate::money::format_gbp(self.lines.iter().map(|l| l.amount).sum::<Decimal>())
    }
}

pub async fn show(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    buyer_page(&ctx, &pool, id.into_inner(), None).await
}

/// The buyer's request page, with a refused message shown again when there is one.
pub(super) async fn buyer_page(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    id: CreditRequestId,
    refused: Option<super::thread_handlers::Refused>,
) -> Result<HttpResponse, AppError> {
    let (business, now) = (ctx.business_id, ctx.user.now);
    let (r, lines, messages) = with_conn(pool, move |conn| {
        let r = queries::find(conn, Scope::Buyer(business), id)?;
        Ok((
            r,
            queries::lines(conn, id)?,
            super::thread::messages(conn, id)?,
        ))
    })
    .await?;
    let may_write = ctx.acting().may(Permission::ReceiveDeliveries);
    let can_escalate = may_write && rules::may_escalate(r.state(), r.created_at, now);
    let meta = ctx
        .user
        .meta(format!("Credit request on order {}", r.order_number));
    let mut thread = super::thread::ThreadView::new(
        &meta.csrf,
        &r,
        messages,
        &format!("/credit-requests/{id}"),
        may_write,
    );
    let code = match refused {
        Some(f) => {
            thread = thread.refused(f.error, f.typed, f.key);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    render_with_status(
        code,
        &RequestPage {
            meta,
            due: crate::timefmt::datetime(rules::answer_due(r.created_at)),
            r,
            lines,
            provider: false,
            can_answer: false,
            can_escalate,
            decline_error: None,
            typed_reason: String::new(),
            refunds: false,
            thread,
        },
    )
}

pub async fn escalate(
    ctx: BuyerCtx,
    config: web::Data<Config>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let (business, id, actor, now) = (
        ctx.business_id,
        id.into_inner(),
        ctx.user.actor.clone(),
        ctx.user.now,
    );
    let base = config.base_url.clone();
    with_conn(&pool, move |conn| {
        super::answers::escalate(conn, business, id, (&actor, now, &base))
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Sent to Larder's team. They'll read the request and decide; both sides see the outcome here.",
    );
    Ok(see_other(&format!("/credit-requests/{id}")))
}

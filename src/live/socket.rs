//! The socket behind each logged-in page. It keeps the bell current on every page, and an
//! order page's status and items too. Whatever it sends is read again for this socket's
//! own user, with their role as it is now; if their session ends (logout, "log out
//! everywhere", suspension, expiry) or they lose sight of the order, the socket closes.

use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::hub::Signal;
use super::views::{self, Due, Kind, SubjectWatch, Update, Watch};
use super::{Hub, Topic};
use crate::clock::Clock;
use crate::db::DbPool;
use crate::orders::handlers::ListQuery;
use crate::tenancy::{BuyerCtx, CurrentUser, Permission, ProviderCtx, Side};
use crate::web::{AppError, with_conn};

/// How often the server pings, and checks the session hasn't expired.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// A client silent this long (no pong) has gone.
const SILENCE: Duration = Duration::from_secs(75);

#[derive(Debug, Deserialize, Default)]
pub struct LiveQuery {
    /// The version of the order or invoice the page shows.
    v: Option<String>,
}

/// What every socket needs from the app.
struct Parts {
    hub: web::Data<Hub>,
    pool: web::Data<DbPool>,
    clock: web::Data<Clock>,
}

impl Parts {
    /// The app's parts, once the request is known to come from one of our pages (another
    /// site's is refused before anything is read).
    fn checked(req: &HttpRequest) -> Result<Self, AppError> {
        if !from_our_pages(req) {
            return Err(AppError::NotFound);
        }
        let missing = || AppError::Unexpected(anyhow::anyhow!("live updates are not configured"));
        Ok(Self {
            hub: req
                .app_data::<web::Data<Hub>>()
                .cloned()
                .ok_or_else(missing)?,
            pool: req
                .app_data::<web::Data<DbPool>>()
                .cloned()
                .ok_or_else(missing)?,
            clock: req
                .app_data::<web::Data<Clock>>()
                .cloned()
                .ok_or_else(missing)?,
        })
    }
}

/// The bell alone: every logged-in page without more to keep current.
pub async fn bell(
    req: HttpRequest,
    body: web::Payload,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let parts = Parts::checked(&req)?;
    let watch = Watch::new(&user, None)?;
    open(&req, body, watch, parts)
}

/// An order or an invoice, by the address the socket was opened at.
fn kind_of(req: &HttpRequest) -> Kind {
    if req
        .match_pattern()
        .is_some_and(|p| p.contains("/invoices/"))
    {
        Kind::Invoice
    } else {
        Kind::Order
    }
}

/// A buyer's order or invoice page.
pub async fn buyer_page(
    req: HttpRequest,
    body: web::Payload,
    ctx: BuyerCtx,
    id: web::Path<Uuid>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req);
    ctx.require(kind.permission())?;
    let on = (Side::Buyer, ctx.scope());
    subject(&req, body, &ctx.user, (kind, *id, on), &query).await
}

/// A provider's order or invoice page.
pub async fn provider_page(
    req: HttpRequest,
    body: web::Payload,
    ctx: ProviderCtx,
    id: web::Path<Uuid>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req);
    ctx.require(kind.permission())?;
    let on = (Side::Provider, ctx.scope());
    subject(&req, body, &ctx.user, (kind, *id, on), &query).await
}

#[derive(Debug, Deserialize, Default)]
pub struct LiveListQuery {
    status: Option<String>,
    provider: Option<String>,
    page: Option<String>,
    v: Option<String>,
}

impl LiveListQuery {
    fn split(self) -> (ListQuery, LiveQuery) {
        let list = ListQuery {
            status: self.status,
            provider: self.provider,
            page: self.page,
        };
        (list, LiveQuery { v: self.v })
    }
}

pub async fn buyer_orders(
    req: HttpRequest,
    body: web::Payload,
    ctx: BuyerCtx,
    query: web::Query<LiveListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let (list, live) = query.into_inner().split();
    let on = (Side::Buyer, ctx.scope());
    let org = ctx.business_id.0;
    subject(&req, body, &ctx.user, (Kind::Orders(list), org, on), &live).await
}

pub async fn provider_orders(
    req: HttpRequest,
    body: web::Payload,
    ctx: ProviderCtx,
    query: web::Query<LiveListQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let (list, live) = query.into_inner().split();
    let on = (Side::Provider, ctx.scope());
    let org = ctx.provider_id.0;
    subject(&req, body, &ctx.user, (Kind::Orders(list), org, on), &live).await
}

async fn subject(
    req: &HttpRequest,
    body: web::Payload,
    user: &CurrentUser,
    (kind, id, on): (Kind, Uuid, (Side, crate::tenancy::Scope)),
    query: &LiveQuery,
) -> Result<HttpResponse, AppError> {
    let parts = Parts::checked(req)?;
    let scope = on.1;
    // Another tenant's order or invoice answers 404 before any socket opens; a list is the
    // member's own.
    if !matches!(kind, Kind::Orders(_)) {
        let checked = kind.clone();
        with_conn(&parts.pool, move |conn| {
            match checked {
                Kind::Order => {
                    crate::orders::queries::version(conn, scope, id)?;
                }
                Kind::Invoice => {
                    crate::invoicing::queries::find(conn, scope, crate::ids::InvoiceId(id))?;
                }
                Kind::Orders(_) => {}
            }
            Ok(())
        })
        .await?;
    }
    let shown = query.v.clone().filter(|v| v.len() <= 64);
    let watch = Watch::new(user, Some(SubjectWatch::new(kind, id, on, shown)))?;
    open(req, body, watch, parts)
}

/// A page on another site may open a socket to us, and the browser sends our cookie with
/// it; only our own pages may (their `Origin` is our base URL). Clients that send no
/// `Origin` are not browsers, so have no cookie of ours they didn't get themselves.
fn from_our_pages(req: &HttpRequest) -> bool {
    let ours = req
        .app_data::<web::Data<crate::config::Config>>()
        .map(|c| c.base_url.trim_end_matches('/').to_owned());
    match req.headers().get(actix_web::http::header::ORIGIN) {
        None => true,
        Some(origin) => origin.to_str().ok().map(|o| o.trim_end_matches('/')) == ours.as_deref(),
    }
}

fn open(
    req: &HttpRequest,
    body: web::Payload,
    watch: Watch,
    parts: Parts,
) -> Result<HttpResponse, AppError> {
    let (response, session, stream) = actix_ws::handle(req, body).map_err(|_| {
        AppError::BadRequest("This address keeps a page up to date; open the page itself.".into())
    })?;
    actix_web::rt::spawn(run(session, stream, watch, parts));
    Ok(response)
}

/// How the socket ended, for the close frame: `None` is the client going away.
fn ended(why: &str) -> Option<CloseReason> {
    Some(CloseReason {
        code: CloseCode::Policy,
        description: Some(why.to_owned()),
    })
}

async fn run(
    mut session: actix_ws::Session,
    mut stream: actix_ws::MessageStream,
    mut watch: Watch,
    parts: Parts,
) {
    metrics::gauge!("live_sockets").increment(1.0);
    let mut signals = parts.hub.subscribe();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    let mut heard = Instant::now();
    // Catch up at once: the bell may have changed since the page was drawn, and after a
    // reconnect the order may have too.
    let mut due = Due::ALL;
    let close = loop {
        if due.any() {
            match refresh(&parts, &watch, due).await {
                Ok(Some(update)) => {
                    let text = watch.apply(update);
                    if !text.is_empty() && session.text(text).await.is_err() {
                        break None;
                    }
                    metrics::counter!("live_updates_sent_total").increment(1);
                }
                Ok(None) => break ended("Your session has ended."),
                Err(AppError::NotFound) => break ended("This page is no longer yours to see."),
                // The database may be back in a moment; the next change or resync tries again.
                Err(e) => tracing::warn!(error = %e, "live update could not be read"),
            }
            due = Due::NONE;
        }
        tokio::select! {
            message = stream.next() => match message {
                Some(Ok(Message::Ping(bytes))) => {
                    heard = Instant::now();
                    if session.pong(&bytes).await.is_err() {
                        break None;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
                // Pongs, and anything a page might send: nothing is read from it.
                Some(Ok(_)) => heard = Instant::now(),
            },
            signal = signals.recv() => match signal {
                Ok(Signal::Changed(topic)) => due = watch.cares(topic),
                Ok(Signal::Resync) | Err(RecvError::Lagged(_)) => due = Due::ALL,
                Err(RecvError::Closed) => break None,
            },
            _ = heartbeat.tick() => {
                if heard.elapsed() > SILENCE {
                    break None;
                }
                if watch.expired() {
                    break ended("Your session has expired.");
                }
                if session.ping(b"").await.is_err() {
                    break None;
                }
            }
        }
    };
    let _ = session.close(close).await;
    metrics::gauge!("live_sockets").decrement(1.0);
}

async fn refresh(parts: &Parts, watch: &Watch, due: Due) -> Result<Option<Update>, AppError> {
    let ask = watch.ask(due);
    let now = parts.clock.now();
    with_conn(&parts.pool, move |conn| views::read(conn, &ask, now)).await
}

impl Watch {
    /// What `topic` changing means for this socket.
    fn cares(&self, topic: Topic) -> Due {
        let subject = match (topic, self.subject()) {
            (Topic::Order(id), Some((Kind::Order, watched)))
            | (Topic::Invoice(id), Some((Kind::Invoice, watched)))
            | (Topic::Orders(id), Some((Kind::Orders(_), watched))) => id == watched,
            _ => false,
        };
        Due {
            bell: topic == Topic::Bell(self.user_id()),
            subject,
        }
    }
}

//! Larder's team: the queue of requests buyers escalated, oldest first, and deciding one
//! (a refund through the refunds path, upheld for the invoice to be corrected, or rejected)
//! with a note both sides read.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::answers::{self, Money};
use super::queries::{self, QueueFilter, Request, RequestLine};
use super::rules::{self, Decision};
use crate::config::Config;
use crate::db::DbPool;
use crate::ids::CreditRequestId;
use crate::payments::gateway::Gateway;
use crate::refunds::handlers::{Made, RefundForm, make};
use crate::tenancy::{AdminCtx, Scope};
use crate::web::forms::Form;
use crate::web::pagination::{PageRequest, Paged};
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    state: String,
    provider: String,
    min: String,
    older: String,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "credits/queue.html")]
struct QueuePage {
    meta: PageMeta,
    q: QueueQuery,
    rows: Paged<Request>,
    now: time::OffsetDateTime,
}

impl QueuePage {
    fn page_link(&self, page: i64) -> String {
        let query = serde_urlencoded::to_string([
            ("state", self.q.state.as_str()),
            ("provider", self.q.provider.as_str()),
            ("min", self.q.min.as_str()),
            ("older", self.q.older.as_str()),
            ("page", &page.to_string()),
        ])
        .unwrap_or_default();
        format!("/admin/disputes?{query}")
    }
    fn age(&self, r: &Request) -> String {
        match r.age_days(self.now) {
            0 => "today".into(),
            1 => "1 day".into(),
            n => format!("{n} days"),
        }
    }
}

pub async fn queue(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let filter = QueueFilter {
        state: q.state.clone(),
        provider: q.provider.chars().take(100).collect(),
        min_amount: crate::money::parse_gbp(&q.min).ok(),
        older_than_days: q
            .older
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=3650).contains(d)),
    };
    let req = PageRequest::from_query(q.page.as_deref());
    let now = admin.user.now;
    let rows = with_conn(&pool, move |conn| {
        Ok(queries::queue(conn, &filter, now, req)?)
    })
    .await?;
    render(&QueuePage {
        meta: admin.user.meta("Disputes"),
        q,
        rows: Paged::new(rows, req),
        now,
    })
}

#[derive(Template)]
#[template(path = "credits/decide.html")]
struct DecidePage {
    meta: PageMeta,
    r: Request,
    lines: Vec<RequestLine>,
    /// The order's invoice is paid: a refund is possible.
    paid: bool,
    typed: HashMap<String, String>,
    errors: HashMap<String, String>,
    thread: super::thread::ThreadView,
}

impl DecidePage {
    fn typed(&self, field: &str) -> String {
        self.typed.get(field).cloned().unwrap_or_default()
    }
    fn amount(&self) -> String {
        self.typed
            .get("amount")
            .cloned()
            .unwrap_or_else(|| crate::money::plain(self.r.amount))
    }
    fn chosen(&self, choice: &str) -> bool {
        match self.typed.get("decision") {
            Some(d) => d == choice,
            None => choice == if self.paid { "refund" } else { "uphold" },
        }
    }
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
    fn decided(&self) -> bool {
        self.r.state() == rules::Status::Resolved
    }
}

pub(super) async fn page(
    admin: &AdminCtx,
    pool: &web::Data<DbPool>,
    id: CreditRequestId,
    refused: Option<(HashMap<String, String>, HashMap<String, String>)>,
    refused_message: Option<super::thread_handlers::Refused>,
) -> Result<HttpResponse, AppError> {
    let (r, lines, paid, messages) = with_conn(pool, move |conn| {
        let r = queries::find(conn, Scope::Admin, id)?;
        if r.escalated_at.is_none() {
            // Between the buyer and the provider until the buyer asks Larder's team.
            return Err(AppError::NotFound);
        }
        let lines = queries::lines(conn, id)?;
        let paid = crate::invoicing::queries::for_order(conn, Scope::Admin, r.order_id.0)?
            .is_some_and(|i| i.status.was_paid());
        Ok((r, lines, paid, super::thread::messages(conn, id)?))
    })
    .await?;
    let (typed, errors, mut code) = match refused {
        Some((t, e)) => (t, e, StatusCode::UNPROCESSABLE_ENTITY),
        None => (HashMap::new(), HashMap::new(), StatusCode::OK),
    };
    let meta = admin
        .user
        .meta(format!("Dispute on order {}", r.order_number));
    let mut thread = super::thread::ThreadView::new(
        &meta.csrf,
        &r,
        messages,
        &format!("/admin/disputes/{id}"),
        true,
    );
    if let Some(f) = refused_message {
        thread = thread.refused(f.error, f.typed, f.key);
        code = StatusCode::UNPROCESSABLE_ENTITY;
    }
    render_with_status(
        code,
        &DecidePage {
            meta,
            r,
            lines,
            paid,
            typed,
            errors,
            thread,
        },
    )
}

pub async fn show(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
) -> Result<HttpResponse, AppError> {
    page(&admin, &pool, id.into_inner(), None, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    amount: String,
    note: String,
}

pub async fn resolve(
    admin: AdminCtx,
    config: web::Data<Config>,
    gateway: web::Data<Gateway>,
    pool: web::Data<DbPool>,
    id: web::Path<CreditRequestId>,
    Form(form): Form<DecideForm>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let typed = HashMap::from([
        ("decision".to_owned(), form.decision.clone()),
        ("amount".to_owned(), form.amount.clone()),
        ("note".to_owned(), form.note.clone()),
    ]);
    let refuse = |problems: Vec<(&'static str, String)>| {
        let errors = problems
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        (typed.clone(), errors)
    };
    let asked = with_conn(&pool, move |conn| {
        let r = queries::find(conn, Scope::Admin, id)?;
        r.escalated_at.map(|_| r.amount).ok_or(AppError::NotFound)
    })
    .await?;
    let (decision, note) = match rules::decision(&form.decision, &form.amount, &form.note, asked) {
        Ok(d) => d,
        Err(problems) => return page(&admin, &pool, id, Some(refuse(problems)), None).await,
    };
    let plan_decision = decision.clone();
    let (request, invoice) = with_conn(&pool, move |conn| {
        answers::resolve_plan(conn, id, &plan_decision)
    })
    .await?;
    let money = match (&decision, invoice) {
        (Decision::Refund(amount), Some(invoice)) => {
            let form = RefundForm::new(*amount, refund_reason(&request, &note), id.0);
            let made = make(
                (&pool, &gateway, &config),
                &admin.user,
                Scope::Admin,
                invoice,
                form,
            );
            if let Made::Refused(_, problems) = made.await? {
                let problems = problems.into_iter().map(|(_, m)| ("amount", m)).collect();
                return page(&admin, &pool, id, Some(refuse(problems)), None).await;
            }
            match crate::refunds::handlers::made(&pool, id.0).await? {
                Some(refund) => Money::Refunded(refund),
                None => return Ok(see_other(&format!("/admin/disputes/{id}"))),
            }
        }
        (Decision::Uphold(_), Some(invoice)) => Money::Credit {
            invoice,
            reason: refund_reason(&request, &note),
        },
        _ => Money::Nothing,
    };
    let (user, actor, now, base) = (
        admin.user.id,
        admin.user.actor.clone(),
        admin.user.now,
        config.base_url.clone(),
    );
    with_conn(&pool, move |conn| {
        answers::resolve(
            conn,
            id,
            (&decision, &note, &money),
            (user, &actor, now, &base),
        )
    })
    .await?;
    admin.user.session.flash(
        crate::web::session::FlashKind::Ok,
        "Decided. Both sides have been told.",
    );
    Ok(see_other(&format!("/admin/disputes/{id}")))
}

/// The credit note's reason: the order and the admin's note.
fn refund_reason(r: &Request, note: &str) -> String {
    format!(
        "Dispute on order {} decided by Larder: {note}",
        r.order_number
    )
    .chars()
    .take(crate::refunds::rules::MAX_REASON)
    .collect()
}

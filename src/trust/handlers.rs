//! Rating an order (buyers), replying (providers), and the provider's reliability page: the
//! score's parts now and the 90 days before, and the orders that cost it points.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use time::Duration;

use super::queries::{self, Hurt};
use super::ratings::{self, Rating};
use super::rules::{self, Trust};
use crate::db::DbPool;
use crate::ids::{OrderId, ProviderId};
use crate::tenancy::{BuyerCtx, Permission, ProviderCtx};
use crate::web::forms::Form;
use crate::web::session::FlashKind;
use crate::web::{AppError, PageMeta, render, render_with_status, see_other, with_conn};

#[derive(Template)]
#[template(path = "trust/rate.html")]
struct RatePage {
    meta: PageMeta,
    order: OrderId,
    number: String,
    rating: Option<Rating>,
    editable: bool,
    typed: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl RatePage {
    fn stars(&self) -> [i16; 5] {
        [5, 4, 3, 2, 1]
    }
    fn checked(&self, n: &i16) -> bool {
        match self.typed.get("stars") {
            Some(s) => s == &n.to_string(),
            None => self.rating.as_ref().is_some_and(|r| r.stars == *n),
        }
    }
    fn comment(&self) -> String {
        self.typed
            .get("comment")
            .cloned()
            .or_else(|| self.rating.as_ref().map(|r| r.comment.clone()))
            .unwrap_or_default()
    }
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateForm {
    stars: String,
    comment: String,
}

async fn rate_page(
    ctx: &BuyerCtx,
    pool: &web::Data<DbPool>,
    order: OrderId,
    refused: Option<(HashMap<String, String>, HashMap<String, String>)>,
) -> Result<HttpResponse, AppError> {
    let business = ctx.business_id;
    let (number, rating) = with_conn(pool, move |conn| {
        let number = ratings::rateable(conn, business, order)?;
        Ok((number, ratings::of_order(conn, business, order)?))
    })
    .await?;
    let editable = rating
        .as_ref()
        .is_none_or(|r| rules::may_edit_rating(r.created_at, ctx.user.now));
    let (typed, errors, code) = match refused {
        Some((t, e)) => (t, e, StatusCode::UNPROCESSABLE_ENTITY),
        None => (HashMap::new(), HashMap::new(), StatusCode::OK),
    };
    render_with_status(
        code,
        &RatePage {
            meta: ctx.user.meta(format!("Rate order {number}")),
            order,
            number,
            rating,
            editable,
            typed,
            errors,
        },
    )
}

pub async fn rate_form(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    rate_page(&ctx, &pool, id.into_inner(), None).await
}

pub async fn rate(
    ctx: BuyerCtx,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
    Form(form): Form<RateForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ReceiveDeliveries)?;
    let order = id.into_inner();
    let (stars, comment) = match rules::rating(&form.stars, &form.comment) {
        Ok(r) => r,
        Err(problems) => {
            let typed = HashMap::from([
                ("stars".to_owned(), form.stars),
                ("comment".to_owned(), form.comment),
            ]);
            let errors = problems
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            return rate_page(&ctx, &pool, order, Some((typed, errors))).await;
        }
    };
    let (business, user, actor, now) = (
        ctx.business_id,
        ctx.user.id,
        ctx.user.actor.clone(),
        ctx.user.now,
    );
    with_conn(&pool, move |conn| {
        ratings::rate(
            conn,
            business,
            order,
            (stars, &comment),
            (user, &actor, now),
        )
    })
    .await?;
    ctx.user.session.flash(
        FlashKind::Ok,
        "Thank you: your rating is on the provider's page.",
    );
    Ok(see_other(&format!("/orders/{order}/rating")))
}

#[derive(Template)]
#[template(path = "trust/reliability.html")]
struct ReliabilityPage {
    meta: PageMeta,
    now: Trust,
    before: Trust,
    hurt: Vec<Hurt>,
    ratings: Vec<Rating>,
    can_reply: bool,
}

impl ReliabilityPage {
    fn pct(&self, r: &Option<rust_decimal::Decimal>) -> String {
        r.map(|r| {
            format!(
                "{} %",
                (r * rust_decimal::Decimal::ONE_HUNDRED)
                    .round_dp(1)
                    .normalize()
            )
        })
        .unwrap_or_else(|| "–".into())
    }
    fn score(&self, t: &Trust) -> String {
        t.score.map_or_else(|| "New".into(), |s| s.to_string())
    }
    fn rating(&self, t: &Trust) -> String {
        t.rating.map_or_else(|| "–".into(), |r| format!("{r} ★"))
    }
    fn confirm(&self, t: &Trust) -> String {
        match t.confirm_minutes {
            None => "–".into(),
            Some(m) if m < 60 => format!("{m} min"),
            Some(m) => format!("{} h {} min", m / 60, m % 60),
        }
    }
    fn summary(&self) -> String {
        rules::summary(&self.now)
    }
}

pub async fn reliability(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewOrders)?;
    let (provider, now) = (ctx.provider_id, ctx.user.now);
    let (current, hurt, before, recent) = with_conn(&pool, move |conn| {
        let mean = queries::platform_mean(conn, now)?;
        let (facts, hurt) = queries::facts_and_hurt(conn, provider, now)?;
        let earlier = now - Duration::days(rules::WINDOW_DAYS);
        let before = rules::score(&queries::facts(conn, provider, earlier)?, mean);
        let recent = ratings::recent(conn, provider, 50)?;
        Ok((rules::score(&facts, mean), hurt, before, recent))
    })
    .await?;
    render(&ReliabilityPage {
        meta: ctx.user.meta("Reliability"),
        now: current,
        before,
        hurt,
        ratings: recent,
        can_reply: ctx.acting().may(Permission::AnswerCredits),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    reply: String,
}

pub async fn reply(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    id: web::Path<OrderId>,
    Form(form): Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::AnswerCredits)?;
    let text = rules::reply(&form.reply).map_err(AppError::BadRequest)?;
    let (provider, order) = (ctx.provider_id, id.into_inner());
    let (user, actor, now) = (ctx.user.id, ctx.user.actor.clone(), ctx.user.now);
    with_conn(&pool, move |conn| {
        ratings::reply(conn, provider, order, &text, (user, &actor, now))
    })
    .await?;
    ctx.user
        .session
        .flash(FlashKind::Ok, "Reply published on your provider page.");
    Ok(see_other("/provider/reliability"))
}

/// The stored score's one-line summary for a provider, for pages that show it.
pub fn summary_of(
    conn: &mut diesel::PgConnection,
    provider: ProviderId,
) -> Result<String, AppError> {
    Ok(queries::stored(conn, provider)?
        .map_or_else(|| "New on Larder".to_owned(), |t| rules::summary(&t)))
}

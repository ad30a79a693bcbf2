//! `/admin/analytics`: orders per week, repeat buyers, time to first order and the funnel,
//! for a chosen range of London days.

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chart::{self, Bar};
use super::queries;
use super::rules::{self, Step};
use crate::db::DbPool;
use crate::tenancy::AdminCtx;
use crate::web::{AppError, PageMeta, render, with_conn};

#[derive(Debug, Deserialize)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/analytics.html")]
struct AnalyticsPage {
    meta: PageMeta,
    from: String,
    to: String,
    problem: Option<String>,
    weekly: String,
    weeks: Vec<Bar>,
    orders: i64,
    repeat: (i64, i64),
    first_order: Option<i64>,
    measured: usize,
    funnel: Vec<Step>,
    funnel_chart: String,
    gmv_chart: String,
    fees_chart: String,
    money: super::money::Money,
    trial: Vec<super::money::TrialLine>,
    activity: queries::Activity,
}

impl AnalyticsPage {
    fn gbp(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        crate::money::format_gbp(*d.borrow())
    }
    /// Debits less credits over every account: zero when the journal balances.
    fn trial_net(&self) -> String {
        self.gbp(
            self.trial
                .iter()
                .map(|l| l.net())
                .sum::<rust_decimal::Decimal>(),
        )
    }

    fn repeat_text(&self) -> String {
        match rules::repeat_share(self.repeat.0, self.repeat.1) {
            Some(p) => format!("{p}% ({} of {} buyers)", self.repeat.1, self.repeat.0),
            None => "No orders in this range".to_owned(),
        }
    }
    fn active_text(&self) -> String {
        format!(
            "{} buyer(s), {} provider(s)",
            self.activity.buyers, self.activity.providers
        )
    }
    fn standing_text(&self) -> String {
        match rules::repeat_share(self.activity.orders, self.activity.standing) {
            Some(p) => format!(
                "{p}% ({} of {} orders)",
                self.activity.standing, self.activity.orders
            ),
            None => "No orders in this range".to_owned(),
        }
    }
    fn first_order_text(&self) -> String {
        self.first_order.map_or_else(
            || "No new business has ordered yet".to_owned(),
            rules::duration_text,
        )
    }
}

/// The range asked for (or the last twelve weeks, with why), and its UTC bounds.
type Range = (
    time::Date,
    time::Date,
    Option<String>,
    (time::OffsetDateTime, time::OffsetDateTime),
);

fn range_of(admin: &AdminCtx, query: &RangeQuery) -> Range {
    let today = crate::timefmt::to_london(admin.user.now).date();
    let (from, to, problem) = rules::range(query.from.as_deref(), query.to.as_deref(), today);
    let bounds = (
        crate::timefmt::london_midnight(from),
        crate::timefmt::london_midnight(to.next_day().unwrap_or(to)),
    );
    (from, to, problem, bounds)
}

pub async fn show(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<RangeQuery>,
) -> Result<HttpResponse, AppError> {
    let (from, to, problem, bounds) = range_of(&admin, &query);
    let (per_week, repeat, firsts, counts, (money, trial, activity, money_weeks)) =
        with_conn(&pool, move |conn| {
            Ok((
                queries::orders_per_week(conn, bounds)?,
                queries::repeat_buyers(conn, bounds)?,
                queries::time_to_first_order(conn, bounds)?,
                queries::funnel(conn, bounds)?,
                (
                    super::money::money(conn, bounds)?,
                    super::money::trial_balance(conn, bounds)?,
                    queries::activity(conn, bounds)?,
                    super::money::per_week(conn, bounds)?,
                ),
            ))
        })
        .await?;
    let weeks: Vec<Bar> = rules::weeks(from, to)
        .into_iter()
        .map(|monday| {
            let key = monday.to_string();
            Bar {
                label: format!("{} {}", monday.day(), &format!("{}", monday.month())[..3]),
                value: per_week
                    .iter()
                    .find(|(w, _)| *w == key)
                    .map_or(0, |(_, n)| *n),
            }
        })
        .collect();
    let funnel = rules::funnel(&[
        ("Signed up", counts[0]),
        ("Added a business", counts[1]),
        ("Filled a first cart", counts[2]),
        ("Placed a first order", counts[3]),
    ]);
    let funnel_bars: Vec<Bar> = funnel
        .iter()
        .map(|s| Bar {
            label: s.label.to_owned(),
            value: s.count,
        })
        .collect();
    // Whole pounds: the bars compare weeks; the exact sums are in the money panel above.
    let pounds = |pick: fn(
        &(String, rust_decimal::Decimal, rust_decimal::Decimal),
    ) -> rust_decimal::Decimal|
     -> Vec<Bar> {
        weeks
            .iter()
            .zip(rules::weeks(from, to))
            .map(|(bar, monday)| {
                let key = monday.to_string();
                let value = money_weeks
                    .iter()
                    .find(|w| w.0 == key)
                    .map(pick)
                    .unwrap_or_default()
                    .round();
                Bar {
                    label: bar.label.clone(),
                    value: rust_decimal::prelude::ToPrimitive::to_i64(&value).unwrap_or(0),
                }
            })
            .collect()
    };
    let gmv_chart = chart::bars(
        "gmv-weekly",
        "Invoiced per week, in pounds",
        &pounds(|w| w.1),
    );
    let fees_chart = chart::bars(
        "fees-weekly",
        "Fee revenue per week, in pounds",
        &pounds(|w| w.2),
    );
    let measured = firsts.len();
    render(&AnalyticsPage {
        meta: admin.user.meta("Analytics"),
        from: from.to_string(),
        to: to.to_string(),
        problem,
        weekly: chart::bars("weekly", "Orders per week", &weeks),
        orders: weeks.iter().map(|b| b.value).sum(),
        weeks,
        repeat,
        first_order: rules::median(firsts),
        measured,
        funnel_chart: chart::bars("funnel", "From sign-up to first order", &funnel_bars),
        funnel,
        gmv_chart,
        fees_chart,
        money,
        trial,
        activity,
    })
}

/// The journal's trial balance for the range, as CSV for the accountant.
pub async fn trial_balance_csv(
    admin: AdminCtx,
    pool: web::Data<DbPool>,
    query: web::Query<RangeQuery>,
) -> Result<HttpResponse, AppError> {
    let (from, to, problem, bounds) = range_of(&admin, &query);
    if let Some(why) = problem {
        return Err(AppError::BadRequest(why));
    }
    let lines = with_conn(&pool, move |conn| {
        Ok(super::money::trial_balance(conn, bounds)?)
    })
    .await?;
    let body =
        super::money::trial_balance_csv(&lines).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(crate::web::csv_download(
        &format!("larder-trial-balance-{from}-to-{to}.csv"),
        body,
    ))
}

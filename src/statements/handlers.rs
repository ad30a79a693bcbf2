//! The provider's monthly statement: a page and the same lines as CSV.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::queries::{self, Statement};
use super::rules::{StatementMonth, Summary};
use crate::catalog::rules::neutralise_formula;
use crate::db::DbPool;
use crate::money::format_gbp;
use crate::tenancy::{Permission, ProviderCtx};
use crate::timefmt::{date, to_london};
use crate::web::{AppError, PageMeta, render_with_status, with_conn};

#[derive(Debug, Deserialize, Default)]
pub struct StatementQuery {
    month: Option<String>,
}

#[derive(Template)]
#[template(path = "statements/statement.html")]
struct StatementPage {
    meta: PageMeta,
    month: StatementMonth,
    /// The month field as typed.
    typed: String,
    error: Option<&'static str>,
    statement: Option<(Statement, Summary)>,
}

impl StatementPage {
    fn money(&self, d: impl std::borrow::Borrow<rust_decimal::Decimal>) -> String {
        format_gbp(*d.borrow())
    }
    fn day(&self, d: impl std::borrow::Borrow<time::Date>) -> String {
        date(*d.borrow())
    }
}

/// The month asked for, else this London month; `Err` keeps what was typed.
fn month_of(query: &StatementQuery, now: time::OffsetDateTime) -> Result<StatementMonth, String> {
    match query
        .month
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => Ok(StatementMonth::of(to_london(now).date())),
        Some(typed) => StatementMonth::parse(typed).ok_or_else(|| typed.chars().take(20).collect()),
    }
}

fn summary(s: &Statement) -> Summary {
    Summary::of(
        s.invoices.iter().map(|i| (i.total, i.fee, i.fee_vat)),
        s.credits.iter().map(|c| c.total),
        s.payouts.iter().map(|p| (p.status == "paid", p.amount)),
    )
}

pub async fn page(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<StatementQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let now = ctx.user.now;
    let month = match month_of(&query, now) {
        Ok(month) => month,
        Err(typed) => {
            return render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &StatementPage {
                    meta: ctx.user.meta("Monthly statement"),
                    month: StatementMonth::of(to_london(now).date()),
                    typed,
                    error: Some("Choose a month, like 2026-11."),
                    statement: None,
                },
            );
        }
    };
    let provider = ctx.provider_id;
    let statement = with_conn(&pool, move |conn| {
        Ok(queries::statement(conn, provider, month)?)
    })
    .await?;
    let totals = summary(&statement);
    render_with_status(
        StatusCode::OK,
        &StatementPage {
            meta: ctx.user.meta(format!("Statement for {}", month.label())),
            month,
            typed: month.key(),
            error: None,
            statement: Some((statement, totals)),
        },
    )
}

pub async fn csv(
    ctx: ProviderCtx,
    pool: web::Data<DbPool>,
    query: web::Query<StatementQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require(Permission::ViewPayouts)?;
    let month = month_of(&query, ctx.user.now)
        .map_err(|_| AppError::BadRequest("Choose a month, like 2026-11.".into()))?;
    let provider = ctx.provider_id;
    let statement = with_conn(&pool, move |conn| {
        Ok(queries::statement(conn, provider, month)?)
    })
    .await?;
    let body = to_csv(&statement).map_err(|e| AppError::Unexpected(e.into()))?;
    Ok(crate::web::csv_download(
        &format!("larder-statement-{}.csv", month.key()),
        body,
    ))
}

/// One row per invoice, credit note and payout, money as plain decimals (credits negative),
/// text cells defused so a spreadsheet never runs them.
fn to_csv(s: &Statement) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "date",
        "type",
        "number",
        "reference",
        "gross",
        "fee",
        "fee_vat",
        "net",
        "status",
    ])?;
    let text = |t: &str| neutralise_formula(t).into_owned();
    for i in &s.invoices {
        out.write_record([
            i.issue_date.map(|d| d.to_string()).unwrap_or_default(),
            "invoice".into(),
            text(i.number.as_deref().unwrap_or("")),
            text(i.buyer.as_deref().unwrap_or("")),
            i.total.to_string(),
            i.fee.to_string(),
            i.fee_vat.to_string(),
            i.net().to_string(),
            i.status.as_str().to_owned(),
        ])?;
    }
    for c in &s.credits {
        out.write_record([
            c.issue_date.to_string(),
            "credit_note".into(),
            text(&c.number),
            text(c.invoice_number.as_deref().unwrap_or("")),
            (-c.total).to_string(),
            String::new(),
            String::new(),
            (-c.total).to_string(),
            String::new(),
        ])?;
    }
    for p in &s.payouts {
        out.write_record([
            p.arrival_date.to_string(),
            "payout".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            p.amount.to_string(),
            text(&p.status),
        ])?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

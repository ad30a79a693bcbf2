//! Receipts and credit requests in SQL, each read scoped to the asker's organisation.

use std::collections::HashMap;

use diesel::prelude::*;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use super::rules::{self, Claim, LineFacts, Status};
use crate::audit::{Actor, Entry};
use crate::db::schema::{
    businesses, credit_request_lines, credit_requests, deliveries, order_lines,
    order_receipt_lines, order_receipts, orders, products, providers,
};
use crate::ids::{BusinessId, CreditRequestId, OrderId, ProviderId, UserId};
use crate::orders::rules::OrderStatus;
use crate::tenancy::Scope;
use crate::web::AppError;
use crate::web::pagination::PageRequest;

/// A delivered order's line, with what the buyer counted in and has claimed so far.
#[derive(Debug, Clone)]
pub struct ReceivingLine {
    pub id: Uuid,
    pub product_name: String,
    pub unit: String,
    pub pack_size: String,
    pub unit_price: Decimal,
    pub vat_rate: Decimal,
    pub delivered: Decimal,
    pub fractional: bool,
    pub category: Option<String>,
    /// What the buyer counted in, if they checked the delivery in.
    pub received: Option<Decimal>,
    pub damaged: bool,
    pub note: String,
    /// Already asked for on earlier requests (any answer).
    pub claimed: Decimal,
}

impl ReceivingLine {
    pub fn facts(&self) -> LineFacts {
        LineFacts {
            unit_price: self.unit_price,
            vat_rate: self.vat_rate,
            delivered: self.delivered,
            claimed: self.claimed,
            fractional: self.fractional,
        }
    }

    pub fn delivered_text(&self) -> String {
        self.delivered.normalize().to_string()
    }

    pub fn received_text(&self) -> String {
        self.received
            .unwrap_or(self.delivered)
            .normalize()
            .to_string()
    }

    pub fn price_text(&self) -> String {
        crate::money::format_gbp(self.unit_price)
    }

    /// What the check-in suggests claiming on this line, if anything.
    pub fn suggested(&self) -> Option<(rules::Reason, Decimal)> {
        let received = self.received?;
        rules::suggested(self.delivered, received, self.damaged)
            .map(|(r, q)| (r, q.min(self.delivered - self.claimed)))
            .filter(|(_, q)| *q > Decimal::ZERO)
    }
}

/// A delivered order as receiving and claiming need it.
#[derive(Debug, Clone)]
pub struct Receiving {
    pub order: OrderId,
    pub number: String,
    pub provider_name: String,
    pub delivered_at: OffsetDateTime,
    pub checked_at: Option<OffsetDateTime>,
    pub note: String,
    pub lines: Vec<ReceivingLine>,
    /// A request still waiting on this order (one at a time).
    pub open_request: Option<CreditRequestId>,
}

/// The business's delivered order with its lines; a conflict if it isn't delivered yet.
pub fn receiving(
    conn: &mut PgConnection,
    business: BusinessId,
    order: OrderId,
) -> Result<Receiving, AppError> {
    let (number, status, provider_name): (String, OrderStatus, String) = orders::table
        .inner_join(providers::table)
        .filter(orders::id.eq(order.0))
        .filter(orders::business_id.eq(business.0))
        .select((orders::number, orders::status, providers::name))
        .first(conn)?;
    if status != OrderStatus::Delivered {
        return Err(AppError::conflict(
            "This order hasn't been delivered yet: check it in once it arrives.",
        ));
    }
    let delivered_at: Option<OffsetDateTime> = deliveries::table
        .filter(deliveries::order_id.eq(order.0))
        .filter(deliveries::delivered_at.is_not_null())
        .select(deliveries::delivered_at)
        .order(deliveries::delivered_at.desc())
        .first::<Option<OffsetDateTime>>(conn)
        .optional()?
        .flatten();
    let delivered_at = delivered_at
        .ok_or_else(|| AppError::conflict("This order has no delivery recorded yet."))?;
    let receipt: Option<(OffsetDateTime, String)> = order_receipts::table
        .find(order.0)
        .select((order_receipts::checked_at, order_receipts::note))
        .first(conn)
        .optional()?;
    type Row = (
        (Uuid, String, String, String, Decimal, Decimal),
        (Decimal, Option<Decimal>, bool),
        Option<String>,
        Option<(Decimal, bool, String)>,
    );
    let rows: Vec<Row> = order_lines::table
        .left_join(products::table)
        .left_join(order_receipt_lines::table)
        .filter(order_lines::order_id.eq(order.0))
        .order(order_lines::position)
        .select((
            (
                order_lines::id,
                order_lines::product_name,
                order_lines::unit,
                order_lines::pack_size,
                order_lines::unit_price,
                order_lines::vat_rate,
            ),
            (
                order_lines::quantity,
                order_lines::confirmed_quantity,
                order_lines::fractional,
            ),
            products::category.nullable(),
            (
                order_receipt_lines::received_quantity,
                order_receipt_lines::damaged,
                order_receipt_lines::note,
            )
                .nullable(),
        ))
        .load(conn)?;
    let claimed = claimed(conn, order)?;
    let lines = rows
        .into_iter()
        .map(
            |(
                (id, product_name, unit, pack_size, unit_price, vat_rate),
                (q, confirmed, fractional),
                category,
                receipt,
            )| {
                let (received, damaged, note) = match receipt {
                    Some((r, d, n)) => (Some(r), d, n),
                    None => (None, false, String::new()),
                };
                ReceivingLine {
                    id,
                    product_name,
                    unit,
                    pack_size,
                    unit_price,
                    vat_rate,
                    delivered: confirmed.unwrap_or(q),
                    fractional,
                    category,
                    received,
                    damaged,
                    note,
                    claimed: claimed.get(&id).copied().unwrap_or_default(),
                }
            },
        )
        .collect();
    let (checked_at, note) = match receipt {
        Some((at, note)) => (Some(at), note),
        None => (None, String::new()),
    };
    let open_request = credit_requests::table
        .filter(credit_requests::order_id.eq(order.0))
        .filter(credit_requests::status.eq_any(["open", "escalated"]))
        .select(credit_requests::id)
        .first::<Uuid>(conn)
        .optional()?
        .map(CreditRequestId);
    Ok(Receiving {
        order,
        number,
        provider_name,
        delivered_at,
        checked_at,
        note,
        lines,
        open_request,
    })
}

/// Quantity already claimed per order line, on requests of any state.
fn claimed(conn: &mut PgConnection, order: OrderId) -> QueryResult<HashMap<Uuid, Decimal>> {
    let rows: Vec<(Uuid, Decimal)> = credit_request_lines::table
        .inner_join(credit_requests::table)
        .filter(credit_requests::order_id.eq(order.0))
        .select((
            credit_request_lines::order_line_id,
            credit_request_lines::quantity,
        ))
        .load(conn)?;
    let mut sums: HashMap<Uuid, Decimal> = HashMap::new();
    for (line, q) in rows {
        *sums.entry(line).or_default() += q;
    }
    Ok(sums)
}

/// One line of a check-in.
#[derive(Debug, Clone)]
pub struct Counted {
    pub line: Uuid,
    pub received: Decimal,
    pub damaged: bool,
    pub note: String,
}

/// Saves (or replaces) the check-in of a delivered order of the business.
pub fn save_receipt(
    conn: &mut PgConnection,
    business: BusinessId,
    order: OrderId,
    (counted, note): (&[Counted], &str),
    (user, actor, at): (UserId, &Actor, OffsetDateTime),
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let provider: Uuid = orders::table
            .filter(orders::id.eq(order.0))
            .filter(orders::business_id.eq(business.0))
            .filter(orders::status.eq(OrderStatus::Delivered))
            .select(orders::provider_id)
            .for_update()
            .first(conn)?;
        diesel::insert_into(order_receipts::table)
            .values((
                order_receipts::order_id.eq(order.0),
                order_receipts::checked_by.eq(Some(user.0)),
                order_receipts::checked_at.eq(at),
                order_receipts::note.eq(note),
            ))
            .on_conflict(order_receipts::order_id)
            .do_update()
            .set((
                order_receipts::checked_by.eq(Some(user.0)),
                order_receipts::checked_at.eq(at),
                order_receipts::note.eq(note),
            ))
            .execute(conn)?;
        for c in counted {
            diesel::insert_into(order_receipt_lines::table)
                .values((
                    order_receipt_lines::order_line_id.eq(c.line),
                    order_receipt_lines::order_id.eq(order.0),
                    order_receipt_lines::received_quantity.eq(c.received),
                    order_receipt_lines::damaged.eq(c.damaged),
                    order_receipt_lines::note.eq(&c.note),
                ))
                .on_conflict(order_receipt_lines::order_line_id)
                .do_update()
                .set((
                    order_receipt_lines::received_quantity.eq(c.received),
                    order_receipt_lines::damaged.eq(c.damaged),
                    order_receipt_lines::note.eq(&c.note),
                ))
                .execute(conn)?;
        }
        let entry = Entry::new("order.checked_in", "order", Some(order.0))
            .org(Some(business.0), Some(provider));
        crate::audit::record(conn, actor, entry)?;
        Ok(())
    })
}

pub const ONE_AT_A_TIME: &str =
    "There is already a credit request waiting on this order: follow it up there instead.";

/// What raising a request came to.
#[derive(Debug)]
pub enum Raised {
    Created(CreditRequestId),
    /// This form was sent before: the request it made.
    Replayed(CreditRequestId),
    /// Lines the form can't take (by order line id), re-checked under the order's lock.
    Refused(HashMap<Uuid, String>),
}

/// Raises a request for `claims` (order line id → checked claim) on the business's
/// delivered order. The lines are checked again under the order's lock against what was
/// claimed meanwhile and against each line's window at `now`.
pub fn raise(
    conn: &mut PgConnection,
    business: BusinessId,
    order: OrderId,
    claims: &[(Uuid, Claim)],
    (key, user, actor, now): (Uuid, UserId, &Actor, OffsetDateTime),
    base_url: &str,
) -> Result<Raised, AppError> {
    conn.transaction(|conn| {
        let provider: Uuid = orders::table
            .filter(orders::id.eq(order.0))
            .filter(orders::business_id.eq(business.0))
            .select(orders::provider_id)
            .for_update()
            .first(conn)?;
        if let Some(id) = by_key(conn, business, key)? {
            return Ok(Raised::Replayed(id));
        }
        let facts = receiving(conn, business, order)?;
        if facts.open_request.is_some() {
            return Err(AppError::conflict(ONE_AT_A_TIME));
        }
        let mut problems = HashMap::new();
        for (line, claim) in claims {
            let Some(l) = facts.lines.iter().find(|l| l.id == *line) else {
                return Err(AppError::NotFound);
            };
            if !rules::claimable(facts.delivered_at, l.category.as_deref(), now) {
                problems.insert(
                    *line,
                    format!(
                        "Too late: {} could be claimed until {}.",
                        l.product_name,
                        crate::timefmt::datetime(rules::claim_until(
                            facts.delivered_at,
                            l.category.as_deref()
                        ))
                    ),
                );
            } else if claim.quantity > l.delivered - l.claimed {
                problems.insert(
                    *line,
                    "Part of this line was claimed meanwhile: reload the page.".into(),
                );
            }
        }
        if !problems.is_empty() {
            return Ok(Raised::Refused(problems));
        }
        let amount: Decimal = claims.iter().map(|(_, c)| c.amount).sum();
        let id: Uuid = diesel::insert_into(credit_requests::table)
            .values((
                credit_requests::order_id.eq(order.0),
                credit_requests::business_id.eq(business.0),
                credit_requests::provider_id.eq(provider),
                credit_requests::amount.eq(amount),
                credit_requests::raised_by.eq(Some(user.0)),
                credit_requests::idempotency_key.eq(key),
                credit_requests::created_at.eq(now),
            ))
            .returning(credit_requests::id)
            .get_result(conn)?;
        for (line, claim) in claims {
            diesel::insert_into(credit_request_lines::table)
                .values((
                    credit_request_lines::request_id.eq(id),
                    credit_request_lines::order_line_id.eq(line),
                    credit_request_lines::reason.eq(claim.reason.as_str()),
                    credit_request_lines::quantity.eq(claim.quantity),
                    credit_request_lines::note.eq(&claim.note),
                    credit_request_lines::amount.eq(claim.amount),
                ))
                .execute(conn)?;
        }
        audit(
            conn,
            actor,
            id,
            (business.0, provider),
            "credit_request.raised",
            amount,
        )?;
        let id = CreditRequestId(id);
        let request = find(conn, Scope::System, id)?;
        super::notify::send(conn, &request, super::notify::Event::Raised, base_url)?;
        Ok(Raised::Created(id))
    })
}

/// The request a form with `key` raised, if it was sent before.
pub fn by_key(
    conn: &mut PgConnection,
    business: BusinessId,
    key: Uuid,
) -> QueryResult<Option<CreditRequestId>> {
    credit_requests::table
        .filter(credit_requests::idempotency_key.eq(key))
        .filter(credit_requests::business_id.eq(business.0))
        .select(credit_requests::id)
        .first::<Uuid>(conn)
        .optional()
        .map(|id| id.map(CreditRequestId))
}

pub(super) fn audit(
    conn: &mut PgConnection,
    actor: &Actor,
    request: Uuid,
    (business, provider): (Uuid, Uuid),
    action: &'static str,
    amount: Decimal,
) -> Result<(), AppError> {
    let entry = Entry::new(action, "credit_request", Some(request))
        .org(Some(business), Some(provider))
        .change(
            None,
            Some(serde_json::json!({ "amount": amount.to_string() })),
        );
    Ok(crate::audit::record(conn, actor, entry)?)
}

/// A credit request as its pages show it.
#[derive(Debug, Clone, Queryable)]
pub struct Request {
    pub id: CreditRequestId,
    pub order_id: OrderId,
    pub order_number: String,
    pub business_id: BusinessId,
    pub provider_id: ProviderId,
    pub business_name: String,
    pub provider_name: String,
    pub status: String,
    pub amount: Decimal,
    pub accepted_amount: Option<Decimal>,
    pub decline_reason: Option<String>,
    pub refund_id: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub answered_at: Option<OffsetDateTime>,
    pub escalated_at: Option<OffsetDateTime>,
    pub resolution: Option<String>,
    pub resolution_note: Option<String>,
    pub resolved_amount: Option<Decimal>,
    pub resolved_at: Option<OffsetDateTime>,
    pub credit_note_id: Option<Uuid>,
}

impl Request {
    pub fn state(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Open)
    }
    pub fn status_label(&self) -> &'static str {
        self.state().label()
    }
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
    pub fn accepted_text(&self) -> String {
        crate::money::format_gbp(self.accepted_amount.unwrap_or_default())
    }
    pub fn raised_text(&self) -> String {
        crate::timefmt::datetime(self.created_at)
    }
    pub fn is_open(&self) -> bool {
        self.state() == Status::Open
    }
    /// The admin's decision, as both sides read it.
    pub fn decision_text(&self) -> Option<String> {
        let note = self.resolution_note.as_deref()?;
        let amount = crate::money::format_gbp(self.resolved_amount.unwrap_or_default());
        Some(match self.resolution.as_deref() {
            Some("refunded") => format!("Larder's team refunded {amount}: {note}"),
            Some("upheld") if self.credit_note_id.is_some() => {
                format!("Larder's team upheld {amount}, credited on the invoice: {note}")
            }
            Some("upheld") => {
                format!("Larder's team upheld {amount}, to come off the invoice: {note}")
            }
            _ => format!("Larder's team rejected the request: {note}"),
        })
    }
    /// Days since the buyer raised it, at `now`.
    pub fn age_days(&self, now: OffsetDateTime) -> i64 {
        (now - self.created_at).whole_days()
    }
}

macro_rules! request_columns {
    () => {
        (
            credit_requests::id,
            credit_requests::order_id,
            orders::number,
            credit_requests::business_id,
            credit_requests::provider_id,
            businesses::name,
            providers::name,
            credit_requests::status,
            credit_requests::amount,
            credit_requests::accepted_amount,
            credit_requests::decline_reason,
            credit_requests::refund_id,
            credit_requests::created_at,
            credit_requests::answered_at,
            credit_requests::escalated_at,
            credit_requests::resolution,
            credit_requests::resolution_note,
            credit_requests::resolved_amount,
            credit_requests::resolved_at,
            credit_requests::credit_note_id,
        )
    };
}

/// The request, if the asker's organisation is a party to it (admins see all).
pub fn find(
    conn: &mut PgConnection,
    scope: Scope,
    id: CreditRequestId,
) -> Result<Request, AppError> {
    let q = credit_requests::table
        .inner_join(orders::table)
        .inner_join(businesses::table)
        .inner_join(providers::table)
        .filter(credit_requests::id.eq(id.0))
        .select(request_columns!())
        .into_boxed();
    let q = match scope {
        Scope::Buyer(b) => q.filter(credit_requests::business_id.eq(b.0)),
        Scope::Provider(p) => q.filter(credit_requests::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => q,
    };
    Ok(q.first(conn)?)
}

/// The organisation's requests: waiting ones first, then newest.
pub fn list(conn: &mut PgConnection, scope: Scope, page: PageRequest) -> QueryResult<Vec<Request>> {
    let q = credit_requests::table
        .inner_join(orders::table)
        .inner_join(businesses::table)
        .inner_join(providers::table)
        .select(request_columns!())
        .into_boxed();
    let q = match scope {
        Scope::Buyer(b) => q.filter(credit_requests::business_id.eq(b.0)),
        Scope::Provider(p) => q.filter(credit_requests::provider_id.eq(p.0)),
        Scope::Admin | Scope::System => q,
    };
    q.order((
        diesel::dsl::sql::<diesel::sql_types::Bool>(
            "credit_requests.status NOT IN ('open', 'escalated')",
        ),
        credit_requests::created_at.desc(),
        credit_requests::id.desc(),
    ))
    .limit(page.fetch_limit())
    .offset(page.offset())
    .load(conn)
}

/// A claimed line as the request page shows it.
#[derive(Debug, Clone, Queryable)]
pub struct RequestLine {
    pub id: i64,
    pub order_line_id: Uuid,
    pub product_name: String,
    pub unit: String,
    pub reason: String,
    pub quantity: Decimal,
    pub note: String,
    pub amount: Decimal,
    pub accepted: Option<bool>,
}

impl RequestLine {
    pub fn reason_label(&self) -> &'static str {
        rules::Reason::parse(&self.reason).map_or("Other", |r| r.label())
    }
    pub fn quantity_text(&self) -> String {
        self.quantity.normalize().to_string()
    }
    pub fn amount_text(&self) -> String {
        crate::money::format_gbp(self.amount)
    }
}

pub fn lines(conn: &mut PgConnection, id: CreditRequestId) -> QueryResult<Vec<RequestLine>> {
    credit_request_lines::table
        .inner_join(order_lines::table)
        .filter(credit_request_lines::request_id.eq(id.0))
        .order(order_lines::position)
        .select((
            credit_request_lines::id,
            credit_request_lines::order_line_id,
            order_lines::product_name,
            order_lines::unit,
            credit_request_lines::reason,
            credit_request_lines::quantity,
            credit_request_lines::note,
            credit_request_lines::amount,
            credit_request_lines::accepted,
        ))
        .load(conn)
}

/// The admin queue's filters.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// "escalated" (the default), "resolved" or "all".
    pub state: String,
    /// Part of the provider's name.
    pub provider: String,
    pub min_amount: Option<Decimal>,
    /// Raised at least this many days ago.
    pub older_than_days: Option<i64>,
}

/// Requests for Larder's team, oldest first.
pub fn queue(
    conn: &mut PgConnection,
    f: &QueueFilter,
    now: OffsetDateTime,
    page: PageRequest,
) -> QueryResult<Vec<Request>> {
    let mut q = credit_requests::table
        .inner_join(orders::table)
        .inner_join(businesses::table)
        .inner_join(providers::table)
        .select(request_columns!())
        .into_boxed();
    q = match f.state.as_str() {
        "resolved" => q.filter(credit_requests::status.eq("resolved")),
        "all" => q.filter(credit_requests::escalated_at.is_not_null()),
        _ => q.filter(credit_requests::status.eq("escalated")),
    };
    if !f.provider.trim().is_empty() {
        let pattern = crate::admin::queries::contains_pattern(f.provider.trim());
        q = q.filter(providers::name.ilike(pattern));
    }
    if let Some(min) = f.min_amount {
        q = q.filter(credit_requests::amount.ge(min));
    }
    if let Some(days) = f.older_than_days {
        q = q.filter(credit_requests::created_at.le(now - time::Duration::days(days)));
    }
    q.order((credit_requests::created_at.asc(), credit_requests::id.asc()))
        .limit(page.fetch_limit())
        .offset(page.offset())
        .load(conn)
}

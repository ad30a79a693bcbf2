//! The worker's sweep: every live standing order's due occurrences are placed exactly once,
//! through the same submit as a person's checkout, at that day's prices.

use std::collections::HashMap;

use askama::Template;
use diesel::prelude::*;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use super::queries::{self, StandingOrder};
use crate::availability::rules::{self as avail, Closure, Zone};
use crate::checkout::submit::{self, Basket, Submission, SubmitOutcome};
use crate::db::schema::{locations, providers, users};
use crate::ids::{BusinessId, LocationId, ProviderId, UserId};
use crate::web::AppError;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub placed: usize,
    pub closed: usize,
    pub refused: usize,
    /// Errors (logged); their occurrences stay open for the next sweep.
    pub failed: usize,
}

/// Places every occurrence due at `now` (from `before` ahead of its cut-off until the
/// cut-off). Each occurrence is its own transaction, so one refusal never holds up others.
pub fn place_due(
    conn: &mut PgConnection,
    now: OffsetDateTime,
    before: Duration,
    base_url: &str,
) -> Result<Tally, AppError> {
    let live = queries::live(conn)?;
    let mut provider_ids: Vec<Uuid> = live.iter().map(|s| s.provider_id).collect();
    provider_ids.dedup();
    let today = crate::timefmt::to_london(now).date();
    let mut zones: HashMap<Uuid, Vec<Zone>> = HashMap::new();
    for (p, z) in crate::availability::queries::zones_of(conn, &provider_ids)? {
        zones.entry(p).or_default().push(z);
    }
    let mut closures: HashMap<Uuid, Vec<Closure>> = HashMap::new();
    for (p, c) in crate::availability::queries::closures_of(conn, &provider_ids, today)? {
        closures.entry(p).or_default().push(c);
    }
    let location_ids: Vec<Uuid> = live.iter().map(|s| s.location_id).collect();
    let outcodes: HashMap<Uuid, String> = locations::table
        .filter(locations::id.eq_any(&location_ids))
        // A removed address gets nothing; the standing order's page says so.
        .filter(locations::archived_at.is_null())
        .select((locations::id, locations::outcode))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .collect();
    let mut tally = Tally::default();
    for so in &live {
        let (Some(outcode), Some(zones)) =
            (outcodes.get(&so.location_id), zones.get(&so.provider_id))
        else {
            continue;
        };
        // Without a zone covering the address there is no cut-off to place against; the
        // standing order's page says the provider no longer delivers there.
        let Some(zone) = avail::zone_for(zones, outcode) else {
            continue;
        };
        let shut = closures.get(&so.provider_id).map_or(&[][..], Vec::as_slice);
        for date in super::rules::due(&so.schedule(), zone, now, before) {
            // One failure (rolled back, so the next sweep tries again) must not stop the rest.
            match place_one(conn, so, date, zone, shut, now, base_url) {
                Ok(Some(Outcome::Placed)) => tally.placed += 1,
                Ok(Some(Outcome::Closed)) => tally.closed += 1,
                Ok(Some(Outcome::Refused)) => tally.refused += 1,
                Ok(None) => {}
                Err(e) => {
                    tally.failed += 1;
                    tracing::error!(error = %e, standing_order = %so.id, %date, "placing a standing order failed");
                }
            }
        }
    }
    Ok(tally)
}

enum Outcome {
    Placed,
    Closed,
    Refused,
}

fn place_one(
    conn: &mut PgConnection,
    so: &StandingOrder,
    date: Date,
    zone: &Zone,
    closures: &[Closure],
    now: OffsetDateTime,
    base_url: &str,
) -> Result<Option<Outcome>, AppError> {
    conn.transaction(|conn| {
        // The unique occurrence row is the lock: a second worker waits here, then finds it
        // decided. It reads "refused" until settled below, in this same transaction.
        let Some(key) = queries::claim(conn, so.id, date, "refused", "")? else {
            return Ok(None);
        };
        if let Some(c) = avail::closure_on(closures, date) {
            let what = format!("skipped. {}", avail::closed_text(c));
            queries::settle(conn, so.id, date, "closed", None, &what)?;
            notify(conn, so, date, &what, base_url)?;
            return Ok(Some(Outcome::Closed));
        }
        let on = crate::timefmt::to_london(now).date();
        let all = queries::lines(conn, BusinessId(so.business_id), so.id, on)?;
        let (kept, dropped): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|l| l.available() && (l.fractional || l.quantity.fract().is_zero()));
        let dropped: Vec<String> = dropped.iter().map(|l| l.label()).collect();
        if kept.is_empty() {
            let what = format!(
                "not placed: nothing on it can be ordered now ({}).",
                if dropped.is_empty() {
                    "it has no items".to_owned()
                } else {
                    dropped.join(", ")
                }
            );
            queries::settle(conn, so.id, date, "refused", None, &what)?;
            notify(conn, so, date, &what, base_url)?;
            return Ok(Some(Outcome::Refused));
        }
        let window = zone
            .windows
            .iter()
            .filter(|w| w.weekday == i16::from(date.weekday().number_from_monday()))
            .min_by_key(|w| (Some(w.starts) != so.window_start, w.starts))
            .map(|w| w.id);
        let submission = Submission {
            provider: ProviderId(so.provider_id),
            location: LocationId(so.location_id),
            date,
            window,
            notes: so.notes.clone(),
            key,
            placed_by: UserId(so.created_by),
            actor: crate::audit::Actor::system(),
            at: now,
            basket: Basket::Standing {
                id: so.id,
                lines: kept,
            },
        };
        let outcome = submit::submit(conn, BusinessId(so.business_id), &submission, base_url)?;
        let (result, what) = match outcome {
            SubmitOutcome::Placed(id)
            | SubmitOutcome::AwaitingApproval(id, _)
            | SubmitOutcome::Replayed(id) => {
                let what = if dropped.is_empty() {
                    "placed.".to_owned()
                } else {
                    format!(
                        "placed without what can't be ordered now: {}.",
                        dropped.join(", ")
                    )
                };
                queries::settle(conn, so.id, date, "placed", Some(id), &what)?;
                let about = crate::analytics::About {
                    user: Some(so.created_by),
                    business: Some(so.business_id),
                    provider: Some(so.provider_id),
                    subject: Some(id),
                };
                crate::analytics::record(conn, crate::analytics::Kind::StandingOrderPlaced, about)?;
                (Outcome::Placed, (!dropped.is_empty()).then_some(what))
            }
            SubmitOutcome::Refused(problems) => {
                let what = format!("not placed. {}", problems.join(" "));
                queries::settle(conn, so.id, date, "refused", None, &what)?;
                (Outcome::Refused, Some(what))
            }
        };
        // A placed order emails the buyer itself; only news beyond that is sent here.
        if let Some(what) = what {
            notify(conn, so, date, &what, base_url)?;
        }
        Ok(Some(result))
    })
}

#[derive(Template)]
#[template(path = "emails/standing_notice.txt")]
struct NoticeText<'a> {
    name: &'a str,
    provider: &'a str,
    date: &'a str,
    what: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/standing_notice.html")]
struct NoticeHtml<'a> {
    name: &'a str,
    provider: &'a str,
    date: &'a str,
    what: &'a str,
    link: &'a str,
}

fn notify(
    conn: &mut PgConnection,
    so: &StandingOrder,
    date: Date,
    what: &str,
    base_url: &str,
) -> Result<(), AppError> {
    let (email, name): (String, String) = users::table
        .find(so.created_by)
        .select((users::email, users::name))
        .first(conn)?;
    let provider: String = providers::table
        .find(so.provider_id)
        .select(providers::name)
        .first(conn)?;
    let link = format!("{base_url}/standing-orders/{}", so.id);
    let day = format!("{} {}", date.weekday(), crate::timefmt::date(date));
    let fields = (
        name.as_str(),
        provider.as_str(),
        day.as_str(),
        what,
        link.as_str(),
    );
    let message = crate::email::OutgoingEmail {
        to: email,
        subject: format!("Standing order from {provider} for {day}"),
        text: NoticeText {
            name: fields.0,
            provider: fields.1,
            date: fields.2,
            what: fields.3,
            link: fields.4,
        }
        .render()?,
        html: NoticeHtml {
            name: fields.0,
            provider: fields.1,
            date: fields.2,
            what: fields.3,
            link: fields.4,
        }
        .render()?,
    };
    crate::email::queue(conn, &message, &format!("standing:{}:{date}", so.id))
}

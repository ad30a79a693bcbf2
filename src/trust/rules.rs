//! The trust score as pure functions: objective, explained parts over the last 90 days,
//! and a rating pulled toward the platform's mean when there are few of them.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::{Date, OffsetDateTime, Time};

/// How far back the score looks.
pub const WINDOW_DAYS: i64 = 90;
/// Below this many delivered orders a provider is "new", not scored.
pub const MIN_ORDERS: u32 = 5;
/// How many ratings' worth of the platform mean a provider's own ratings are blended with.
pub const PRIOR_RATINGS: u32 = 5;
/// The mean used when the platform has no ratings yet.
pub const DEFAULT_MEAN: Decimal = Decimal::from_parts(40, 0, 0, false, 1);

/// One delivered order, as the on-time rule reads it.
#[derive(Debug, Clone, Copy)]
pub struct Delivered {
    pub requested: Date,
    pub window: Option<(Time, Time)>,
    pub delivered_at: OffsetDateTime,
}

/// Delivered on the requested London day, and (when a window was promised) by its end.
pub fn on_time(d: &Delivered) -> bool {
    let local = crate::timefmt::to_london(d.delivered_at);
    local.date() == d.requested && d.window.is_none_or(|(_, end)| local.time() <= end)
}

/// What the score is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub orders: u32,
    pub on_time: u32,
    /// Value ordered and value delivered (at the order's prices), so kilos and cases add up.
    pub ordered_value: Decimal,
    pub delivered_value: Decimal,
    /// Credit requests accepted or decided for the buyer.
    pub upheld: u32,
    /// Minutes from order to confirmation, one per confirmed order.
    pub confirm_minutes: Vec<i64>,
    pub ratings: u32,
    pub stars_total: u32,
}

/// A provider's score and its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Trust {
    pub orders: u32,
    pub on_time: Option<Decimal>,
    pub fill: Option<Decimal>,
    pub upheld: Option<Decimal>,
    pub confirm_minutes: Option<i64>,
    pub ratings: u32,
    pub rating: Option<Decimal>,
    /// 0–100, or `None` while the provider is new.
    pub score: Option<u8>,
}

fn ratio(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (!whole.is_zero()).then(|| (part / whole).min(Decimal::ONE).round_dp(4))
}

pub fn median(values: &[i64]) -> Option<i64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2),
    }
}

/// The provider's ratings blended with `PRIOR_RATINGS` ratings at the platform mean.
pub fn smoothed_rating(ratings: u32, stars_total: u32, platform_mean: Decimal) -> Decimal {
    let prior = Decimal::from(PRIOR_RATINGS);
    ((prior * platform_mean + Decimal::from(stars_total)) / (prior + Decimal::from(ratings)))
        .round_dp(2)
}

/// Confirming within the hour is full marks, falling to none at a day.
fn confirm_part(minutes: i64) -> Decimal {
    let m = Decimal::from(minutes.clamp(60, 1440) - 60);
    Decimal::ONE - m / Decimal::from(1380)
}

/// The score: on time 30 %, filled 25 %, rating 20 %, disputes 15 % (each upheld dispute per
/// ten orders costs the whole part), confirmation speed 10 %.
pub fn score(f: &Facts, platform_mean: Decimal) -> Trust {
    let orders = Decimal::from(f.orders);
    let on_time = ratio(Decimal::from(f.on_time), orders);
    let fill = ratio(f.delivered_value, f.ordered_value);
    let upheld = ratio(Decimal::from(f.upheld), orders);
    let confirm = median(&f.confirm_minutes);
    let rating = smoothed_rating(f.ratings, f.stars_total, platform_mean);
    let score = (f.orders >= MIN_ORDERS).then(|| {
        let parts = [
            (Decimal::new(30, 0), on_time.unwrap_or_default()),
            (Decimal::new(25, 0), fill.unwrap_or(Decimal::ONE)),
            (
                Decimal::new(20, 0),
                (rating - Decimal::ONE) / Decimal::from(4),
            ),
            (
                Decimal::new(15, 0),
                (Decimal::ONE - upheld.unwrap_or_default() * Decimal::TEN).max(Decimal::ZERO),
            ),
            (
                Decimal::new(10, 0),
                confirm.map_or(Decimal::ONE, confirm_part),
            ),
        ];
        let total: Decimal = parts.iter().map(|(w, p)| w * p).sum();
        total
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_u8()
            .unwrap_or(0)
            .min(100)
    });
    Trust {
        orders: f.orders,
        on_time,
        fill,
        upheld,
        confirm_minutes: confirm,
        ratings: f.ratings,
        rating: (f.ratings > 0).then_some(rating),
        score,
    }
}

/// "98 % on time · 99 % filled · 4.7 ★ from 63 orders", or "New on Larder".
pub fn summary(t: &Trust) -> String {
    if t.score.is_none() {
        return "New on Larder".into();
    }
    let pct = |r: Option<Decimal>| {
        r.map(|r| format!("{}", (r * Decimal::ONE_HUNDRED).round()))
            .unwrap_or_else(|| "–".into())
    };
    let mut parts = vec![
        format!("{} % on time", pct(t.on_time)),
        format!("{} % filled", pct(t.fill)),
    ];
    match t.rating {
        Some(r) => parts.push(format!("{} ★ from {} orders", r.round_dp(1), t.orders)),
        None => parts.push(format!("{} orders", t.orders)),
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests;

/// How long a buyer may change their rating.
pub const EDIT_DAYS: i64 = 14;

pub fn may_edit_rating(rated_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < rated_at + time::Duration::days(EDIT_DAYS)
}

/// A rating as typed: 1–5 stars and an optional comment of up to 1,000 characters.
pub fn rating(stars: &str, comment: &str) -> Result<(i16, String), Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let stars = match stars.trim().parse::<i16>() {
        Ok(s) if (1..=5).contains(&s) => Some(s),
        _ => {
            problems.push(("stars", "Choose from 1 to 5 stars.".to_owned()));
            None
        }
    };
    let comment = comment.trim();
    if comment.chars().count() > 1000 {
        problems.push((
            "comment",
            "Keep the comment to 1,000 characters.".to_owned(),
        ));
    }
    match stars {
        Some(s) if problems.is_empty() => Ok((s, comment.to_owned())),
        _ => Err(problems),
    }
}

/// A provider's public reply: said once, up to 1,000 characters.
pub fn reply(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("Write your reply first.".into());
    }
    if text.chars().count() > 1000 {
        return Err("Keep the reply to 1,000 characters.".into());
    }
    Ok(text.to_owned())
}

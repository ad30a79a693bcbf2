//! When a provider can deliver, as pure functions of a zone, its closures, what is already
//! booked and the time now. Wall-clock times are London's; instants are UTC.

use std::collections::HashMap;

use rust_decimal::Decimal;
use time::{Date, Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::timefmt::to_london;

/// How far ahead checkout offers delivery days.
pub const HORIZON_DAYS: i64 = 92;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub id: Uuid,
    /// ISO weekday, 1 = Monday.
    pub weekday: i16,
    pub starts: Time,
    pub ends: Time,
}

#[derive(Debug, Clone)]
pub struct Zone {
    pub id: Uuid,
    pub name: String,
    pub areas: Vec<String>,
    pub days: Vec<i16>,
    pub min_order_value: Decimal,
    /// Net of VAT.
    pub delivery_charge: Decimal,
    /// Order by `cutoff`, this many days before the delivery day (0 = that day).
    pub lead_days: i16,
    pub cutoff: Time,
    pub max_per_day: Option<i32>,
    pub max_per_window: Option<i32>,
    pub windows: Vec<Window>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub id: Uuid,
    pub starts_on: Date,
    pub ends_on: Date,
    pub message: String,
}

/// Orders already holding a place (anything not cancelled or rejected), per day and per
/// window start.
#[derive(Debug, Clone, Default)]
pub struct Booked {
    pub days: HashMap<Date, i64>,
    pub windows: HashMap<(Date, Time), i64>,
}

/// One delivery a buyer can choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub date: Date,
    pub window: Option<Window>,
    /// The last instant an order for it is accepted (exclusive).
    pub cutoff: OffsetDateTime,
}

/// "06:00–09:00".
pub fn window_text(starts: Time, ends: Time) -> String {
    format!(
        "{:02}:{:02}–{:02}:{:02}",
        starts.hour(),
        starts.minute(),
        ends.hour(),
        ends.minute()
    )
}

impl Slot {
    /// The checkout form's value: the date, and the window's id when there is one.
    pub fn value(&self) -> String {
        match &self.window {
            Some(w) => format!("{}/{}", self.date, w.id),
            None => self.date.to_string(),
        }
    }

    /// "Wednesday 25 Nov 2026, 06:00–09:00".
    pub fn label(&self) -> String {
        let day = format!(
            "{} {}",
            self.date.weekday(),
            crate::timefmt::date(self.date)
        );
        match &self.window {
            Some(w) => format!("{day}, {}", window_text(w.starts, w.ends)),
            None => day,
        }
    }

    /// "tomorrow, 06:00–09:00" or "on Thursday 26 Nov 2026", relative to `today`.
    pub fn relative(&self, today: Date) -> String {
        let day = if self.date == today {
            "today".to_owned()
        } else if Some(self.date) == today.next_day() {
            "tomorrow".to_owned()
        } else {
            format!(
                "on {} {}",
                self.date.weekday(),
                crate::timefmt::date(self.date)
            )
        };
        match &self.window {
            Some(w) => format!("{day}, {}", window_text(w.starts, w.ends)),
            None => day,
        }
    }
}

/// The instant a London wall-clock time happens. In the October overlap (01:00–02:00 twice)
/// the first, earlier one: a cut-off never comes late. In the March gap (01:00–02:00 never
/// happens) the clock reading an hour on, the instant the gap ends and after.
pub fn london_instant(date: Date, at: Time) -> OffsetDateTime {
    let as_gmt = date.with_time(at).assume_utc();
    let as_bst = as_gmt - Duration::hours(1);
    let reads = |t: OffsetDateTime| {
        let l = to_london(t);
        l.date() == date && l.time() == at
    };
    if reads(as_bst) { as_bst } else { as_gmt }
}

/// When ordering for delivery on `date` in `zone` closes.
pub fn cutoff(zone: &Zone, date: Date) -> OffsetDateTime {
    let day = date - Duration::days(i64::from(zone.lead_days));
    london_instant(day, zone.cutoff)
}

/// The zone covering `outcode`; where zones overlap, the one with the most specific area
/// ("SE1" over "SE"), then the first listed.
pub fn zone_for<'a>(zones: &'a [Zone], outcode: &str) -> Option<&'a Zone> {
    let outcode = outcode.trim().to_ascii_uppercase();
    let mut best: Option<(&Zone, usize)> = None;
    for zone in zones {
        let fit = zone
            .areas
            .iter()
            .filter(|a| crate::businesses::postcode::area_covers(a, &outcode))
            .map(String::len)
            .max();
        if let Some(fit) = fit {
            if best.is_none_or(|(_, b)| fit > b) {
                best = Some((zone, fit));
            }
        }
    }
    best.map(|(z, _)| z)
}

pub fn closure_on(closures: &[Closure], date: Date) -> Option<&Closure> {
    closures
        .iter()
        .find(|c| c.starts_on <= date && date <= c.ends_on)
}

fn weekday(date: Date) -> i16 {
    i16::from(date.weekday().number_from_monday())
}

fn windows_on(zone: &Zone, date: Date) -> Vec<&Window> {
    let mut ws: Vec<&Window> = zone
        .windows
        .iter()
        .filter(|w| w.weekday == weekday(date))
        .collect();
    ws.sort_by_key(|w| w.starts);
    ws
}

fn day_full(zone: &Zone, booked: &Booked, date: Date) -> bool {
    zone.max_per_day
        .is_some_and(|max| booked.days.get(&date).copied().unwrap_or(0) >= i64::from(max))
}

fn window_full(zone: &Zone, booked: &Booked, date: Date, w: &Window) -> bool {
    zone.max_per_window.is_some_and(|max| {
        booked.windows.get(&(date, w.starts)).copied().unwrap_or(0) >= i64::from(max)
    })
}

/// The slots of one day that are still open at `now`, in window order.
fn slots_on(
    zone: &Zone,
    closures: &[Closure],
    booked: &Booked,
    now: OffsetDateTime,
    date: Date,
) -> Vec<Slot> {
    let cut = cutoff(zone, date);
    if !zone.days.contains(&weekday(date))
        || closure_on(closures, date).is_some()
        || now >= cut
        || day_full(zone, booked, date)
    {
        return Vec::new();
    }
    let windows = windows_on(zone, date);
    if windows.is_empty() {
        return vec![Slot {
            date,
            window: None,
            cutoff: cut,
        }];
    }
    windows
        .into_iter()
        .filter(|w| !window_full(zone, booked, date, w))
        .map(|w| Slot {
            date,
            window: Some(w.clone()),
            cutoff: cut,
        })
        .collect()
}

/// Up to `limit` slots a buyer can still choose at `now`, soonest first.
pub fn slots(
    zone: &Zone,
    closures: &[Closure],
    booked: &Booked,
    now: OffsetDateTime,
    limit: usize,
) -> Vec<Slot> {
    let today = to_london(now).date();
    (0..=HORIZON_DAYS)
        .map(|d| today + Duration::days(d))
        .flat_map(|date| slots_on(zone, closures, booked, now, date))
        .take(limit)
        .collect()
}

/// A slot value from the checkout form: "2026-11-25" or "2026-11-25/<window id>".
pub fn parse_slot(raw: &str) -> Option<(Date, Option<Uuid>)> {
    let raw = raw.trim();
    let (date, window) = match raw.split_once('/') {
        Some((d, w)) => (d, Some(Uuid::parse_str(w).ok()?)),
        None => (raw, None),
    };
    let date = Date::parse(date, &time::format_description::well_known::Iso8601::DATE).ok()?;
    Some((date, window))
}

/// Checks a chosen date and window against everything at `now`; the refusal says why and
/// offers the next slot that works.
pub fn check(
    zone: &Zone,
    closures: &[Closure],
    booked: &Booked,
    now: OffsetDateTime,
    date: Date,
    window: Option<Uuid>,
) -> Result<Slot, String> {
    let today = to_london(now).date();
    let why = if date < today {
        "That delivery date has passed.".to_owned()
    } else if date > today + Duration::days(HORIZON_DAYS) {
        "Choose a delivery date within the next three months.".to_owned()
    } else if !zone.days.contains(&weekday(date)) {
        format!(
            "This provider doesn't deliver to your address on {}s.",
            date.weekday()
        )
    } else if let Some(c) = closure_on(closures, date) {
        closed_text(c)
    } else if now >= cutoff(zone, date) {
        format!(
            "Ordering for {} closed at {}.",
            crate::timefmt::date(date),
            crate::timefmt::datetime(cutoff(zone, date))
        )
    } else if day_full(zone, booked, date) {
        format!("{} is fully booked.", crate::timefmt::date(date))
    } else {
        let open = slots_on(zone, closures, booked, now, date);
        let windows = windows_on(zone, date);
        match (window, windows.is_empty()) {
            (None, true) => {
                return open.into_iter().next().ok_or_else(|| {
                    next(
                        zone,
                        closures,
                        booked,
                        now,
                        "That day is no longer available.",
                    )
                });
            }
            (None, false) => "Choose a delivery window.".to_owned(),
            (Some(_), true) => "That delivery window is no longer offered.".to_owned(),
            (Some(id), false) => {
                if let Some(slot) = open
                    .iter()
                    .find(|s| s.window.as_ref().is_some_and(|w| w.id == id))
                {
                    return Ok(slot.clone());
                }
                if windows.iter().any(|w| w.id == id) {
                    "That delivery window is fully booked.".to_owned()
                } else {
                    "That delivery window is no longer offered.".to_owned()
                }
            }
        }
    };
    Err(next(zone, closures, booked, now, &why))
}

fn next(
    zone: &Zone,
    closures: &[Closure],
    booked: &Booked,
    now: OffsetDateTime,
    why: &str,
) -> String {
    match slots(zone, closures, booked, now, 1).first() {
        Some(s) => format!(
            "{why} The next delivery you can have is {}: order by {}.",
            s.label(),
            crate::timefmt::datetime(s.cutoff)
        ),
        None => format!("{why} This provider has no delivery days open in the next three months."),
    }
}

/// "Closed 24 Dec 2026 to 2 Jan 2027: Christmas break."
pub fn closed_text(c: &Closure) -> String {
    let when = if c.starts_on == c.ends_on {
        format!("Closed on {}", crate::timefmt::date(c.starts_on))
    } else {
        format!(
            "Closed {} to {}",
            crate::timefmt::date(c.starts_on),
            crate::timefmt::date(c.ends_on)
        )
    };
    let message = c.message.trim().trim_end_matches('.');
    if message.is_empty() {
        format!("{when}.")
    } else {
        format!("{when}: {message}.")
    }
}

/// "3 h 20 min", "45 min", "2 days 3 h"; under a minute is "less than a minute".
pub fn countdown(now: OffsetDateTime, until: OffsetDateTime) -> String {
    let minutes = (until - now).whole_minutes();
    if minutes < 1 {
        return "less than a minute".to_owned();
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => format!("{mins} min"),
        (0, h) => format!("{h} h {mins} min"),
        (1, 0) => "1 day".to_owned(),
        (1, h) => format!("1 day {h} h"),
        (d, 0) => format!("{d} days"),
        (d, h) => format!("{d} days {h} h"),
    }
}

/// "Order within 3 h 20 min for delivery tomorrow, 06:00–09:00."
pub fn headline(now: OffsetDateTime, slot: &Slot) -> String {
    format!(
        "Order within {} for delivery {}.",
        countdown(now, slot.cutoff),
        slot.relative(to_london(now).date())
    )
}

/// The delivery charge's net, VAT and rate: charged at the standard rate.
pub fn delivery_charge_line(net: Decimal) -> (Decimal, Decimal, Decimal) {
    let rate = Decimal::from(20);
    let (net, vat) = crate::money::price_line(net, Decimal::ONE, rate);
    (net, rate, vat)
}

#[cfg(test)]
mod tests;

//! Receiving and credit requests as pure functions: what may be claimed, until when, and
//! for how much. Time comes in as an argument.

use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use crate::money;

/// Why a line is claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Short,
    Damaged,
    WrongItem,
    Quality,
    Price,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Self::Short,
        Self::Damaged,
        Self::WrongItem,
        Self::Quality,
        Self::Price,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Short => "short",
            Self::Damaged => "damaged",
            Self::WrongItem => "wrong_item",
            Self::Quality => "quality",
            Self::Price => "price",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Short => "Short (fewer arrived)",
            Self::Damaged => "Damaged",
            Self::WrongItem => "Wrong item",
            Self::Quality => "Quality",
            Self::Price => "Wrong price",
        }
    }
}

/// Whether a category's goods are fresh or chilled (the short window). A line whose
/// product is gone counts as fresh: the shorter window is the safe one.
pub fn is_fresh(category: Option<&str>) -> bool {
    !matches!(
        category,
        Some("dry_goods" | "drinks" | "frozen" | "cleaning_disposables")
    )
}

/// The last moment a line delivered at `delivered` may be claimed: 72 hours later for
/// fresh and chilled goods; for the rest, the end of the 14th London day after delivery
/// (a calendar rule, so the clock changes move it by no hour).
pub fn claim_until(delivered: OffsetDateTime, category: Option<&str>) -> OffsetDateTime {
    if is_fresh(category) {
        delivered + Duration::hours(72)
    } else {
        let day = crate::timefmt::to_london(delivered).date() + Duration::days(15);
        crate::timefmt::london_midnight(day)
    }
}

/// Whether a line delivered at `delivered` may still be claimed at `now`.
pub fn claimable(delivered: OffsetDateTime, category: Option<&str>, now: OffsetDateTime) -> bool {
    now < claim_until(delivered, category)
}

/// An order line as a claim needs it.
#[derive(Debug, Clone, Copy)]
pub struct LineFacts {
    pub unit_price: Decimal,
    pub vat_rate: Decimal,
    /// What was delivered (the confirmed quantity).
    pub delivered: Decimal,
    /// Already claimed on earlier requests that weren't declined.
    pub claimed: Decimal,
    pub fractional: bool,
}

/// One claimed line, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub reason: Reason,
    pub quantity: Decimal,
    pub note: String,
    /// Its value at the order's price, VAT included, rounded half-up to pennies.
    pub amount: Decimal,
}

pub const MAX_NOTE: usize = 500;

/// Checks one line of the form: no reason means the line isn't claimed (`Ok(None)`).
pub fn claim(
    reason: &str,
    quantity: &str,
    note: &str,
    line: LineFacts,
) -> Result<Option<Claim>, String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Ok(None);
    }
    let reason = Reason::parse(reason).ok_or("Choose a reason from the list.")?;
    let quantity = crate::cart::rules::quantity(quantity, line.fractional)?;
    let open = line.delivered - line.claimed;
    if quantity > open {
        return Err(if open.is_zero() {
            "All of this line is already claimed.".to_owned()
        } else {
            format!("At most {} can be claimed on this line.", open.normalize())
        });
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(format!("Keep the note to {MAX_NOTE} characters."));
    }
    let (net, vat) = money::price_line(line.unit_price, quantity, line.vat_rate);
    let amount = net + vat;
    if amount.is_zero() {
        return Err("This line is worth nothing at the order's price.".into());
    }
    Ok(Some(Claim {
        reason,
        quantity,
        note: note.to_owned(),
        amount,
    }))
}

/// A received quantity as typed: 0 up to what was delivered... or more (an over-delivery is
/// worth knowing), bounded like any quantity.
pub fn received(raw: &str, fractional: bool) -> Result<Decimal, &'static str> {
    crate::cart::rules::confirmed_quantity(raw, fractional)
}

/// What a check-in suggests claiming: lines that came short or damaged, with the shortfall
/// (or, for damage, the whole received quantity).
pub fn suggested(
    delivered: Decimal,
    received: Decimal,
    damaged: bool,
) -> Option<(Reason, Decimal)> {
    if received < delivered {
        Some((Reason::Short, delivered - received))
    } else if damaged && !received.is_zero() {
        Some((Reason::Damaged, received.min(delivered)))
    } else {
        None
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open,
    Accepted,
    Declined,
    Escalated,
    Resolved,
}

impl Status {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(Self::Open),
            "accepted" => Some(Self::Accepted),
            "declined" => Some(Self::Declined),
            "escalated" => Some(Self::Escalated),
            "resolved" => Some(Self::Resolved),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Waiting for the provider",
            Self::Accepted => "Accepted",
            Self::Declined => "Declined",
            Self::Escalated => "With Larder's team",
            Self::Resolved => "Decided by Larder's team",
        }
    }
}

/// When the provider should have answered: two working days (Monday to Friday, London, not
/// counting bank holidays) after the request, at the same time of day.
pub fn answer_due(raised: OffsetDateTime) -> OffsetDateTime {
    let local = crate::timefmt::to_london(raised);
    let mut day = local.date();
    let mut counted = 0;
    while counted < 2 {
        let Some(next) = day.next_day() else { break };
        day = next;
        if crate::holidays::is_working_day(day) {
            counted += 1;
        }
    }
    crate::timefmt::london_midnight(day) + (local.time() - time::Time::MIDNIGHT)
}

/// Whether the buyer may hand the request to Larder's team: the provider declined it, or
/// left it unanswered past `answer_due`.
pub fn may_escalate(status: Status, raised: OffsetDateTime, now: OffsetDateTime) -> bool {
    match status {
        Status::Declined => true,
        Status::Open => now >= answer_due(raised),
        Status::Accepted | Status::Escalated | Status::Resolved => false,
    }
}

/// An admin's decision on an escalated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Refund this much of the paid invoice (a credit note comes with it).
    Refund(Decimal),
    /// The buyer is right for this much; the provider corrects the unpaid invoice.
    Uphold(Decimal),
    Reject,
}

impl Decision {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Refund(_) => "refunded",
            Self::Uphold(_) => "upheld",
            Self::Reject => "rejected",
        }
    }

    pub fn amount(&self) -> Option<Decimal> {
        match self {
            Self::Refund(a) | Self::Uphold(a) => Some(*a),
            Self::Reject => None,
        }
    }
}

/// Reads an admin's decision: the choice, an amount up to what was asked for, and a note
/// both sides read. Problems come back keyed by field.
pub fn decision(
    choice: &str,
    amount: &str,
    note: &str,
    asked: Decimal,
) -> Result<(Decision, String), Vec<(&'static str, String)>> {
    let mut problems = Vec::new();
    let note = note.trim();
    if note.is_empty() {
        problems.push((
            "note",
            "Explain the decision: both sides read it.".to_owned(),
        ));
    } else if note.chars().count() > MAX_DECLINE {
        problems.push((
            "note",
            format!("Keep the note to {MAX_DECLINE} characters."),
        ));
    }
    let amount = |problems: &mut Vec<(&'static str, String)>| match money::parse_gbp(amount) {
        Ok(a) if a.is_zero() => {
            problems.push(("amount", "Enter more than £0.00.".to_owned()));
            None
        }
        Ok(a) if a <= asked => Some(a),
        Ok(_) | Err(money::MoneyError::TooLarge) => {
            problems.push((
                "amount",
                format!("At most the {} asked for.", money::format_gbp(asked)),
            ));
            None
        }
        Err(e) => {
            problems.push(("amount", e.message().to_owned()));
            None
        }
    };
    let decided = match choice {
        "refund" => amount(&mut problems).map(Decision::Refund),
        "uphold" => amount(&mut problems).map(Decision::Uphold),
        "reject" => Some(Decision::Reject),
        _ => {
            problems.push(("decision", "Choose refund, uphold or reject.".to_owned()));
            None
        }
    };
    match decided {
        Some(d) if problems.is_empty() => Ok((d, note.to_owned())),
        _ => Err(problems),
    }
}

pub const MAX_DECLINE: usize = 1000;

/// A decline's reason, which the buyer reads.
pub fn decline_reason(raw: &str) -> Result<String, String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err("Say why you are declining: the buyer reads it.".into());
    }
    if reason.chars().count() > MAX_DECLINE {
        return Err(format!("Keep the reason to {MAX_DECLINE} characters."));
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests;

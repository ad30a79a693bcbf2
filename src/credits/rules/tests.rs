use rust_decimal::Decimal;
use time::macros::datetime;

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn line(delivered: &str, claimed: &str, fractional: bool) -> LineFacts {
    LineFacts {
        unit_price: d("2.50"),
        vat_rate: d("20"),
        delivered: d(delivered),
        claimed: d(claimed),
        fractional,
    }
}

#[test]
fn fresh_goods_have_72_hours_and_the_rest_14_london_days() {
    let delivered = datetime!(2026-11-02 09:30 UTC);
    let fresh = claim_until(delivered, Some("dairy_eggs"));
    assert_eq!(fresh, datetime!(2026-11-05 09:30 UTC));
    assert!(claimable(
        delivered,
        Some("fish_seafood"),
        fresh - Duration::seconds(1)
    ));
    assert!(!claimable(delivered, Some("fish_seafood"), fresh));
    // A product since deleted gets the short window.
    assert_eq!(claim_until(delivered, None), fresh);
    let dry = claim_until(delivered, Some("dry_goods"));
    assert_eq!(dry, datetime!(2026-11-17 00:00 UTC), "the end of 16 Nov");
    assert!(claimable(
        delivered,
        Some("drinks"),
        dry - Duration::seconds(1)
    ));
    assert!(!claimable(delivered, Some("frozen"), dry));
}

#[test]
fn the_fourteen_days_end_at_london_midnight_across_the_clock_changes() {
    // Delivered in summer time, the window ends after the clocks go back (25 Oct 2026):
    // midnight London is GMT by then.
    let summer = datetime!(2026-10-20 08:00 UTC);
    assert_eq!(
        claim_until(summer, Some("dry_goods")),
        datetime!(2026-11-04 00:00 UTC)
    );
    // Delivered in winter, ending after the clocks go forward (29 Mar 2026): midnight
    // London is 23:00 UTC the day before.
    let winter = datetime!(2026-03-20 23:30 UTC);
    assert_eq!(
        claim_until(winter, Some("drinks")),
        datetime!(2026-04-03 23:00 UTC)
    );
    // Just after midnight London in summer is still the previous day in UTC.
    let late = datetime!(2026-06-01 23:30 UTC);
    assert_eq!(
        claim_until(late, Some("drinks")),
        datetime!(2026-06-16 23:00 UTC),
        "delivered on 2 June London time"
    );
    // 72 hours are 72 hours, whatever the clocks do.
    let fresh = datetime!(2026-10-24 12:00 UTC);
    assert_eq!(
        claim_until(fresh, Some("bakery")),
        datetime!(2026-10-27 12:00 UTC)
    );
}

#[test]
fn a_claim_is_priced_at_the_order_price_with_vat_rounded_half_up() {
    let c = claim("short", "3", " two bunches missing ", line("6", "0", false))
        .unwrap()
        .unwrap();
    assert_eq!(c.reason, Reason::Short);
    assert_eq!(c.quantity, d("3"));
    assert_eq!(c.amount, d("9.00"), "3 × £2.50 + 20 %");
    assert_eq!(c.note, "two bunches missing");
    let by_weight = LineFacts {
        unit_price: d("3.33"),
        vat_rate: d("5"),
        ..line("2", "0", true)
    };
    let c = claim("quality", "1.5", "", by_weight).unwrap().unwrap();
    // 1.5 × 3.33 = 4.995 → 5.00; VAT 5 % = 0.25.
    assert_eq!(c.amount, d("5.25"));
}

#[test]
fn a_line_without_a_reason_is_not_claimed_and_bad_lines_say_why() {
    assert_eq!(claim("", "3", "", line("6", "0", false)), Ok(None));
    assert_eq!(claim("  ", "", "", line("6", "0", false)), Ok(None));
    let bad = |reason: &str, qty: &str, note: &str, l: LineFacts| {
        claim(reason, qty, note, l).unwrap_err()
    };
    assert!(bad("lost", "1", "", line("6", "0", false)).contains("Choose a reason"));
    assert!(bad("short", "7", "", line("6", "0", false)).contains("At most 6"));
    assert!(bad("short", "3", "", line("6", "4", false)).contains("At most 2"));
    assert!(bad("short", "1", "", line("6", "6", false)).contains("already claimed"));
    assert!(bad("short", "0", "", line("6", "0", false)).contains("more than 0"));
    assert!(bad("short", "-2", "", line("6", "0", false)).contains("Enter a quantity"));
    assert!(bad("short", "1.5", "", line("6", "0", false)).contains("whole units"));
    assert!(bad("short", "lots", "", line("6", "0", false)).contains("Enter a quantity"));
    assert!(bad("damaged", "1", &"x".repeat(501), line("6", "0", false)).contains("500"));
    let free = LineFacts {
        unit_price: d("0"),
        ..line("6", "0", false)
    };
    assert!(bad("price", "1", "", free).contains("worth nothing"));
}

#[test]
fn a_check_in_suggests_the_shortfall_or_the_damaged_quantity() {
    assert_eq!(suggested(d("6"), d("6"), false), None);
    assert_eq!(
        suggested(d("6"), d("4"), false),
        Some((Reason::Short, d("2")))
    );
    assert_eq!(
        suggested(d("6"), d("4"), true),
        Some((Reason::Short, d("2")))
    );
    assert_eq!(
        suggested(d("6"), d("6"), true),
        Some((Reason::Damaged, d("6")))
    );
    assert_eq!(
        suggested(d("6"), d("8"), true),
        Some((Reason::Damaged, d("6")))
    );
    assert_eq!(
        suggested(d("6"), d("0"), true),
        Some((Reason::Short, d("6")))
    );
    assert_eq!(suggested(d("6"), d("7"), false), None);
}

#[test]
fn reasons_read_back_what_they_write() {
    for r in Reason::ALL {
        assert_eq!(Reason::parse(r.as_str()), Some(r));
        assert!(!r.label().is_empty());
    }
    assert_eq!(Reason::parse("Short"), None);
}

#[test]
fn providers_have_two_working_days_to_answer() {
    // Tuesday 10:00 → Thursday 10:00.
    let tue = datetime!(2026-11-24 10:00 UTC);
    assert_eq!(answer_due(tue), datetime!(2026-11-26 10:00 UTC));
    // Friday 16:00 → Tuesday 16:00: the weekend doesn't count.
    let fri = datetime!(2026-11-27 16:00 UTC);
    assert_eq!(answer_due(fri), datetime!(2026-12-01 16:00 UTC));
    // Saturday → Tuesday, same time.
    let sat = datetime!(2026-11-28 09:00 UTC);
    assert_eq!(answer_due(sat), datetime!(2026-12-01 09:00 UTC));
    // Friday before the clocks go back (25 Oct 2026): 17:00 BST Friday is 17:00 GMT Tuesday.
    let before_change = datetime!(2026-10-23 16:00 UTC);
    assert_eq!(answer_due(before_change), datetime!(2026-10-27 17:00 UTC));
    // Friday before the clocks go forward (29 Mar 2026): 09:00 GMT → 09:00 BST.
    let spring = datetime!(2026-03-27 09:00 UTC);
    assert_eq!(answer_due(spring), datetime!(2026-03-31 08:00 UTC));
    // Christmas Eve 2026 (Thursday): Christmas, the weekend and Boxing Day's Monday substitute
    // don't count, so the answer is due on Wednesday 30th.
    let eve = datetime!(2026-12-24 11:00 UTC);
    assert_eq!(answer_due(eve), datetime!(2026-12-30 11:00 UTC));
    // Maundy Thursday 2026: Good Friday and Easter Monday skipped → Wednesday 8 April (BST).
    let maundy = datetime!(2026-04-02 09:00 UTC);
    assert_eq!(answer_due(maundy), datetime!(2026-04-08 09:00 UTC));
}

#[test]
fn a_buyer_escalates_a_decline_or_a_request_left_unanswered() {
    let raised = datetime!(2026-11-24 10:00 UTC);
    let due = answer_due(raised);
    assert!(!may_escalate(
        Status::Open,
        raised,
        due - Duration::seconds(1)
    ));
    assert!(may_escalate(Status::Open, raised, due));
    assert!(may_escalate(Status::Declined, raised, raised));
    assert!(!may_escalate(
        Status::Accepted,
        raised,
        due + Duration::days(9)
    ));
    assert!(!may_escalate(
        Status::Escalated,
        raised,
        due + Duration::days(9)
    ));
}

#[test]
fn a_decline_needs_a_reason_the_buyer_can_read() {
    assert_eq!(
        decline_reason("  Delivered in full: signed for "),
        Ok("Delivered in full: signed for".into())
    );
    assert!(decline_reason("   ").unwrap_err().contains("Say why"));
    assert!(
        decline_reason(&"x".repeat(1001))
            .unwrap_err()
            .contains("1000")
    );
    for raw in ["open", "accepted", "declined", "escalated"] {
        assert!(Status::parse(raw).is_some());
    }
    assert_eq!(Status::parse("closed"), None);
}

#[test]
fn an_admin_decision_is_a_choice_an_amount_up_to_the_ask_and_a_note() {
    let asked = d("61.60");
    assert_eq!(
        decision("refund", "20", " Half the wine was fine ", asked),
        Ok((
            Decision::Refund(d("20.00")),
            "Half the wine was fine".into()
        ))
    );
    assert_eq!(
        decision("uphold", "61.60", "Short", asked),
        Ok((Decision::Uphold(d("61.60")), "Short".into()))
    );
    assert_eq!(
        decision("reject", "anything", "Signed for", asked),
        Ok((Decision::Reject, "Signed for".into()))
    );
    let fields = |r: Result<(Decision, String), Vec<(&'static str, String)>>| {
        r.unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect::<Vec<_>>()
    };
    assert_eq!(fields(decision("refund", "61.61", "x", asked)), ["amount"]);
    assert_eq!(fields(decision("refund", "0", "x", asked)), ["amount"]);
    assert_eq!(fields(decision("refund", "-1", "x", asked)), ["amount"]);
    assert_eq!(
        fields(decision("refund", "9".repeat(30).as_str(), "x", asked)),
        ["amount"]
    );
    assert_eq!(
        fields(decision("uphold", "1.005", "", asked)),
        ["note", "amount"]
    );
    assert_eq!(fields(decision("pay", "1", "x", asked)), ["decision"]);
    assert_eq!(
        fields(decision("reject", "", &"x".repeat(1001), asked)),
        ["note"]
    );
    assert_eq!(Decision::Refund(d("1")).as_str(), "refunded");
    assert_eq!(Decision::Reject.amount(), None);
}

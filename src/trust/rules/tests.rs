use rust_decimal::Decimal;
use time::macros::{date, datetime, time};

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn facts(orders: u32) -> Facts {
    Facts {
        orders,
        on_time: orders,
        ordered_value: d("1000"),
        delivered_value: d("1000"),
        upheld: 0,
        confirm_minutes: vec![30; orders as usize],
        ratings: 0,
        stars_total: 0,
    }
}

#[test]
fn on_time_means_the_requested_london_day_and_inside_the_window() {
    let promised = Delivered {
        requested: date!(2026 - 06 - 10),
        window: Some((time!(07:00), time!(10:00))),
        delivered_at: datetime!(2026-06-10 08:45 UTC), // 09:45 BST
    };
    assert!(on_time(&promised));
    // 10:30 BST is after the window, though 09:30 in UTC.
    let late = Delivered {
        delivered_at: datetime!(2026-06-10 09:30 UTC),
        ..promised
    };
    assert!(!on_time(&late));
    // 23:30 UTC on the 9th is already the 10th in London.
    let early_utc = Delivered {
        window: None,
        delivered_at: datetime!(2026-06-09 23:30 UTC),
        ..promised
    };
    assert!(on_time(&early_utc));
    let next_day = Delivered {
        window: None,
        delivered_at: datetime!(2026-06-11 06:00 UTC),
        ..promised
    };
    assert!(!on_time(&next_day));
    // The morning the clocks go back (25 Oct 2026): 09:30 UTC is 09:30 GMT, in a 7–10 window.
    let change = Delivered {
        requested: date!(2026 - 10 - 25),
        window: Some((time!(07:00), time!(10:00))),
        delivered_at: datetime!(2026-10-25 09:30 UTC),
    };
    assert!(on_time(&change));
}

#[test]
fn new_providers_are_new_not_low() {
    let t = score(&facts(4), DEFAULT_MEAN);
    assert_eq!(t.score, None);
    assert_eq!(summary(&t), "New on Larder");
    let none = score(&Facts::default(), DEFAULT_MEAN);
    assert_eq!(
        (none.score, none.on_time, none.fill, none.rating),
        (None, None, None, None)
    );
    assert_eq!(score(&facts(5), DEFAULT_MEAN).score, Some(95));
}

#[test]
fn a_perfect_record_with_top_ratings_scores_near_100_and_says_why() {
    let f = Facts {
        ratings: 63,
        stars_total: 63 * 5,
        ..facts(63)
    };
    let t = score(&f, d("4.2"));
    // Smoothed: (5 × 4.2 + 315) / 68 = 4.94.
    assert_eq!(t.rating, Some(d("4.94")));
    assert_eq!(t.score, Some(100));
    assert_eq!(
        summary(&t),
        "100 % on time · 100 % filled · 4.9 ★ from 63 orders"
    );
}

#[test]
fn few_ratings_are_pulled_toward_the_platform_mean() {
    assert_eq!(smoothed_rating(1, 1, d("4.0")), d("3.50"));
    assert_eq!(smoothed_rating(1, 5, d("4.0")), d("4.17"));
    assert_eq!(smoothed_rating(0, 0, d("4.3")), d("4.30"));
    assert_eq!(smoothed_rating(100, 100, d("4.0")), d("1.14"));
}

#[test]
fn each_part_moves_the_score_by_its_weight() {
    let base = score(&facts(20), DEFAULT_MEAN).score.unwrap();
    assert_eq!(
        base, 95,
        "no ratings: the platform mean of 4.0 gives 15 of 20"
    );
    let late = Facts {
        on_time: 10,
        ..facts(20)
    };
    assert_eq!(score(&late, DEFAULT_MEAN).score, Some(base - 15));
    let short = Facts {
        delivered_value: d("800"),
        ..facts(20)
    };
    assert_eq!(score(&short, DEFAULT_MEAN).score, Some(base - 5));
    let disputed = Facts {
        upheld: 1,
        ..facts(20)
    };
    assert_eq!(
        score(&disputed, DEFAULT_MEAN).score,
        Some(88),
        "1 in 20 costs half the part: 87.5 rounds half-up"
    );
    let slow = Facts {
        confirm_minutes: vec![1440; 20],
        ..facts(20)
    };
    assert_eq!(score(&slow, DEFAULT_MEAN).score, Some(base - 10));
    let worst = Facts {
        on_time: 0,
        delivered_value: d("0"),
        upheld: 20,
        confirm_minutes: vec![5000],
        ratings: 20,
        stars_total: 20,
        ..facts(20)
    };
    let t = score(&worst, DEFAULT_MEAN);
    assert_eq!(
        t.score,
        Some(3),
        "only the mean's pull on the rating is left"
    );
    assert_eq!(t.upheld, Some(Decimal::ONE));
}

#[test]
fn the_median_confirmation_time_ignores_one_slow_order() {
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[5]), Some(5));
    assert_eq!(median(&[10, 2000, 20]), Some(20));
    assert_eq!(median(&[10, 20, 30, 40]), Some(25));
}

#[test]
fn ratings_are_one_to_five_stars_editable_for_fourteen_days() {
    assert_eq!(
        rating("4", "  Lovely leeks "),
        Ok((4, "Lovely leeks".into()))
    );
    assert_eq!(rating("5", ""), Ok((5, String::new())));
    for bad in ["0", "6", "", "four", "4.5", "-1"] {
        assert_eq!(rating(bad, "").unwrap_err()[0].0, "stars", "{bad}");
    }
    assert_eq!(rating("3", &"x".repeat(1001)).unwrap_err()[0].0, "comment");
    let at = datetime!(2026-11-01 12:00 UTC);
    assert!(may_edit_rating(
        at,
        at + time::Duration::days(14) - time::Duration::seconds(1)
    ));
    assert!(!may_edit_rating(at, at + time::Duration::days(14)));
    assert_eq!(reply(" Thanks! "), Ok("Thanks!".into()));
    assert!(reply("  ").is_err());
    assert!(reply(&"x".repeat(1001)).is_err());
}

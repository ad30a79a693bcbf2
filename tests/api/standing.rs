//! Standing orders: set up from a past order, placed by the worker's sweep exactly once per
//! delivery date (two sweeps racing included), skipped, closed, trimmed of what's out of
//! stock, and private to their business.

use diesel::prelude::*;
use larder::db::schema::{
    jobs, order_lines, orders, products, standing_order_occurrences, standing_orders,
};
use time::macros::{datetime, time};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::availability::{checkout, set_zone, zone_of};
use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ordering::{Shop, add, shop};

const BEFORE: Duration = Duration::hours(2);

fn sweep(app: &TestApp, at: OffsetDateTime) -> larder::standing::place::Tally {
    larder::standing::place::place_due(&mut app.conn(), at, BEFORE, &app.config.base_url).unwrap()
}

/// Ada orders cream and leeks for Thursday 26 Nov, then repeats it every Wednesday from
/// 25 Nov in the 06:00 window.
async fn standing(app: &TestApp, shop: &Shop) -> (Uuid, Uuid) {
    let zone = zone_of(app, shop.sam.provider_id);
    set_zone(shop, zone, &[]).await;
    app.clock.set(datetime!(2026-11-24 09:00 UTC));
    add(&shop.ada.browser, shop.cream, "3").await;
    add(&shop.ada.browser, shop.leeks, "1.5").await;
    let placed = checkout(
        &shop.ada.browser,
        shop.ada.location_id,
        "2026-11-26",
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let order = Uuid::parse_str(placed.location.unwrap().trim_start_matches("/orders/")).unwrap();
    let form = shop
        .ada
        .browser
        .get(&format!("/standing-orders/new?order={order}"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Double cream") && form.body.contains("06:00–09:00"));
    let created = shop
        .ada
        .browser
        .post(
            "/standing-orders",
            &[
                ("order", &order.to_string()),
                ("location", &shop.ada.location_id.to_string()),
                ("weekdays", "3"),
                ("every_weeks", "1"),
                ("starts_on", "2026-11-25"),
                ("window", "06:00"),
                ("notes", "Back door"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = Uuid::parse_str(
        created
            .location
            .unwrap()
            .trim_start_matches("/standing-orders/"),
    )
    .unwrap();
    (id, order)
}

fn from_standing(app: &TestApp) -> Vec<(Uuid, time::Date, Option<time::Time>)> {
    orders::table
        .filter(orders::standing_order_id.is_not_null())
        .order(orders::requested_delivery_date)
        .select((
            orders::id,
            orders::requested_delivery_date,
            orders::window_start,
        ))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn each_delivery_is_placed_once_in_its_window_at_that_days_prices() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;

    // Wednesday 25 Nov closes Tuesday 14:00: placing opens at 12:00.
    assert_eq!(sweep(&app, datetime!(2026-11-24 11:59:59 UTC)).placed, 0);
    diesel::update(products::table.find(shop.cream))
        .set(products::price.eq("6.10".parse::<rust_decimal::Decimal>().unwrap()))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(sweep(&app, datetime!(2026-11-24 12:00 UTC)).placed, 1);
    assert_eq!(
        sweep(&app, datetime!(2026-11-24 13:00 UTC)).placed,
        0,
        "once"
    );
    let placed = from_standing(&app);
    assert_eq!(placed.len(), 1);
    assert_eq!(
        (placed[0].1, placed[0].2),
        (time::macros::date!(2026 - 11 - 25), Some(time!(06:00)))
    );
    let price: rust_decimal::Decimal = order_lines::table
        .filter(order_lines::order_id.eq(placed[0].0))
        .filter(order_lines::product_name.eq("Double cream"))
        .select(order_lines::unit_price)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        price,
        "6.10".parse::<rust_decimal::Decimal>().unwrap(),
        "today's price"
    );

    let page = shop
        .ada
        .browser
        .get(&format!("/standing-orders/{id}"))
        .await;
    assert!(page.body.contains("Every week on Wed"));
    assert!(page.body.contains(&format!("/orders/{}", placed[0].0)));
    let order = shop
        .ada
        .browser
        .get(&format!("/orders/{}", placed[0].0))
        .await;
    assert!(order.body.contains("Placed by your standing order"));
    assert!(order.body.contains("Back door"));

    // Admin analytics counts it among the range's orders as placed by a standing order.
    let admin = fixtures::admin(&app).await;
    // Events carry the database's time, and this test moved the app's clock: ask for a range
    // around the real today.
    let today = larder::timefmt::london_today();
    let analytics = admin
        .browser
        .get(&format!(
            "/admin/analytics?from={}&to={}",
            today - time::Duration::days(7),
            today + time::Duration::days(1)
        ))
        .await;
    let share = regex::Regex::new(r#"id="standing-share">\d+% \((\d+) of (\d+) orders\)"#)
        .unwrap()
        .captures(&analytics.body)
        .map(|c| (c[1].parse::<i64>().unwrap(), c[2].parse::<i64>().unwrap()))
        .expect("the standing-order share");
    assert_eq!(share.0, 1, "one order placed by a standing order");
    assert!(share.1 >= 1);
}

#[tokio::test]
async fn two_sweeps_racing_over_the_same_due_deliveries_place_each_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    standing(&app, &shop).await;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    // A second business's standing order due at the same moment.
    let (_, order) = {
        add(&bo.browser, shop.cream, "4").await;
        let placed = checkout(
            &bo.browser,
            bo.location_id,
            "2026-11-26",
            &Uuid::now_v7().to_string(),
        )
        .await;
        assert_eq!(placed.status, 303);
        let order =
            Uuid::parse_str(placed.location.unwrap().trim_start_matches("/orders/")).unwrap();
        ((), order)
    };
    let created = bo
        .browser
        .post(
            "/standing-orders",
            &[
                ("order", &order.to_string()),
                ("location", &bo.location_id.to_string()),
                ("weekdays", "3"),
                ("starts_on", "2026-11-25"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let url = app.db.url.clone();
    let base = app.config.base_url.clone();
    let sweeps: Vec<_> = (0..4)
        .map(|_| {
            let (url, base) = (url.clone(), base.clone());
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                larder::standing::place::place_due(
                    &mut conn,
                    datetime!(2026-11-24 12:30 UTC),
                    BEFORE,
                    &base,
                )
                .unwrap()
                .placed
            })
        })
        .collect();
    let placed: usize = sweeps.into_iter().map(|s| s.join().unwrap()).sum();
    assert_eq!(
        placed, 2,
        "each business's delivery once, whichever sweep won"
    );
    assert_eq!(from_standing(&app).len(), 2);
    let decided: i64 = standing_order_occurrences::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(decided, 2);
}

#[tokio::test]
async fn skipped_closed_and_out_of_stock_deliveries_are_handled_and_told() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;
    let skip = shop
        .ada
        .browser
        .post(
            &format!("/standing-orders/{id}/skip"),
            &[("date", "2026-11-25"), ("action", "skip")],
        )
        .await;
    assert_eq!(skip.status, 303);
    assert_eq!(sweep(&app, datetime!(2026-11-24 12:30 UTC)).placed, 0);

    // A closure over 2 Dec: skipped with the provider's message, and the buyer is emailed.
    larder::availability::queries::add_closure(
        &mut app.conn(),
        larder::ids::ProviderId(shop.sam.provider_id),
        time::macros::date!(2026 - 12 - 02),
        time::macros::date!(2026 - 12 - 02),
        "Staff training",
    )
    .unwrap();
    let tally = sweep(&app, datetime!(2026-12-01 12:30 UTC));
    assert_eq!((tally.placed, tally.closed), (0, 1));
    let mails: Vec<serde_json::Value> = jobs::table
        .filter(jobs::dedup_key.like("standing:%"))
        .select(jobs::payload)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0]["subject"],
        "Standing order from Veg Co for Wednesday 2 Dec 2026"
    );
    assert!(
        mails[0]["text"]
            .as_str()
            .unwrap()
            .contains("skipped. Closed on 2 Dec 2026: Staff training.")
    );

    // Leeks out of stock on 9 Dec: placed without them, and the buyer is told.
    diesel::update(products::table.find(shop.leeks))
        .set(products::in_stock.eq(false))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(sweep(&app, datetime!(2026-12-08 12:30 UTC)).placed, 1);
    let placed = from_standing(&app);
    assert_eq!(placed.len(), 1);
    let names: Vec<String> = order_lines::table
        .filter(order_lines::order_id.eq(placed[0].0))
        .select(order_lines::product_name)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(names, ["Double cream"]);
    let page = shop
        .ada
        .browser
        .get(&format!("/standing-orders/{id}"))
        .await;
    assert!(
        page.body.contains("Closed on 2 Dec 2026: Staff training."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("placed without what can&#39;t be ordered now: Leeks")
    );

    // Below the minimum now (£10 minimum, cream alone is £16.80; raise it): refused, reported.
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[("min_order_value", "100")]).await;
    let tally = sweep(&app, datetime!(2026-12-15 12:30 UTC));
    assert_eq!((tally.placed, tally.refused), (0, 1));
    assert_eq!(
        sweep(&app, datetime!(2026-12-15 13:00 UTC)).refused,
        0,
        "never retried"
    );
    let page = shop
        .ada
        .browser
        .get(&format!("/standing-orders/{id}"))
        .await;
    assert!(
        page.body
            .contains("not placed. This provider&#39;s minimum order for your area is £100.00"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn pause_resume_and_end_stop_placing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;
    let paused = shop
        .ada
        .browser
        .post(
            &format!("/standing-orders/{id}/pause"),
            &[("date", "2026-12-03")],
        )
        .await;
    assert_eq!(paused.status, 303);
    assert_eq!(sweep(&app, datetime!(2026-11-24 12:30 UTC)).placed, 0);
    assert_eq!(sweep(&app, datetime!(2026-12-01 12:30 UTC)).placed, 0);
    let resumed = shop
        .ada
        .browser
        .post(&format!("/standing-orders/{id}/pause"), &[("date", "")])
        .await;
    assert_eq!(resumed.status, 303);
    assert_eq!(sweep(&app, datetime!(2026-12-08 12:30 UTC)).placed, 1);
    let ended = shop
        .ada
        .browser
        .post(&format!("/standing-orders/{id}/end"), &[])
        .await;
    assert_eq!(ended.status, 303);
    assert_eq!(sweep(&app, datetime!(2026-12-15 12:30 UTC)).placed, 0);
    let list = shop.ada.browser.get("/standing-orders").await;
    assert!(list.body.contains("Ended"));
}

#[tokio::test]
async fn a_bad_schedule_keeps_its_values_and_another_business_gets_404() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, order) = standing(&app, &shop).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    // Weekdays only now.
    let page = shop
        .sam
        .browser
        .post(
            &format!("/provider/delivery/zones/{zone}"),
            &[
                ("name", "Central"),
                ("areas", "SE1, E"),
                ("days", "1"),
                ("days", "3"),
                ("lead_days", "1"),
                ("cutoff", "14:00"),
            ],
        )
        .await;
    assert!(page.redirects_to("/provider/delivery"));
    let bad = shop
        .ada
        .browser
        .post(
            "/standing-orders",
            &[
                ("order", &order.to_string()),
                ("location", &shop.ada.location_id.to_string()),
                ("weekdays", "7"),
                ("starts_on", "2020-01-01"),
                ("notes", "<i>late</i>"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("This provider doesn&#39;t deliver to that address on Sunday.")
    );
    assert!(bad.body.contains("Start today or later."));
    assert!(bad.body.contains("&#60;i&#62;late"));

    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let before = crate::tenancy::fingerprint(&app);
    assert_eq!(
        bo.browser
            .get(&format!("/standing-orders/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        bo.browser
            .get(&format!("/standing-orders/new?order={order}"))
            .await
            .status,
        404
    );
    for (path, fields) in [
        (
            format!("/standing-orders/{id}/skip"),
            vec![("date", "2026-12-02"), ("action", "skip")],
        ),
        (
            format!("/standing-orders/{id}/pause"),
            vec![("date", "2026-12-30")],
        ),
        (format!("/standing-orders/{id}/end"), vec![]),
        (
            "/standing-orders".to_owned(),
            vec![
                ("order", order.to_string().leak() as &str),
                ("weekdays", "3"),
                ("starts_on", "2026-12-01"),
            ],
        ),
    ] {
        let page = bo.browser.post(&path, &fields).await;
        assert_eq!(page.status, 404, "{path}");
    }
    assert_eq!(crate::tenancy::fingerprint(&app), before);
    let ended: Option<OffsetDateTime> = standing_orders::table
        .find(id)
        .select(standing_orders::ended_at)
        .first(&mut app.conn())
        .unwrap();
    assert!(ended.is_none());
}

#[tokio::test]
async fn the_provider_sees_standing_demand_for_the_next_fourteen_days() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;
    // Tuesday 24 Nov: Wednesdays 25 Nov and 2 Dec fall in the next 14 days.
    let page = shop.sam.browser.get("/provider/standing-demand").await;
    assert_eq!(page.status, 200);
    let cream = page
        .body
        .split("<tr>")
        .find(|row| row.contains("Double cream"))
        .unwrap_or_default()
        .to_owned();
    assert!(cream.contains(r#"<td class="num">6</td></tr>"#), "{cream}");
    assert!(page.body.contains("1 active standing order"));
    shop.ada
        .browser
        .post(
            &format!("/standing-orders/{id}/skip"),
            &[("date", "2026-11-25"), ("action", "skip")],
        )
        .await;
    let page = shop.sam.browser.get("/provider/standing-demand").await;
    let cream = page
        .body
        .split("<tr>")
        .find(|row| row.contains("Double cream"))
        .unwrap_or_default()
        .to_owned();
    assert!(cream.contains(r#"<td class="num">3</td></tr>"#), "{cream}");
    let tom = fixtures::seller(&app, "tom@fish.test", "Fish Co").await;
    let theirs = tom.browser.get("/provider/standing-demand").await;
    assert!(
        theirs
            .body
            .contains("No standing orders for the next 14 days.")
    );
    assert!(!theirs.body.contains("Double cream"));
}

#[tokio::test]
async fn a_standing_order_with_nothing_orderable_is_refused_and_told() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;
    diesel::update(products::table)
        .set(products::in_stock.eq(false))
        .execute(&mut app.conn())
        .unwrap();
    let tally = sweep(&app, datetime!(2026-11-24 12:30 UTC));
    assert_eq!((tally.placed, tally.refused), (0, 1));
    let note: String = standing_order_occurrences::table
        .filter(standing_order_occurrences::standing_order_id.eq(id))
        .select(standing_order_occurrences::note)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        note,
        "not placed: nothing on it can be ordered now (Double cream, Leeks)."
    );
    assert!(from_standing(&app).is_empty());
}

#[tokio::test]
async fn quantities_change_for_future_deliveries_with_errors_kept_beside_them() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;
    let (cream, leeks) = (format!("qty_{}", shop.cream), format!("qty_{}", shop.leeks));
    let bad = shop
        .ada
        .browser
        .post(
            &format!("/standing-orders/{id}/lines"),
            &[(&cream, "1.5"), (&leeks, "-2")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("This product is sold in whole units."));
    assert!(bad.body.contains(r#"value="1.5""#) && bad.body.contains(r#"value="-2""#));
    let none = shop
        .ada
        .browser
        .post(
            &format!("/standing-orders/{id}/lines"),
            &[(&cream, "0"), (&leeks, "0")],
        )
        .await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("Keep at least one item"));
    let saved = shop
        .ada
        .browser
        .post(
            &format!("/standing-orders/{id}/lines"),
            &[(&cream, "5"), (&leeks, "0")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let before = crate::tenancy::fingerprint(&app);
    let foreign = bo
        .browser
        .post(&format!("/standing-orders/{id}/lines"), &[(&cream, "9")])
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(crate::tenancy::fingerprint(&app), before);

    assert_eq!(sweep(&app, datetime!(2026-11-24 12:30 UTC)).placed, 1);
    let lines: Vec<(String, rust_decimal::Decimal)> = order_lines::table
        .filter(order_lines::order_id.eq(from_standing(&app)[0].0))
        .select((order_lines::product_name, order_lines::quantity))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        lines,
        [("Double cream".to_owned(), rust_decimal::Decimal::from(5))]
    );
}

#[tokio::test]
async fn a_cart_becomes_a_standing_order_and_stays_a_cart() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    app.clock.set(datetime!(2026-11-24 09:00 UTC));
    add(&shop.ada.browser, shop.wine, "2").await;
    let provider = shop.sam.provider_id.to_string();
    let cart = shop.ada.browser.get("/cart").await;
    assert!(
        cart.body
            .contains(&format!("/standing-orders/new?cart={provider}"))
    );
    let form = shop
        .ada
        .browser
        .get(&format!("/standing-orders/new?cart={provider}"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("House red"));
    let created = shop
        .ada
        .browser
        .post(
            "/standing-orders",
            &[
                ("cart", provider.as_str()),
                ("location", &shop.ada.location_id.to_string()),
                ("weekdays", "5"),
                ("every_weeks", "2"),
                ("starts_on", "2026-11-27"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let page = shop
        .ada
        .browser
        .get(created.location.as_deref().unwrap())
        .await;
    assert!(page.body.contains("Every 2 weeks on Fri") && page.body.contains("House red"));
    assert!(
        shop.ada
            .browser
            .get("/cart")
            .await
            .body
            .contains("House red"),
        "the cart stays"
    );
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    assert_eq!(
        bo.browser
            .get(&format!("/standing-orders/new?cart={provider}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_standing_order_the_provider_no_longer_reaches_says_so_and_places_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (id, _) = standing(&app, &shop).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[("areas", "N1")]).await;
    let page = shop
        .ada
        .browser
        .get(&format!("/standing-orders/{id}"))
        .await;
    assert!(
        page.body
            .contains("This provider no longer delivers to this standing order's address"),
        "{}",
        page.body
    );
    assert_eq!(
        sweep(&app, datetime!(2026-11-24 12:30 UTC)),
        larder::standing::place::Tally::default()
    );
    assert!(from_standing(&app).is_empty());
}

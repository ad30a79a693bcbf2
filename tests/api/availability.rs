//! Delivery zones, windows, cut-offs, capacity and closures: set by the provider's forms,
//! offered by checkout, enforced by submit, on a clock the tests set.

use diesel::prelude::*;
use larder::db::schema::{cart_items, delivery_windows, delivery_zones, invoice_lines, orders};
use rust_decimal::Decimal;
use time::macros::{datetime, time};
use uuid::Uuid;

use crate::helpers::fixtures;
use crate::helpers::{Browser, TestApp, spawn_app};
use crate::ordering::{Shop, add, cart_seen, shop};

/// Every day, Wednesdays in two windows, order by 14:00 the day before.
const ZONE: [(&str, &str); 13] = [
    ("name", "Central"),
    ("areas", "SE1, E"),
    ("days", "1"),
    ("days", "2"),
    ("days", "3"),
    ("days", "4"),
    ("days", "5"),
    ("days", "6"),
    ("days", "7"),
    ("w3", "06:00-09:00, 10:00-12:00"),
    ("lead_days", "1"),
    ("cutoff", "14:00"),
    ("min_order_value", "10"),
];

pub fn zone_of(app: &TestApp, provider: Uuid) -> Uuid {
    delivery_zones::table
        .filter(delivery_zones::provider_id.eq(provider))
        .select(delivery_zones::id)
        .first(&mut app.conn())
        .unwrap()
}

/// The window starting at `starts` on Wednesdays.
pub fn window(app: &TestApp, zone: Uuid, starts: time::Time) -> Uuid {
    delivery_windows::table
        .filter(delivery_windows::zone_id.eq(zone))
        .filter(delivery_windows::weekday.eq(3))
        .filter(delivery_windows::starts.eq(starts))
        .select(delivery_windows::id)
        .first(&mut app.conn())
        .unwrap()
}

pub async fn set_zone(shop: &Shop, zone: Uuid, extra: &[(&str, &str)]) {
    // A field in `extra` replaces the default.
    let mut fields: Vec<(&str, &str)> = ZONE
        .iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .copied()
        .collect();
    fields.extend_from_slice(extra);
    let page = shop
        .sam
        .browser
        .post(&format!("/provider/delivery/zones/{zone}"), &fields)
        .await;
    assert!(page.redirects_to("/provider/delivery"), "{}", page.body);
}

pub async fn checkout(
    b: &Browser,
    location: Uuid,
    slot: &str,
    key: &str,
) -> crate::helpers::browser::Page {
    let cart = cart_seen(b).await;
    b.post(
        "/checkout/veg-co",
        &[
            ("key", key),
            ("date", slot),
            ("location", &location.to_string()),
            ("notes", ""),
            ("cart", &cart),
        ],
    )
    .await
}

fn order_count(app: &TestApp) -> i64 {
    orders::table.count().get_result(&mut app.conn()).unwrap()
}

fn cart_count(app: &TestApp) -> i64 {
    cart_items::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_cut_off_holds_to_the_second_and_a_late_order_gets_the_next_date() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    let early = window(&app, zone, time!(06:00));
    add(&shop.ada.browser, shop.cream, "3").await;

    // Tuesday 24 Nov 2026, 10:40 GMT: tomorrow's 06:00 window closes at 14:00 today.
    app.clock.set(datetime!(2026-11-24 10:40 UTC));
    let page = shop.ada.browser.get("/checkout/veg-co").await;
    assert!(
        page.body
            .contains("Order within 3 h 20 min for delivery tomorrow, 06:00–09:00."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!(r#"<option value="2026-11-25/{early}""#))
    );
    assert!(page.body.contains("Wednesday 25 Nov 2026, 10:00–12:00"));
    assert!(
        !page.body.contains(r#"<option value="2026-11-24""#),
        "today is past its cut-off"
    );

    // One second before the cut-off: placed, with the window and the cut-off it beat.
    app.clock.set(datetime!(2026-11-24 13:59:59 UTC));
    let slot = format!("2026-11-25/{early}");
    let placed = checkout(
        &shop.ada.browser,
        shop.ada.location_id,
        &slot,
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let (start, end, cutoff): (
        Option<time::Time>,
        Option<time::Time>,
        Option<time::OffsetDateTime>,
    ) = orders::table
        .select((orders::window_start, orders::window_end, orders::cutoff_at))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((start, end), (Some(time!(06:00)), Some(time!(09:00))));
    assert_eq!(cutoff, Some(datetime!(2026-11-24 14:00 UTC)));
    let order = shop
        .ada
        .browser
        .get(placed.location.as_deref().unwrap())
        .await;
    assert!(
        order.body.contains("25 Nov 2026, 06:00–09:00"),
        "{}",
        order.body
    );

    // At the cut-off exactly: refused, nothing created, the cart kept, the next date offered.
    add(&shop.ada.browser, shop.cream, "3").await;
    app.clock.set(datetime!(2026-11-24 14:00:00 UTC));
    let late = checkout(
        &shop.ada.browser,
        shop.ada.location_id,
        &slot,
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(late.status, 422);
    assert!(
        late.body.contains("Ordering for 25 Nov 2026 closed at 24 Nov 2026, 14:00. The next delivery you can have is Thursday 26 Nov 2026: order by 25 Nov 2026, 14:00."),
        "{}",
        late.body
    );
    assert_eq!(order_count(&app), 1);
    assert_eq!(cart_count(&app), 1);
    assert!(late.body.contains(r#"<option value="2026-11-26""#));
}

#[tokio::test]
async fn cut_offs_follow_london_time_across_the_march_clock_change() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    add(&shop.ada.browser, shop.cream, "3").await;
    // Sunday 29 Mar 2026 is BST from 01:00 UTC: Monday's 14:00 cut-off is 13:00 UTC.
    app.clock.set(datetime!(2026-03-29 12:59:59 UTC));
    let ok = shop.ada.browser.get("/checkout/veg-co").await;
    assert!(
        ok.body
            .contains("Order within less than a minute for delivery tomorrow."),
        "{}",
        ok.body
    );
    app.clock.set(datetime!(2026-03-29 13:00 UTC));
    let key = Uuid::now_v7().to_string();
    let late = checkout(&shop.ada.browser, shop.ada.location_id, "2026-03-30", &key).await;
    assert_eq!(late.status, 422);
    assert!(
        late.body
            .contains("Ordering for 30 Mar 2026 closed at 29 Mar 2026, 14:00."),
        "{}",
        late.body
    );
    assert_eq!(order_count(&app), 0);
}

#[tokio::test]
async fn a_closure_is_not_offered_and_is_refused_with_its_message() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    app.clock.set(datetime!(2026-11-24 09:00 UTC));
    let added = shop
        .sam
        .browser
        .post(
            "/provider/delivery/closures",
            &[
                ("starts_on", "2026-11-25"),
                ("ends_on", "2026-11-26"),
                ("message", "Stocktake"),
            ],
        )
        .await;
    assert!(added.redirects_to("/provider/delivery"), "{}", added.body);
    let backwards = shop
        .sam
        .browser
        .post(
            "/provider/delivery/closures",
            &[
                ("starts_on", "2026-12-05"),
                ("ends_on", "2026-12-01"),
                ("message", "<b>x</b>"),
            ],
        )
        .await;
    assert_eq!(backwards.status, 422);
    assert!(
        backwards
            .body
            .contains("The last day can&#39;t be before the first.")
    );
    assert!(
        backwards.body.contains(r#"value="&#60;b&#62;x&#60;"#),
        "values kept, escaped"
    );

    add(&shop.ada.browser, shop.cream, "3").await;
    let page = shop.ada.browser.get("/checkout/veg-co").await;
    assert!(
        page.body
            .contains("Closed 25 Nov 2026 to 26 Nov 2026: Stocktake.")
    );
    assert!(!page.body.contains(r#"<option value="2026-11-25"#));
    assert!(page.body.contains(r#"<option value="2026-11-27""#));
    let early = window(&app, zone, time!(06:00));
    let refused = checkout(
        &shop.ada.browser,
        shop.ada.location_id,
        &format!("2026-11-25/{early}"),
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Closed 25 Nov 2026 to 26 Nov 2026: Stocktake. The next delivery you can have is Friday 27 Nov 2026"));
    assert_eq!(order_count(&app), 0);
}

#[tokio::test]
async fn the_last_place_in_a_window_goes_to_one_of_two_buyers_racing_for_it() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[("max_per_window", "1")]).await;
    let early = window(&app, zone, time!(06:00));
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    add(&shop.ada.browser, shop.cream, "3").await;
    add(&bo.browser, shop.cream, "3").await;
    app.clock.set(datetime!(2026-11-24 09:00 UTC));
    let slot = format!("2026-11-25/{early}");
    let (ka, kb) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let (a, b) = tokio::join!(
        checkout(&shop.ada.browser, shop.ada.location_id, &slot, &ka),
        checkout(&bo.browser, bo.location_id, &slot, &kb),
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 422]);
    let (loser, loser_browser) = if a.status == 422 {
        (&a, &shop.ada.browser)
    } else {
        (&b, &bo.browser)
    };
    assert!(
        loser.body.contains("That delivery window is fully booked. The next delivery you can have is Wednesday 25 Nov 2026, 10:00–12:00"),
        "{}",
        loser.body
    );
    let in_window: i64 = orders::table
        .filter(orders::window_start.eq(time!(06:00)))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(in_window, 1);
    // The full window is no longer offered; the loser's cart is intact.
    let page = loser_browser.get("/checkout/veg-co").await;
    assert!(page.body.contains("Double cream"));
    assert!(!page.body.contains(&format!("2026-11-25/{early}")));
    assert!(
        page.body
            .contains(&format!("2026-11-25/{}", window(&app, zone, time!(10:00))))
    );
}

#[tokio::test]
async fn a_delivery_charge_is_a_line_with_vat_on_the_order_and_the_invoice() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[("delivery_charge", "7.50")]).await;
    app.clock.set(datetime!(2026-11-24 09:00 UTC));
    add(&shop.ada.browser, shop.cream, "3").await; // 3 × £5.60 at 0 %
    let page = shop.ada.browser.get("/checkout/veg-co").await;
    assert!(
        page.body
            .contains("Includes a delivery charge of £7.50 + VAT at 20%.")
    );
    let placed = checkout(
        &shop.ada.browser,
        shop.ada.location_id,
        "2026-11-26",
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let id = Uuid::parse_str(placed.location.unwrap().trim_start_matches("/orders/")).unwrap();
    let (subtotal, vat, total): (Decimal, Decimal, Decimal) = orders::table
        .find(id)
        .select((orders::subtotal, orders::vat_total, orders::total))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (subtotal, vat, total),
        (
            "24.30".parse().unwrap(),
            "1.50".parse().unwrap(),
            "25.80".parse().unwrap()
        )
    );

    // Confirming recomputes the totals from the lines; the charge stays.
    let confirmed = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{id}/confirm"), &[])
        .await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    let total: Decimal = orders::table
        .find(id)
        .select(orders::total)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(total, "25.80".parse::<Decimal>().unwrap());
    let invoiced = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{id}/invoice"), &[])
        .await;
    assert_eq!(invoiced.status, 303, "{}", invoiced.body);
    let delivery: (Decimal, Decimal, Decimal) = invoice_lines::table
        .filter(invoice_lines::description.eq("Delivery"))
        .select((
            invoice_lines::line_total,
            invoice_lines::vat_rate,
            invoice_lines::line_vat,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        delivery,
        (
            "7.50".parse().unwrap(),
            Decimal::from(20),
            "1.50".parse().unwrap()
        )
    );
}

#[tokio::test]
async fn a_bad_zone_form_keeps_the_values_and_another_providers_zone_is_404() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    let bad = shop
        .sam
        .browser
        .post(
            "/provider/delivery/zones",
            &[
                ("name", "North <script>"),
                ("areas", "N1, 12345"),
                ("days", "1"),
                ("w1", "09:00-06:00"),
                ("lead_days", "1"),
                ("cutoff", "14:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("&#34;12345&#34; isn&#39;t a postcode area"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("A window must end after it starts."));
    assert!(bad.body.contains(r#"value="North &#60;script&#62;""#));
    assert!(bad.body.contains(r#"value="09:00-06:00""#));

    let tom = fixtures::seller(&app, "tom@fish.test", "Fish Co").await;
    let before = crate::tenancy::fingerprint(&app);
    let closure = larder::availability::queries::add_closure(
        &mut app.conn(),
        larder::ids::ProviderId(shop.sam.provider_id),
        time::macros::date!(2030 - 01 - 01),
        time::macros::date!(2030 - 01 - 02),
        "",
    )
    .unwrap();
    let before_with_closure = crate::tenancy::fingerprint(&app);
    assert_ne!(before, before_with_closure);
    for (path, post) in [
        (format!("/provider/delivery/zones/{zone}/edit"), false),
        (format!("/provider/delivery/zones/{zone}"), true),
        (format!("/provider/delivery/zones/{zone}/delete"), true),
        (
            format!("/provider/delivery/closures/{closure}/delete"),
            true,
        ),
    ] {
        let page = if post {
            tom.browser.post(&path, &ZONE).await
        } else {
            tom.browser.get(&path).await
        };
        assert_eq!(page.status, 404, "{path}");
    }
    assert_eq!(crate::tenancy::fingerprint(&app), before_with_closure);
    // The owner can.
    let gone = shop
        .sam
        .browser
        .post(
            &format!("/provider/delivery/closures/{closure}/delete"),
            &[],
        )
        .await;
    assert!(gone.redirects_to("/provider/delivery"));
}

#[tokio::test]
async fn discovery_shows_each_providers_next_delivery_and_filters_by_date() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    let tom = fixtures::seller(&app, "tom@fish.test", "Fish Co").await;
    larder::catalog::queries::upsert_many(
        &mut app.conn(),
        larder::ids::ProviderId(tom.provider_id),
        &[crate::ordering::item(
            "FS-1", "Hake", "kg", "14.00", 0, true,
        )],
    )
    .unwrap();
    let fish_zone = zone_of(&app, tom.provider_id);
    let page = tom
        .browser
        .post(
            &format!("/provider/delivery/zones/{fish_zone}"),
            &[
                ("name", "Fridays"),
                ("areas", "SE1"),
                ("days", "5"),
                ("lead_days", "2"),
                ("cutoff", "09:00"),
            ],
        )
        .await;
    assert!(page.redirects_to("/provider/delivery"), "{}", page.body);
    app.clock.set(datetime!(2026-11-24 10:00 UTC));

    let all = shop.ada.browser.get("/discover").await;
    assert!(
        all.body.contains(
            "Next delivery to you: Wednesday 25 Nov 2026, 06:00–09:00 (order by 24 Nov 2026, 14:00)"
        ),
        "{}",
        all.body
    );
    assert!(
        all.body
            .contains("Next delivery to you: Friday 27 Nov 2026 (order by 25 Nov 2026, 09:00)")
    );

    let tomorrow = shop
        .ada
        .browser
        .get("/discover?filtered=1&by=tomorrow")
        .await;
    assert!(tomorrow.body.contains("Veg Co"));
    assert!(
        !tomorrow.body.contains("Fish Co"),
        "Fish Co can't deliver until Friday"
    );
    let friday = shop
        .ada
        .browser
        .get("/discover?filtered=1&by=2026-11-27")
        .await;
    assert!(friday.body.contains("Veg Co") && friday.body.contains("Fish Co"));
    let past = shop
        .ada
        .browser
        .get("/discover?filtered=1&by=2020-01-01")
        .await;
    assert_eq!(past.status, 200);
    assert!(
        past.body
            .contains("Choose a delivery date from today on; that one was ignored.")
    );
    assert!(past.body.contains("Fish Co"));
}

#[tokio::test]
async fn a_buyer_cancels_until_the_cut_off_and_not_after() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
    app.clock.set(datetime!(2026-11-24 12:00 UTC));
    let mut placed = Vec::new();
    for _ in 0..2 {
        add(&shop.ada.browser, shop.cream, "3").await;
        let page = checkout(
            &shop.ada.browser,
            shop.ada.location_id,
            "2026-11-26",
            &Uuid::now_v7().to_string(),
        )
        .await;
        assert_eq!(page.status, 303, "{}", page.body);
        placed.push(page.location.unwrap());
    }
    // Thursday's cut-off is Wednesday 14:00.
    app.clock.set(datetime!(2026-11-25 13:59:59 UTC));
    let open = shop.ada.browser.get(&placed[0]).await;
    assert!(open.body.contains("/cancel"), "{}", open.body);
    let cancelled = shop
        .ada
        .browser
        .post(&format!("{}/cancel", placed[0]), &[])
        .await;
    assert_eq!(cancelled.status, 303);

    app.clock.set(datetime!(2026-11-25 14:00 UTC));
    let closed = shop.ada.browser.get(&placed[1]).await;
    assert!(
        !closed.body.contains("/cancel"),
        "no Cancel after the cut-off"
    );
    let before = crate::tenancy::fingerprint(&app);
    let late = shop
        .ada
        .browser
        .post(&format!("{}/cancel", placed[1]), &[])
        .await;
    assert_eq!(late.status, 409);
    assert!(late.body.contains("Ordering for this delivery closed at 25 Nov 2026, 14:00. Contact the provider to change or cancel it."));
    assert_eq!(crate::tenancy::fingerprint(&app), before);
    let statuses: Vec<String> = orders::table
        .order(orders::created_at)
        .select(orders::status)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(statuses, ["cancelled", "submitted"]);
}

#[tokio::test]
async fn a_buyer_changes_quantities_before_confirmation_and_the_provider_is_told() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let zone = zone_of(&app, shop.sam.provider_id);
    set_zone(&shop, zone, &[]).await;
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
    let order = placed.location.unwrap();
    let id = Uuid::parse_str(order.trim_start_matches("/orders/")).unwrap();
    let line = |name: &str| -> Uuid {
        larder::db::schema::order_lines::table
            .filter(larder::db::schema::order_lines::order_id.eq(id))
            .filter(larder::db::schema::order_lines::product_name.eq(name))
            .select(larder::db::schema::order_lines::id)
            .first(&mut app.conn())
            .unwrap()
    };
    let (cream, leeks) = (
        format!("qty_{}", line("Double cream")),
        format!("qty_{}", line("Leeks")),
    );
    let page = shop.ada.browser.get(&order).await;
    assert!(page.body.contains(&format!("/orders/{id}/change")));

    let bad = shop
        .ada
        .browser
        .post(&format!("{order}/change"), &[(&cream, "2.5")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("This product is sold in whole units.")
            && bad.body.contains(r#"value="2.5""#)
    );
    let under = shop
        .ada
        .browser
        .post(&format!("{order}/change"), &[(&cream, "1"), (&leeks, "0")])
        .await;
    assert_eq!(under.status, 409);
    assert!(
        under
            .body
            .contains("under this provider&#39;s minimum of £10.00"),
        "{}",
        under.body
    );

    let ok = shop
        .ada
        .browser
        .post(&format!("{order}/change"), &[(&cream, "5"), (&leeks, "0")])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let (subtotal, total): (Decimal, Decimal) = orders::table
        .find(id)
        .select((orders::subtotal, orders::total))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (subtotal, total),
        ("28.00".parse().unwrap(), "28.00".parse().unwrap())
    );
    app.run_jobs();
    let mail = app
        .sent_emails()
        .into_iter()
        .find(|m| m.contains("Order ") && m.contains("changed by"))
        .expect("the provider is emailed");
    assert!(mail.contains("Double cream 3 → 5; Leeks removed"), "{mail}");

    // After the cut-off (Wednesday 14:00) the change form is gone and a change is refused.
    app.clock.set(datetime!(2026-11-25 14:00 UTC));
    assert!(!shop.ada.browser.get(&order).await.body.contains("/change"));
    let late = shop
        .ada
        .browser
        .post(&format!("{order}/change"), &[(&cream, "4")])
        .await;
    assert_eq!(late.status, 409);
    // Once confirmed, neither.
    app.clock.set(datetime!(2026-11-24 10:00 UTC));
    shop.sam
        .browser
        .post(&format!("/provider/orders/{id}/confirm"), &[])
        .await;
    let confirmed = shop
        .ada
        .browser
        .post(&format!("{order}/change"), &[(&cream, "4")])
        .await;
    assert_eq!(confirmed.status, 409);
    let q: Decimal = larder::db::schema::order_lines::table
        .find(line("Double cream"))
        .select(larder::db::schema::order_lines::quantity)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(q, Decimal::from(5));
}

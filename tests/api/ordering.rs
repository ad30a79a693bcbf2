//! Ordering end to end over HTTP: cart, checkout rules, exactly-once submit, the provider's
//! actions, emails through a real SMTP server, and the job queue's guarantees.

use diesel::prelude::*;
use larder::catalog::model::ProductInput;
use larder::catalog::queries as catalog;
use larder::checkout::rules::next_delivery_dates;
use larder::db::schema::{cart_items, jobs, order_lines, orders, products, providers};
use larder::ids::ProviderId;
use larder::timefmt::london_today;
use regex::Regex;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::browser::Page;
use crate::helpers::fixtures::{self, Buyer, PASSWORD, Seller};
use crate::helpers::smtp::SmtpCatcher;
use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

pub struct Shop {
    pub ada: Buyer,
    pub sam: Seller,
    pub cream: Uuid,
    pub wine: Uuid,
    pub leeks: Uuid,
}

pub fn item(
    sku: &str,
    name: &str,
    unit: &str,
    price: &str,
    vat: i64,
    fractional: bool,
) -> ProductInput {
    ProductInput {
        sku: sku.into(),
        name: name.into(),
        description: String::new(),
        category: "fruit_veg".into(),
        unit: unit.into(),
        pack_size: String::new(),
        fractional,
        price: price.parse().unwrap(),
        vat_rate: Decimal::from(vat),
        in_stock: true,
        active: true,
    }
}

fn product(app: &TestApp, provider: Uuid, input: ProductInput) -> Uuid {
    catalog::insert(&mut app.conn(), ProviderId(provider), &input).unwrap()
}

/// Sam ("Veg Co", delivers Mon/Wed/Fri to SE1 and E, minimum £50) and Ada (a buyer in SE1).
pub async fn shop(app: &TestApp) -> Shop {
    let sam = fixtures::seller(app, "sam@veg.test", "Veg Co").await;
    let cream = product(
        app,
        sam.provider_id,
        item("CR-1", "Double cream", "each", "5.60", 0, false),
    );
    let wine = product(
        app,
        sam.provider_id,
        item("WN-1", "House red", "case", "42.00", 20, false),
    );
    let leeks = product(
        app,
        sam.provider_id,
        item("LK-1", "Leeks", "kg", "2.35", 0, true),
    );
    Shop {
        ada: fixtures::buyer(app, "ada@bistro.test").await,
        sam,
        cream,
        wine,
        leeks,
    }
}

pub async fn add(b: &Browser, product: Uuid, quantity: &str) -> Page {
    b.post(
        "/cart/items",
        &[
            ("product_id", &product.to_string()),
            ("quantity", quantity),
            ("back", "/cart"),
        ],
    )
    .await
}

/// What the checkout page's form would send: (key, first offered date, chosen location).
pub async fn checkout_form(b: &Browser) -> (String, String, String) {
    let page = b.get("/checkout/veg-co").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let grab = |re: &str| {
        Regex::new(re)
            .unwrap()
            .captures(&page.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_default()
    };
    (
        grab(r#"name="key" value="([0-9a-f-]{36})""#),
        grab(r#"<option value="(\d{4}-\d{2}-\d{2})""#),
        grab(r#"<option value="([0-9a-f-]{36})" selected"#),
    )
}

/// The cart fingerprint the checkout page carries: what the buyer last saw.
pub async fn cart_seen(b: &Browser) -> String {
    let page = b.get("/checkout/veg-co").await;
    Regex::new(r#"name="cart" value="([0-9a-f]*)""#)
        .unwrap()
        .captures(&page.body)
        .map(|c| c[1].to_owned())
        .unwrap_or_default() // an empty cart shows no form
}

/// Submits as a checkout page loaded just now would.
pub async fn submit(b: &Browser, key: &str, date: &str, location: &str) -> Page {
    let cart = cart_seen(b).await;
    b.post(
        "/checkout/veg-co",
        &[
            ("key", key),
            ("date", date),
            ("location", location),
            ("notes", "Side door please"),
            ("cart", &cart),
        ],
    )
    .await
}

/// A full basket over the minimum: 6 × £5.60 cream + 1 case of wine at 20% VAT + 1.5 kg leeks.
pub async fn place_order(shop: &Shop) -> Uuid {
    add(&shop.ada.browser, shop.cream, "6").await;
    add(&shop.ada.browser, shop.wine, "1").await;
    add(&shop.ada.browser, shop.leeks, "1.5").await;
    let (key, date, location) = checkout_form(&shop.ada.browser).await;
    let page = submit(&shop.ada.browser, &key, &date, &location).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.location.unwrap();
    Uuid::parse_str(location.trim_start_matches("/orders/")).unwrap()
}

fn order_count(app: &TestApp) -> i64 {
    orders::table.count().get_result(&mut app.conn()).unwrap()
}

#[tokio::test]
async fn buyer_orders_and_provider_confirms_with_a_short_then_delivers() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;

    let mut conn = app.conn();
    let (number, subtotal, vat, total): (String, Decimal, Decimal, Decimal) = orders::table
        .find(id)
        .select((
            orders::number,
            orders::subtotal,
            orders::vat_total,
            orders::total,
        ))
        .first(&mut conn)
        .unwrap();
    // 33.60 + 42.00 + 3.53 (2.35 × 1.5 = 3.525, half up); VAT 20% of 42.00.
    assert_eq!(
        (subtotal, vat, total),
        (
            Decimal::new(7913, 2),
            Decimal::new(840, 2),
            Decimal::new(8753, 2)
        )
    );
    assert!(number.starts_with("LD-"));
    let left: i64 = cart_items::table.count().get_result(&mut conn).unwrap();
    assert_eq!(left, 0, "the order consumed the cart");

    let page = shop.ada.browser.get(&format!("/orders/{id}")).await;
    assert!(page.body.contains("Order placed") && page.body.contains("Awaiting confirmation"));
    assert!(page.body.contains("VAT at 20% on £42.00") && page.body.contains("£87.53"));

    let incoming = shop.sam.browser.get("/provider/orders").await;
    assert!(incoming.body.contains(&number) && incoming.body.contains("Ada&#39;s Bistro"));

    // Short the cream to 4 of 6.
    let cream_line: Uuid = order_lines::table
        .filter(order_lines::order_id.eq(id))
        .filter(order_lines::sku.eq("CR-1"))
        .select(order_lines::id)
        .first(&mut conn)
        .unwrap();
    let field = format!("qty_{cream_line}");
    let confirm = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{id}/confirm"),
            &[(field.as_str(), "4")],
        )
        .await;
    assert_eq!(confirm.status, 303);
    let (status, subtotal, total): (String, Decimal, Decimal) = orders::table
        .find(id)
        .select((orders::status, orders::subtotal, orders::total))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (status.as_str(), subtotal, total),
        ("confirmed", Decimal::new(6793, 2), Decimal::new(7633, 2))
    );
    let buyer_view = shop.ada.browser.get(&format!("/orders/{id}")).await;
    assert!(buyer_view.body.contains("Short") && buyer_view.body.contains("£76.33"));

    let date = next_delivery_dates(london_today(), &[1, 3, 5], 2)[1].to_string();
    let scheduled = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{id}/schedule"),
            &[
                ("date", &date),
                ("window_start", "07:00"),
                ("window_end", "10:00"),
            ],
        )
        .await;
    assert_eq!(scheduled.status, 303);
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/dispatch"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        shop.sam
            .browser
            .post(
                &format!("/provider/orders/{id}/deliver"),
                &[("received_by", "Chef Ada")]
            )
            .await
            .status,
        303
    );
    let done = shop.ada.browser.get(&format!("/orders/{id}")).await;
    assert!(
        done.body.contains("Delivered")
            && done.body.contains("received by Chef Ada")
            && done.body.contains("07:00–10:00")
    );
    for step in [
        "Awaiting confirmation",
        "Confirmed",
        "Delivery scheduled",
        "Out for delivery",
        "Delivered",
    ] {
        assert!(
            done.body.contains(&format!("<strong>{step}</strong>")),
            "timeline has {step}"
        );
    }
    assert!(
        !done.body.contains("every 10s"),
        "a finished order stops polling"
    );
}

#[tokio::test]
async fn twenty_concurrent_submits_with_one_key_make_one_order() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    add(&shop.ada.browser, shop.cream, "10").await;
    let (key, date, location) = checkout_form(&shop.ada.browser).await;
    let token = shop.ada.browser.csrf().await;
    let cart = cart_seen(&shop.ada.browser).await;
    let body = serde_urlencoded::to_string([
        ("key", key.as_str()),
        ("date", &date),
        ("location", &location),
        ("cart", &cart),
        ("csrf_token", &token),
    ])
    .unwrap();
    let requests = (0..20).map(|_| {
        shop.ada
            .browser
            .client
            .post(shop.ada.browser.url("/checkout/veg-co"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
    });
    let responses = futures::future::join_all(requests).await;
    let mut locations: Vec<String> = responses
        .into_iter()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.status(), 303);
            r.headers()["location"].to_str().unwrap().to_owned()
        })
        .collect();
    locations.dedup();
    assert_eq!(
        locations.len(),
        1,
        "every submit answers with the same order"
    );
    assert_eq!(order_count(&app), 1);
    let lines: i64 = order_lines::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(lines, 1);
}

#[tokio::test]
async fn a_second_tab_with_its_own_key_finds_the_cart_already_ordered() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    add(&shop.ada.browser, shop.cream, "10").await;
    let (key1, date, location) = checkout_form(&shop.ada.browser).await;
    let (key2, ..) = checkout_form(&shop.ada.browser).await;
    assert_ne!(key1, key2, "each checkout page gets its own key");
    assert_eq!(
        submit(&shop.ada.browser, &key1, &date, &location)
            .await
            .status,
        303
    );
    let second = submit(&shop.ada.browser, &key2, &date, &location).await;
    assert_eq!(second.status, 422);
    assert!(
        second
            .body
            .contains("Your cart for this provider is empty.")
    );
    // A replay of the first key still shows the order.
    let replay = submit(&shop.ada.browser, &key1, &date, &location).await;
    assert_eq!(replay.status, 303);
    assert_eq!(order_count(&app), 1);
}

#[tokio::test]
async fn checkout_refuses_below_minimum_wrong_days_and_unavailable_items() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    add(&shop.ada.browser, shop.cream, "2").await;
    let (key, date, location) = checkout_form(&shop.ada.browser).await;
    let below = submit(&shop.ada.browser, &key, &date, &location).await;
    assert_eq!(below.status, 422);
    assert!(
        below.body.contains(
            "minimum order for your area is £50.00 before VAT; your cart comes to £11.20"
        )
    );

    add(&shop.ada.browser, shop.cream, "8").await;
    let today = london_today();
    // From tomorrow: today's date is too soon after noon, whatever the weekday.
    let tuesday = (1..8)
        .map(|d| today + time::Duration::days(d))
        .find(|d| d.weekday() == time::Weekday::Tuesday)
        .unwrap();
    let wrong_day = submit(&shop.ada.browser, &key, &tuesday.to_string(), &location).await;
    assert_eq!(wrong_day.status, 422);
    assert!(
        wrong_day
            .body
            .contains("doesn&#39;t deliver to your address on Tuesdays")
    );
    let past = submit(
        &shop.ada.browser,
        &key,
        &(today - time::Duration::days(7)).to_string(),
        &location,
    )
    .await;
    assert!(
        past.body.contains("That delivery date has passed."),
        "{}",
        past.body
    );
    let nonsense = submit(&shop.ada.browser, &key, "31/02/2026", &location).await;
    assert!(nonsense.body.contains("Choose a delivery date"));

    diesel::update(products::table.find(shop.cream))
        .set(products::in_stock.eq(false))
        .execute(&mut app.conn())
        .unwrap();
    let gone = submit(&shop.ada.browser, &key, &date, &location).await;
    assert!(
        gone.body
            .contains("Remove what&#39;s no longer available: Double cream.")
    );
    assert_eq!(order_count(&app), 0);
}

#[tokio::test]
async fn suspended_provider_or_business_cannot_order() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    add(&shop.ada.browser, shop.cream, "10").await;
    let (key, date, location) = checkout_form(&shop.ada.browser).await;
    diesel::update(providers::table.find(shop.sam.provider_id))
        .set(providers::status.eq("suspended"))
        .execute(&mut app.conn())
        .unwrap();
    let page = submit(&shop.ada.browser, &key, &date, &location).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("isn&#39;t taking orders"));
    diesel::update(providers::table.find(shop.sam.provider_id))
        .set(providers::status.eq("active"))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(larder::db::schema::businesses::table.find(shop.ada.business_id))
        .set(larder::db::schema::businesses::status.eq("suspended"))
        .execute(&mut app.conn())
        .unwrap();
    let page = submit(&shop.ada.browser, &key, &date, &location).await;
    assert!(page.body.contains("Your business is suspended"));
    assert_eq!(order_count(&app), 0);
}

#[tokio::test]
async fn cart_quantities_are_checked_and_htmx_swaps_the_cart_and_badge() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    for (q, product) in [
        ("-1", shop.cream),
        ("0", shop.cream),
        ("1.5", shop.cream),
        ("abc", shop.cream),
        ("10001", shop.leeks),
        ("1e3", shop.leeks),
    ] {
        let page = add(&shop.ada.browser, product, q).await;
        assert_eq!(page.status, 303, "{q}");
    }
    let count: i64 = cart_items::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 0, "no bad quantity reached the cart");
    let cart = shop.ada.browser.get("/cart").await;
    assert!(cart.body.contains("Your cart is empty"));

    let token = shop.ada.browser.csrf().await;
    let res = shop
        .ada
        .browser
        .client
        .post(shop.ada.browser.url("/cart/items"))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .form(&[
            ("product_id", shop.leeks.to_string().as_str()),
            ("quantity", "1.25"),
        ])
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(
        body.contains("Added: 1.25 in your cart")
            && body.contains(r#"id="cart-badge" data-hx-swap-oob="true">Cart (1)"#)
    );
    let item: Uuid = cart_items::table
        .select(cart_items::id)
        .first(&mut app.conn())
        .unwrap();
    let res = shop
        .ada
        .browser
        .client
        .post(shop.ada.browser.url(&format!("/cart/items/{item}")))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", &token)
        .form(&[("quantity", "3")])
        .send()
        .await
        .unwrap();
    let body = res.text().await.unwrap();
    assert!(
        body.contains("provider-cart") && body.contains("£7.05") && !body.contains("<html"),
        "{body}"
    );
    assert!(
        shop.ada
            .browser
            .get("/buyer")
            .await
            .body
            .contains("Cart (1)")
    );
}

#[tokio::test]
async fn illegal_transitions_answer_409_with_a_reason() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let dispatch_early = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{id}/dispatch"), &[])
        .await;
    assert_eq!(dispatch_early.status, 409);
    assert!(dispatch_early.body.contains(
        "This order is awaiting confirmation, so it can&#39;t be sent out for delivery now."
    ));
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &[])
            .await
            .status,
        409
    );
    let cancel = shop
        .ada
        .browser
        .post(&format!("/orders/{id}/cancel"), &[])
        .await;
    assert_eq!(cancel.status, 409);
    assert!(cancel.body.contains("can&#39;t be cancelled now"));
    assert_eq!(
        shop.sam
            .browser
            .post(
                &format!("/provider/orders/{id}/reject"),
                &[("reason", "Too late")]
            )
            .await
            .status,
        409
    );
    let status: String = orders::table
        .find(id)
        .select(orders::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "confirmed");
}

/// The version the status poll carries, as the order page renders it.
fn poll_url(body: &str) -> String {
    let re = Regex::new(r#"data-hx-get="([^"]+/status\?v=\d+)""#).unwrap();
    re.captures(body).expect("status poll on the page")[1].to_owned()
}

#[tokio::test]
async fn the_status_poll_leaves_the_page_alone_until_the_order_changes() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/orders/{id}"))
        .await;
    let poll = poll_url(&page.body);
    let unchanged = shop.sam.browser.get(&poll).await;
    assert_eq!(unchanged.status, 204);
    assert!(unchanged.body.is_empty());
    // Another provider and another buyer, even with the right version, learn nothing.
    let other = fixtures::seller(&app, "tom@fish.test", "Fish Co").await;
    assert_eq!(other.browser.get(&poll).await.status, 404);
    let bob = fixtures::buyer(&app, "bob@cafe.test").await;
    let buyer_poll_url = poll.replacen("/provider/orders/", "/orders/", 1);
    assert_eq!(bob.browser.get(&buyer_poll_url).await.status, 404);

    // The buyer's own page polls the same way and sees the provider's change.
    let buyer_page = shop.ada.browser.get(&format!("/orders/{id}")).await;
    let buyer_poll = poll_url(&buyer_page.body);
    assert_eq!(shop.ada.browser.get(&buyer_poll).await.status, 204);
    let confirm = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{id}/confirm"), &[])
        .await;
    assert_eq!(confirm.status, 303);
    let changed = shop.ada.browser.get(&buyer_poll).await;
    assert_eq!(changed.status, 200);
    assert!(changed.body.contains("status-confirmed"));
    assert_ne!(poll_url(&changed.body), buyer_poll);

    // A version the page could not have shown is just a fresh render.
    let odd = shop
        .ada
        .browser
        .get(&format!("/orders/{id}/status?v=not-a-number"))
        .await;
    assert_eq!(odd.status, 200);
    assert!(odd.body.contains("status-confirmed"));
}

#[tokio::test]
async fn htmx_actions_answer_with_the_fresh_status_region() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let b = &shop.sam.browser;
    let token = b.csrf().await;
    let htmx_post = |path: String| {
        b.client
            .post(b.url(&path))
            .header("HX-Request", "true")
            .header("X-CSRF-Token", &token)
            .form(&[("received_by", "Chef Ada")])
            .send()
    };
    let confirmed = htmx_post(format!("/provider/orders/{id}/confirm"))
        .await
        .unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.headers().get("location").is_none());
    let body = confirmed.text().await.unwrap();
    assert!(
        body.starts_with(r#"<section class="panel" id="order-status""#)
            && body.contains("status-confirmed")
            && !body.contains("<html"),
        "{body}"
    );
    let delivered = htmx_post(format!("/provider/orders/{id}/deliver"))
        .await
        .unwrap();
    let body = delivered.text().await.unwrap();
    assert!(
        body.contains("status-delivered") && body.contains("Chef Ada"),
        "{body}"
    );

    // Too late to act again: a 409 with the reason, and the order stays delivered.
    let again = htmx_post(format!("/provider/orders/{id}/dispatch"))
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    let status: String = orders::table
        .find(id)
        .select(orders::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "delivered");
}

#[tokio::test]
async fn buyer_cancels_while_submitted_and_provider_rejects_with_a_reason() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let first = place_order(&shop).await;
    assert_eq!(
        shop.ada
            .browser
            .post(&format!("/orders/{first}/cancel"), &[])
            .await
            .status,
        303
    );
    let second = place_order(&shop).await;
    let empty = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{second}/reject"),
            &[("reason", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let rejected = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{second}/reject"),
            &[("reason", "No drivers on Friday")],
        )
        .await;
    assert_eq!(rejected.status, 303);
    let page = shop.ada.browser.get(&format!("/orders/{second}")).await;
    assert!(page.body.contains("No drivers on Friday"));
    let list = shop.ada.browser.get("/orders?status=cancelled").await;
    assert!(list.body.contains("Cancelled") && !list.body.contains("Rejected</span>"));
}

#[tokio::test]
async fn confirming_every_line_as_unavailable_asks_for_a_rejection() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let lines: Vec<Uuid> = order_lines::table
        .filter(order_lines::order_id.eq(id))
        .select(order_lines::id)
        .load(&mut app.conn())
        .unwrap();
    let fields: Vec<(String, &str)> = lines.iter().map(|l| (format!("qty_{l}"), "0")).collect();
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let page = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{id}/confirm"), &form)
        .await;
    assert_eq!(page.status, 409);
    let over: Vec<(&str, &str)> = vec![(form[0].0, "999")];
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &over)
            .await
            .status,
        422
    );
    let status: String = orders::table
        .find(id)
        .select(orders::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "submitted");
}

#[tokio::test]
async fn reorder_copies_lines_back_and_says_what_changed_before_submitting() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    diesel::update(products::table.find(shop.wine))
        .set(products::active.eq(false))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(products::table.find(shop.cream))
        .set(products::price.eq(Decimal::new(590, 2)))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(products::table.find(shop.leeks))
        .set(products::in_stock.eq(false))
        .execute(&mut app.conn())
        .unwrap();
    let page = shop
        .ada
        .browser
        .post(&format!("/orders/{id}/reorder"), &[])
        .await;
    assert!(page.redirects_to("/cart"));
    let cart = shop.ada.browser.get("/cart").await;
    assert!(
        cart.body.contains(
            "2 item(s) from this order are in your cart. Not available any more, so skipped: House red. Prices changed since: Double cream £5.90 (was £5.60). Out of stock for now, so checkout will ask you to remove: Leeks."
        ),
        "{}",
        cart.body
    );
    let count: i64 = cart_items::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 2);
}

#[tokio::test]
async fn order_emails_reach_a_real_smtp_server_with_links_that_survive_login() {
    let smtp = SmtpCatcher::start();
    let url = smtp.url();
    let app = spawn_app_with(|c| c.smtp_url = Some(url)).await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &[])
            .await
            .status,
        303
    );
    assert_eq!(app.run_jobs(), 3);
    let mails = smtp.messages();
    assert_eq!(mails.len(), 3);
    let receipt = mails
        .iter()
        .find(|m| m.contains("Subject: Order LD-") && m.contains("sent to Veg Co"))
        .expect("the buyer's receipt for the order they placed");
    assert!(receipt.contains("To: ada@bistro.test"), "{receipt}");
    let to_provider = mails
        .iter()
        .find(|m| m.contains("Subject: New order LD-"))
        .expect("provider email");
    assert!(to_provider.contains("To: sam@veg.test") && to_provider.contains("from Ada's Bistro"));
    let to_buyer = mails
        .iter()
        .find(|m| m.contains("confirmed"))
        .expect("buyer email");
    let link = Regex::new(r"(http://127\.0\.0\.1:\d+/orders/[0-9a-f-]{36})")
        .unwrap()
        .captures(to_buyer)
        .unwrap()[1]
        .to_owned();
    assert_eq!(link, format!("{}/orders/{id}", app.address));

    // Logged out, the link goes through login and lands on the order.
    let stranger = app.browser();
    let path = link.trim_start_matches(&app.address);
    let bounce = stranger.get(path).await;
    assert_eq!(bounce.status, 303);
    let next = bounce.location.unwrap();
    assert_eq!(next, format!("/login?next=%2Forders%2F{id}"));
    let login = stranger
        .post(
            "/login",
            &[
                ("email", "ada@bistro.test"),
                ("password", PASSWORD),
                ("next", path),
            ],
        )
        .await;
    assert!(login.redirects_to(path));
    assert_eq!(stranger.get(path).await.status, 200);
}

#[tokio::test]
async fn a_job_that_fails_twice_then_succeeds_keeps_its_last_error_and_sends_once() {
    let smtp = SmtpCatcher::start();
    let url = smtp.url();
    let app = spawn_app_with(|c| c.smtp_url = Some(url)).await;
    let shop = shop(&app).await;
    place_order(&shop).await;
    // Only the provider's new-order email, so the job under test is the one queued.
    diesel::delete(jobs::table.filter(jobs::dedup_key.like("%:buyer")))
        .execute(&mut app.conn())
        .unwrap();
    smtp.refuse_next(2);
    let due_now = |app: &TestApp| {
        diesel::update(jobs::table)
            .set(jobs::run_at.eq(diesel::dsl::now))
            .execute(&mut app.conn())
            .unwrap();
    };
    for attempt in 1..=2 {
        assert_eq!(app.run_jobs(), 1);
        let (status, attempts, error): (String, i32, Option<String>) = jobs::table
            .select((jobs::status, jobs::attempts, jobs::last_error))
            .first(&mut app.conn())
            .unwrap();
        assert_eq!((status.as_str(), attempts), ("queued", attempt));
        assert!(error.unwrap().contains("try again later"));
        assert_eq!(app.run_jobs(), 0, "backoff: not due yet");
        due_now(&app);
    }
    assert_eq!(app.run_jobs(), 1);
    let (status, attempts, error): (String, i32, Option<String>) = jobs::table
        .select((jobs::status, jobs::attempts, jobs::last_error))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((status.as_str(), attempts), ("done", 3));
    assert!(error.is_some(), "the last error is kept for the record");
    assert_eq!(smtp.messages().len(), 1);
}

#[tokio::test]
async fn two_workers_never_send_the_same_email_twice() {
    let smtp = SmtpCatcher::start();
    let url = smtp.url();
    let app = spawn_app_with(|c| c.smtp_url = Some(url)).await;
    let mut conn = app.conn();
    for i in 0..30 {
        let email = larder::email::OutgoingEmail {
            to: format!("chef{i}@bistro.test"),
            subject: format!("Message {i}"),
            text: "hello".into(),
            html: "<p>hello</p>".into(),
        };
        larder::jobs::queries::enqueue(
            &mut conn,
            larder::email::JOB_KIND,
            &serde_json::to_value(&email).unwrap(),
            None,
        )
        .unwrap();
    }
    let config = app.config.clone();
    let url = app.db.url.clone();
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let (config, url) = (config.clone(), url.clone());
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                let ctx =
                    larder::jobs::worker::JobContext::new(&config, larder::clock::Clock::system())
                        .unwrap();
                larder::jobs::worker::run_pending(&mut conn, &ctx, &format!("worker-{w}")).unwrap()
            })
        })
        .collect();
    let ran: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(ran, 30);
    let mut subjects: Vec<String> = smtp
        .messages()
        .iter()
        .map(|m| {
            m.lines()
                .find(|l| l.starts_with("Subject: "))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(subjects.len(), 30);
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 30, "no message was sent twice");
}

/// The cart is placed as the buyer saw it: a price changed meanwhile (another tab, the
/// provider) refuses the submit with the new totals shown, keeps the cart and makes nothing.
#[tokio::test]
async fn a_cart_that_changed_since_checkout_was_shown_is_refused_for_review() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    add(&shop.ada.browser, shop.cream, "10").await;
    let (key, date, location) = checkout_form(&shop.ada.browser).await;
    let seen = cart_seen(&shop.ada.browser).await;
    diesel::update(products::table.find(shop.cream))
        .set(products::price.eq(Decimal::new(610, 2)))
        .execute(&mut app.conn())
        .unwrap();
    let stale = shop
        .ada
        .browser
        .post(
            "/checkout/veg-co",
            &[
                ("key", key.as_str()),
                ("date", &date),
                ("location", &location),
                ("cart", &seen),
            ],
        )
        .await;
    assert_eq!(stale.status, 422);
    assert!(
        stale
            .body
            .contains("Your cart changed since you opened checkout")
    );
    assert!(stale.body.contains("£61.00"), "the new total is shown");
    assert_eq!(order_count(&app), 0);
    // The page that said so carries the new fingerprint: placing it now works.
    let fresh = Regex::new(r#"name="cart" value="([0-9a-f]*)""#)
        .unwrap()
        .captures(&stale.body)
        .unwrap()[1]
        .to_owned();
    assert_ne!(fresh, seen);
    let placed = shop
        .ada
        .browser
        .post(
            "/checkout/veg-co",
            &[
                ("key", key.as_str()),
                ("date", &date),
                ("location", &location),
                ("cart", &fresh),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    let total: Decimal = orders::table
        .select(orders::total)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(total, Decimal::new(6100, 2));
}

/// A second tab (or Back and resubmit with a new key) finds the cart empty and is pointed
/// at the order the first tab placed.
#[tokio::test]
async fn an_emptied_checkout_links_the_order_just_placed() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = place_order(&shop).await;
    let page = shop.ada.browser.get("/checkout/veg-co").await;
    let number: String = orders::table
        .find(id)
        .select(orders::number)
        .first(&mut app.conn())
        .unwrap();
    assert!(
        page.body
            .contains(&format!(r#"<a href="/orders/{id}">{number}</a>"#)),
        "{}",
        page.body
    );
}

/// A worker that outlived its claim finds the job taken over: its late `complete` or `fail`
/// changes nothing, and the worker that took over records the outcome.
#[tokio::test]
async fn a_late_worker_cannot_overwrite_the_claim_of_the_worker_that_took_over() {
    use larder::jobs::queries::{claim_next, complete, enqueue, fail};
    let app = spawn_app().await;
    let mut conn = app.conn();
    enqueue(&mut conn, "send_email", &serde_json::json!({}), None).unwrap();
    let first = claim_next(&mut conn, "worker-a").unwrap().expect("claimed");
    diesel::update(jobs::table)
        .set(jobs::locked_at.eq(Some(
            time::OffsetDateTime::now_utc() - time::Duration::minutes(11),
        )))
        .execute(&mut conn)
        .unwrap();
    let second = claim_next(&mut conn, "worker-b")
        .unwrap()
        .expect("reclaimed");
    assert_eq!((first.id, second.attempts), (second.id, 2));

    assert!(!complete(&mut conn, &first, "worker-a").unwrap());
    assert!(!fail(&mut conn, &first, "worker-a", "late").unwrap());
    let (status, by): (String, Option<String>) = jobs::table
        .select((jobs::status, jobs::locked_by))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (status.as_str(), by.as_deref()),
        ("running", Some("worker-b"))
    );
    assert!(complete(&mut conn, &second, "worker-b").unwrap());
    let status: String = jobs::table.select(jobs::status).first(&mut conn).unwrap();
    assert_eq!(status, "done");
}

/// Stopping the worker finishes the pass in hand and ends the thread, so nothing polls
/// afterwards (the local cluster is stopped only after this on Ctrl-C).
#[tokio::test]
async fn a_stopped_worker_finishes_its_pass_and_polls_no_more() {
    let app = spawn_app().await;
    let email = larder::email::OutgoingEmail {
        to: "chef@bistro.test".into(),
        subject: "Hello".into(),
        text: "hello".into(),
        html: "<p>hello</p>".into(),
    };
    let mut conn = app.conn();
    larder::email::queue(&mut conn, &email, "stop-test-1").unwrap();
    let ctx = larder::jobs::worker::JobContext::new(&app.config, app.clock.clone()).unwrap();
    let pool = larder::db::build_pool(&app.db.url, 1).unwrap();
    let handle = larder::jobs::worker::spawn(pool, std::sync::Arc::new(ctx)).unwrap();
    tokio::task::spawn_blocking(move || handle.stop())
        .await
        .unwrap();
    let statuses: Vec<String> = jobs::table
        .filter(jobs::kind.eq("send_email"))
        .select(jobs::status)
        .load(&mut conn)
        .unwrap();
    assert_eq!(statuses, vec!["done"], "the first pass ran before the stop");
    larder::email::queue(&mut conn, &email, "stop-test-2").unwrap();
    let queued: i64 = jobs::table
        .filter(jobs::status.eq("queued"))
        .filter(jobs::kind.eq("send_email"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(queued, 1, "nothing polls after the stop");
}

/// The cart says how far below the minimum it is, and that a suspended provider's cart
/// can't be checked out (no Checkout button).
#[tokio::test]
async fn the_cart_shows_the_minimum_gap_and_a_provider_that_stopped_trading() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    add(&shop.ada.browser, shop.cream, "1").await;
    let cart = shop.ada.browser.get("/cart").await;
    assert!(
        cart.body.contains("add £44.40 more to check out"),
        "{}",
        cart.body
    );
    assert!(cart.body.contains(r#"href="/checkout/veg-co""#));
    assert!(cart.body.contains("Quantity of Double cream"));

    diesel::update(providers::table.find(shop.sam.provider_id))
        .set(providers::status.eq("suspended"))
        .execute(&mut app.conn())
        .unwrap();
    let cart = shop.ada.browser.get("/cart").await;
    assert!(cart.body.contains("taking orders at the moment"));
    assert!(!cart.body.contains(r#"href="/checkout/veg-co""#));
}

/// Periodic jobs: workers racing to queue the same period queue it once.
#[tokio::test]
async fn workers_racing_the_scheduler_queue_each_period_once() {
    let app = spawn_app().await;
    let url = app.db.url.clone();
    let now = time::OffsetDateTime::now_utc();
    let start = std::sync::Arc::new(std::sync::Barrier::new(4));
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let (url, start) = (url.clone(), start.clone());
            std::thread::spawn(move || {
                let mut conn = PgConnection::establish(&url).unwrap();
                start.wait();
                (0..10)
                    .map(|_| larder::jobs::schedule::enqueue_due(&mut conn, now, now).unwrap())
                    .sum::<usize>()
            })
        })
        .collect();
    let queued: usize = racers.into_iter().map(|t| t.join().unwrap()).sum();
    let periodic = larder::jobs::schedule::PERIODIC.len();
    assert_eq!(
        queued, periodic,
        "each period's run queued by exactly one call"
    );
    let rows: i64 = jobs::table
        .filter(jobs::dedup_key.like("periodic:%"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(rows, periodic as i64);
    // The next period is a new run.
    let later = now + time::Duration::hours(6);
    let mut conn = app.conn();
    assert_eq!(
        larder::jobs::schedule::enqueue_due(&mut conn, later, later).unwrap(),
        periodic
    );
    // And it runs: old throttle rows go, recent ones stay.
    diesel::sql_query(
        "INSERT INTO throttled_requests (action, client, created_at) VALUES
         ('signup', '10.0.0.1', now() - interval '8 days'), ('signup', '10.0.0.1', now())",
    )
    .execute(&mut conn)
    .unwrap();
    assert!(app.run_jobs() >= 1);
    let left: i64 = larder::db::schema::throttled_requests::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(left, 1);
}

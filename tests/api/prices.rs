//! Customer prices: a provider's own price for one customer (or a group of them) is what
//! that buyer sees and pays in the catalogue, compare, cart, checkout, order line and
//! invoice; nobody else sees it; a customer's own price beats a group's; a future price
//! waits for its day; bad input stays on the form; CSV goes out and comes back whole or not
//! at all; and another provider can't touch any of it.

use diesel::prelude::*;
use larder::db::schema::{buyer_groups, customer_prices, invoice_lines, order_lines};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::fixtures::{self, Seller};
use crate::helpers::{Browser, TestApp, spawn_app};
use crate::ordering::{Shop, add, place_order, shop};

async fn set_price(sam: &Browser, sku: &str, buyer: &str, price: &str, from: &str) -> u16 {
    sam.post(
        "/provider/customer-prices",
        &[
            ("sku", sku),
            ("buyer", buyer),
            ("price", price),
            ("starts_on", from),
            ("ends_on", ""),
        ],
    )
    .await
    .status
    .as_u16()
}

fn price_count(app: &TestApp) -> i64 {
    customer_prices::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// Ada has ordered from Sam once, so she is Sam's customer; Bo has too.
async fn customers(app: &TestApp) -> (Shop, fixtures::Buyer) {
    let shop = shop(app).await;
    place_order(&shop).await;
    let bo = fixtures::buyer(app, "bo@cafe.test").await;
    add(&bo.browser, shop.wine, "2").await;
    let (key, date, location) = crate::ordering::checkout_form(&bo.browser).await;
    let placed = crate::ordering::submit(&bo.browser, &key, &date, &location).await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    (shop, bo)
}

#[tokio::test]
async fn a_customers_price_is_theirs_everywhere_and_nobody_elses() {
    let app = spawn_app().await;
    let (shop, bo) = customers(&app).await;
    let sam = &shop.sam.browser;
    let ada_b = format!("b:{}", shop.ada.business_id);
    assert_eq!(set_price(sam, "WN-1", &ada_b, "39.50", "").await, 303);
    // Next month's price doesn't apply yet.
    assert_eq!(
        set_price(sam, "LK-1", &ada_b, "1.00", "2099-01-01").await,
        303
    );

    let ada = &shop.ada.browser;
    let catalogue = ada.get("/providers/veg-co").await;
    assert!(catalogue.body.contains("£39.50"));
    assert!(catalogue.body.contains("Your price"));
    assert!(catalogue.body.contains("List £42.00"));
    assert!(
        catalogue.body.contains("£2.35"),
        "the future leek price waits"
    );
    let theirs = bo.browser.get("/providers/veg-co").await;
    assert!(theirs.body.contains("£42.00"));
    assert!(!theirs.body.contains("£39.50") && !theirs.body.contains("Your price"));
    let compare = ada.get("/compare?q=house+red").await;
    assert!(compare.body.contains("£39.50") && compare.body.contains("Your price"));
    let compare = bo.browser.get("/compare?q=house+red").await;
    assert!(compare.body.contains("£42.00") && !compare.body.contains("£39.50"));

    // Ordered and invoiced at her price, marked as hers.
    let (order, invoice) = crate::invoicing::drafted(&app, &shop).await;
    let line: (Decimal, bool) = order_lines::table
        .filter(order_lines::order_id.eq(order))
        .filter(order_lines::sku.eq("WN-1"))
        .select((order_lines::unit_price, order_lines::customer_price))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(line, (Decimal::new(3950, 2), true));
    let leeks: bool = order_lines::table
        .filter(order_lines::order_id.eq(order))
        .filter(order_lines::sku.eq("LK-1"))
        .select(order_lines::customer_price)
        .first(&mut app.conn())
        .unwrap();
    assert!(!leeks);
    let invoiced: (Decimal, bool) = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .filter(invoice_lines::description.eq("House red"))
        .select((invoice_lines::unit_price, invoice_lines::customer_price))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(invoiced, (Decimal::new(3950, 2), true));
    let page = sam.get(&format!("/provider/invoices/{invoice}")).await;
    assert!(page.body.contains("Customer price"));
    let page = ada.get(&format!("/orders/{order}")).await;
    assert!(page.body.contains("Your price") && page.body.contains("£39.50"));
    let page = sam.get(&format!("/provider/orders/{order}")).await;
    assert!(page.body.contains("Customer price"));

    // A group price reaches its members only, and a customer's own price beats it.
    let made = sam
        .post("/provider/buyer-groups", &[("name", "Trade")])
        .await;
    assert_eq!(made.status, 303);
    let group: Uuid = buyer_groups::table
        .select(buyer_groups::id)
        .first(&mut app.conn())
        .unwrap();
    for business in [shop.ada.business_id, bo.business_id] {
        let joined = sam
            .post(
                &format!("/provider/buyer-groups/{group}/members"),
                &[("business", &business.to_string())],
            )
            .await;
        assert_eq!(joined.status, 303);
    }
    let g = format!("g:{group}");
    assert_eq!(set_price(sam, "WN-1", &g, "40.00", "").await, 303);
    assert_eq!(set_price(sam, "CR-1", &g, "5.00", "").await, 303);
    let bo_sees = bo.browser.get("/providers/veg-co").await;
    assert!(bo_sees.body.contains("£40.00") && bo_sees.body.contains("£5.00"));
    let ada_sees = ada.get("/providers/veg-co").await;
    assert!(ada_sees.body.contains("£39.50"), "her own price wins");
    assert!(
        ada_sees.body.contains("£5.00"),
        "the group's cream price reaches her too"
    );
    // Out of the group, out of its prices.
    let bo_id = bo.business_id;
    let left = sam
        .post(
            &format!("/provider/buyer-groups/{group}/members/{bo_id}/remove"),
            &[],
        )
        .await;
    assert_eq!(left.status, 303);
    let bo_sees = bo.browser.get("/providers/veg-co").await;
    assert!(!bo_sees.body.contains("£40.00") && bo_sees.body.contains("£42.00"));
}

#[tokio::test]
async fn bad_prices_stay_on_the_form_and_only_customers_can_be_priced() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let sam = &shop.sam.browser;
    // Ada hasn't ordered yet: not a customer, so she can't be priced (nor probed).
    let ada_b = format!("b:{}", shop.ada.business_id);
    let page = sam
        .post(
            "/provider/customer-prices",
            &[
                ("sku", "CR-1"),
                ("buyer", &ada_b),
                ("price", "4.80"),
                ("starts_on", ""),
                ("ends_on", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Once a buyer has ordered from you"));
    place_order(&shop).await;
    let page = sam
        .post(
            "/provider/customer-prices",
            &[
                ("sku", "NOPE-<b>"),
                ("buyer", &ada_b),
                ("price", "-4"),
                ("starts_on", "2026-12-10"),
                ("ends_on", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("None of your listed products has that SKU.")
    );
    assert!(page.body.contains("The end date is before the start date."));
    assert!(page.body.contains("value=\"-4\""), "typed values kept");
    assert!(page.body.contains("NOPE-&#60;b&#62;"));
    let none = sam
        .post(
            "/provider/customer-prices",
            &[("sku", "CR-1"), ("buyer", ""), ("price", "1")],
        )
        .await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("Choose a customer or a group."));
    assert_eq!(price_count(&app), 0);
    assert_eq!(set_price(sam, "CR-1", &ada_b, "4,80", "").await, 303);
    assert_eq!(price_count(&app), 1);

    // Groups: a name is needed and unique per provider; only customers can join.
    let blank = sam.post("/provider/buyer-groups", &[("name", "  ")]).await;
    assert_eq!(blank.status, 422);
    assert!(
        blank
            .body
            .contains("Name the group in up to 80 characters.")
    );
    assert_eq!(
        sam.post("/provider/buyer-groups", &[("name", "Trade")])
            .await
            .status,
        303
    );
    let twice = sam
        .post("/provider/buyer-groups", &[("name", "Trade")])
        .await;
    assert_eq!(twice.status, 422);
    assert!(
        twice
            .body
            .contains("You already have a group called “Trade”.")
    );
    let group: Uuid = buyer_groups::table
        .select(buyer_groups::id)
        .first(&mut app.conn())
        .unwrap();
    let stranger = fixtures::buyer(&app, "bo@cafe.test").await;
    let joined = sam
        .post(
            &format!("/provider/buyer-groups/{group}/members"),
            &[("business", &stranger.business_id.to_string())],
        )
        .await;
    assert_eq!(joined.status, 404, "not a customer");

    // Another provider sees and touches none of it.
    let kim: Seller = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let page = kim.browser.get("/provider/customer-prices").await;
    assert!(!page.body.contains("Double cream"));
    assert_eq!(set_price(&kim.browser, "CR-1", &ada_b, "1", "").await, 422);
    let id: Uuid = customer_prices::table
        .select(customer_prices::id)
        .first(&mut app.conn())
        .unwrap();
    let gone = kim
        .browser
        .post(&format!("/provider/customer-prices/{id}/remove"), &[])
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(price_count(&app), 1);
    let removed = sam
        .post(&format!("/provider/customer-prices/{id}/remove"), &[])
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(price_count(&app), 0);
}

async fn upload(seller: &Browser, csv: &str) -> (u16, String) {
    let token = seller.csrf().await;
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
        .file_name("prices.csv")
        .mime_str("text/csv")
        .unwrap();
    let res = seller
        .client
        .post(seller.url("/provider/customer-prices/import"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part("file", part),
        )
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn prices_go_out_as_csv_and_come_back_whole_or_not_at_all() {
    let app = spawn_app().await;
    // Ada alone: every test buyer's business is called "Ada's Bistro", and two customers
    // of one name can't be told apart by a CSV (the rules' own tests cover that).
    let shop = shop(&app).await;
    place_order(&shop).await;
    let sam = &shop.sam.browser;
    let bad = "sku,customer,group,price,starts_on,ends_on\nCR-1,Ada's Bistro,,4.80,,\nLK-1,Nobody Ltd,,1.00,,\n";
    let (status, body) = upload(sam, bad).await;
    assert_eq!(status, 422);
    assert!(body.contains("Nothing was imported"));
    assert!(
        body.contains("Line 3: “Nobody Ltd” isn&#39;t one of your customers."),
        "{body}"
    );
    assert_eq!(price_count(&app), 0);
    let good = "sku,customer,group,price,starts_on,ends_on\nCR-1,Ada's Bistro,,4.80,,\nLK-1,ada's bistro,,\"2,10\",2026-01-01,2099-12-31\n";
    let (status, body) = upload(sam, good).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(price_count(&app), 2);
    let csv = sam.get("/provider/customer-prices.csv").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("sku,customer,group,price,starts_on,ends_on\n")
    );
    assert!(csv.body.contains("CR-1,Ada's Bistro,,4.80,"));
    assert!(
        csv.body
            .contains("LK-1,Ada's Bistro,,2.10,2026-01-01,2099-12-31")
    );
    // What went out comes back in as the same prices.
    let (status, _) = upload(sam, &csv.body).await;
    assert_eq!(status, 303);
    assert_eq!(price_count(&app), 4);
    let (status, body) = upload(sam, "sku,price\nCR-1,1\n").await;
    assert_eq!(status, 422);
    assert!(body.contains("customer, group, starts_on, ends_on"));
}

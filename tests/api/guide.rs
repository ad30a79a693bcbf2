//! Order guides: a location's last 90 days of orders make its guide (usual quantity, last
//! price, changed prices flagged); counts against par levels become suggested quantities,
//! which go into the providers' carts as typed, once however often they are sent; bad
//! numbers stay on the form; pruning and adding are the buyer's own, and nobody else's.

use diesel::prelude::*;
use larder::db::schema::{cart_items, carts, guide_items, orders, products};
use regex::Regex;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, fixtures, spawn_app};
use crate::ordering::{Shop, add, checkout_form, shop, submit};

async fn order(b: &Browser, items: &[(Uuid, &str)]) -> Uuid {
    for (product, quantity) in items {
        assert_eq!(add(b, *product, quantity).await.status, 303);
    }
    let (key, date, location) = checkout_form(b).await;
    let page = submit(b, &key, &date, &location).await;
    assert_eq!(page.status, 303, "{}", page.body);
    Uuid::parse_str(page.location.unwrap().trim_start_matches("/orders/")).unwrap()
}

/// Ada's history: cream and wine 100 days ago (outside the guide's window), then cream
/// twice and leeks once in the last weeks; cream then goes up from £5.60 to £5.90.
async fn history(app: &TestApp, shop: &Shop) {
    let b = &shop.ada.browser;
    let old = order(b, &[(shop.cream, "6"), (shop.wine, "1")]).await;
    diesel::update(orders::table.find(old))
        .set(orders::created_at.eq(time::OffsetDateTime::now_utc() - time::Duration::days(100)))
        .execute(&mut app.conn())
        .unwrap();
    order(b, &[(shop.cream, "10"), (shop.leeks, "2")]).await;
    order(b, &[(shop.cream, "12")]).await;
    diesel::update(products::table.find(shop.cream))
        .set(products::price.eq(Decimal::new(590, 2)))
        .execute(&mut app.conn())
        .unwrap();
}

/// The value of the input named `name` ("qty_<product id>").
fn value_of(body: &str, name: &str) -> String {
    Regex::new(&format!(r#"name="{name}" value="([^"]*)""#))
        .unwrap()
        .captures(body)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn location(shop: &Shop) -> String {
    shop.ada.location_id.to_string()
}

fn cart(app: &TestApp, business: Uuid) -> Vec<(Uuid, Decimal)> {
    cart_items::table
        .inner_join(carts::table)
        .filter(carts::business_id.eq(business))
        .order(cart_items::product_id)
        .select((cart_items::product_id, cart_items::quantity))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn history_makes_the_guide_and_counts_become_carts_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    history(&app, &shop).await;
    let b = &shop.ada.browser;
    let (cream, leeks) = (shop.cream, shop.leeks);

    let guide = b.get("/guide").await;
    assert_eq!(guide.status, 200);
    assert!(guide.body.contains(&format!("id=\"row-{cream}\"")));
    assert!(guide.body.contains(&format!("id=\"row-{leeks}\"")));
    assert!(
        !guide.body.contains(&format!("id=\"row-{}\"", shop.wine)),
        "wine was last ordered 100 days ago"
    );
    // Cream: ordered twice (10, 12): the median is the lower middle one.
    assert!(guide.body.contains("Ordered 2 times"));
    assert!(
        guide
            .body
            .contains("Was £5.60 when last ordered, now £5.90 (up 5.4%)")
    );
    assert!(guide.body.contains("Minimum order £50.00 before VAT"));
    assert!(guide.body.contains("Next delivery to"));

    // Pars and counts: cream 20 on the shelf wanted, 7 there; leeks 5 kg wanted, 3.25 there.
    let loc = location(&shop);
    let fields = |intent: &'static str| {
        vec![
            ("location", loc.clone()),
            ("intent", intent.to_owned()),
            (format!("par_{cream}").leak() as &str, "20".to_owned()),
            (format!("count_{cream}").leak(), "7".to_owned()),
            (format!("par_{leeks}").leak(), "5".to_owned()),
            (format!("count_{leeks}").leak(), "3,25".to_owned()),
        ]
    };
    let sent: Vec<(&str, String)> = fields("suggest");
    let form: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let suggested = b.post("/guide", &form).await;
    assert_eq!(suggested.status, 200, "{}", suggested.body);
    assert_eq!(value_of(&suggested.body, &format!("qty_{cream}")), "13");
    assert_eq!(value_of(&suggested.body, &format!("qty_{leeks}")), "1.75");
    assert_eq!(value_of(&suggested.body, &format!("count_{leeks}")), "3,25");
    assert!(suggested.body.contains("2 quantities suggested"));
    // 13 × £5.90 + 1.75 × £2.35 = £76.70 + £4.11 (4.1125 half up).
    assert!(suggested.body.contains("This order: £80.81 before VAT."));
    let pars: Vec<(Uuid, Option<Decimal>)> = guide_items::table
        .filter(guide_items::location_id.eq(shop.ada.location_id))
        .order(guide_items::product_id)
        .select((guide_items::product_id, guide_items::par))
        .load(&mut app.conn())
        .unwrap();
    let mut expected = vec![
        (cream, Some(Decimal::from(20))),
        (leeks, Some(Decimal::from(5))),
    ];
    expected.sort();
    assert_eq!(pars, expected, "suggesting keeps the pars typed");

    // Into the carts as shown, twice (a double click): the cart holds them once.
    let qty = [
        ("location", loc.as_str()),
        ("intent", "carts"),
        (format!("qty_{cream}").leak() as &str, "13"),
        (format!("qty_{leeks}").leak(), "1.75"),
    ];
    for _ in 0..2 {
        let put = b.post("/guide", &qty).await;
        assert_eq!(put.status, 303, "{}", put.body);
        assert!(put.redirects_to("/cart"));
    }
    let mut want = vec![(cream, Decimal::from(13)), (leeks, Decimal::new(175, 2))];
    want.sort();
    assert_eq!(cart(&app, shop.ada.business_id), want);
    let page = b.get("/cart").await;
    assert!(
        page.body.contains("Veg Co: 2 item(s), £80.81 before VAT."),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn bad_numbers_stay_on_the_form_and_change_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    history(&app, &shop).await;
    let b = &shop.ada.browser;
    let (cream, leeks) = (shop.cream, shop.leeks);
    let loc = location(&shop);
    let par = format!("par_{cream}");
    let count = format!("count_{leeks}");
    for (field, typed, message) in [
        (&par, "-2", "Par: "),
        (&par, "<b>lots</b>", "Par: Enter a quantity"),
        (&count, "10001", "On hand: That&#39;s more than"),
    ] {
        let page = b
            .post(
                "/guide",
                &[
                    ("location", loc.as_str()),
                    ("intent", "suggest"),
                    (field.as_str(), typed),
                ],
            )
            .await;
        assert_eq!(page.status, 422, "{typed}");
        assert!(page.body.contains(message), "{typed}: {}", page.body);
        // Kept as typed, and escaped.
        let escaped = typed.replace('<', "&#60;").replace('>', "&#62;");
        assert!(
            page.body.contains(&format!("value=\"{escaped}\"")),
            "{typed} kept"
        );
    }
    let saved: i64 = guide_items::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(saved, 0, "no par was saved");

    // Cream is sold whole; an overlong quantity is cut, not stored.
    let refused = b
        .post(
            "/guide",
            &[
                ("location", loc.as_str()),
                ("intent", "carts"),
                (format!("qty_{cream}").as_str(), "1.5"),
                (format!("qty_{leeks}").as_str(), "2"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Order: This product is sold in whole units.")
    );
    assert!(refused.body.contains("Nothing went into the carts yet"));
    assert!(cart(&app, shop.ada.business_id).is_empty());
    let nothing = b
        .post("/guide", &[("location", loc.as_str()), ("intent", "carts")])
        .await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.body.contains("Type a quantity to order"));
    let damaged = b
        .post(
            "/guide",
            &[("location", loc.as_str()), ("intent", "drop table")],
        )
        .await;
    assert_eq!(damaged.status, 400);
    let foreign = b
        .post("/guide", &[("location", "not-an-id"), ("intent", "pars")])
        .await;
    assert_eq!(foreign.status, 404);
}

#[tokio::test]
async fn pruning_and_adding_are_the_buyers_own() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    history(&app, &shop).await;
    let b = &shop.ada.browser;
    let loc = location(&shop);
    let cream = shop.cream;

    let removed = b
        .post(
            &format!("/guide/items/{cream}/remove"),
            &[("location", &loc)],
        )
        .await;
    assert!(removed.redirects_to(&format!("/guide?location={loc}")));
    let guide = b.get("/guide").await;
    assert!(!guide.body.contains(&format!("id=\"row-{cream}\"")));
    assert!(guide.body.contains("Removed from this guide"));
    // Removing twice: it is no longer on the guide to remove.
    let again = b
        .post(
            &format!("/guide/items/{cream}/remove"),
            &[("location", &loc)],
        )
        .await;
    assert_eq!(again.status, 404);
    b.post(
        &format!("/guide/items/{cream}/restore"),
        &[("location", &loc)],
    )
    .await;
    assert!(
        b.get("/guide")
            .await
            .body
            .contains(&format!("id=\"row-{cream}\""))
    );

    // Wine (no recent history) added from the catalogue, back to where the button was.
    let wine = shop.wine.to_string();
    let catalogue = b.get(&format!("/providers/veg-co?guide={loc}")).await;
    assert!(catalogue.body.contains("Save to guide"));
    let added = b
        .post(
            "/guide/items",
            &[
                ("product_id", wine.as_str()),
                ("location", ""),
                ("back", "/providers/veg-co"),
            ],
        )
        .await;
    assert!(added.redirects_to("/providers/veg-co"));
    let guide = b.get("/guide").await;
    assert!(guide.body.contains(&format!("id=\"row-{wine}\"")));
    assert!(guide.body.contains("Added by you"));
    let unknown = b
        .post(
            "/guide/items",
            &[
                ("product_id", &Uuid::now_v7().to_string()),
                ("location", ""),
            ],
        )
        .await;
    assert_eq!(unknown.status, 404);

    // Another business sees none of it and can't touch it.
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let theirs = bo.browser.get("/guide").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains(&format!("id=\"row-{cream}\"")));
    assert!(theirs.body.contains("Nothing on this guide yet"));
    assert_eq!(
        bo.browser
            .get(&format!("/guide?location={loc}"))
            .await
            .status,
        404
    );
}

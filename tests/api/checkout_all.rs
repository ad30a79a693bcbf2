//! One checkout for every provider: each ticked cart becomes its own order exactly once (a
//! key per cart), a refusal for one provider leaves the others placed, a replay answers with
//! the same orders, and another business's address is 404 with nothing ordered.

use std::collections::HashMap;

use diesel::prelude::*;
use larder::catalog::queries as catalog;
use larder::db::schema::{cart_items, carts, orders};
use larder::ids::ProviderId;
use regex::Regex;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, fixtures, spawn_app};
use crate::ordering::{add, item, shop};

fn order_count(app: &TestApp) -> i64 {
    orders::table.count().get_result(&mut app.conn()).unwrap()
}

/// The form the every-cart checkout page would send, every block ticked.
async fn form(b: &Browser, providers: &[Uuid]) -> HashMap<String, String> {
    let page = b.get("/checkout").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let grab = |re: String| {
        Regex::new(&re)
            .unwrap()
            .captures(&page.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_default()
    };
    let mut form = HashMap::new();
    form.insert(
        "location".to_owned(),
        grab(r#"<option value="([0-9a-f-]{36})" selected"#.into()),
    );
    for p in providers {
        for field in ["key", "cart"] {
            form.insert(
                format!("{field}_{p}"),
                grab(format!(r#"name="{field}_{p}" value="([^"]*)""#)),
            );
        }
        form.insert(
            format!("date_{p}"),
            grab(format!(r#"name="date_{p}">\s*<option value="([^"]+)""#)),
        );
        form.insert(format!("include_{p}"), "on".into());
    }
    form
}

async fn send(b: &Browser, form: &HashMap<String, String>) -> crate::helpers::browser::Page {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/checkout", &fields).await
}

#[tokio::test]
async fn every_cart_is_ordered_once_and_one_refusal_leaves_the_others() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let fish = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let cheese = fixtures::seller(&app, "cat@cheese.test", "Cheese Co").await;
    let hake = catalog::insert(
        &mut app.conn(),
        ProviderId(fish.provider_id),
        &item("FH-1", "Hake", "kg", "18.00", 0, true),
    )
    .unwrap();
    let brie = catalog::insert(
        &mut app.conn(),
        ProviderId(cheese.provider_id),
        &item("CH-1", "Brie", "each", "9.00", 0, false),
    )
    .unwrap();
    let b = &shop.ada.browser;
    add(b, shop.cream, "10").await; // £56.00
    add(b, hake, "3").await; // £54.00
    add(b, brie, "2").await; // £18.00: under Cheese Co's £50 minimum

    let providers = [shop.sam.provider_id, fish.provider_id, cheese.provider_id];
    let page = b.get("/cart").await;
    assert!(page.body.contains("Check out all 3 carts on one page"));
    let sent = form(b, &providers).await;
    let done = send(b, &sent).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("2 order(s) placed"));
    assert!(done.body.contains("<strong>Veg Co</strong>: order"));
    assert!(done.body.contains("<strong>Fish Co</strong>: order"));
    assert!(
        done.body
            .contains("<strong>Cheese Co</strong>: not placed.")
    );
    assert!(done.body.contains("minimum"), "{}", done.body);
    assert!(done.body.contains("Check out the 1 cart left"));
    assert_eq!(order_count(&app), 2);
    let left: Vec<Uuid> = cart_items::table
        .inner_join(carts::table)
        .select(carts::provider_id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        left,
        vec![cheese.provider_id],
        "only the refused cart is left"
    );

    // The same form again (a double click, a retry): the same orders, nothing new.
    let again = send(b, &sent).await;
    assert_eq!(again.status, 200);
    let numbers = |body: &str| -> Vec<String> {
        Regex::new(r"LD-\d{6}")
            .unwrap()
            .find_iter(body)
            .map(|m| m.as_str().to_owned())
            .collect()
    };
    assert_eq!(numbers(&again.body), numbers(&done.body));
    assert_eq!(order_count(&app), 2);

    // Topped up over the minimum, Cheese Co goes through on its own.
    add(b, brie, "4").await;
    let rest = send(b, &form(b, &[cheese.provider_id]).await).await;
    assert!(rest.body.contains("1 order(s) placed"), "{}", rest.body);
    assert_eq!(order_count(&app), 3);
}

#[tokio::test]
async fn nothing_ticked_a_missing_date_or_another_businesss_address_orders_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let b = &shop.ada.browser;
    add(b, shop.cream, "10").await;
    let sam = shop.sam.provider_id;
    let mut sent = form(b, &[sam]).await;

    let mut unticked = sent.clone();
    unticked.remove(&format!("include_{sam}"));
    let page = send(b, &unticked).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Tick at least one cart"));

    let mut undated = sent.clone();
    undated.insert(format!("date_{sam}"), "someday".into());
    undated.insert("notes".into(), "Back door".into());
    let page = send(b, &undated).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Choose a delivery date."));
    assert!(page.body.contains(">Back door</textarea>"), "notes kept");

    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    sent.insert("location".into(), bo.location_id.to_string());
    let before = crate::tenancy::fingerprint(&app);
    assert_eq!(send(b, &sent).await.status, 404);
    assert_eq!(crate::tenancy::fingerprint(&app), before);

    let empty = bo.browser.get("/checkout").await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Your carts are empty."));
}

//! Favourites: a business stars providers and products, the star filters discovery and the
//! catalogue, setting it twice is the same as once, and each business's stars are its own.

use diesel::prelude::*;
use larder::catalog::queries as catalog;
use larder::db::schema::{favourite_products, favourite_providers};
use larder::ids::ProviderId;
use uuid::Uuid;

use crate::helpers::{Browser, fixtures, spawn_app};
use crate::ordering::{item, shop};

async fn star(b: &Browser, what: &str, id: Uuid, on: bool) -> reqwest::StatusCode {
    b.post(
        &format!("/favourites/{what}/{id}"),
        &[
            ("favourite", if on { "1" } else { "0" }),
            ("back", "/discover"),
        ],
    )
    .await
    .status
}

#[tokio::test]
async fn stars_filter_discovery_and_the_catalogue_and_are_each_businesss_own() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    catalog::insert(
        &mut app.conn(),
        ProviderId(kim.provider_id),
        &item("FH-1", "Hake", "kg", "18.00", 0, true),
    )
    .unwrap();
    let ada = &shop.ada.browser;
    let sam = shop.sam.provider_id;
    // Twice, as a double click would: one star.
    for _ in 0..2 {
        assert_eq!(star(ada, "providers", sam, true).await, 303);
    }
    let stars: i64 = favourite_providers::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(stars, 1);
    let all = ada.get("/discover?filtered=1").await;
    assert!(all.body.contains("Veg Co") && all.body.contains("Fish Co"));
    let mine = ada.get("/discover?filtered=1&favourites=1").await;
    assert!(mine.body.contains("Veg Co") && !mine.body.contains("Fish Co"));
    assert!(mine.body.contains("Remove from favourites"));

    // Products: only the starred cream under "My favourites".
    assert_eq!(star(ada, "products", shop.cream, true).await, 303);
    let catalogue = ada.get("/providers/veg-co?favourites=1").await;
    assert!(catalogue.body.contains("Double cream"));
    assert!(!catalogue.body.contains("House red"));
    let whole = ada.get("/providers/veg-co").await;
    assert!(whole.body.contains("House red") && whole.body.contains("Double cream"));

    // Another business's stars are its own and change nothing of Ada's.
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    assert_eq!(
        star(&bo.browser, "providers", kim.provider_id, true).await,
        303
    );
    assert_eq!(star(&bo.browser, "providers", sam, false).await, 303);
    let mine = ada.get("/discover?filtered=1&favourites=1").await;
    assert!(mine.body.contains("Veg Co") && !mine.body.contains("Fish Co"));
    let theirs = bo.browser.get("/discover?filtered=1&favourites=1").await;
    assert!(theirs.body.contains("Fish Co") && !theirs.body.contains("Veg Co"));

    // Unstarring empties the filter, with a word on what to do.
    assert_eq!(star(ada, "providers", sam, false).await, 303);
    assert_eq!(star(ada, "products", shop.cream, false).await, 303);
    let none = ada.get("/discover?filtered=1&favourites=1").await;
    assert!(none.body.contains("You have no favourites among these yet"));
    let none = ada.get("/providers/veg-co?favourites=1").await;
    assert!(none.body.contains("None of your favourites here yet"));
    let left: i64 = favourite_products::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(left, 0);

    // No such provider or product: 404, nothing written.
    assert_eq!(star(ada, "providers", Uuid::now_v7(), true).await, 404);
    assert_eq!(star(ada, "products", Uuid::now_v7(), true).await, 404);
    assert_eq!(
        ada.post("/favourites/products/not-an-id", &[("favourite", "1")])
            .await
            .status,
        404
    );
}

//! Hostile and unlucky requests at the edge: NUL characters, an exhausted pool, caches.

use diesel::prelude::*;
use larder::db::schema::{products, users};

use crate::catalog::product_form;
use crate::helpers::{fixtures, spawn_app};

const NUL_MESSAGE: &str = "contains a NUL control character";

fn count_users(app: &crate::helpers::TestApp) -> i64 {
    users::table.count().get_result(&mut app.conn()).unwrap()
}

#[tokio::test]
async fn a_nul_character_in_any_form_or_query_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    let visitor = app.browser();
    let signup = visitor
        .post(
            "/signup/buyer",
            &fixtures::buyer_form("nul@bistro.test", "Nul\0 Bistro"),
        )
        .await;
    assert_eq!(signup.status, 400);
    assert!(signup.body.contains(NUL_MESSAGE), "{}", signup.body);
    assert_eq!(count_users(&app), 0);

    let login = fixtures::login(&visitor, "a\0@b.test", "whatever-password").await;
    assert_eq!(login.status, 400);
    assert!(login.body.contains(NUL_MESSAGE));

    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let product = sam
        .browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Double\0cream", "5.60"),
        )
        .await;
    assert_eq!(product.status, 400);
    let stored: i64 = products::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(stored, 0);

    for url in ["/provider/products?q=%00", "/provider/orders?q=cr%00eam"] {
        let page = sam.browser.get(url).await;
        assert_eq!(page.status, 400, "{url}");
        assert!(page.body.contains(NUL_MESSAGE), "{url}");
    }
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let discover = ada.browser.get("/discover?q=%00").await;
    assert_eq!(discover.status, 400);
    let compare = ada.browser.get("/compare?q=cream%00").await;
    assert_eq!(compare.status, 400);
}

#[tokio::test]
async fn private_pages_are_never_cached_but_static_files_may_be() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    for url in ["/buyer", "/orders", "/account", "/login"] {
        let res = ada
            .browser
            .client
            .get(ada.browser.url(url))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{url}"
        );
    }
    let css = ada
        .browser
        .client
        .get(ada.browser.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.headers().get("cache-control").is_none());
}

/// Every connection busy (or the database gone) is a 503 that says so and asks the browser
/// to come back, never a 500.
#[tokio::test]
async fn an_exhausted_pool_answers_503_with_retry_after() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let pool = app.pool.clone();
    let held = tokio::task::spawn_blocking(move || {
        (0..pool.max_size())
            .map(|_| pool.get().expect("connection"))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let res = ada
        .browser
        .client
        .get(ada.browser.url("/orders"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(
        res.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let body = res.text().await.unwrap();
    assert!(body.contains("trouble reaching our database"), "{body}");
    drop(held);
    assert_eq!(ada.browser.get("/orders").await.status, 200);
}

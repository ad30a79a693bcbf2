//! `/metrics`: only with the bearer token, and then requests by route pattern and status,
//! latency, pool, queue, readiness and business counters in Prometheus's text format.

use crate::helpers::{spawn_app, spawn_app_with};
use crate::ordering::{place_order, shop};

const TOKEN: &str = "metrics-test-token-0123456789";

async fn scrape(address: &str, auth: Option<&str>) -> (u16, String) {
    let mut req = reqwest::Client::new().get(format!("{address}/metrics"));
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The value of the first sample whose line starts with `series`.
fn value(body: &str, series: &str) -> Option<f64> {
    body.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_need_the_token_and_count_requests_by_route_pattern() {
    let app = spawn_app_with(|c| c.metrics_token = Some(TOKEN.into())).await;
    for auth in [
        None,
        Some("Bearer wrong-token-0123456789-xyzab".to_owned()),
        Some(TOKEN.to_owned()),
    ] {
        let (status, body) = scrape(&app.address, auth.as_deref()).await;
        assert_eq!(status, 404, "{auth:?}");
        assert!(!body.contains("http_requests_total"));
    }
    let shop = shop(&app).await;
    let order = place_order(&shop).await;
    let page = shop.ada.browser.get(&format!("/orders/{order}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(shop.ada.browser.get("/no-such-page").await.status, 404);

    let (status, body) = scrape(&app.address, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, 200);
    let seen = |series: &str| value(&body, series).unwrap_or_else(|| panic!("{series} in\n{body}"));
    assert!(seen(r#"http_requests_total{method="GET",route="/orders/{id}",status="200"}"#) >= 1.0);
    assert!(seen(r#"http_requests_total{method="GET",route="unmatched",status="404"}"#) >= 1.0);
    assert!(
        !body.contains(&order.to_string()),
        "ids never become labels"
    );
    assert!(seen(r#"http_request_duration_seconds_count{route="/orders/{id}"}"#) >= 1.0);
    assert!(
        body.contains(r#"http_request_duration_seconds_bucket{route="/orders/{id}",le="0.005"}"#)
    );
    assert!(seen("larder_orders_placed_total") >= 1.0);
    assert_eq!(seen("larder_ready"), 1.0);
    assert!(seen("db_pool_max_connections") >= 1.0);
    assert!(seen("db_pool_wait_seconds_count") >= 1.0);
    assert!(
        seen("larder_jobs_due") >= 1.0,
        "the order's emails wait for the worker"
    );
    assert!(seen("larder_jobs_oldest_due_seconds") >= 0.0);
    assert!(seen("http_requests_in_flight") >= 0.0);
}

#[tokio::test]
async fn without_a_token_configured_there_is_no_metrics_page() {
    let app = spawn_app().await;
    let (status, body) = scrape(&app.address, Some("Bearer ")).await;
    assert_eq!(status, 404);
    assert!(!body.contains("http_requests_total"));
}

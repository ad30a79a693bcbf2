//! Analytics events are written with what they record (once, however often it is replayed),
//! and the admin page reads orders per week, repeat buyers, time to first order and the
//! funnel from them.

use diesel::prelude::*;
use larder::db::schema::analytics_events;

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ordering::{place_order, shop};

fn kinds(app: &TestApp) -> Vec<String> {
    analytics_events::table
        .order(analytics_events::id)
        .select(analytics_events::kind)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_buyers_path_is_recorded_once_and_read_back_by_admins() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    // Sam (provider) and Ada (buyer) signed up; Ada's business came with her sign-up.
    assert_eq!(kinds(&app), ["signup", "signup", "business_added"]);
    let order = place_order(&shop).await;
    let confirm = format!("/provider/orders/{order}/confirm");
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 303);
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 409);
    assert_eq!(
        kinds(&app)[3..],
        ["first_cart", "order_placed", "order_confirmed"],
        "three cart adds, one first cart; a second confirm records nothing"
    );

    let admin = fixtures::admin(&app).await;
    let page = admin.browser.get("/admin/analytics").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"orders-total\">1</dd>"));
    assert!(page.body.contains("0% (0 of 1 buyers)"));
    assert!(page.body.contains("<svg class=\"chart\""));
    assert!(
        page.body
            .contains("Placed a first order</td><td class=\"num\">1</td>")
    );
    assert!(!page.body.contains("No new business has ordered yet"));

    place_order(&shop).await;
    let page = admin.browser.get("/admin/analytics").await;
    assert!(page.body.contains("id=\"orders-total\">2</dd>"));
    assert!(page.body.contains("100% (1 of 1 buyers)"));

    // A range before any of it: nothing; a range the wrong way round says so.
    let empty = admin
        .browser
        .get("/admin/analytics?from=2020-01-06&to=2020-03-01")
        .await;
    assert!(empty.body.contains("id=\"orders-total\">0</dd>"));
    assert!(empty.body.contains("No orders in this range"));
    let wrong = admin
        .browser
        .get("/admin/analytics?from=2026-03-01&to=2026-01-01")
        .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("The start comes after the end."));
    assert!(
        wrong
            .body
            .contains("Showing the last twelve weeks instead.")
    );

    for outsider in [&shop.ada.browser, &shop.sam.browser] {
        assert_eq!(outsider.get("/admin/analytics").await.status, 404);
    }
}

//! Ratings and the trust score: rating a delivered order once (editable for 14 days), the
//! provider's one public reply, the score stored by its job and shown and ranked in
//! discovery, and the provider's reliability page.

use diesel::prelude::*;
use larder::db::schema::{order_ratings, provider_trust};
use time::Duration;
use uuid::Uuid;

use crate::credits::delivered;
use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ordering::{Shop, place_order, shop};

async fn rate(
    shop: &Shop,
    order: Uuid,
    stars: &str,
    comment: &str,
) -> crate::helpers::browser::Page {
    shop.ada
        .browser
        .post(
            &format!("/orders/{order}/rating"),
            &[("stars", stars), ("comment", comment)],
        )
        .await
}

fn stars(app: &TestApp) -> Vec<i16> {
    order_ratings::table
        .select(order_ratings::stars)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_buyer_rates_an_order_once_may_change_it_for_14_days_and_the_provider_replies_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    let form = shop
        .ada
        .browser
        .get(&format!("/orders/{order}/rating"))
        .await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("How was this order?"));

    let bad = rate(&shop, order, "0", "Kept comment").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Choose from 1 to 5 stars"));
    assert!(bad.body.contains("Kept comment"));
    let long = "x".repeat(1001);
    assert_eq!(rate(&shop, order, "3", &long).await.status, 422);
    assert!(stars(&app).is_empty());

    assert_eq!(
        rate(&shop, order, "4", "<b>Crisp</b> leeks").await.status,
        303
    );
    assert_eq!(rate(&shop, order, "5", "Crisp leeks").await.status, 303);
    assert_eq!(stars(&app), [5], "one rating per order, changed in place");
    let page = shop.ada.browser.get("/providers/veg-co").await;
    assert!(page.body.contains("★★★★★"));
    assert!(page.body.contains("Crisp leeks"));

    // Fourteen days on, it is final.
    app.clock
        .set(time::OffsetDateTime::now_utc() + Duration::days(15));
    assert_eq!(rate(&shop, order, "1", "Changed my mind").await.status, 409);
    assert_eq!(stars(&app), [5]);
    let final_page = shop
        .ada
        .browser
        .get(&format!("/orders/{order}/rating"))
        .await;
    assert!(final_page.body.contains("this one is final"));
    app.clock.release();

    // Not delivered yet: nothing to rate. Another business's order: not found.
    let waiting = place_order(&shop).await;
    assert_eq!(rate(&shop, waiting, "5", "").await.status, 409);
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let foreign = bo
        .browser
        .post(&format!("/orders/{order}/rating"), &[("stars", "1")])
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        bo.browser
            .get(&format!("/orders/{order}/rating"))
            .await
            .status,
        404
    );
    assert_eq!(stars(&app), [5]);

    let reply_path = format!("/provider/ratings/{order}/reply");
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    assert_eq!(
        kim.browser
            .post(&reply_path, &[("reply", "Mine")])
            .await
            .status,
        404
    );
    assert_eq!(
        shop.sam
            .browser
            .post(&reply_path, &[("reply", "  ")])
            .await
            .status,
        400
    );
    let replied = shop
        .sam
        .browser
        .post(&reply_path, &[("reply", "Thank you, Ada!")])
        .await;
    assert_eq!(replied.status, 303);
    assert_eq!(
        shop.sam
            .browser
            .post(&reply_path, &[("reply", "Again")])
            .await
            .status,
        409
    );
    let page = shop.ada.browser.get("/providers/veg-co").await;
    assert!(page.body.contains("Veg Co replied: Thank you, Ada!"));
}

#[tokio::test]
async fn the_score_is_new_until_five_orders_then_shown_explained_and_ranked() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let mut orders = Vec::new();
    for _ in 0..4 {
        orders.push(delivered(&shop).await);
    }
    assert_eq!(rate(&shop, orders[0], "4", "").await.status, 303);
    let recompute = |app: &TestApp| {
        larder::jobs::schedule::enqueue_due(
            &mut app.conn(),
            time::OffsetDateTime::now_utc(),
            time::OffsetDateTime::now_utc(),
        )
        .unwrap();
        app.run_jobs();
    };
    recompute(&app);
    let score = |app: &TestApp| -> Option<i16> {
        provider_trust::table
            .inner_join(larder::db::schema::providers::table)
            .filter(larder::db::schema::providers::slug.eq("veg-co"))
            .select(provider_trust::score)
            .first(&mut app.conn())
            .unwrap()
    };
    assert_eq!(score(&app), None, "four orders: new");
    let page = shop.ada.browser.get("/providers/veg-co").await;
    assert!(page.body.contains("New on Larder"));

    orders.push(delivered(&shop).await);
    // Asked for a day well ahead, whatever today is: delivering now is early, not on time.
    diesel::update(larder::db::schema::orders::table)
        .set(
            larder::db::schema::orders::requested_delivery_date
                .eq(time::macros::date!(2030 - 01 - 07)),
        )
        .execute(&mut app.conn())
        .unwrap();
    // A second hour: the periodic job runs again.
    let later = time::OffsetDateTime::now_utc() + Duration::hours(1);
    larder::jobs::schedule::enqueue_due(&mut app.conn(), later, later).unwrap();
    app.run_jobs();
    // Delivered years early: not on time. Filled in full, confirmed at
    // once, one 4-star rating at the platform's mean of 4: 0 + 25 + 15 + 15 + 10.
    assert_eq!(score(&app), Some(65));
    let found = shop.ada.browser.get("/discover?filtered=1").await;
    assert!(found.body.contains("Trust 65"));
    assert!(
        found
            .body
            .contains("0 % on time · 100 % filled · 4.0 ★ from 5 orders")
    );
    assert!(found.body.contains("New on Larder"), "Fish Co is new");
    let by_score = shop
        .ada
        .browser
        .get("/discover?filtered=1&sort=score")
        .await;
    let (veg, fish) = (
        by_score.body.find("Veg Co").unwrap(),
        by_score.body.find("Fish Co").unwrap(),
    );
    assert!(veg < fish, "the scored provider first");
    let default = found.body.find("Veg Co").unwrap() < found.body.find("Fish Co").unwrap();
    assert!(
        default,
        "with no text, 65 beats a new provider's neutral 50"
    );

    let page = shop.sam.browser.get("/provider/reliability").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"score-now\">65<"));
    assert!(page.body.contains("Delivered "), "late orders are listed");
    assert_eq!(
        shop.ada.browser.get("/provider/reliability").await.status,
        404
    );
}

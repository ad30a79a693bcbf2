//! In-app notices: written with the email, to the same people (not to whoever made the
//! change), counted on the bell, opened (marked read) only by their owner, paged.

use diesel::prelude::*;
use larder::db::schema::{notifications, users};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::ordering::{place_order, shop};

fn user(app: &TestApp, email: &str) -> Uuid {
    users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap()
}

/// (id, title, link, read) of the user's notices, oldest first.
fn notices(app: &TestApp, user: Uuid) -> Vec<(Uuid, String, String, bool)> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .order(notifications::created_at)
        .select((
            notifications::id,
            notifications::title,
            notifications::link,
            notifications::read_at.is_not_null(),
        ))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_other_side_hears_of_each_order_change_on_the_bell_and_opens_it() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (ada, sam) = (user(&app, "ada@bistro.test"), user(&app, "sam@veg.test"));
    let order = place_order(&shop).await;
    // Ada placed it: nothing for her; Sam's bell shows it.
    assert!(notices(&app, ada).is_empty());
    let told = notices(&app, sam);
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].2, format!("/provider/orders/{order}"));
    let home = shop.sam.browser.get("/provider/orders").await;
    assert!(home.body.contains("id=\"bell-count\">1</span>"));

    let confirm = format!("/provider/orders/{order}/confirm");
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 303);
    let told = notices(&app, ada);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].1.contains("confirmed"), "{}", told[0].1);
    assert_eq!(notices(&app, sam).len(), 1, "not told of his own change");

    let list = shop.ada.browser.get("/notifications").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("1 unread."));
    assert!(list.body.contains(&format!("/notifications/{}", told[0].0)));
    let opened = shop
        .ada
        .browser
        .get(&format!("/notifications/{}", told[0].0))
        .await;
    assert_eq!(opened.status, 303);
    assert_eq!(
        opened.location.as_deref(),
        Some(format!("/orders/{order}").as_str())
    );
    assert!(notices(&app, ada)[0].3, "opened is read");
    let after = shop.ada.browser.get("/notifications").await;
    assert!(after.body.contains("Nothing unread."));
    assert!(!after.body.contains("bell-count"));
}

#[tokio::test]
async fn a_notice_is_its_owners_alone() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let sam = user(&app, "sam@veg.test");
    place_order(&shop).await;
    let theirs = notices(&app, sam)[0].0;
    let before = crate::tenancy::fingerprint(&app);
    for path in [
        format!("/notifications/{theirs}"),
        format!("/notifications/{}", Uuid::now_v7()),
    ] {
        let page = shop.ada.browser.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
    }
    assert_eq!(
        shop.ada
            .browser
            .get("/notifications/not-an-id")
            .await
            .status,
        404
    );
    let all = shop.ada.browser.post("/notifications/read-all", &[]).await;
    assert_eq!(all.status, 303);
    assert!(
        !notices(&app, sam)[0].3,
        "Ada's clicks change nothing of Sam's"
    );
    assert_eq!(before, crate::tenancy::fingerprint(&app));
    let listed = shop.ada.browser.get("/notifications").await;
    assert!(!listed.body.contains(&theirs.to_string()));
    // Logged out: to the login page, not a list.
    let anon = crate::helpers::Browser::new(&app.address);
    let page = anon.get("/notifications").await;
    assert_eq!(page.status, 303);
    assert!(page.location.unwrap_or_default().starts_with("/login"));
}

#[tokio::test]
async fn the_same_change_tells_nobody_twice_and_long_lists_page() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let ada = user(&app, "ada@bistro.test");
    let mut conn = app.conn();
    for n in 0..120 {
        let notice = larder::notifications::Notice {
            kind: "test",
            title: &format!("Notice {n:03}"),
            body: "",
            link: "/orders",
            key: &format!("test:{n}"),
        };
        // Sent twice, as a replayed change would.
        for _ in 0..2 {
            larder::notifications::tell(&mut conn, &[ada, ada], &notice).unwrap();
        }
    }
    assert_eq!(notices(&app, ada).len(), 120);
    // The bell counts to 99 and then says so.
    let first = shop.ada.browser.get("/notifications").await;
    assert!(first.body.contains("99+ unread."));
    assert!(first.body.contains("id=\"bell-count\">99+</span>"));
    assert_eq!(first.body.matches("class=\"notice unread\"").count(), 25);
    assert!(first.body.contains("/notifications?page=2"));
    let last = shop.ada.browser.get("/notifications?page=5").await;
    assert_eq!(last.body.matches("class=\"notice unread\"").count(), 20);
    assert!(last.body.contains("Notice 000"), "oldest last");
    assert!(!last.body.contains("/notifications?page=6"));
    let all = shop.ada.browser.post("/notifications/read-all", &[]).await;
    assert_eq!(all.status, 303);
    assert!(notices(&app, ada).iter().all(|n| n.3));
}

#[tokio::test]
async fn invoices_and_credit_requests_reach_the_bell_of_who_may_open_them() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (ada, sam) = (user(&app, "ada@bistro.test"), user(&app, "sam@veg.test"));
    let order = crate::credits::delivered(&shop).await;
    let invoice = crate::disputes::issued(&shop, order).await;
    let kinds = |u: Uuid| -> Vec<(String, String)> {
        notifications::table
            .filter(notifications::user_id.eq(u))
            .order(notifications::created_at)
            .select((notifications::kind, notifications::link))
            .load(&mut app.conn())
            .unwrap()
    };
    assert!(
        kinds(ada).contains(&("invoice".into(), format!("/invoices/{invoice}"))),
        "{:?}",
        kinds(ada)
    );
    let key = Uuid::now_v7().to_string();
    assert_eq!(
        crate::credits::raise(&app, &shop, order, &key).await.status,
        303
    );
    let id = crate::credits::requests(&app)[0].0;
    assert!(kinds(sam).contains(&(
        "credit_request".into(),
        format!("/provider/credit-requests/{id}")
    )));
    let declined = shop
        .sam
        .browser
        .post(
            &format!("/provider/credit-requests/{id}/decline"),
            &[("reason", "All signed for")],
        )
        .await;
    assert_eq!(declined.status, 303);
    assert!(kinds(ada).contains(&("credit_request".into(), format!("/credit-requests/{id}"))));
}

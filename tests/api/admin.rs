//! The admin area: lists, search, pagination, suspension with its effects and audit.

use diesel::prelude::*;
use larder::db::schema::{businesses, providers, status_changes, users};

use crate::helpers::fixtures::{self, PASSWORD, login};
use crate::helpers::spawn_app;

#[tokio::test]
async fn admin_lists_and_searches_every_kind_of_account() {
    let app = spawn_app().await;
    let admin = fixtures::admin(&app).await;
    fixtures::buyer(&app, "ada@bistro.test").await;
    fixtures::seller(&app, "sam@veg.test", "Kent Veg Co").await;

    let users = admin.browser.get("/admin/users").await;
    assert_eq!(users.status, 200);
    assert!(users.body.contains("ada@bistro.test") && users.body.contains("sam@veg.test"));
    let found = admin.browser.get("/admin/users?q=BISTRO").await;
    assert!(found.body.contains("ada@bistro.test") && !found.body.contains("sam@veg.test"));
    // LIKE wildcards are literal: "%" matches nothing here.
    let wild = admin.browser.get("/admin/users?q=%25").await;
    assert!(wild.body.contains("Nothing matches"));
    assert!(
        admin
            .browser
            .get("/admin/businesses")
            .await
            .body
            .contains("Ada&#39;s Bistro")
    );
    assert!(
        admin
            .browser
            .get("/admin/providers?q=kent")
            .await
            .body
            .contains("Kent Veg Co")
    );
    assert_eq!(admin.browser.get("/admin/nonsense").await.status, 404);
    assert_eq!(admin.browser.get("/admin/users?page=-4").await.status, 200);
}

#[tokio::test]
async fn admin_lists_paginate() {
    let app = spawn_app().await;
    let admin = fixtures::admin(&app).await;
    let mut conn = app.conn();
    for i in 0..30 {
        diesel::insert_into(businesses::table)
            .values((
                businesses::id.eq(uuid::Uuid::now_v7()),
                businesses::name.eq(format!("Cafe {i:02}")),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let first = admin.browser.get("/admin/businesses").await;
    assert!(first.body.contains("Cafe 29") && !first.body.contains("Cafe 04"));
    assert!(first.body.contains("page=2"));
    let second = admin.browser.get("/admin/businesses?q=&page=2").await;
    assert!(second.body.contains("Cafe 04") && !second.body.contains("Cafe 29"));
    assert!(!second.body.contains("page=3"));
}

#[tokio::test]
async fn suspending_a_user_asks_first_then_logs_them_out_and_records_who() {
    let app = spawn_app().await;
    let admin = fixtures::admin(&app).await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let ada_id: uuid::Uuid = users::table
        .filter(users::email.eq("ada@bistro.test"))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap();

    let confirm = admin
        .browser
        .get(&format!("/admin/users/{ada_id}/status?to=suspended"))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Suspend ada@bistro.test?"));
    let status: String = users::table
        .find(ada_id)
        .select(users::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "active", "the confirmation page changes nothing");

    let done = admin
        .browser
        .post(
            &format!("/admin/users/{ada_id}/status"),
            &[("status", "suspended")],
        )
        .await;
    assert!(done.redirects_to("/admin/users"));
    assert_eq!(
        ada.browser.get("/buyer").await.status,
        303,
        "logged out at the next click"
    );
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", PASSWORD)
            .await
            .status,
        403
    );

    let (kind, new_status, by): (String, String, Option<uuid::Uuid>) = status_changes::table
        .filter(status_changes::entity_id.eq(ada_id))
        .select((
            status_changes::entity_type,
            status_changes::new_status,
            status_changes::changed_by,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (kind.as_str(), new_status.as_str(), by),
        ("user", "suspended", Some(admin.user_id))
    );
    let again = admin
        .browser
        .get(&format!("/admin/users/{ada_id}/status?to=active"))
        .await;
    assert!(again.body.contains("Last changed by admin@larder.test"));

    admin
        .browser
        .post(
            &format!("/admin/users/{ada_id}/status"),
            &[("status", "active")],
        )
        .await;
    assert_eq!(
        login(&app.browser(), "ada@bistro.test", PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn suspending_a_business_or_provider_flags_it_for_ordering_and_discovery() {
    let app = spawn_app().await;
    let admin = fixtures::admin(&app).await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let sam = fixtures::seller(&app, "sam@veg.test", "Veg Co").await;
    admin
        .browser
        .post(
            &format!("/admin/businesses/{}/status", ada.business_id),
            &[("status", "suspended")],
        )
        .await;
    admin
        .browser
        .post(
            &format!("/admin/providers/{}/status", sam.provider_id),
            &[("status", "suspended")],
        )
        .await;
    let mut conn = app.conn();
    let b: String = businesses::table
        .find(ada.business_id)
        .select(businesses::status)
        .first(&mut conn)
        .unwrap();
    let p: String = providers::table
        .find(sam.provider_id)
        .select(providers::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!((b.as_str(), p.as_str()), ("suspended", "suspended"));
    assert!(!larder::providers::rules::is_open_for_orders(&p));
    // Their users still log in and are told why they can't trade.
    assert!(
        ada.browser
            .get("/buyer")
            .await
            .body
            .contains("This business is suspended")
    );
    assert!(
        sam.browser
            .get("/provider")
            .await
            .body
            .contains("Your business is suspended")
    );
}

#[tokio::test]
async fn admins_cannot_suspend_themselves_or_send_odd_statuses() {
    let app = spawn_app().await;
    let admin = fixtures::admin(&app).await;
    let me = admin.user_id;
    let page = admin
        .browser
        .post(
            &format!("/admin/users/{me}/status"),
            &[("status", "suspended")],
        )
        .await;
    assert_eq!(page.status, 409);
    assert!(
        page.body
            .contains("You can&#39;t change the status of your own account")
    );
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let page = admin
        .browser
        .post(
            &format!("/admin/businesses/{}/status", ada.business_id),
            &[("status", "deleted")],
        )
        .await;
    assert_eq!(page.status, 400);
    let missing = uuid::Uuid::now_v7();
    let page = admin
        .browser
        .post(
            &format!("/admin/providers/{missing}/status"),
            &[("status", "suspended")],
        )
        .await;
    assert_eq!(page.status, 404);
}

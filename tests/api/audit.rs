//! The audit log: written with the change it records (and not when the change is refused),
//! naming who, from where and which request; append-only in the database itself; owners
//! read their organisation's entries, admins everyone's, with filters and a CSV export.

use diesel::prelude::*;
use larder::db::schema::audit_log;

use crate::helpers::fixtures;
use crate::helpers::spawn_app;

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_an_entry() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let entry = larder::audit::Entry::new("member.removed", "membership", None);
    larder::audit::record(&mut conn, &larder::audit::Actor::system(), entry).unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'member.added'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let err = diesel::sql_query(sql).execute(&mut conn).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let rows: i64 = audit_log::table.count().get_result(&mut conn).unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn changes_are_logged_with_who_and_where_and_each_owner_sees_only_their_own() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let page = ada
        .browser
        .post(
            "/team/invites",
            &[("email", "mo@bistro.test"), ("role", "manager")],
        )
        .await;
    assert!(page.redirects_to("/team"));
    // A refused change (the only owner stepping down) leaves no entry.
    let ada_member: uuid::Uuid = larder::db::schema::memberships::table
        .filter(larder::db::schema::memberships::business_id.eq(ada.business_id))
        .select(larder::db::schema::memberships::id)
        .first(&mut app.conn())
        .unwrap();
    let refused = ada
        .browser
        .post(
            &format!("/team/members/{ada_member}/role"),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(refused.status, 409);

    type Logged = (
        String,
        Option<String>,
        Option<uuid::Uuid>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Logged> = audit_log::table
        .select((
            audit_log::action,
            audit_log::actor_email,
            audit_log::business_id,
            audit_log::ip,
            audit_log::request_id,
        ))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (action, who, business, ip, request) = &rows[0];
    assert_eq!(action, "invite.sent");
    assert_eq!(who.as_deref(), Some("ada@bistro.test"));
    assert_eq!(*business, Some(ada.business_id));
    assert_eq!(ip.as_deref(), Some("127.0.0.1"));
    assert!(request.as_deref().is_some_and(|r| !r.is_empty()));

    let own = ada.browser.get("/team/audit").await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("invite.sent"));
    assert!(own.body.contains("mo@bistro.test"));
    let other = bo.browser.get("/team/audit").await;
    assert_eq!(other.status, 200);
    assert!(
        !other.body.contains("invite.sent"),
        "Bo sees only Bo's entries"
    );
    let csv = bo.browser.get("/team/audit.csv").await;
    assert!(!csv.body.contains("mo@bistro.test"));

    let admin = fixtures::admin(&app).await;
    let page = admin.browser.get("/admin/audit?action=invite").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("invite.sent"));
    let none = admin.browser.get("/admin/audit?action=order").await;
    assert!(!none.body.contains("invite.sent"));
    assert!(none.body.contains("No entries match these filters"));
    let anonymous = app.browser().get("/admin/audit.csv").await;
    assert_eq!(anonymous.status, 303, "the CSV is for admins only");
    assert!(
        anonymous
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login"))
    );
    assert_eq!(ada.browser.get("/admin/audit.csv").await.status, 404);
    let csv = admin.browser.get("/admin/audit.csv?actor=ada").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("at,actor,"));
    assert!(csv.body.contains("ada@bistro.test,"));
}

#[tokio::test]
async fn only_owners_read_the_audit_log() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let mut conn = app.conn();
    let hash = larder::accounts::password::hash(fixtures::PASSWORD, app.config.argon2).unwrap();
    let mo = larder::accounts::queries::insert_user(
        &mut conn,
        "mo@bistro.test",
        &hash,
        "Mo",
        larder::accounts::model::AccountType::Buyer,
    )
    .unwrap();
    larder::accounts::queries::insert_membership(
        &mut conn,
        mo,
        Some(ada.business_id),
        None,
        "manager",
    )
    .unwrap();
    let b = app.browser();
    fixtures::login(&b, "mo@bistro.test", fixtures::PASSWORD).await;
    assert_eq!(
        b.get("/team").await.status,
        200,
        "a manager manages the team"
    );
    assert_eq!(b.get("/team/audit").await.status, 404);
    assert_eq!(b.get("/team/audit.csv").await.status, 404);
    assert_eq!(ada.browser.get("/team/audit").await.status, 200);
}

/// An order's transitions are in both parties' logs: the buyer's submit and the provider's
/// confirmation, each by its own person.
#[tokio::test]
async fn order_transitions_reach_both_parties_logs() {
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let order = crate::ordering::place_order(&shop).await;
    let page = shop
        .sam
        .browser
        .post(
            &format!("/provider/orders/{order}/reject"),
            &[("reason", "Closed today")],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let logged: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::target_id.eq(order))
        .order(audit_log::at)
        .select((audit_log::action, audit_log::actor_email))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        logged,
        [
            (
                "order.submitted".to_owned(),
                Some("ada@bistro.test".to_owned())
            ),
            ("order.rejected".to_owned(), Some("sam@veg.test".to_owned())),
        ]
    );
    for browser in [&shop.ada.browser, &shop.sam.browser] {
        let page = browser.get("/team/audit?action=order").await;
        assert!(page.body.contains("order.rejected"), "{}", page.body);
    }
}

/// Price and VAT changes are logged with what they were; an edit that keeps them isn't.
#[tokio::test]
async fn price_changes_are_logged_with_before_and_after() {
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let edit = |price: &'static str| {
        vec![
            ("sku", "CR-1"),
            ("name", "Double cream"),
            ("category", "fruit_veg"),
            ("unit", "each"),
            ("price", price),
            ("vat_rate", "0"),
            ("in_stock", "on"),
            ("active", "on"),
        ]
    };
    let path = format!("/provider/products/{}", shop.cream);
    let page = shop.sam.browser.post(&path, &edit("5.60")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let page = shop.sam.browser.post(&path, &edit("6,10")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let rows: Vec<(Option<serde_json::Value>, Option<serde_json::Value>)> = audit_log::table
        .filter(audit_log::action.eq("product.price_changed"))
        .select((audit_log::before, audit_log::after))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(rows.len(), 1, "the unchanged save isn't logged");
    let (before, after) = &rows[0];
    assert_eq!(before.as_ref().unwrap()["price"], "5.60");
    assert_eq!(after.as_ref().unwrap()["price"], "6.10");
    let page = shop.sam.browser.get("/team/audit?action=product").await;
    assert!(page.body.contains("product.price_changed"));
}

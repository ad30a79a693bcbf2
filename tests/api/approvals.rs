//! Spending limits and approvals: an orderer's order over a limit waits for a manager or
//! owner, unseen by the provider, and reaches the provider only when approved.

use diesel::prelude::*;
use larder::db::schema::{memberships, orders};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::fixtures::{self, PASSWORD};
use crate::helpers::{Browser, TestApp, spawn_app};
use crate::ordering::{Shop, add, checkout_form, shop, submit};

/// Olu, an orderer at Ada's business, with the given limits; logged in.
pub async fn orderer(
    app: &TestApp,
    shop: &Shop,
    order: Option<&str>,
    month: Option<&str>,
) -> Browser {
    let mut conn = app.conn();
    let hash = larder::accounts::password::hash(PASSWORD, app.config.argon2).unwrap();
    let olu = larder::accounts::queries::insert_user(
        &mut conn,
        "olu@bistro.test",
        &hash,
        "Olu",
        larder::accounts::model::AccountType::Buyer,
    )
    .unwrap();
    larder::accounts::queries::insert_membership(
        &mut conn,
        olu,
        Some(shop.ada.business_id),
        None,
        "orderer",
    )
    .unwrap();
    larder::accounts::verify::mark_verified(&mut conn, olu).unwrap();
    diesel::update(memberships::table.filter(memberships::user_id.eq(olu.0)))
        .set((
            memberships::order_limit.eq(order.map(|v| v.parse::<Decimal>().unwrap())),
            memberships::monthly_limit.eq(month.map(|v| v.parse::<Decimal>().unwrap())),
        ))
        .execute(&mut conn)
        .unwrap();
    let b = app.browser();
    let page = fixtures::login(&b, "olu@bistro.test", PASSWORD).await;
    assert!(page.redirects_to("/buyer"), "{}", page.status);
    b
}

/// 10 × £5.60 cream: £56.00, over Sam's £50 minimum.
pub async fn order_cream(b: &Browser, shop: &Shop) -> (Uuid, String) {
    add(b, shop.cream, "10").await;
    let (key, date, location) = checkout_form(b).await;
    let page = submit(b, &key, &date, &location).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = page
        .location
        .unwrap()
        .trim_start_matches("/orders/")
        .to_owned();
    let flash = b.get(&format!("/orders/{id}")).await.body;
    (Uuid::parse_str(&id).unwrap(), flash)
}

fn status(app: &TestApp, id: Uuid) -> String {
    orders::table
        .find(id)
        .select(orders::status)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn an_order_over_the_limit_waits_unseen_by_the_provider_until_approved() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let olu = orderer(&app, &shop, Some("50"), None).await;
    let (id, page) = order_cream(&olu, &shop).await;
    assert_eq!(status(&app, id), "awaiting_approval");
    assert!(
        page.contains("over your limit of £50.00 per order"),
        "{page}"
    );

    // The provider can't see it, act on it or hear of it.
    assert_eq!(
        shop.sam
            .browser
            .get(&format!("/provider/orders/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        shop.sam
            .browser
            .post(&format!("/provider/orders/{id}/confirm"), &[])
            .await
            .status,
        404
    );
    let number: String = orders::table
        .find(id)
        .select(orders::number)
        .first(&mut app.conn())
        .unwrap();
    assert!(
        !shop
            .sam
            .browser
            .get("/provider/orders")
            .await
            .body
            .contains(&number)
    );
    app.run_jobs();
    let mails = app.sent_emails();
    assert!(
        mails
            .iter()
            .any(|m| m.contains("ada@bistro.test") && m.contains("needs your approval"))
    );
    assert!(
        mails
            .iter()
            .any(|m| m.contains("olu@bistro.test") && m.contains("waiting for approval"))
    );
    assert!(
        !mails.iter().any(|m| m.contains("New order")),
        "the provider isn't told yet"
    );

    // The orderer can't approve their own order.
    assert_eq!(
        olu.post(&format!("/orders/{id}/approve"), &[]).await.status,
        404
    );
    let queue = shop
        .ada
        .browser
        .get("/orders?status=awaiting_approval")
        .await;
    assert!(queue.body.contains(&number));
    let page = shop
        .ada
        .browser
        .post(&format!("/orders/{id}/approve"), &[])
        .await;
    assert!(
        page.redirects_to(&format!("/orders/{id}")),
        "{}",
        page.status
    );
    assert_eq!(status(&app, id), "submitted");
    let approver: Option<Uuid> = orders::table
        .find(id)
        .select(orders::approved_by)
        .first(&mut app.conn())
        .unwrap();
    assert!(approver.is_some());
    assert_eq!(
        shop.sam
            .browser
            .get(&format!("/provider/orders/{id}"))
            .await
            .status,
        200
    );
    app.run_jobs();
    assert!(app.sent_emails().iter().any(|m| m.contains("New order")));
    // Approving twice is refused, not repeated.
    assert_eq!(
        shop.ada
            .browser
            .post(&format!("/orders/{id}/approve"), &[])
            .await
            .status,
        409
    );
}

#[tokio::test]
async fn a_decline_needs_a_reason_and_the_orderer_hears_it() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let olu = orderer(&app, &shop, Some("50"), None).await;
    let (id, _) = order_cream(&olu, &shop).await;
    let refused = shop
        .ada
        .browser
        .post(&format!("/orders/{id}/decline"), &[("reason", "  ")])
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert_eq!(status(&app, id), "awaiting_approval");
    let page = shop
        .ada
        .browser
        .post(
            &format!("/orders/{id}/decline"),
            &[("reason", "Cream is on the Thursday order")],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(status(&app, id), "cancelled");
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("olu@bistro.test")
                && m.contains("was declined")
                && m.contains("Cream is on the Thursday order"))
    );
}

#[tokio::test]
async fn the_monthly_limit_counts_what_was_ordered_this_month() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let olu = orderer(&app, &shop, None, Some("100")).await;
    let (first, _) = order_cream(&olu, &shop).await;
    assert_eq!(status(&app, first), "submitted", "£56 of £100");
    let (second, page) = order_cream(&olu, &shop).await;
    assert_eq!(status(&app, second), "awaiting_approval", "£112 of £100");
    assert!(page.contains("monthly limit of £100.00"), "{page}");
    // An owner has no limits.
    let (own, _) = order_cream(&shop.ada.browser, &shop).await;
    assert_eq!(status(&app, own), "submitted");
}

#[tokio::test]
async fn limits_are_set_on_the_team_page_and_bad_ones_refused() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    orderer(&app, &shop, None, None).await;
    let member: Uuid = memberships::table
        .inner_join(larder::db::schema::users::table)
        .filter(larder::db::schema::users::email.eq("olu@bistro.test"))
        .select(memberships::id)
        .first(&mut app.conn())
        .unwrap();
    let page = shop.ada.browser.get("/team").await;
    assert!(page.body.contains("Spending limits: Olu"));
    let bad = shop
        .ada
        .browser
        .post(
            &format!("/team/members/{member}/limits"),
            &[("order_limit", "-5"), ("monthly_limit", "")],
        )
        .await;
    assert!(bad.status.is_client_error());
    let ok = shop
        .ada
        .browser
        .post(
            &format!("/team/members/{member}/limits"),
            &[("order_limit", "£250"), ("monthly_limit", "1,500.00")],
        )
        .await;
    assert!(ok.redirects_to("/team"), "{} {}", ok.status, ok.body);
    let (order, month): (Option<Decimal>, Option<Decimal>) = memberships::table
        .find(member)
        .select((memberships::order_limit, memberships::monthly_limit))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(order, Some(Decimal::new(25000, 2)));
    assert_eq!(month, Some(Decimal::new(150000, 2)));
    // Another business can't touch them.
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    assert_eq!(
        bo.browser
            .post(
                &format!("/team/members/{member}/limits"),
                &[("order_limit", "1")]
            )
            .await
            .status,
        404
    );
}

/// The approval routes join the tenancy matrix: another business, the provider and an admin
/// get 404 and the order stays waiting; a role without the permission gets 404 too.
#[tokio::test]
async fn approval_routes_answer_404_to_everyone_else() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let olu = orderer(&app, &shop, Some("50"), None).await;
    let (id, _) = order_cream(&olu, &shop).await;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let admin = fixtures::admin(&app).await;
    for (who, b) in [
        ("other buyer", &bo.browser),
        ("provider", &shop.sam.browser),
        ("admin", &admin.browser),
        ("orderer", &olu),
    ] {
        for (path, form) in [
            (format!("/orders/{id}/approve"), vec![]),
            (format!("/orders/{id}/decline"), vec![("reason", "No")]),
        ] {
            assert_eq!(b.post(&path, &form).await.status, 404, "{who} {path}");
        }
        assert_eq!(status(&app, id), "awaiting_approval", "{who} changed it");
    }
    assert_eq!(olu.get("/approvals").await.status, 404);
    let queue = shop.ada.browser.get("/approvals").await;
    assert!(queue.redirects_to("/orders?status=awaiting_approval"));
}

/// An orderer limited to one of the business's addresses is offered only that one at
/// checkout, and submit refuses the others even when the form is edited.
#[tokio::test]
async fn an_orderer_limited_to_one_address_orders_only_for_it() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let olu = orderer(&app, &shop, None, None).await;
    let page = shop
        .ada
        .browser
        .post(
            "/buyer/locations",
            &[
                ("label", "Second site"),
                ("address_line1", "2 Borough High St"),
                ("city", "London"),
                ("postcode", "SE1 9QL"),
                ("delivery_notes", ""),
            ],
        )
        .await;
    assert!(page.redirects_to("/buyer"), "{}", page.status);
    let spare: Uuid = larder::db::schema::locations::table
        .filter(larder::db::schema::locations::label.eq("Second site"))
        .select(larder::db::schema::locations::id)
        .first(&mut app.conn())
        .unwrap();
    let member: Uuid = memberships::table
        .inner_join(larder::db::schema::users::table)
        .filter(larder::db::schema::users::email.eq("olu@bistro.test"))
        .select(memberships::id)
        .first(&mut app.conn())
        .unwrap();
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let page = shop
        .ada
        .browser
        .post(
            &format!("/team/members/{member}/limits"),
            &[
                ("order_limit", ""),
                ("monthly_limit", ""),
                ("location", &spare.to_string()),
                ("location", &bo.location_id.to_string()),
            ],
        )
        .await;
    assert!(page.redirects_to("/team"));
    let assigned: Vec<Uuid> = larder::db::schema::membership_locations::table
        .select(larder::db::schema::membership_locations::location_id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        assigned,
        vec![spare],
        "another business's address is dropped"
    );

    add(&olu, shop.cream, "10").await;
    let page = olu.get("/checkout/veg-co").await;
    assert!(page.body.contains("Second site"));
    assert!(
        !page
            .body
            .contains(&format!(r#"value="{}""#, shop.ada.location_id))
    );
    let (key, date, _) = checkout_form(&olu).await;
    let refused = submit(&olu, &key, &date, &shop.ada.location_id.to_string()).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("limits you to others"));
    let placed = submit(&olu, &key, &date, &spare.to_string()).await;
    assert_eq!(placed.status, 303, "{}", placed.body);
    // The owner is never limited.
    add(&shop.ada.browser, shop.cream, "10").await;
    let (key, date, _) = checkout_form(&shop.ada.browser).await;
    let own = submit(
        &shop.ada.browser,
        &key,
        &date,
        &shop.ada.location_id.to_string(),
    )
    .await;
    assert_eq!(own.status, 303);
}

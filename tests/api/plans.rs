//! Provider plans: admins version take-rate rules, providers subscribe through the test
//! gateway or Stripe (a mock server, signed webhooks), invoices take the fee of the plan in
//! force, featured providers get the spotlight, and a lapsed payment falls back to free.

use diesel::prelude::*;
use larder::db::schema::{fee_rules, invoices, plan_subscriptions, plans, provider_plans};
use larder::ids::ProviderId;
use larder::plans::queries as plan_queries;
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, fixtures, spawn_app, stripe};
use crate::ordering::shop;
use crate::payments::{WEBHOOK_SECRET, deliver, issued, stripe_app};

fn plan_named(app: &TestApp, name: &str) -> Uuid {
    plans::table
        .filter(plans::name.eq(name))
        .select(plans::id)
        .first(&mut app.conn())
        .unwrap()
}

fn plan_now(app: &TestApp, provider: Uuid, at: OffsetDateTime) -> Uuid {
    plan_queries::plan_at(&mut app.conn(), ProviderId(provider), at).unwrap()
}

fn fee_of(app: &TestApp, invoice: Uuid) -> (Decimal, Decimal) {
    invoices::table
        .find(invoice)
        .select((invoices::platform_fee, invoices::total))
        .first(&mut app.conn())
        .unwrap()
}

async fn make_plan(
    admin: &fixtures::Admin,
    name: &str,
    price: &str,
    featured: bool,
    percent: &str,
) {
    let made = admin
        .browser
        .post(
            "/admin/plans",
            &[
                ("name", name),
                ("monthly_price", price),
                ("featured", if featured { "on" } else { "" }),
                ("percent", percent),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
}

#[tokio::test]
async fn admins_version_plan_fees_and_a_provider_upgrades_keeps_and_downgrades() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let admin = fixtures::admin(&app).await;
    let provider = shop.sam.provider_id;

    let bad = admin
        .browser
        .post(
            "/admin/plans",
            &[("name", ""), ("monthly_price", "12.x"), ("percent", "60")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter a name for the plan."));
    assert!(
        bad.body.contains(r#"value="12.x""#),
        "what was typed is kept"
    );
    assert!(bad.body.contains("Enter a percentage from 0 to 50."));
    make_plan(&admin, "Featured", "29", true, "1").await;
    let dup = admin
        .browser
        .post(
            "/admin/plans",
            &[("name", "FEATURED"), ("monthly_price", "5")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("A plan with that name exists already."));
    let featured = plan_named(&app, "Featured");
    let free = plan_named(&app, "Free");
    // The free plan's fee, from the fees page: a new version from now.
    let saved = admin.browser.post("/admin/fees", &[("percent", "5")]).await;
    assert!(saved.redirects_to("/admin/fees"));
    // A provider's own fee can't start in the past either; the form keeps what was typed.
    let backdated = admin
        .browser
        .post(
            "/admin/fees/providers",
            &[
                ("provider_id", &provider.to_string()),
                ("starts_on", "2020-01-01"),
                ("percent", "1"),
            ],
        )
        .await;
    assert_eq!(backdated.status, 422);
    assert!(backdated.body.contains("Choose today or a later date"));
    assert!(backdated.body.contains(r#"value="2020-01-01""#));

    let past = admin
        .browser
        .post(
            &format!("/admin/plans/{featured}/rules"),
            &[("starts_on", "2020-01-01"), ("percent", "2")],
        )
        .await;
    assert_eq!(past.status, 422);
    assert!(past.body.contains("Choose today or a later date"));
    assert!(past.body.contains(r#"value="2020-01-01""#));
    let later = (larder::timefmt::to_london(OffsetDateTime::now_utc()).date() + Duration::days(10))
        .to_string();
    let scheduled = admin
        .browser
        .post(
            &format!("/admin/plans/{featured}/rules"),
            &[("starts_on", later.as_str()), ("percent", "0.5")],
        )
        .await;
    assert!(scheduled.redirects_to(&format!("/admin/plans/{featured}")));
    let detail = admin.browser.get(&format!("/admin/plans/{featured}")).await;
    assert!(
        detail
            .body
            .contains("<td>0.5% per invoice, plus VAT</td><td>Scheduled</td>")
    );
    assert!(
        detail
            .body
            .contains("<td>1% per invoice, plus VAT</td><td>In force</td>")
    );
    let list = admin.browser.get("/admin/plans").await;
    assert!(list.body.contains("£29.00"));
    let edited = diesel::sql_query("UPDATE fee_rules SET percent = 9").execute(&mut app.conn());
    assert!(edited.is_err(), "versions are never edited in place");
    let versions: i64 = fee_rules::table
        .filter(fee_rules::plan_id.eq(featured))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(versions, 2);

    let page = shop.sam.browser.get("/provider/plan").await;
    assert!(page.body.contains(r#"id="current-plan">Free<"#));
    assert!(
        page.body
            .contains(r#"id="current-fee">5% per invoice, plus VAT<"#)
    );
    let go = shop
        .sam
        .browser
        .post("/provider/plan", &[("plan_id", &featured.to_string())])
        .await;
    let checkout = go.location.clone().unwrap_or_default();
    assert!(
        checkout.starts_with("/provider/plan/test/cs_test_plan_"),
        "{checkout}"
    );
    assert_eq!(
        plan_now(&app, provider, OffsetDateTime::now_utc()),
        free,
        "not before paying"
    );
    let stand_in = shop.sam.browser.get(&checkout).await;
    assert!(stand_in.body.contains("Subscribe for £29.00 a month"));
    let paid = shop.sam.browser.post(&format!("{checkout}/pay"), &[]).await;
    assert!(paid.redirects_to("/provider/plan"));
    let again = shop.sam.browser.post(&format!("{checkout}/pay"), &[]).await;
    assert!(again.redirects_to("/provider/plan"));
    let choices: i64 = provider_plans::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(choices, 1, "paying twice starts the plan once");
    let page = shop.sam.browser.get("/provider/plan").await;
    assert!(page.body.contains(r#"id="current-plan">Featured<"#));
    assert!(
        page.body
            .contains(r#"id="current-fee">1% per invoice, plus VAT<"#)
    );

    // The next invoice takes the new plan's fee: 1 % of its total, before VAT.
    let invoice = issued(&app, &shop).await;
    let (fee, total) = fee_of(&app, invoice);
    assert_eq!(
        fee,
        larder::money::round_pennies(total / Decimal::ONE_HUNDRED)
    );

    let found = shop.ada.browser.get("/discover").await;
    assert!(found.body.contains("Featured providers"));
    assert!(
        found
            .body
            .contains(r#"<span class="badge">Featured</span>"#)
    );

    // Back to free: the paid month runs out first, and the fee follows the plan then.
    let down = shop
        .sam
        .browser
        .post("/provider/plan", &[("plan_id", &free.to_string())])
        .await;
    assert!(down.redirects_to("/provider/plan"));
    let page = shop.sam.browser.get("/provider/plan").await;
    assert!(page.body.contains(r#"id="plan-next""#));
    assert!(page.body.contains("You move to Free on"));
    let now = OffsetDateTime::now_utc();
    let mut conn = app.conn();
    let at =
        |t| larder::ledger::queries::rule_for(&mut app.conn(), ProviderId(provider), t).unwrap();
    assert_eq!(at(now).percent, Decimal::ONE);
    assert_eq!(at(now + Duration::days(40)).percent, Decimal::new(5, 0));
    // Calling the end off keeps the plan on.
    let keep = shop
        .sam
        .browser
        .post("/provider/plan", &[("plan_id", &featured.to_string())])
        .await;
    assert!(keep.redirects_to("/provider/plan"));
    let page = shop.sam.browser.get("/provider/plan").await;
    assert!(!page.body.contains(r#"id="plan-next""#));
    assert_eq!(
        plan_queries::plan_at(&mut conn, ProviderId(provider), now + Duration::days(40)).unwrap(),
        featured
    );
    // The scheduled version takes over on its day.
    assert_eq!(at(now + Duration::days(40)).percent, Decimal::new(5, 1));
}

fn subscription_session(id: &str, ours: Uuid, status: &str) -> serde_json::Value {
    let mut s = stripe::checkout_session(
        id,
        status,
        if status == "open" { "unpaid" } else { "paid" },
        1900,
    );
    s["mode"] = "subscription".into();
    s["payment_intent"] = serde_json::Value::Null;
    s["metadata"] = serde_json::json!({ "larder_subscription": ours.to_string() });
    if status == "complete" {
        s["subscription"] = "sub_plan1".into();
        s["customer"] = "cus_plan1".into();
    }
    s
}

#[tokio::test]
async fn stripe_events_drive_the_plan_and_a_lapsed_grace_falls_back_to_free() {
    let stripe_server = MockServer::start().await;
    let app = stripe_app(&stripe_server).await;
    let shop = shop(&app).await;
    let admin = fixtures::admin(&app).await;
    let provider = shop.sam.provider_id;
    make_plan(&admin, "Pro", "19", false, "1").await;
    let pro = plan_named(&app, "Pro");
    let free = plan_named(&app, "Free");

    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(body_string_contains("mode=subscription"))
        .and(body_string_contains(
            "line_items[0][price_data][recurring][interval]=month",
        ))
        .and(body_string_contains(
            "line_items[0][price_data][unit_amount]=1900",
        ))
        .and(body_string_contains(
            "subscription_data[metadata][larder_subscription]=",
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(subscription_session(
                "cs_plan_1",
                Uuid::nil(),
                "open",
            )),
        )
        .expect(1)
        .mount(&stripe_server)
        .await;
    let go = shop
        .sam
        .browser
        .post("/provider/plan", &[("plan_id", &pro.to_string())])
        .await;
    assert_eq!(
        go.location.as_deref(),
        Some("https://checkout.stripe.com/c/pay/cs_plan_1")
    );
    let ours: Uuid = plan_subscriptions::table
        .select(plan_subscriptions::id)
        .first(&mut app.conn())
        .unwrap();
    let sent = stripe_server.received_requests().await.unwrap_or_default();
    let key = sent[0]
        .headers
        .get("idempotency-key")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(key, format!("larder-plan-{ours}"), "the key names our row");

    let completed = stripe::event(
        "evt_plan_done",
        "checkout.session.completed",
        subscription_session("cs_plan_1", ours, "complete"),
    );
    assert_eq!(deliver(&app, &completed, WEBHOOK_SECRET).await, 200);
    assert_eq!(
        deliver(&app, &completed, WEBHOOK_SECRET).await,
        200,
        "a replay"
    );
    let now = OffsetDateTime::now_utc();
    assert_eq!(plan_now(&app, provider, now), pro);
    let choices: i64 = provider_plans::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(choices, 1);
    // Stripe's own subscription event comes too, in any order: it changes nothing more.
    let created = stripe::event(
        "evt_plan_created",
        "customer.subscription.created",
        stripe::subscription("sub_plan1", "active", &ours.to_string(), None),
    );
    assert_eq!(deliver(&app, &created, WEBHOOK_SECRET).await, 200);
    let choices: i64 = provider_plans::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(choices, 1);

    // A renewal fails: Stripe's invoice says so first, the subscription's update after; the
    // plan stays for a week's grace, counted from the first.
    let invoice_failed = stripe::event(
        "evt_plan_invoice_failed",
        "invoice.payment_failed",
        stripe::subscription_invoice("in_plan1", "sub_plan1", 1900),
    );
    assert_eq!(deliver(&app, &invoice_failed, WEBHOOK_SECRET).await, 200);
    let status: String = plan_subscriptions::table
        .find(ours)
        .select(plan_subscriptions::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        status, "past_due",
        "the failed invoice alone marks it past due"
    );
    let failed = stripe::event(
        "evt_plan_past_due",
        "customer.subscription.updated",
        stripe::subscription("sub_plan1", "past_due", &ours.to_string(), None),
    );
    assert_eq!(deliver(&app, &failed, WEBHOOK_SECRET).await, 200);
    let (status, grace): (String, Option<OffsetDateTime>) = plan_subscriptions::table
        .find(ours)
        .select((plan_subscriptions::status, plan_subscriptions::grace_until))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "past_due");
    let grace = grace.unwrap();
    assert!(grace > now + Duration::days(6) && grace < now + Duration::days(8));
    let page = shop.sam.browser.get("/provider/plan").await;
    assert!(page.body.contains("Your last plan payment failed"));
    assert_eq!(plan_now(&app, provider, now), pro);

    Mock::given(method("DELETE"))
        .and(path("/v1/subscriptions/sub_plan1"))
        .and(header(
            "idempotency-key",
            format!("larder-plan-{ours}-cancel").as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(stripe::subscription(
                "sub_plan1",
                "canceled",
                &ours.to_string(),
                None,
            )),
        )
        .expect(1)
        .mount(&stripe_server)
        .await;
    use larder::jobs::registry::JobType;
    let sweep = |at: OffsetDateTime| {
        assert!(app.clock.set(at));
        let ctx = larder::jobs::worker::JobContext::new(&app.config, app.clock.clone()).unwrap();
        larder::plans::lifecycle::SweepPlans::run(serde_json::Value::Null, &mut app.conn(), &ctx)
            .unwrap();
    };
    sweep(now + Duration::days(6));
    assert_eq!(
        plan_now(&app, provider, now + Duration::days(6)),
        pro,
        "still in grace"
    );
    let late = now + Duration::days(8);
    sweep(late);
    sweep(late);
    assert_eq!(plan_now(&app, provider, late), free);
    let status: String = plan_subscriptions::table
        .find(ours)
        .select(plan_subscriptions::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "cancelled");
    // Stripe confirms the end later: nothing moves back.
    let deleted = stripe::event(
        "evt_plan_deleted",
        "customer.subscription.deleted",
        stripe::subscription("sub_plan1", "canceled", &ours.to_string(), None),
    );
    assert_eq!(deliver(&app, &deleted, WEBHOOK_SECRET).await, 200);
    let choices: i64 = provider_plans::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(choices, 2, "upgrade, then the fall back to free");
}

//! Receiving deliveries and credit requests: check-in, claims priced on the server within
//! their windows, double submits, accepting (a refund through the refunds path when the
//! invoice is paid), declining, escalating, and other tenants' ids.

use diesel::prelude::*;
use larder::db::schema::{credit_request_lines, credit_requests, order_lines, refunds};
use rust_decimal::Decimal;
use time::Duration;
use uuid::Uuid;

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ledger::assert_journal_balanced;
use crate::ordering::{Shop, place_order, shop};
use crate::payments::invoice_status;
use crate::tenancy::{check, get};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Ada's order (6 cream, 1 case of wine, 1.5 kg leeks), confirmed and delivered now.
pub async fn delivered(shop: &Shop) -> Uuid {
    let order = place_order(shop).await;
    let sam = &shop.sam.browser;
    let ok = sam
        .post(&format!("/provider/orders/{order}/confirm"), &[])
        .await;
    assert_eq!(ok.status, 303);
    let done = sam
        .post(
            &format!("/provider/orders/{order}/deliver"),
            &[("received_by", "Chef Ada")],
        )
        .await;
    assert_eq!(done.status, 303);
    order
}

pub fn line(app: &TestApp, order: Uuid, sku: &str) -> Uuid {
    order_lines::table
        .filter(order_lines::order_id.eq(order))
        .filter(order_lines::sku.eq(sku))
        .select(order_lines::id)
        .first(&mut app.conn())
        .unwrap()
}

pub fn requests(app: &TestApp) -> Vec<(Uuid, String, Decimal, Option<Decimal>)> {
    credit_requests::table
        .order(credit_requests::created_at)
        .select((
            credit_requests::id,
            credit_requests::status,
            credit_requests::amount,
            credit_requests::accepted_amount,
        ))
        .load(&mut app.conn())
        .unwrap()
}

/// Raises a request for 2 cream (short) and 1 wine (damaged): £11.20 + £50.40.
pub async fn raise(
    app: &TestApp,
    shop: &Shop,
    order: Uuid,
    key: &str,
) -> crate::helpers::browser::Page {
    let (cream, wine) = (line(app, order, "CR-1"), line(app, order, "WN-1"));
    let fields = [
        (format!("reason_{cream}"), "short".to_owned()),
        (format!("quantity_{cream}"), "2".to_owned()),
        (format!("note_{cream}"), "Two missing".to_owned()),
        (format!("reason_{wine}"), "damaged".to_owned()),
        (format!("quantity_{wine}"), "1".to_owned()),
        ("key".to_owned(), key.to_owned()),
    ];
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    shop.ada
        .browser
        .post(&format!("/orders/{order}/credit-request"), &form)
        .await
}

#[tokio::test]
async fn a_buyer_checks_in_a_short_delivery_and_asks_for_credit_on_it_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    let (cream, wine) = (line(&app, order, "CR-1"), line(&app, order, "WN-1"));
    let ada = &shop.ada.browser;

    let order_page = ada.get(&format!("/orders/{order}")).await;
    assert!(
        order_page
            .body
            .contains(&format!("/orders/{order}/receive"))
    );
    let form = ada.get(&format!("/orders/{order}/receive")).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains(&format!("name=\"received_{cream}\" value=\"6\""))
    );

    // A count the form can't take comes back with the values and saves nothing.
    let (rc, dw, nw) = (
        format!("received_{cream}"),
        format!("damaged_{wine}"),
        format!("note_{wine}"),
    );
    let bad = ada
        .post(
            &format!("/orders/{order}/receive"),
            &[(rc.as_str(), "-1"), (nw.as_str(), "Box crushed")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter a quantity"));
    assert!(bad.body.contains("value=\"-1\""));
    assert!(bad.body.contains("value=\"Box crushed\""));
    let long = "x".repeat(501);
    let bad = ada
        .post(
            &format!("/orders/{order}/receive"),
            &[(rc.as_str(), "4"), (nw.as_str(), &long)],
        )
        .await;
    assert_eq!(bad.status, 422);
    let none: i64 = larder::db::schema::order_receipts::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(none, 0);

    let saved = ada
        .post(
            &format!("/orders/{order}/receive"),
            &[
                (rc.as_str(), "4"),
                (dw.as_str(), "1"),
                (nw.as_str(), "Box crushed"),
                ("note", "Signed by <b>Chef</b>"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let checked = ada.get(&format!("/orders/{order}/receive")).await;
    assert!(checked.body.contains("Some lines came short or damaged"));
    assert!(
        checked
            .body
            .contains("Signed by &#60;b&#62;Chef&#60;/b&#62;")
    );

    // The claim form starts from what the check-in found.
    let claim = ada
        .get(&format!("/orders/{order}/credit-request?from=receipt"))
        .await;
    assert!(
        claim
            .body
            .contains(&format!("name=\"quantity_{cream}\" value=\"2\""))
    );
    assert!(
        claim
            .body
            .contains(&format!("name=\"quantity_{wine}\" value=\"1\""))
    );

    let key = Uuid::now_v7().to_string();
    let (a, b) = tokio::join!(
        raise(&app, &shop, order, &key),
        raise(&app, &shop, order, &key)
    );
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (303, 303));
    let rows = requests(&app);
    assert_eq!(rows.len(), 1, "one form, one request");
    let (id, status, amount, _) = rows[0].clone();
    assert_eq!((status.as_str(), amount), ("open", d("61.60")));
    assert_eq!(
        a.location.as_deref(),
        Some(format!("/credit-requests/{id}").as_str())
    );
    // A second request while one waits is refused.
    let again = raise(&app, &shop, order, &Uuid::now_v7().to_string()).await;
    assert_eq!(again.status, 409);

    let page = ada.get(&format!("/credit-requests/{id}")).await;
    assert!(page.body.contains("Waiting for the provider"));
    assert!(page.body.contains("£61.60"));
    assert!(
        !page.body.contains("Ask Larder's team to decide"),
        "not yet"
    );
    app.run_jobs();
    assert!(app.sent_emails().iter().any(|m| m.contains("sam@veg.test")
        && m.contains("asks for £61.60 credit")
        && m.contains(&format!("/provider/credit-requests/{id}"))));
}

#[tokio::test]
async fn claims_the_form_cannot_take_say_why_per_line_and_write_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    let (cream, leeks) = (line(&app, order, "CR-1"), line(&app, order, "LK-1"));
    let ada = &shop.ada.browser;
    let key = Uuid::now_v7().to_string();
    let path = format!("/orders/{order}/credit-request");
    let (rc, qc, rl, ql) = (
        format!("reason_{cream}"),
        format!("quantity_{cream}"),
        format!("reason_{leeks}"),
        format!("quantity_{leeks}"),
    );
    for (fields, says) in [
        (
            vec![(rc.as_str(), "short"), (qc.as_str(), "7")],
            "At most 6",
        ),
        (
            vec![(rc.as_str(), "short"), (qc.as_str(), "1.5")],
            "whole units",
        ),
        (
            vec![(rc.as_str(), "lost"), (qc.as_str(), "1")],
            "Choose a reason",
        ),
        (
            vec![(rl.as_str(), "quality"), (ql.as_str(), "abc")],
            "Enter a quantity",
        ),
        (
            vec![(rc.as_str(), ""), (qc.as_str(), "1")],
            "Choose a reason on at least one line",
        ),
    ] {
        let mut form = fields.clone();
        form.push(("key", &key));
        let page = ada.post(&path, &form).await;
        assert_eq!(page.status, 422, "{says}");
        assert!(page.body.contains(says), "{says}");
    }
    assert!(requests(&app).is_empty());
    // Someone else's order line can't be slipped in: it isn't on this order's form.
    let foreign = Uuid::now_v7();
    let field = format!("reason_{foreign}");
    let sneaky = ada
        .post(&path, &[(field.as_str(), "short"), ("key", &key)])
        .await;
    assert_eq!(sneaky.status, 422);
    assert!(requests(&app).is_empty());

    // Fresh goods: 72 hours. After that the lines say until when and can't be claimed.
    app.clock
        .set(time::OffsetDateTime::now_utc() + Duration::hours(73));
    let late = ada.get(&path).await;
    assert!(late.body.contains("Too late to claim"));
    let refused = ada
        .post(
            &path,
            &[(rc.as_str(), "short"), (qc.as_str(), "1"), ("key", &key)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Too late"));
    assert!(requests(&app).is_empty());

    // An order not delivered yet can't be checked in or claimed on.
    app.clock.release();
    let waiting = place_order(&shop).await;
    assert_eq!(
        ada.get(&format!("/orders/{waiting}/receive")).await.status,
        409
    );
    assert_eq!(
        ada.get(&format!("/orders/{waiting}/credit-request"))
            .await
            .status,
        409
    );
}

#[tokio::test]
async fn a_provider_accepts_some_lines_of_a_paid_order_and_the_refund_path_pays_them() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    // Invoice, issue and pay through the test gateway.
    let invoice = crate::disputes::paid(&shop, order).await;
    assert_eq!(invoice_status(&app, invoice), "paid");

    assert_eq!(
        raise(&app, &shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let id = requests(&app)[0].0;
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/credit-requests/{id}"))
        .await;
    assert!(page.body.contains("The invoice is paid: accepting refunds"));
    let lines: Vec<(i64, Uuid)> = credit_request_lines::table
        .filter(credit_request_lines::request_id.eq(id))
        .select((
            credit_request_lines::id,
            credit_request_lines::order_line_id,
        ))
        .load(&mut app.conn())
        .unwrap();
    let cream = line(&app, order, "CR-1");
    let cream_line = lines
        .iter()
        .find(|(_, l)| *l == cream)
        .unwrap()
        .0
        .to_string();
    let accept_path = format!("/provider/credit-requests/{id}/accept");
    let accept_form = [("line", cream_line.as_str())];
    let accept = || shop.sam.browser.post(&accept_path, &accept_form);
    let (a, b) = tokio::join!(accept(), accept());
    assert!(a.status.as_u16() == 303 || b.status.as_u16() == 303);
    assert_eq!(
        requests(&app)[0],
        (id, "accepted".to_owned(), d("61.60"), Some(d("11.20")))
    );
    let refunded: Vec<(Decimal, String)> = refunds::table
        .select((refunds::amount, refunds::status))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        refunded,
        [(d("11.20"), "succeeded".to_owned())],
        "refunded once"
    );
    assert_eq!(invoice_status(&app, invoice), "partially_refunded");
    assert_journal_balanced(&app);
    // Accepting again is refused and pays nothing more.
    assert_eq!(accept().await.status, 409);
    let buyer_view = shop
        .ada
        .browser
        .get(&format!("/credit-requests/{id}"))
        .await;
    assert!(
        buyer_view
            .body
            .contains("Accepted: £11.20, refunded with a credit note")
    );
    assert!(buyer_view.body.contains("Not accepted"));
    let invoice_page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        invoice_page
            .body
            .contains(&format!("/orders/{order}/credit-request")),
        "the invoice leads to a credit request on its delivery"
    );
    assert!(invoice_page.body.contains("Credit note CN-000001"));
    assert!(invoice_page.body.contains("Credit request on order"));
}

#[tokio::test]
async fn a_decline_needs_a_reason_and_the_buyer_can_escalate_it_or_silence() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    assert_eq!(
        raise(&app, &shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let id = requests(&app)[0].0;
    let decline_path = format!("/provider/credit-requests/{id}/decline");
    let (sam, decline_path) = (&shop.sam.browser, &decline_path);
    let decline = |reason: &'static str| async move {
        let form = [("reason", reason)];
        sam.post(decline_path, &form).await
    };
    let empty = decline("   ").await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Say why you are declining"));
    // The buyer can't escalate before the provider has had two working days.
    let early = shop
        .ada
        .browser
        .post(&format!("/credit-requests/{id}/escalate"), &[])
        .await;
    assert_eq!(early.status, 409);
    assert_eq!(decline("Signed for in full by Chef Ada").await.status, 303);
    assert_eq!(requests(&app)[0].1, "declined");
    let seen = shop
        .ada
        .browser
        .get(&format!("/credit-requests/{id}"))
        .await;
    assert!(
        seen.body
            .contains("Declined: Signed for in full by Chef Ada")
    );
    assert!(seen.body.contains("Ask Larder's team to decide"));
    let up = shop
        .ada
        .browser
        .post(&format!("/credit-requests/{id}/escalate"), &[])
        .await;
    assert_eq!(up.status, 303);
    assert_eq!(requests(&app)[0].1, "escalated");
    assert_eq!(
        shop.ada
            .browser
            .post(&format!("/credit-requests/{id}/escalate"), &[])
            .await
            .status,
        409
    );
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("ada@bistro.test")
                && m.contains("declined your credit request")
                && m.contains("Signed for in full"))
    );

    // A request left unanswered for two working days can go up too.
    let second = delivered(&shop).await;
    assert_eq!(
        raise(&app, &shop, second, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let waiting = requests(&app)[1].0;
    app.clock
        .set(time::OffsetDateTime::now_utc() + Duration::days(5));
    let up = shop
        .ada
        .browser
        .post(&format!("/credit-requests/{waiting}/escalate"), &[])
        .await;
    assert_eq!(up.status, 303);
    assert_eq!(requests(&app)[1].1, "escalated");
}

#[tokio::test]
async fn credit_routes_answer_404_to_other_tenants_and_roles() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    assert_eq!(
        raise(&app, &shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let id = requests(&app)[0].0;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let admin = fixtures::admin(&app).await;
    let buyer_routes = vec![
        get(format!("/orders/{order}/receive")),
        get(format!("/orders/{order}/credit-request")),
        get(format!("/credit-requests/{id}")),
    ];
    check(
        &app,
        buyer_routes,
        &[
            ("other buyer", &bo.browser),
            ("provider", &shop.sam.browser),
            ("admin", &admin.browser),
        ],
        &shop.ada.browser,
    )
    .await;
    let provider_routes = vec![get(format!("/provider/credit-requests/{id}"))];
    check(
        &app,
        provider_routes,
        &[
            ("other provider", &kim.browser),
            ("buyer", &shop.ada.browser),
            ("admin", &admin.browser),
        ],
        &shop.sam.browser,
    )
    .await;
    // Answers and escalations from the wrong side or tenant change nothing.
    for (browser, path) in [
        (
            &kim.browser,
            format!("/provider/credit-requests/{id}/decline"),
        ),
        (
            &kim.browser,
            format!("/provider/credit-requests/{id}/accept"),
        ),
        (&bo.browser, format!("/credit-requests/{id}/escalate")),
        (&bo.browser, format!("/orders/{order}/credit-request")),
        (&bo.browser, format!("/orders/{order}/receive")),
        (&shop.sam.browser, format!("/credit-requests/{id}/escalate")),
    ] {
        let page = browser
            .post(&path, &[("reason", "Not mine"), ("line", "1")])
            .await;
        assert_eq!(page.status, 404, "{path}");
    }
    assert_eq!(requests(&app)[0].1, "open");
}

#[tokio::test]
async fn accepting_before_the_invoice_is_paid_records_the_credit_and_moves_no_money() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    assert_eq!(
        raise(&app, &shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let id = requests(&app)[0].0;
    let all: Vec<i64> = credit_request_lines::table
        .filter(credit_request_lines::request_id.eq(id))
        .select(credit_request_lines::id)
        .load(&mut app.conn())
        .unwrap();
    let path = format!("/provider/credit-requests/{id}/accept");
    // Nothing ticked is a refusal, not an acceptance of nothing.
    assert_eq!(shop.sam.browser.post(&path, &[]).await.status, 400);
    let (a, b) = (all[0].to_string(), all[1].to_string());
    let done = shop
        .sam
        .browser
        .post(&path, &[("line", a.as_str()), ("line", b.as_str())])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        requests(&app)[0],
        (id, "accepted".to_owned(), d("61.60"), Some(d("61.60")))
    );
    let none: i64 = refunds::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(none, 0);
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/credit-requests/{id}"))
        .await;
    assert!(
        page.body
            .contains("invoice what was delivered less this credit")
    );
    assert!(
        page.body
            .contains("Accepted: £61.60, to come off the invoice")
    );
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("ada@bistro.test") && m.contains("Veg Co accepted £61.60"))
    );
}

//! Larder's team deciding escalated credit requests: the queue and its filters, a part
//! refund through the refunds path (once, however often the form is sent), upholding and
//! rejecting with a note both sides read, and who may reach any of it.

use diesel::prelude::*;
use larder::db::schema::{audit_log, credit_requests, refunds};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::credits::{delivered, raise, requests};
use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ledger::assert_journal_balanced;
use crate::ordering::{Shop, shop};
use crate::payments::invoice_status;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A delivered order whose request the provider declined and the buyer escalated.
pub async fn escalated(app: &TestApp, shop: &Shop) -> (Uuid, Uuid) {
    let order = delivered(shop).await;
    assert_eq!(
        raise(app, shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let id = requests(app).last().unwrap().0;
    let declined = shop
        .sam
        .browser
        .post(
            &format!("/provider/credit-requests/{id}/decline"),
            &[("reason", "All signed for")],
        )
        .await;
    assert_eq!(declined.status, 303);
    let up = shop
        .ada
        .browser
        .post(&format!("/credit-requests/{id}/escalate"), &[])
        .await;
    assert_eq!(up.status, 303);
    (order, id)
}

/// Invoices and issues the order; the invoice's id.
pub async fn issued(shop: &Shop, order: Uuid) -> Uuid {
    let sam = &shop.sam.browser;
    let created = sam
        .post(&format!("/provider/orders/{order}/invoice"), &[])
        .await;
    let invoice = Uuid::parse_str(
        created
            .location
            .unwrap()
            .trim_start_matches("/provider/invoices/"),
    )
    .unwrap();
    let issued = sam
        .post(&format!("/provider/invoices/{invoice}/issue"), &[])
        .await;
    assert_eq!(issued.status, 303);
    invoice
}

/// Invoices, issues and pays (test gateway) the order.
pub async fn paid(shop: &Shop, order: Uuid) -> Uuid {
    let invoice = issued(shop, order).await;
    let ada = &shop.ada.browser;
    let pay = ada.post(&format!("/invoices/{invoice}/pay"), &[]).await;
    let done = ada
        .post(&format!("{}/pay", pay.location.unwrap()), &[])
        .await;
    assert_eq!(done.status, 303);
    invoice
}

#[tokio::test]
async fn an_admin_refunds_part_of_an_escalated_request_once_and_both_sides_read_why() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (order, id) = escalated(&app, &shop).await;
    let invoice = paid(&shop, order).await;
    let admin = fixtures::admin(&app).await;

    let queue = admin.browser.get("/admin/disputes").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains(&format!("/admin/disputes/{id}")));
    for filtered in [
        "/admin/disputes?provider=Fish",
        "/admin/disputes?min=100",
        "/admin/disputes?older=3",
        "/admin/disputes?state=resolved",
    ] {
        let page = admin.browser.get(filtered).await;
        assert_eq!(page.status, 200, "{filtered}");
        assert!(
            !page.body.contains(&format!("/admin/disputes/{id}")),
            "{filtered}"
        );
    }
    let kept = admin
        .browser
        .get("/admin/disputes?provider=veg&min=61.60&older=0")
        .await;
    assert!(kept.body.contains(&format!("/admin/disputes/{id}")));

    let page = admin.browser.get(&format!("/admin/disputes/{id}")).await;
    assert!(page.body.contains("Veg Co declined: All signed for"));
    assert!(
        page.body.contains("value=\"refund\""),
        "the invoice is paid"
    );
    let decide = |decision: &'static str, amount: &'static str, note: &'static str| {
        let browser = &admin.browser;
        async move {
            browser
                .post(
                    &format!("/admin/disputes/{id}/resolve"),
                    &[("decision", decision), ("amount", amount), ("note", note)],
                )
                .await
        }
    };
    for (decision, amount, note, says) in [
        ("refund", "70", "Too much", "At most the £61.60 asked for"),
        ("refund", "abc", "Words", "Enter an amount"),
        ("refund", "20", "  ", "Explain the decision"),
        ("pay", "20", "Unknown", "Choose refund, uphold or reject"),
    ] {
        let refused = decide(decision, amount, note).await;
        assert_eq!(refused.status, 422, "{says}");
        assert!(refused.body.contains(says), "{says}");
        assert!(
            refused.body.contains(&format!("value=\"{amount}\"")),
            "{says}"
        );
    }
    assert_eq!(requests(&app)[0].1, "escalated");

    let (a, b) = tokio::join!(
        decide("refund", "20.00", "The wine case was crushed"),
        decide("refund", "20.00", "The wine case was crushed"),
    );
    assert!(a.status.as_u16() == 303 || b.status.as_u16() == 303);
    let rows: Vec<(Decimal, String)> = refunds::table
        .select((refunds::amount, refunds::status))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(
        rows,
        [(d("20.00"), "succeeded".to_owned())],
        "refunded once"
    );
    let (status, resolution, amount): (String, Option<String>, Option<Decimal>) =
        credit_requests::table
            .find(id)
            .select((
                credit_requests::status,
                credit_requests::resolution,
                credit_requests::resolved_amount,
            ))
            .first(&mut app.conn())
            .unwrap();
    assert_eq!(
        (status.as_str(), resolution.as_deref(), amount),
        ("resolved", Some("refunded"), Some(d("20.00")))
    );
    assert_eq!(invoice_status(&app, invoice), "partially_refunded");
    assert_journal_balanced(&app);
    assert_eq!(decide("reject", "", "Changed my mind").await.status, 409);

    for (browser, path) in [
        (&shop.ada.browser, format!("/credit-requests/{id}")),
        (&shop.sam.browser, format!("/provider/credit-requests/{id}")),
    ] {
        let seen = browser.get(&path).await;
        assert!(
            seen.body
                .contains("Larder&#39;s team refunded £20.00: The wine case was crushed"),
            "{path}"
        );
    }
    let note = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        note.body
            .contains("decided by Larder: The wine case was crushed")
    );
    let actor: Option<Uuid> = audit_log::table
        .filter(audit_log::action.eq("credit_request.resolved"))
        .select(audit_log::actor_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(actor, Some(admin.user_id));
    app.run_jobs();
    let mails = app.sent_emails();
    for who in ["ada@bistro.test", "sam@veg.test"] {
        assert!(
            mails
                .iter()
                .any(|m| m.contains(who) && m.contains("Larder's team decided")),
            "{who} told"
        );
    }
}

#[tokio::test]
async fn an_unpaid_order_is_upheld_or_rejected_without_moving_money() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, first) = escalated(&app, &shop).await;
    let (_, second) = escalated(&app, &shop).await;
    let admin = fixtures::admin(&app).await;
    let page = admin.browser.get(&format!("/admin/disputes/{first}")).await;
    assert!(
        !page.body.contains("value=\"refund\""),
        "nothing paid to refund"
    );
    let refund = admin
        .browser
        .post(
            &format!("/admin/disputes/{first}/resolve"),
            &[("decision", "refund"), ("amount", "5"), ("note", "Try")],
        )
        .await;
    assert_eq!(refund.status, 409);
    let upheld = admin
        .browser
        .post(
            &format!("/admin/disputes/{first}/resolve"),
            &[
                ("decision", "uphold"),
                ("amount", "11.20"),
                ("note", "Two cream short"),
            ],
        )
        .await;
    assert_eq!(upheld.status, 303);
    let rejected = admin
        .browser
        .post(
            &format!("/admin/disputes/{second}/resolve"),
            &[
                ("decision", "reject"),
                ("amount", ""),
                ("note", "Photos show it whole"),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303);
    let none: i64 = refunds::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(none, 0);
    let seen = shop
        .ada
        .browser
        .get(&format!("/credit-requests/{first}"))
        .await;
    assert!(
        seen.body
            .contains("upheld £11.20, to come off the invoice: Two cream short")
    );
    let seen = shop
        .sam
        .browser
        .get(&format!("/provider/credit-requests/{second}"))
        .await;
    assert!(
        seen.body
            .contains("rejected the request: Photos show it whole")
    );
    let resolved = admin.browser.get("/admin/disputes?state=resolved").await;
    assert!(resolved.body.contains(&format!("/admin/disputes/{first}")));
    assert!(resolved.body.contains(&format!("/admin/disputes/{second}")));
}

#[tokio::test]
async fn only_admins_reach_disputes_and_only_escalated_ones() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, id) = escalated(&app, &shop).await;
    let order = delivered(&shop).await;
    assert_eq!(
        raise(&app, &shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let open = requests(&app)[1].0;
    let admin = fixtures::admin(&app).await;
    // A request still between buyer and provider isn't Larder's business yet.
    assert_eq!(
        admin
            .browser
            .get(&format!("/admin/disputes/{open}"))
            .await
            .status,
        404
    );
    for browser in [&shop.ada.browser, &shop.sam.browser] {
        assert_eq!(browser.get("/admin/disputes").await.status, 404);
        assert_eq!(
            browser.get(&format!("/admin/disputes/{id}")).await.status,
            404
        );
        let tried = browser
            .post(
                &format!("/admin/disputes/{id}/resolve"),
                &[("decision", "reject"), ("note", "Mine now")],
            )
            .await;
        assert_eq!(tried.status, 404);
    }
    assert_eq!(requests(&app)[0].1, "escalated");
}

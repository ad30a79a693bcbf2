//! Admins refunding paid invoices through the one refund path, refund forms sent twice, and
//! refunds the card's bank sends back after Stripe made them.

use diesel::prelude::*;
use larder::db::schema::{audit_log, credit_notes, invoices, refunds};
use rust_decimal::Decimal;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, fixtures, spawn_app, stripe};
use crate::ledger::{assert_journal_balanced, balance};
use crate::ordering::shop;
use crate::payments::{
    WEBHOOK_SECRET, deliver, event, invoice_status, start_stripe_payment, stripe_app,
};
use crate::refunds::{paid_by_card, refund};

fn refund_rows(app: &TestApp) -> Vec<(String, Decimal, Option<String>)> {
    refunds::table
        .order(refunds::created_at)
        .select((refunds::status, refunds::amount, refunds::failure_reason))
        .load(&mut app.conn())
        .unwrap()
}

fn number(app: &TestApp, invoice: Uuid) -> String {
    invoices::table
        .find(invoice)
        .select(invoices::number)
        .first::<Option<String>>(&mut app.conn())
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn an_admin_finds_a_paid_invoice_and_refunds_part_of_it_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = paid_by_card(&app, &shop).await;
    let admin = fixtures::admin(&app).await;
    let number = number(&app, invoice);

    let found = admin
        .browser
        .get(&format!("/admin/invoices?q={number}"))
        .await;
    assert_eq!(found.status, 200);
    assert!(found.body.contains(&format!("/admin/invoices/{invoice}")));
    let none = admin.browser.get("/admin/invoices?q=INV-NOPE%25").await;
    assert!(none.body.contains("No invoice matches"));
    assert!(!none.body.contains(&format!("/admin/invoices/{invoice}")));

    let page = admin
        .browser
        .get(&format!("/admin/invoices/{invoice}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"53.93\""), "all that is left");
    let key = Uuid::now_v7().to_string();
    let send = |amount: &'static str, key: String| {
        let browser = &admin.browser;
        async move {
            browser
                .post(
                    &format!("/admin/invoices/{invoice}/refund"),
                    &[
                        ("refund_amount", amount),
                        ("refund_reason", "Upheld dispute: short delivery"),
                        ("key", &key),
                    ],
                )
                .await
        }
    };

    // Too much comes back on the same form with what was typed; nothing is written.
    let over = send("60.00", Uuid::now_v7().to_string()).await;
    assert_eq!(over.status, 422);
    assert!(over.body.contains("At most £53.93 can be refunded"));
    assert!(over.body.contains("value=\"60.00\""));
    // A form without its key is refused before anything is written.
    let keyless = admin
        .browser
        .post(
            &format!("/admin/invoices/{invoice}/refund"),
            &[("refund_amount", "1.00"), ("refund_reason", "No key")],
        )
        .await;
    assert_eq!(keyless.status, 400);
    assert!(refund_rows(&app).is_empty());

    let (first, second) = tokio::join!(send("12.00", key.clone()), send("12.00", key.clone()));
    assert_eq!((first.status.as_u16(), second.status.as_u16()), (303, 303));
    assert_eq!(
        refund_rows(&app),
        [("succeeded".to_owned(), Decimal::new(1200, 2), None)],
        "two clicks of one form refund once"
    );
    let replay = send("12.00", key).await;
    assert_eq!(replay.status, 303);
    assert_eq!(refund_rows(&app).len(), 1);
    assert_eq!(invoice_status(&app, invoice), "partially_refunded");

    let note: Uuid = credit_notes::table
        .filter(credit_notes::invoice_id.eq(invoice))
        .select(credit_notes::id)
        .first(&mut app.conn())
        .unwrap();
    let shown = admin
        .browser
        .get(&format!("/admin/credit-notes/{note}"))
        .await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("CN-000001"));
    assert!(shown.body.contains("Upheld dispute: short delivery"));
    // The buyer sees the same credit note on their side.
    let theirs = shop.ada.browser.get(&format!("/credit-notes/{note}")).await;
    assert!(theirs.body.contains("£12.00"));

    let actor: Option<Uuid> = audit_log::table
        .filter(audit_log::action.eq("invoice.refunded"))
        .select(audit_log::actor_id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(actor, Some(admin.user_id));
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");
}

#[tokio::test]
async fn admins_see_no_drafts_and_only_admins_reach_the_invoice_pages() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = paid_by_card(&app, &shop).await;
    let admin = fixtures::admin(&app).await;
    let draft: Uuid = invoices::table
        .filter(invoices::status.eq("draft"))
        .select(invoices::id)
        .first(&mut app.conn())
        .unwrap_or_else(|_| Uuid::now_v7());
    assert_eq!(
        admin
            .browser
            .get(&format!("/admin/invoices/{draft}"))
            .await
            .status,
        404
    );
    let missing = Uuid::now_v7();
    assert_eq!(
        admin
            .browser
            .get(&format!("/admin/invoices/{missing}"))
            .await
            .status,
        404
    );
    for browser in [&shop.sam.browser, &shop.ada.browser] {
        assert_eq!(
            browser
                .get(&format!("/admin/invoices/{invoice}"))
                .await
                .status,
            404
        );
        let tried = browser
            .post(
                &format!("/admin/invoices/{invoice}/refund"),
                &[
                    ("refund_amount", "1.00"),
                    ("refund_reason", "Not mine to give"),
                    ("key", &Uuid::now_v7().to_string()),
                ],
            )
            .await;
        assert_eq!(tried.status, 404);
    }
    assert!(refund_rows(&app).is_empty());
}

#[tokio::test]
async fn a_provider_form_sent_twice_at_once_refunds_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = paid_by_card(&app, &shop).await;
    let key = Uuid::now_v7().to_string();
    let path = format!("/provider/invoices/{invoice}/refund");
    let form = [
        ("refund_amount", "5.00"),
        ("refund_reason", "Bruised"),
        ("key", key.as_str()),
    ];
    let send = || shop.sam.browser.post(&path, &form);
    let (a, b) = tokio::join!(send(), send());
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (303, 303));
    assert_eq!(refund_rows(&app).len(), 1);
    // A fresh form is a new refund.
    assert_eq!(
        refund(&shop, invoice, "1.00", "A new form").await.status,
        303
    );
    assert_eq!(refund_rows(&app).len(), 2);
}

#[tokio::test]
async fn a_refund_the_bank_sends_back_is_owed_again_and_listed_for_admins() {
    let stripe_api = MockServer::start().await;
    let app = stripe_app(&stripe_api).await;
    let shop = shop(&app).await;
    let invoice = start_stripe_payment(&app, &shop, &stripe_api).await;
    let paid = event(
        "evt_paid",
        "checkout.session.completed",
        "cs_test_123",
        "paid",
    );
    assert_eq!(deliver(&app, &paid, WEBHOOK_SECRET).await, 200);
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(crate::refunds::refund_object(
                "re_123", 1000, "pending", None,
            )),
        )
        .mount(&stripe_api)
        .await;
    assert_eq!(refund(&shop, invoice, "10.00", "Short").await.status, 303);
    assert_eq!(refund_rows(&app)[0].0, "succeeded");
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");

    // A refund we never made is stored and ignored.
    let stranger = stripe::event(
        "evt_refund_stranger",
        "charge.refund.updated",
        crate::refunds::refund_object("re_999", 1000, "failed", Some("lost_or_stolen_card")),
    );
    assert_eq!(deliver(&app, &stranger, WEBHOOK_SECRET).await, 200);
    // A refund still on its way changes nothing.
    let pending = stripe::event(
        "evt_refund_pending",
        "charge.refund.updated",
        crate::refunds::refund_object("re_123", 1000, "pending", None),
    );
    assert_eq!(deliver(&app, &pending, WEBHOOK_SECRET).await, 200);
    assert_eq!(refund_rows(&app)[0].0, "succeeded");

    let failed = stripe::event(
        "evt_refund_failed",
        "charge.refund.updated",
        crate::refunds::refund_object("re_123", 1000, "failed", Some("expired_or_canceled_card")),
    );
    for _ in 0..2 {
        assert_eq!(deliver(&app, &failed, WEBHOOK_SECRET).await, 200);
    }
    let rows = refund_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].0.as_str(), rows[0].2.as_deref()),
        ("returned", Some("expired_or_canceled_card"))
    );
    // The credit note stands; the buyer is owed the £10 again, and Stripe holds it.
    assert_eq!(invoice_status(&app, invoice), "partially_refunded");
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "buyer_receivable"), "-10.00");
    let admin = fixtures::admin(&app).await;
    let listed = admin.browser.get("/admin/refunds").await;
    assert!(listed.body.contains("expired_or_canceled_card"));
    assert!(listed.body.contains(&format!("/admin/invoices/{invoice}")));
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert!(page.body.contains("was sent back by the card&#39;s bank"));
}

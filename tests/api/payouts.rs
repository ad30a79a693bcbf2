//! Payouts from providers' connected accounts, as Stripe's signed webhooks report them: what
//! each carried, the journal, failures flagged to the provider and to admins, replays and
//! events out of order, and other tenants' ids.

use diesel::prelude::*;
use larder::db::schema::{journal_entries, payments, payouts, refunds};
use uuid::Uuid;

use crate::helpers::{TestApp, fixtures, spawn_app_with, stripe};
use crate::ledger::{assert_journal_balanced, balance};
use crate::ordering::shop;
use crate::payments::{WEBHOOK_SECRET, deliver};
use crate::refunds::{paid_by_card, refund};

async fn app() -> TestApp {
    spawn_app_with(|c| c.stripe_webhook_secret = Some(WEBHOOK_SECRET.into())).await
}

async fn payout_event(
    app: &TestApp,
    event: &str,
    kind: &str,
    account: &str,
    payout: serde_json::Value,
) {
    let body = stripe::account_event(event, kind, account, payout);
    assert_eq!(deliver(app, &body, WEBHOOK_SECRET).await, 200);
}

fn payout_rows(app: &TestApp) -> Vec<(Uuid, String, bool)> {
    payouts::table
        .order(payouts::created_at)
        .select((payouts::id, payouts::status, payouts::matched))
        .load(&mut app.conn())
        .unwrap()
}

fn entries(app: &TestApp, kind: &str) -> i64 {
    journal_entries::table
        .filter(journal_entries::kind.eq(kind))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_payout_carries_the_oldest_payments_and_refunds_and_the_provider_sees_each_part() {
    let app = app().await;
    let shop = shop(&app).await;
    let account = stripe::connected_account(shop.sam.provider_id);
    let first = paid_by_card(&app, &shop).await;
    assert_eq!(refund(&shop, first, "20.00", "Damaged").await.status, 303);
    // 53.93 paid − 6.47 fee, then 20.00 refunded with 2.40 of fee back: 29.86 in the account.
    let page = shop.sam.browser.get("/provider/payouts").await;
    assert!(page.body.contains("No payouts yet"));
    assert!(
        page.body
            .contains("<strong id=\"awaiting\">£29.86</strong>")
    );

    let po = stripe::payout("po_1", 2986, "paid", None);
    for _ in 0..3 {
        payout_event(&app, "evt_po_1", "payout.paid", &account, po.clone()).await;
    }
    let rows = payout_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].1.as_str(), rows[0].2), ("paid", true));
    assert_eq!(entries(&app, "payout_paid"), 1);
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "provider_payable"), "0.00");
    assert_eq!(balance(&app, "provider_stripe_balance"), "0.00");
    let carried: i64 = payments::table
        .filter(payments::payout_id.eq(rows[0].0))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    let refunds_carried: i64 = refunds::table
        .filter(refunds::payout_id.eq(rows[0].0))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!((carried, refunds_carried), (1, 1));

    // Money that arrives after the payout waits for the next one.
    let second = paid_by_card(&app, &shop).await;
    let list = shop.sam.browser.get("/provider/payouts").await;
    assert!(
        list.body
            .contains("<strong id=\"awaiting\">£47.46</strong>")
    );
    assert!(
        list.body
            .contains(&format!("/provider/payouts/{}", rows[0].0))
    );
    let detail = shop
        .sam
        .browser
        .get(&format!("/provider/payouts/{}", rows[0].0))
        .await;
    assert_eq!(detail.status, 200);
    for (id, text) in [
        ("payout-gross", "£53.93"),
        ("payout-fee", "£4.07"),
        ("payout-refunds", "£20.00"),
        ("payout-net", "<strong>£29.86</strong>"),
    ] {
        assert!(
            detail.body.contains(&format!("id=\"{id}\">{text}")),
            "{id} shows {text}"
        );
    }
    assert!(detail.body.contains(&format!("/provider/invoices/{first}")));
    assert!(
        !detail
            .body
            .contains(&format!("/provider/invoices/{second}"))
    );

    // A payout our records can't explain is kept, journalled, and put in front of admins.
    let odd = stripe::payout("po_odd", 100, "paid", None);
    payout_event(&app, "evt_po_odd", "payout.paid", &account, odd).await;
    assert!(!payout_rows(&app)[1].2, "not matched");
    let admin = fixtures::admin(&app).await;
    let attention = admin.browser.get("/admin/payouts").await;
    assert!(attention.body.contains("po_odd"));
    assert!(attention.body.contains("Not matched to our records"));
    assert!(!attention.body.contains("po_1<"));
    assert_journal_balanced(&app);
}

#[tokio::test]
async fn a_failed_payout_is_flagged_to_the_provider_and_admins_and_its_money_waits_again() {
    let app = app().await;
    let shop = shop(&app).await;
    let account = stripe::connected_account(shop.sam.provider_id);
    paid_by_card(&app, &shop).await;
    let _admin = fixtures::admin(&app).await;
    payout_event(
        &app,
        "evt_paid",
        "payout.paid",
        &account,
        stripe::payout("po_9", 4746, "paid", None),
    )
    .await;
    let failed = stripe::payout(
        "po_9",
        4746,
        "failed",
        Some("The bank account has been closed"),
    );
    payout_event(
        &app,
        "evt_failed",
        "payout.failed",
        &account,
        failed.clone(),
    )
    .await;
    payout_event(&app, "evt_failed_again", "payout.failed", &account, failed).await;
    let rows = payout_rows(&app);
    assert_eq!(rows[0].1, "failed");
    assert_eq!(
        (entries(&app, "payout_paid"), entries(&app, "payout_failed")),
        (1, 1)
    );
    assert_journal_balanced(&app);
    assert_eq!(balance(&app, "provider_stripe_balance"), "47.46");
    assert_eq!(balance(&app, "provider_payable"), "-47.46");
    let still_carried: i64 = payments::table
        .filter(payments::payout_id.is_not_null())
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(still_carried, 0, "its payment goes out in a later payout");

    app.run_jobs();
    let mails = app.sent_emails();
    let failure_mails: Vec<&String> = mails
        .iter()
        .filter(|m| m.contains("Payout of £47.46 failed"))
        .collect();
    assert_eq!(failure_mails.len(), 2, "the provider and the admin");
    assert!(
        failure_mails
            .iter()
            .any(|m| m.contains("sam@veg.test") && m.contains("/provider/payouts"))
    );
    assert!(
        failure_mails
            .iter()
            .any(|m| m.contains("admin@larder.test") && m.contains("/admin/payouts"))
    );
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/payouts/{}", rows[0].0))
        .await;
    assert!(page.body.contains("The bank account has been closed"));

    // Out of order: a payout that failed before its `paid` arrived never paid anything.
    payout_event(
        &app,
        "evt_failed_first",
        "payout.failed",
        &account,
        stripe::payout("po_10", 4746, "failed", Some("Invalid account number")),
    )
    .await;
    payout_event(
        &app,
        "evt_paid_late",
        "payout.paid",
        &account,
        stripe::payout("po_10", 4746, "paid", None),
    )
    .await;
    assert_eq!(payout_rows(&app)[1].1, "failed");
    assert_eq!(entries(&app, "payout_paid"), 1);
    assert_eq!(balance(&app, "provider_stripe_balance"), "47.46");
}

#[tokio::test]
async fn payouts_of_other_accounts_change_nothing_and_other_providers_get_404() {
    let app = app().await;
    let shop = shop(&app).await;
    let account = stripe::connected_account(shop.sam.provider_id);
    paid_by_card(&app, &shop).await;
    payout_event(
        &app,
        "evt_unknown",
        "payout.paid",
        "acct_not_ours",
        stripe::payout("po_x", 4746, "paid", None),
    )
    .await;
    // The platform's own payout (no account) isn't a provider's.
    let platform = stripe::event(
        "evt_platform",
        "payout.paid",
        stripe::payout("po_p", 100, "paid", None),
    );
    assert_eq!(deliver(&app, &platform, WEBHOOK_SECRET).await, 200);
    assert!(payout_rows(&app).is_empty());
    payout_event(
        &app,
        "evt_ours",
        "payout.paid",
        &account,
        stripe::payout("po_ours", 4746, "paid", None),
    )
    .await;
    let id = payout_rows(&app)[0].0;
    let tom = fixtures::seller(&app, "tom@fish.test", "Fish Co").await;
    assert_eq!(
        tom.browser
            .get(&format!("/provider/payouts/{id}"))
            .await
            .status,
        404
    );
    assert!(
        !tom.browser
            .get("/provider/payouts")
            .await
            .body
            .contains(&id.to_string())
    );
    assert_eq!(
        shop.ada
            .browser
            .get(&format!("/provider/payouts/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        shop.sam
            .browser
            .get(&format!("/provider/payouts/{}", Uuid::now_v7()))
            .await
            .status,
        404
    );
    // The settings page is not mistaken for a payout.
    assert_eq!(
        shop.sam
            .browser
            .get("/provider/payouts/settings")
            .await
            .status,
        200
    );
}

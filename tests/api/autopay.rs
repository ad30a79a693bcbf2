//! Auto-pay: issued invoices charged to the default card on their due date by the job, never
//! before and never twice; failures emailed with the reason and retried 1, 3 and 5 days on.

use diesel::prelude::*;
use larder::cards::autopay::{Tally, pay_blocking, sweep};
use larder::db::schema::{invoices, payments};
use time::{Date, Duration};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, spawn_app};
use crate::ordering::shop;
use crate::payments::{invoice_status, issued};

async fn save_card(browser: &Browser, last4: &str) {
    let add = browser.post("/buyer/cards", &[]).await;
    let setup = add
        .location
        .unwrap()
        .replace("/buyer/cards/test-setup?setup=", "");
    let saved = browser
        .post(
            "/buyer/cards/test-setup",
            &[("setup", &setup), ("card", last4)],
        )
        .await;
    assert!(saved.redirects_to("/buyer/cards"));
}

async fn turn_on(browser: &Browser) {
    let on = browser
        .post("/buyer/cards/autopay", &[("autopay", "on")])
        .await;
    assert!(on.redirects_to("/buyer/cards"));
}

fn due_of(app: &TestApp, invoice: Uuid) -> Date {
    invoices::table
        .find(invoice)
        .select(invoices::due_date.assume_not_null())
        .first(&mut app.conn())
        .unwrap()
}

fn run(app: &TestApp, today: Date) -> Tally {
    sweep(
        &mut app.conn(),
        "test",
        today,
        &app.config.base_url,
        &|order| pay_blocking(&app.config, order),
    )
    .unwrap()
}

fn tries(app: &TestApp) -> Vec<(String, bool)> {
    payments::table
        .order(payments::created_at)
        .select((payments::status, payments::autopay))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_job_pays_an_invoice_on_its_due_date_and_not_before_or_twice() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let ada = &shop.ada.browser;
    let refused = ada.post("/buyer/cards/autopay", &[("autopay", "on")]).await;
    assert_eq!(refused.status, 409, "no card, no auto-pay");
    let invoice = issued(&app, &shop).await;
    save_card(ada, "4242").await;
    turn_on(ada).await;
    let due = due_of(&app, invoice);
    let page = ada.get(&format!("/invoices/{invoice}")).await;
    assert!(
        page.body
            .contains("Auto-pay is on: this invoice is paid with Visa •••• 4242")
    );

    assert_eq!(run(&app, due - Duration::days(1)), Tally::default());
    assert_eq!(invoice_status(&app, invoice), "issued");
    // Through the job itself, on the app's clock: 10:00 in London on the due date.
    let morning = due.with_hms(10, 0, 0).unwrap().assume_utc();
    app.clock.set(morning);
    larder::jobs::schedule::enqueue_due(&mut app.conn(), morning, morning).unwrap();
    app.run_jobs();
    assert_eq!(invoice_status(&app, invoice), "paid");
    assert_eq!(tries(&app), [("succeeded".to_owned(), true)]);
    assert_eq!(run(&app, due), Tally::default(), "nothing left to pay");
    crate::ledger::assert_journal_balanced(&app);

    let off = ada
        .post("/buyer/cards/autopay", &[("autopay", "off")])
        .await;
    assert!(off.redirects_to("/buyer/cards"));
    let later = issued(&app, &shop).await;
    assert_eq!(
        run(&app, due_of(&app, later) + Duration::days(1)),
        Tally::default()
    );
    assert_eq!(invoice_status(&app, later), "issued");
}

#[tokio::test]
async fn a_failing_card_is_tried_again_after_one_three_and_five_days_then_left_to_people() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let ada = &shop.ada.browser;
    let invoice = issued(&app, &shop).await;
    save_card(ada, "9995").await;
    turn_on(ada).await;
    let due = due_of(&app, invoice);
    let day = |n: i64| due + Duration::days(n);
    let failed = Tally {
        failed: 1,
        ..Tally::default()
    };
    let mut schedule = Vec::new();
    for n in 0..10 {
        let tally = run(&app, day(n));
        if tally == failed {
            schedule.push(n);
        } else {
            assert_eq!(tally, Tally::default(), "day {n}");
        }
        // Never twice in one day.
        assert_eq!(run(&app, day(n)), Tally::default());
    }
    assert_eq!(schedule, [0, 1, 3, 5]);
    assert_eq!(tries(&app).len(), 4);
    assert!(tries(&app).iter().all(|(s, auto)| s == "failed" && *auto));
    assert_eq!(invoice_status(&app, invoice), "issued");

    app.run_jobs();
    let mails: Vec<String> = app
        .sent_emails()
        .into_iter()
        .filter(|m| m.contains("Automatic payment of invoice"))
        .collect();
    assert_eq!(mails.len(), 4);
    assert!(mails[0].contains("ada@bistro.test"));
    assert!(mails[0].contains("Your card has insufficient funds."));
    assert!(mails[0].contains(&format!("try again on {}", larder::timefmt::date(day(1)))));
    assert!(mails[3].contains("We won't try again automatically"));
    assert!(mails[3].contains(&format!("/invoices/{invoice}")));
}

#[tokio::test]
async fn a_card_whose_bank_wants_a_check_is_declined_with_nobody_there() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let ada = &shop.ada.browser;
    let invoice = issued(&app, &shop).await;
    save_card(ada, "3155").await;
    turn_on(ada).await;
    let due = due_of(&app, invoice);
    assert_eq!(run(&app, due).failed, 1);
    let reason: Option<String> = payments::table
        .select(payments::failure_reason)
        .first(&mut app.conn())
        .unwrap();
    assert!(reason.unwrap().contains("wants to check it's you"));
    // The buyer can still pay in one click, passing the check themselves.
    let asked = ada
        .post(&format!("/invoices/{invoice}/pay-saved"), &[])
        .await;
    assert!(
        asked
            .location
            .unwrap()
            .contains("/test-authenticate?payment=")
    );
}

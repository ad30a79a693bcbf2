//! The platform's monthly fee invoices: issued by the job from the journal's fee entries, one
//! gap-free sequence, each fee on exactly one invoice (late ones on the next), totals equal to
//! the fee revenue journalled, shown as paid, emailed, and each provider's own.

use diesel::prelude::*;
use larder::db::schema::{fee_invoices, invoices, jobs, platform_fee_counter};
use larder::ids::{BusinessId, InvoiceId, ProviderId};
use larder::ledger::queries::{Posting, post};
use larder::ledger::rules::{self as ledger, Fee, Parties};
use rust_decimal::Decimal;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ordering::shop;
use crate::payments::issued;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Journals a fee (or a fee given back, when negative) on `invoice` at `at`, as a card
/// payment or refund would.
pub fn journal_fee(app: &TestApp, invoice: Uuid, at: OffsetDateTime, net: &str, vat: &str) {
    let (business, provider): (Uuid, Uuid) = invoices::table
        .find(invoice)
        .select((invoices::business_id, invoices::provider_id))
        .first(&mut app.conn())
        .unwrap();
    let parties = Parties {
        business: BusinessId(business),
        provider: ProviderId(provider),
    };
    let fee = Fee {
        net: d(net).abs(),
        vat: d(vat).abs(),
    };
    let (kind, lines) = if d(net) < Decimal::ZERO {
        ("fee_refunded", ledger::fee_refunded(parties, fee))
    } else {
        ("platform_fee", ledger::platform_fee(parties, fee))
    };
    let posting = Posting {
        kind,
        source: Uuid::now_v7().to_string(),
        invoice: Some(InvoiceId(invoice)),
        payment: None,
        refund: None,
        payout: None,
        at,
        memo: String::new(),
    };
    assert!(post(&mut app.conn(), &posting, &lines).unwrap());
}

pub fn run_job(app: &TestApp, at: OffsetDateTime) {
    use larder::jobs::registry::JobType;
    assert!(app.clock.set(at));
    let ctx = larder::jobs::worker::JobContext::new(&app.config, app.clock.clone()).unwrap();
    larder::fee_invoices::IssueFeeInvoices::run(serde_json::Value::Null, &mut app.conn(), &ctx)
        .unwrap();
}

/// The fee revenue the journal holds for entries dated before `before` (net, VAT).
fn journalled(app: &TestApp, before: OffsetDateTime) -> (Decimal, Decimal) {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Numeric)]
        net: Decimal,
        #[diesel(sql_type = diesel::sql_types::Numeric)]
        vat: Decimal,
    }
    let r: Row = diesel::sql_query(
        "SELECT coalesce(-sum(l.amount) FILTER (WHERE l.account = 'platform_fee_revenue'), 0) AS net,
                coalesce(-sum(l.amount) FILTER (WHERE l.account = 'vat_on_fees'), 0) AS vat
           FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
          WHERE e.occurred_at < $1",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(before)
    .get_result(&mut app.conn())
    .unwrap();
    (r.net, r.vat)
}

fn totals(app: &TestApp) -> Vec<(String, Decimal, Decimal, Decimal, Decimal)> {
    fee_invoices::table
        .order(fee_invoices::sequence_number)
        .select((
            fee_invoices::number,
            fee_invoices::net,
            fee_invoices::vat,
            fee_invoices::total,
            fee_invoices::paid,
        ))
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn each_month_the_platform_invoices_its_fees_once_and_late_fees_go_on_the_next() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let admin = fixtures::admin(&app).await;
    let first = issued(&app, &shop).await;
    let second = issued(&app, &shop).await;
    journal_fee(&app, first, datetime!(2026-10-15 12:00 UTC), "1.55", "0.31");
    journal_fee(
        &app,
        first,
        datetime!(2026-10-20 12:00 UTC),
        "-0.50",
        "-0.10",
    );
    // London is on GMT by then: 23:30 UTC on 31 October is still October, 00:30 is November.
    journal_fee(
        &app,
        second,
        datetime!(2026-10-31 23:30 UTC),
        "2.00",
        "0.40",
    );
    journal_fee(
        &app,
        second,
        datetime!(2026-11-01 00:30 UTC),
        "3.00",
        "0.60",
    );

    // Mid-October nothing is due yet; on 1 November October's invoice is issued, once.
    run_job(&app, datetime!(2026-10-25 12:00 UTC));
    assert!(totals(&app).is_empty());
    run_job(&app, datetime!(2026-11-01 09:00 UTC));
    run_job(&app, datetime!(2026-11-01 10:00 UTC));
    assert_eq!(
        totals(&app),
        vec![(
            "LDR-F-000001".into(),
            d("3.05"),
            d("0.61"),
            d("3.66"),
            d("3.66")
        )]
    );
    let october_end = datetime!(2026-11-01 00:00 UTC);
    assert_eq!(journalled(&app, october_end), (d("3.05"), d("0.61")));

    // A fee dated October but journalled after the invoice went out goes on November's.
    journal_fee(&app, first, datetime!(2026-10-28 12:00 UTC), "1.00", "0.20");
    run_job(&app, datetime!(2026-11-15 10:00 UTC));
    assert_eq!(totals(&app).len(), 1);
    run_job(&app, datetime!(2026-12-01 10:00 UTC));
    let all = totals(&app);
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[1],
        (
            "LDR-F-000002".into(),
            d("4.00"),
            d("0.80"),
            d("4.80"),
            d("4.80")
        )
    );
    let invoiced: Decimal = all.iter().map(|t| t.1).sum();
    assert_eq!(
        invoiced,
        journalled(&app, datetime!(2026-12-01 00:00 UTC)).0,
        "every fee journalled is invoiced exactly once"
    );
    let counter: i32 = platform_fee_counter::table
        .select(platform_fee_counter::last_number)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(counter, 2, "no number skipped");
    let emailed: i64 = jobs::table
        .filter(jobs::kind.eq("send_email"))
        .filter(
            jobs::payload
                .retrieve_as_text("subject")
                .eq("Larder fee invoice LDR-F-000001"),
        )
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(emailed, 1, "to the owner, who is also the contact address");
    let changed = diesel::sql_query("UPDATE fee_invoices SET net = 0").execute(&mut app.conn());
    assert!(changed.is_err(), "issued fee invoices never change");

    let id: Uuid = fee_invoices::table
        .filter(fee_invoices::number.eq("LDR-F-000001"))
        .select(fee_invoices::id)
        .first(&mut app.conn())
        .unwrap();
    let list = shop.sam.browser.get("/provider/fee-invoices").await;
    assert!(list.body.contains("LDR-F-000001"));
    assert!(list.body.contains("LDR-F-000002"));
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/fee-invoices/{id}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"id="fee-total">£3.66<"#));
    assert!(page.body.contains(r#"id="fee-paid">£3.66<"#));
    assert!(page.body.contains("Fee given back with a refund on"));
    assert!(page.body.contains("Larder Marketplace Ltd"));
    assert!(page.body.contains("October 2026"));
    let theirs = kim
        .browser
        .get(&format!("/provider/fee-invoices/{id}"))
        .await;
    assert_eq!(theirs.status, 404);
    let none = kim.browser.get("/provider/fee-invoices").await;
    assert!(none.body.contains("No fee invoices yet."));
    let all = admin.browser.get("/admin/fee-invoices").await;
    assert!(all.body.contains("Veg Co"));
    let one = admin
        .browser
        .get(&format!("/admin/fee-invoices/{id}"))
        .await;
    assert!(one.body.contains(r#"id="fee-net">£3.05<"#));
}

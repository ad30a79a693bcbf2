//! Finance exports: queued by a request, built by the job a chunk at a time with progress,
//! downloaded in Xero's or QuickBooks Online's layout with amounts that add up to the
//! documents, each provider's own, and refused clearly when asked for badly.

use diesel::prelude::*;
use larder::db::schema::{invoices, report_runs};
use larder::exports::queries as exports;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, fixtures, spawn_app};
use crate::ordering::shop;
use crate::payments::issued;

fn run_jobs(app: &TestApp) {
    let runs: Vec<Uuid> = report_runs::table
        .filter(report_runs::status.eq("queued"))
        .select(report_runs::id)
        .load(&mut app.conn())
        .unwrap();
    for run in runs {
        larder::exports::job::build(&mut app.conn(), run).unwrap();
    }
}

fn today() -> String {
    larder::timefmt::to_london(OffsetDateTime::now_utc())
        .date()
        .to_string()
}

async fn ask(
    b: &Browser,
    base: &str,
    kind: &str,
    format: &str,
    from: &str,
    to: &str,
) -> crate::helpers::browser::Page {
    b.post(
        base,
        &[
            ("kind", kind),
            ("format", format),
            ("from", from),
            ("to", to),
        ],
    )
    .await
}

fn latest(app: &TestApp) -> Uuid {
    report_runs::table
        .order(report_runs::created_at.desc())
        .select(report_runs::id)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_provider_exports_sales_and_credits_for_xero_and_quickbooks() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let first = issued(&app, &shop).await;
    let second = issued(&app, &shop).await;
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{second}/void"),
            &[("reason", "Wrong prices")],
        )
        .await;
    assert_eq!(void.status, 303);
    let day = today();

    let bad = ask(
        &shop.sam.browser,
        "/provider/exports",
        "",
        "xero",
        &day,
        "2020-01-01",
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Choose what to export."));
    assert!(
        bad.body
            .contains("The start date must be on or before the end date.")
    );
    assert!(
        bad.body.contains(r#"value="2020-01-01""#),
        "what was typed is kept"
    );
    let platform_only = ask(
        &shop.sam.browser,
        "/provider/exports",
        "fee_invoices",
        "xero",
        &day,
        &day,
    )
    .await;
    assert_eq!(
        platform_only.status, 422,
        "fee invoices are the platform's to export"
    );
    let too_long = ask(
        &shop.sam.browser,
        "/provider/exports",
        "sales_invoices",
        "xero",
        "2025-01-01",
        "2026-06-01",
    )
    .await;
    assert!(too_long.body.contains("Export at most a year at a time."));
    let queued: i64 = report_runs::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(queued, 0, "nothing is queued from a bad form");

    let asked = ask(
        &shop.sam.browser,
        "/provider/exports",
        "sales_invoices",
        "xero",
        &day,
        &day,
    )
    .await;
    assert!(asked.redirects_to("/provider/exports"));
    let run = latest(&app);
    let waiting = shop.sam.browser.get("/provider/exports").await;
    assert!(waiting.body.contains("Waiting to start"));
    assert!(
        waiting.body.contains(r#"data-hx-trigger="every 2s""#),
        "the page follows it"
    );
    let early = shop
        .sam
        .browser
        .get(&format!("/provider/exports/{run}/download"))
        .await;
    assert_eq!(early.status, 404, "no file before it is done");
    run_jobs(&app);
    let done = shop.sam.browser.get("/provider/exports").await;
    assert!(done.body.contains("2 documents"));
    assert!(!done.body.contains("every 2s"), "nothing left to follow");
    let file = shop
        .sam
        .browser
        .get(&format!("/provider/exports/{run}/download"))
        .await;
    assert_eq!(file.status, 200);
    let mut reader = csv::Reader::from_reader(file.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, larder::exports::rules::XERO_SALES);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    // Each invoice's lines add up to its total: quantity × unit (rounded per line) plus VAT.
    for invoice in [first, second] {
        let (number, total): (Option<String>, Decimal) = invoices::table
            .find(invoice)
            .select((invoices::number, invoices::total))
            .first(&mut app.conn())
            .unwrap();
        let number = number.unwrap();
        let mine: Vec<_> = rows.iter().filter(|r| r[2] == *number).collect();
        assert!(!mine.is_empty(), "{number} is exported");
        let sum: Decimal = mine
            .iter()
            .map(|r| {
                let q: Decimal = r[8].parse().unwrap();
                let unit: Decimal = r[9].parse().unwrap();
                let vat: Decimal = r[13].parse().unwrap();
                larder::money::round_pennies(q * unit) + vat
            })
            .sum();
        assert_eq!(sum, total, "{number}");
        assert!(
            mine.iter()
                .all(|r| r[0].contains("Bistro") && r[14] == *"GBP")
        );
    }
    assert!(rows.iter().any(|r| r[12] == *"20% (VAT on Income)"));

    // The void's credit note, for QuickBooks: the credit's amounts are negative.
    let asked = ask(
        &shop.sam.browser,
        "/provider/exports",
        "credit_notes",
        "quickbooks",
        &day,
        &day,
    )
    .await;
    assert!(asked.redirects_to("/provider/exports"));
    let credit_run = latest(&app);
    run_jobs(&app);
    let file = shop
        .sam
        .browser
        .get(&format!("/provider/exports/{credit_run}/download"))
        .await;
    let mut reader = csv::Reader::from_reader(file.body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(!rows.is_empty());
    let credited: Decimal = rows
        .iter()
        .map(|r| r[9].parse::<Decimal>().unwrap() + r[11].parse::<Decimal>().unwrap())
        .sum();
    let total: Decimal = invoices::table
        .find(second)
        .select(invoices::total)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(credited, -total);

    // Each provider's own: another provider, a buyer and an admin see no such file.
    for b in [&kim.browser, &shop.ada.browser] {
        let theirs = b.get(&format!("/provider/exports/{run}/download")).await;
        assert_eq!(theirs.status, 404);
    }
    let admin = fixtures::admin(&app).await;
    let as_admin = admin
        .browser
        .get(&format!("/admin/exports/{run}/download"))
        .await;
    assert_eq!(
        as_admin.status, 404,
        "a provider's export isn't the platform's"
    );
    let none = kim.browser.get("/provider/exports").await;
    assert!(none.body.contains("None yet"));
}

#[tokio::test]
async fn chunks_cover_every_document_once_in_date_order() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(issued(&app, &shop).await);
    }
    let day = larder::timefmt::to_london(OffsetDateTime::now_utc()).date();
    let id = exports::create(
        &mut app.conn(),
        &exports::NewRun {
            owner: Some(larder::ids::ProviderId(shop.sam.provider_id)),
            by: shop_owner(&app),
            kind: larder::exports::rules::Kind::SalesInvoices,
            format: larder::exports::rules::Format::Xero,
            from: day,
            to: day,
        },
    )
    .unwrap();
    let run = exports::load(&mut app.conn(), id).unwrap().unwrap();
    assert_eq!(exports::count(&mut app.conn(), &run).unwrap(), 3);
    let (mut after, mut seen) = (None, Vec::new());
    loop {
        let chunk = exports::chunk(&mut app.conn(), &run, after, 1).unwrap();
        if chunk.documents == 0 {
            break;
        }
        let exports::Rows::Sales(lines) = &chunk.rows else {
            panic!("sales rows");
        };
        seen.push(lines[0].number.clone());
        after = chunk.last;
    }
    let mut numbers: Vec<String> = invoices::table
        .filter(invoices::id.eq_any(&made))
        .select(invoices::number.assume_not_null())
        .load(&mut app.conn())
        .unwrap();
    numbers.sort();
    assert_eq!(seen, numbers, "each once, in issue order");
}

fn shop_owner(app: &TestApp) -> Uuid {
    use larder::db::schema::users;
    users::table
        .filter(users::email.eq("sam@veg.test"))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn admins_export_the_platforms_fee_invoices() {
    use time::macros::datetime;
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let admin = fixtures::admin(&app).await;
    let invoice = issued(&app, &shop).await;
    crate::fee_invoices::journal_fee(
        &app,
        invoice,
        datetime!(2026-10-15 12:00 UTC),
        "1.55",
        "0.31",
    );
    crate::fee_invoices::run_job(&app, datetime!(2026-11-01 10:00 UTC));
    let page = admin.browser.get("/admin/exports").await;
    assert!(page.body.contains(r#"<option value="fee_invoices""#));
    assert!(!page.body.contains(r#"<option value="sales_invoices""#));
    let asked = ask(
        &admin.browser,
        "/admin/exports",
        "fee_invoices",
        "quickbooks",
        "2026-10-01",
        "2026-10-31",
    )
    .await;
    assert!(asked.redirects_to("/admin/exports"));
    let run = latest(&app);
    run_jobs(&app);
    let file = admin
        .browser
        .get(&format!("/admin/exports/{run}/download"))
        .await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with("InvoiceNo,Customer,InvoiceDate"));
    assert!(
        file.body
            .contains("LDR-F-000001,Veg Co,31/10/2026,31/10/2026")
    );
    assert!(file.body.contains(",1.55,1.55,20.0% S,0.31,GBP"));
    let theirs = shop
        .sam
        .browser
        .get(&format!("/provider/exports/{run}/download"))
        .await;
    assert_eq!(theirs.status, 404);
}

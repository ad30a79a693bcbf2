//! A provider's monthly statement: this month's invoices with Larder's fee on each, the
//! credit notes against them and the payouts that arrived, totalled the same way on the page
//! and in the CSV, and nothing of another provider's.

use diesel::prelude::*;
use larder::db::schema::{invoices, payouts};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ordering::shop;
use crate::payments::issued;

fn money(d: Decimal) -> String {
    larder::money::format_gbp(d)
}

fn payout(app: &TestApp, provider: Uuid, key: &str, (amount, paid): (&str, bool)) {
    let today = larder::timefmt::london_today();
    diesel::insert_into(payouts::table)
        .values((
            payouts::provider_id.eq(provider),
            payouts::stripe_payout_id.eq(key),
            payouts::amount.eq(amount.parse::<Decimal>().unwrap()),
            payouts::status.eq(if paid { "paid" } else { "failed" }),
            payouts::failure_message.eq((!paid).then_some("Account closed")),
            payouts::arrival_date.eq(today),
        ))
        .execute(&mut app.conn())
        .unwrap();
}

#[tokio::test]
async fn this_months_statement_totals_invoices_fees_credits_and_payouts() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    // A 2.5% platform fee, fixed on each invoice as it is issued.
    let rule = larder::ledger::rules::FeeRule {
        percent: Decimal::new(25, 1),
        ..Default::default()
    };
    larder::ledger::queries::save_rule(&mut app.conn(), None, &rule, None).unwrap();
    let kept = issued(&app, &shop).await;
    let voided = issued(&app, &shop).await;
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{voided}/void"),
            &[("reason", "Raised twice")],
        )
        .await;
    assert_eq!(void.status, 303);
    payout(&app, shop.sam.provider_id, "po_paid_1", ("50.00", true));
    payout(&app, shop.sam.provider_id, "po_failed_1", ("9.99", false));

    type Row = (Option<String>, Decimal, Decimal, Decimal, Decimal);
    let rows: Vec<Row> = invoices::table
        .filter(invoices::provider_id.eq(shop.sam.provider_id))
        .order(invoices::sequence_number)
        .select((
            invoices::number,
            invoices::total,
            invoices::platform_fee,
            invoices::platform_fee_vat,
            invoices::amount_credited,
        ))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(rows.len(), 2);
    let (number, total, fee, fee_vat, _) = rows[0].clone();
    // 2.5% of the total, rounded to pennies, and 20% VAT on that.
    assert_eq!(fee, (total * Decimal::new(25, 3)).round_dp(2));
    assert_eq!(fee_vat, (fee * Decimal::new(2, 1)).round_dp(2));
    let invoiced: Decimal = rows.iter().map(|r| r.1).sum();
    let fees: Decimal = rows.iter().map(|r| r.2 + r.3).sum();
    let credited = rows[1].1;
    let page = shop.sam.browser.get("/provider/statement").await;
    assert_eq!(page.status, 200);
    let number = number.unwrap();
    assert!(page.body.contains(&number));
    assert!(page.body.contains(&format!(
        r#"<dd id="sum-invoiced">{}</dd>"#,
        money(invoiced)
    )));
    assert!(page.body.contains(&format!(
        r#"<dd id="sum-credited">−{}</dd>"#,
        money(credited)
    )));
    assert!(
        page.body
            .contains(&format!(r#"<dd id="sum-fees">−{}</dd>"#, money(fees)))
    );
    assert!(page.body.contains(&format!(
        r#"<dd id="sum-net"><strong>{}</strong></dd>"#,
        money(invoiced - credited - fees)
    )));
    assert!(
        page.body.contains(r#"<dd id="sum-paid-out">£50.00</dd>"#),
        "only the payout that arrived"
    );
    assert!(page.body.contains("Account closed") || page.body.contains("failed"));

    let csv = shop
        .sam
        .browser
        .client
        .get(shop.sam.browser.url("/provider/statement.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"larder-statement-")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "date,type,number,reference,gross,fee,fee_vat,net,status"
    );
    assert_eq!(lines.len(), 1 + 2 + 1 + 2, "{text}");
    let net = total - fee - fee_vat;
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!(",invoice,{number},"))
                && l.ends_with(&format!(",{total},{fee},{fee_vat},{net},issued"))),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",credit_note,") && l.contains(&format!(",-{credited},"))),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",payout,") && l.ends_with(",50.00,paid")),
        "{text}"
    );

    // The provider's copy of an invoice shows the fee on it.
    let copy = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{kept}"))
        .await;
    assert!(
        copy.body.contains(&format!(
            "Larder fee: {} plus {} VAT · Net to you: <strong>{}</strong>",
            money(fee),
            money(fee_vat),
            money(net)
        )),
        "{}",
        copy.body
    );
    // The buyer's copy doesn't.
    let buyers = shop.ada.browser.get(&format!("/invoices/{kept}")).await;
    assert!(!buyers.body.contains("fee-breakdown"));
}

#[tokio::test]
async fn other_months_and_other_providers_show_nothing_of_it_and_a_bad_month_is_refused() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let number: String = invoices::table
        .find(invoice)
        .select(invoices::number.assume_not_null())
        .first(&mut app.conn())
        .unwrap();

    let old = shop
        .sam
        .browser
        .get("/provider/statement?month=2020-01")
        .await;
    assert_eq!(old.status, 200);
    assert!(old.body.contains("No invoices issued in January 2020."));
    assert!(!old.body.contains(&format!(">{number}</a>")));
    assert!(!old.body.contains("statement-invoices"));

    let bad = shop
        .sam
        .browser
        .get("/provider/statement?month=2026-13")
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Choose a month, like 2026-11."));
    assert!(
        bad.body.contains(r#"value="2026-13""#),
        "what was typed is kept"
    );
    let bad_csv = shop
        .sam
        .browser
        .get("/provider/statement.csv?month=%3Dcmd")
        .await;
    assert_eq!(bad_csv.status, 400);

    let other = fixtures::seller(&app, "olga@bread.test", "Bread Co").await;
    payout(&app, other.provider_id, "po_other", ("75.00", true));
    let theirs = other.browser.get("/provider/statement").await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains(&number));
    assert!(!theirs.body.contains("statement-invoices"));
    assert!(theirs.body.contains(r#"<dd id="sum-invoiced">£0.00</dd>"#));
    assert!(theirs.body.contains(r#"<dd id="sum-paid-out">£75.00</dd>"#));
    let ours = shop.sam.browser.get("/provider/statement").await;
    assert!(
        ours.body.contains(r#"<dd id="sum-paid-out">£0.00</dd>"#),
        "not Bread Co's payout"
    );
}

//! Analytics events are written with what they record (once, however often it is replayed),
//! and the admin page reads orders per week, repeat buyers, time to first order and the
//! funnel from them.

use diesel::prelude::*;
use larder::db::schema::analytics_events;

use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ordering::{place_order, shop};

fn kinds(app: &TestApp) -> Vec<String> {
    analytics_events::table
        .order(analytics_events::id)
        .select(analytics_events::kind)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn a_buyers_path_is_recorded_once_and_read_back_by_admins() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    // Sam (provider) and Ada (buyer) signed up; Ada's business came with her sign-up.
    assert_eq!(kinds(&app), ["signup", "signup", "business_added"]);
    let order = place_order(&shop).await;
    let confirm = format!("/provider/orders/{order}/confirm");
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 303);
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 409);
    assert_eq!(
        kinds(&app)[3..],
        ["first_cart", "order_placed", "order_confirmed"],
        "three cart adds, one first cart; a second confirm records nothing"
    );

    let admin = fixtures::admin(&app).await;
    let page = admin.browser.get("/admin/analytics").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"orders-total\">1</dd>"));
    assert!(
        page.body
            .contains("id=\"active\">1 buyer(s), 1 provider(s)</dd>")
    );
    assert!(
        page.body
            .contains("id=\"standing-share\">0% (0 of 1 orders)</dd>")
    );
    assert!(page.body.contains("0% (0 of 1 buyers)"));
    assert!(page.body.contains("<svg class=\"chart\""));
    assert!(
        page.body
            .contains("Placed a first order</td><td class=\"num\">1</td>")
    );
    assert!(!page.body.contains("No new business has ordered yet"));

    place_order(&shop).await;
    let page = admin.browser.get("/admin/analytics").await;
    assert!(page.body.contains("id=\"orders-total\">2</dd>"));
    assert!(page.body.contains("100% (1 of 1 buyers)"));

    // A range before any of it: nothing; a range the wrong way round says so.
    let empty = admin
        .browser
        .get("/admin/analytics?from=2020-01-06&to=2020-03-01")
        .await;
    assert!(empty.body.contains("id=\"orders-total\">0</dd>"));
    assert!(empty.body.contains("No orders in this range"));
    let wrong = admin
        .browser
        .get("/admin/analytics?from=2026-03-01&to=2026-01-01")
        .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("The start comes after the end."));
    assert!(
        wrong
            .body
            .contains("Showing the last twelve weeks instead.")
    );

    for outsider in [&shop.ada.browser, &shop.sam.browser] {
        assert_eq!(outsider.get("/admin/analytics").await.status, 404);
    }
}

#[tokio::test]
async fn the_money_panel_reads_the_journal_and_its_trial_balance_nets_to_zero() {
    use diesel::Connection;
    use larder::ids::{BusinessId, InvoiceId, ProviderId};
    use larder::ledger::queries::{Posting, post};
    use larder::ledger::rules::{Fee, Parties, platform_fee};
    use rust_decimal::Decimal;

    let app = spawn_app().await;
    let shop = shop(&app).await;
    // Issuing posts the buyer's debt and what is owed to the provider.
    let invoice = crate::payments::issued(&app, &shop).await;
    let total: Decimal = larder::db::schema::invoices::table
        .find(invoice)
        .select(larder::db::schema::invoices::total)
        .first(&mut app.conn())
        .unwrap();
    // Larder's fee, as a card payment would take it: £1.35 and £0.27 VAT.
    let fee = Fee {
        net: Decimal::new(135, 2),
        vat: Decimal::new(27, 2),
    };
    let parties = Parties {
        business: BusinessId(shop.ada.business_id),
        provider: ProviderId(shop.sam.provider_id),
    };
    app.conn()
        .transaction(|c| {
            post(
                c,
                &Posting {
                    kind: "platform_fee",
                    source: "analytics-test".into(),
                    invoice: Some(InvoiceId(invoice)),
                    payment: None,
                    refund: None,
                    payout: None,
                    at: time::OffsetDateTime::now_utc(),
                    memo: String::new(),
                },
                &platform_fee(parties, fee),
            )
        })
        .unwrap();

    let admin = fixtures::admin(&app).await;
    let page = admin.browser.get("/admin/analytics").await;
    let gbp = larder::money::format_gbp;
    assert!(
        page.body.contains(&format!("id=\"gmv\">{} ", gbp(total))),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("id=\"fees\">£1.35 <span class=\"muted small\">+ £0.27 VAT")
    );
    let owed = total - Decimal::new(162, 2);
    assert!(
        page.body
            .contains(&format!("id=\"owed\">{}</dd>", gbp(owed)))
    );
    assert!(page.body.contains("id=\"trial-net\">£0.00</td>"));
    crate::ledger::assert_journal_balanced(&app);
    // The weekly money charts carry this week's sums, in whole pounds, in their descriptions.
    let desc = |id: &str| -> String {
        let open = format!("<desc id=\"{id}-desc\">");
        page.body
            .split(&open)
            .nth(1)
            .unwrap()
            .split("</desc>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert!(
        desc("gmv-weekly").contains(&format!(": {}", total.round())),
        "{}",
        desc("gmv-weekly")
    );
    assert!(
        desc("fees-weekly").contains(": 1"),
        "{}",
        desc("fees-weekly")
    );

    let today = larder::timefmt::london_today();
    let csv = admin
        .browser
        .get(&format!(
            "/admin/analytics/trial-balance.csv?from={}&to={today}",
            today - time::Duration::days(7)
        ))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("account,debits,credits,net\n"));
    assert!(csv.body.contains("platform_fee_revenue,0.00,1.35,-1.35\n"));
    assert!(csv.body.contains("vat_on_fees,0.00,0.27,-0.27\n"));
    assert!(csv.body.trim_end().ends_with(",0.00"), "{}", csv.body);
    let bad = admin
        .browser
        .get("/admin/analytics/trial-balance.csv?from=2026-12-01&to=2026-01-01")
        .await;
    assert_eq!(bad.status, 400);
    // Buyers and providers never reach it.
    let refused = shop
        .sam
        .browser
        .get("/admin/analytics/trial-balance.csv")
        .await;
    assert_eq!(refused.status, 404);
}

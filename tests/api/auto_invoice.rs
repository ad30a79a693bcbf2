//! Invoicing on delivery: a provider who ticks the setting has each delivered order invoiced
//! from what was delivered and issued by the worker, once, and the buyer told; without the
//! setting, delivering invoices nothing.

use diesel::prelude::*;
use larder::db::schema::{invoices, providers};
use uuid::Uuid;

use crate::credits::delivered;
use crate::helpers::TestApp;
use crate::helpers::spawn_app;
use crate::ordering::{Shop, shop};

fn invoices_of(app: &TestApp, order: Uuid) -> Vec<(String, Option<String>)> {
    invoices::table
        .filter(invoices::order_id.eq(order))
        .select((invoices::status, invoices::number))
        .load(&mut app.conn())
        .unwrap()
}

async fn set_auto(shop: &Shop, on: bool) -> u16 {
    // The status as a number, to compare with plain literals.
    let mut form = vec![
        ("provider_name", "Veg Co"),
        ("categories", "fruit_veg"),
        ("contact_email", "sam@veg.test"),
        ("payment_terms_days", "30"),
    ];
    if on {
        form.push(("auto_invoice", "on"));
    }
    shop.sam
        .browser
        .post("/provider/profile", &form)
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn a_delivered_order_is_invoiced_and_issued_once_when_the_provider_asks() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    assert_eq!(set_auto(&shop, true).await, 303);
    let on: bool = providers::table
        .find(shop.sam.provider_id)
        .select(providers::auto_invoice)
        .first(&mut app.conn())
        .unwrap();
    assert!(on);
    let profile = shop.sam.browser.get("/provider").await;
    assert!(profile.body.contains("name=\"auto_invoice\" checked"));

    let order = delivered(&shop).await;
    assert!(
        invoices_of(&app, order).is_empty(),
        "made by the worker, after the delivery"
    );
    app.run_jobs();
    let made = invoices_of(&app, order);
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].0, "issued");
    let number = made[0].1.clone().unwrap();
    // The buyer has it by email, as with one issued by hand.
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("ada@bistro.test") && m.contains(&number))
    );
    // The job again (a retry) changes nothing.
    let payload = larder::invoicing::auto::Payload {
        order,
        provider: shop.sam.provider_id,
    };
    let again = larder::invoicing::auto::run(
        &mut app.conn(),
        &payload,
        (larder::timefmt::london_today(), "http://localhost"),
    )
    .unwrap();
    assert_eq!(again, larder::invoicing::auto::Outcome::AlreadyInvoiced);
    assert_eq!(invoices_of(&app, order).len(), 1);
}

#[tokio::test]
async fn without_the_setting_delivering_invoices_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    assert_eq!(set_auto(&shop, false).await, 303);
    let order = delivered(&shop).await;
    app.run_jobs();
    assert!(invoices_of(&app, order).is_empty());
}

//! Numbers as people type them: a decimal comma is pence only where it can't be thousands,
//! quantities follow the same rules as money, and no amount can overflow a column.

use diesel::prelude::*;
use larder::db::schema::{cart_items, invoice_lines, invoices, products, providers};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::catalog::product_form;
use crate::helpers::{fixtures, spawn_app};
use crate::invoicing::drafted;
use crate::ordering::{add, shop};

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_decimal_comma_is_pence_on_the_product_form_csv_and_minimum_order() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let saved = sam
        .browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Double cream", "12,50"),
        )
        .await;
    assert!(saved.redirects_to("/provider/products"), "{}", saved.status);
    let price: Decimal = products::table
        .select(products::price)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(price, dec("12.50"), "not £1,250.00");

    let ambiguous = sam
        .browser
        .post(
            "/provider/products",
            &product_form("DC-2", "Butter", "1,250,00"),
        )
        .await;
    assert_eq!(ambiguous.status, 422);
    assert!(
        ambiguous.body.contains("where the pence start"),
        "{}",
        ambiguous.body
    );
    assert!(
        ambiguous.body.contains(r#"value="1,250,00""#),
        "typed value kept"
    );

    let csv = "sku,name,category,unit,price,vat_rate\nBT-1,Butter,dairy_eggs,each,\"3,20\",0\n";
    let token = sam.browser.csrf().await;
    let preview = sam
        .browser
        .client
        .post(sam.browser.url("/provider/products/import"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("a.csv"),
                ),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(preview.contains("£3.20"), "{preview}");
    assert!(!preview.contains("£320.00"));

    let zone: Uuid = larder::db::schema::delivery_zones::table
        .filter(larder::db::schema::delivery_zones::provider_id.eq(sam.provider_id))
        .select(larder::db::schema::delivery_zones::id)
        .first(&mut app.conn())
        .unwrap();
    let saved = sam
        .browser
        .post(
            &format!("/provider/delivery/zones/{zone}"),
            &[
                ("name", "Central"),
                ("areas", "SE1"),
                ("days", "2"),
                ("lead_days", "1"),
                ("cutoff", "14:00"),
                ("min_order_value", "37,5"),
                ("delivery_charge", "4,5"),
            ],
        )
        .await;
    assert!(saved.redirects_to("/provider/delivery"), "{}", saved.status);
    let minimum: Decimal = providers::table
        .find(sam.provider_id)
        .select(providers::min_order_value)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(minimum, dec("37.50"));
    let charge: Decimal = larder::db::schema::delivery_zones::table
        .find(zone)
        .select(larder::db::schema::delivery_zones::delivery_charge)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(charge, dec("4.50"));
}

fn cart_quantity(app: &crate::helpers::TestApp, product: Uuid) -> Option<Decimal> {
    cart_items::table
        .filter(cart_items::product_id.eq(product))
        .select(cart_items::quantity)
        .first(&mut app.conn())
        .optional()
        .unwrap()
}

#[tokio::test]
async fn quantities_follow_the_same_rules_and_an_empty_box_adds_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let b = &shop.ada.browser;
    add(b, shop.leeks, "2,5").await;
    assert_eq!(cart_quantity(&app, shop.leeks), Some(dec("2.5")));
    for refused in ["1e12", "", "  ", "1,250", "2.5"] {
        let page = add(b, shop.wine, refused).await;
        assert_eq!(page.status, 303, "{refused:?}");
        assert_eq!(cart_quantity(&app, shop.wine), None, "{refused:?} added");
    }
    let cart = b.get("/cart").await;
    assert!(cart.body.contains("Leeks"));
}

#[tokio::test]
async fn amounts_too_large_for_one_line_are_a_message_not_an_overflow() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    diesel::update(products::table.find(shop.wine))
        .set(products::price.eq(dec("999999.99")))
        .execute(&mut app.conn())
        .unwrap();
    let page = shop
        .ada
        .browser
        .post(
            "/cart/items",
            &[
                ("product_id", &shop.wine.to_string()),
                ("quantity", "10000"),
                ("back", "/cart"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(cart_quantity(&app, shop.wine), None);
    let cart = shop.ada.browser.get("/cart").await;
    assert!(cart.body.contains("more than £250,000.00"), "{}", cart.body);

    // Adding again up to the bound sums in SQL; going past it undoes the sum.
    add(&shop.ada.browser, shop.cream, "9000").await;
    add(&shop.ada.browser, shop.cream, "1000").await;
    assert_eq!(cart_quantity(&app, shop.cream), Some(dec("10000")));
    diesel::update(products::table.find(shop.cream))
        .set(products::price.eq(dec("26")))
        .execute(&mut app.conn())
        .unwrap();
    let checkout = shop.ada.browser.get("/checkout/veg-co").await;
    assert!(
        checkout.body.contains("order less: Double cream"),
        "a price raised under a full cart is caught at checkout"
    );
}

#[tokio::test]
async fn an_invoice_line_too_large_is_refused_beside_its_field() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, invoice) = drafted(&app, &shop).await;
    let line: Uuid = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .select(invoice_lines::id)
        .first(&mut app.conn())
        .unwrap();
    let before: Decimal = invoices::table
        .find(invoice)
        .select(invoices::total)
        .first(&mut app.conn())
        .unwrap();
    let (q, p) = (format!("qty_{line}"), format!("price_{line}"));
    let page = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}"),
            &[(q.as_str(), "10000"), (p.as_str(), "999999.99")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("more than £250,000.00"), "{}", page.body);
    assert!(page.body.contains(r#"value="999999.99""#));
    let after: Decimal = invoices::table
        .find(invoice)
        .select(invoices::total)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(before, after);
}

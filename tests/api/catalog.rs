//! The provider's catalogue: product CRUD, stock, CSV import and export.

use diesel::prelude::*;
use larder::db::schema::products;
use rust_decimal::Decimal;

use crate::helpers::fixtures::{self, Seller};
use crate::helpers::{TestApp, spawn_app};

pub fn product_form<'a>(sku: &'a str, name: &'a str, price: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("sku", sku),
        ("name", name),
        ("description", "Fresh daily"),
        ("category", "dairy_eggs"),
        ("unit", "each"),
        ("pack_size", "1 L"),
        ("price", price),
        ("vat_rate", "0"),
        ("in_stock", "on"),
        ("active", "on"),
    ]
}

fn count(app: &TestApp) -> i64 {
    products::table.count().get_result(&mut app.conn()).unwrap()
}

async fn upload(seller: &Seller, file_name: &str, bytes: Vec<u8>) -> (reqwest::StatusCode, String) {
    let token = seller.browser.csrf().await;
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(file_name.to_owned())
        .mime_str("text/csv")
        .unwrap();
    let res = seller
        .browser
        .client
        .post(seller.browser.url("/provider/products/import"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("csrf_token", token)
                .part("file", part),
        )
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The token travels in the form body: in a URL it would reach logs and `Referer` headers.
#[tokio::test]
async fn import_form_carries_its_csrf_token_in_the_body_not_the_url() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let page = sam.browser.get("/provider/products/import").await;
    assert!(page.body.contains(r#"action="/provider/products/import""#));
    assert!(!page.body.contains("csrf_token="), "token in a URL");
    let token = page.csrf_token().expect("token field in the form");

    let csv = b"sku,name,category,unit,price,vat_rate\nA1,Milk,dairy_eggs,l,1.20,0\n".to_vec();
    let in_url = sam
        .browser
        .client
        .post(
            sam.browser
                .url(&format!("/provider/products/import?csrf_token={token}")),
        )
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.clone()).file_name("a.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(in_url.status(), 403);
    let (status, body) = upload(&sam, "a.csv", csv).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Milk"));
}

#[tokio::test]
async fn provider_adds_edits_lists_and_deletes_products() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let page = sam
        .browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Double cream", "5.60"),
        )
        .await;
    assert!(page.redirects_to("/provider/products"), "{}", page.status);
    let list = sam.browser.get("/provider/products").await;
    assert!(list.body.contains("Double cream") && list.body.contains("£5.60"));

    let id: uuid::Uuid = products::table
        .select(products::id)
        .first(&mut app.conn())
        .unwrap();
    let edit = sam
        .browser
        .get(&format!("/provider/products/{id}/edit"))
        .await;
    assert!(edit.body.contains(r#"value="5.60""#));
    let mut changed = product_form("DC-1", "Double cream", "5.90");
    changed.retain(|(k, _)| *k != "in_stock");
    assert!(
        sam.browser
            .post(&format!("/provider/products/{id}"), &changed)
            .await
            .redirects_to("/provider/products")
    );
    let (price, in_stock): (Decimal, bool) = products::table
        .find(id)
        .select((products::price, products::in_stock))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((price, in_stock), (Decimal::new(590, 2), false));

    let confirm = sam
        .browser
        .get(&format!("/provider/products/{id}/delete"))
        .await;
    assert!(confirm.body.contains("Delete Double cream?"));
    assert_eq!(count(&app), 1, "asking changes nothing");
    assert!(
        sam.browser
            .post(&format!("/provider/products/{id}/delete"), &[])
            .await
            .redirects_to("/provider/products")
    );
    assert_eq!(count(&app), 0);
}

#[tokio::test]
async fn bad_product_input_is_refused_beside_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let cases = [
        ("price", "-1", "can&#39;t be negative"),
        ("price", "0", "at least £0.01"),
        ("price", "abc", "Enter an amount in pounds"),
        ("price", "1.234", "at most 2 decimal places"),
        ("price", "1e3", "Enter an amount in pounds"),
        ("vat_rate", "17.5", "VAT rate of 0, 5 or 20"),
        ("category", "weapons", "Choose a category"),
        ("sku", "has spaces", "Use up to 40 letters"),
        ("name", "", "Enter the product name"),
    ];
    for (field, value, message) in cases {
        let mut form = product_form("DC-1", "Double cream", "5.60");
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let page = sam.browser.post("/provider/products", &form).await;
        assert_eq!(page.status, 422, "{field}={value}");
        assert!(
            page.body.contains(message),
            "{field}={value}: no {message:?}"
        );
        assert!(
            page.body.contains(r#"value="Fresh daily""#) || page.body.contains("Fresh daily"),
            "input kept"
        );
    }
    assert_eq!(count(&app), 0);

    sam.browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Double cream", "5.60"),
        )
        .await;
    let dup = sam
        .browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Other cream", "4.00"),
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(
        dup.body
            .contains("You already have a product with this SKU")
    );
    assert_eq!(count(&app), 1);
    // Another provider may use the same SKU.
    let other = fixtures::seller(&app, "kim@milk.test", "Milk Co").await;
    assert!(
        other
            .browser
            .post("/provider/products", &product_form("DC-1", "Cream", "4.00"))
            .await
            .redirects_to("/provider/products")
    );
}

#[tokio::test]
async fn stock_toggles_swap_just_the_button_for_htmx() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    sam.browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Double cream", "5.60"),
        )
        .await;
    let id: uuid::Uuid = products::table
        .select(products::id)
        .first(&mut app.conn())
        .unwrap();
    let token = sam.browser.csrf().await;
    let res = sam
        .browser
        .client
        .post(sam.browser.url(&format!("/provider/products/{id}/stock")))
        .header("HX-Request", "true")
        .header("X-CSRF-Token", token)
        .form(&[("in_stock", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["vary"], "HX-Request");
    let body = res.text().await.unwrap();
    assert!(
        body.trim_start().starts_with("<form")
            && body.contains("Out of stock")
            && !body.contains("<html")
    );
    let in_stock: bool = products::table
        .find(id)
        .select(products::in_stock)
        .first(&mut app.conn())
        .unwrap();
    assert!(!in_stock);
    let page = sam
        .browser
        .post(
            &format!("/provider/products/{id}/stock"),
            &[("in_stock", "true")],
        )
        .await;
    assert!(page.redirects_to("/provider/products"));
}

const GOOD_CSV: &str = "sku,name,description,category,unit,pack_size,price,vat_rate,in_stock\n\
DC-1,Double cream,Thick,Dairy & eggs,each,1 L,5.60,0,yes\n\
DC-2,Single cream,,dairy_eggs,each,1 L,3.90,0,no\n\
DR-1,Sparkling water,,drinks,case,12 x 1 L,9.60,20%,\n";

#[tokio::test]
async fn csv_import_previews_then_applies_once_creating_and_updating_by_sku() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    sam.browser
        .post(
            "/provider/products",
            &product_form("DC-1", "Old name", "1.00"),
        )
        .await;

    let (status, body) = upload(&sam, "catalogue.csv", GOOD_CSV.as_bytes().to_vec()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Every row is valid. Nothing has been written yet."));
    let names: Vec<String> = products::table
        .select(products::name)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(names, vec!["Old name"], "the preview writes nothing");

    let action = body
        .split("action=\"")
        .find(|s| s.starts_with("/provider/products/import/"))
        .unwrap();
    let action = &action[..action.find('"').unwrap()];
    let applied = sam.browser.post(action, &[]).await;
    assert!(applied.redirects_to("/provider/products"));
    assert!(
        sam.browser
            .get("/provider/products")
            .await
            .body
            .contains("Import done: 2 added, 1 updated.")
    );
    let mut rows: Vec<(String, String, Decimal, bool)> = products::table
        .select((
            products::sku,
            products::name,
            products::price,
            products::in_stock,
        ))
        .order(products::sku)
        .load(&mut app.conn())
        .unwrap();
    rows.sort();
    assert_eq!(
        rows[0],
        (
            "DC-1".into(),
            "Double cream".into(),
            Decimal::new(560, 2),
            true
        )
    );
    assert!(!rows[1].3, "in_stock=no");

    let again = sam.browser.post(action, &[]).await;
    assert_eq!(again.status, 409, "a double click applies once");
    assert_eq!(count(&app), 3);
}

#[tokio::test]
async fn bad_csv_files_get_one_clear_message_and_write_nothing() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let mut huge = String::from("sku,name,category,unit,price,vat_rate\n");
    for i in 0..50_000 {
        huge.push_str(&format!("S{i},Item {i},bakery,each,1.00,0\n"));
    }
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"name,price\nCream,5\n".to_vec(),
            "The header row must name these columns: sku, category, unit, vat_rate",
        ),
        (vec![0xff, 0xfe, 0x41, 0x00, 0x42], "isn&#39;t UTF-8 text"),
        (Vec::new(), "The file is empty"),
        (huge.into_bytes(), "The file has 50000 rows"),
        (
            b"sku,name,category,unit,price,vat_rate\n".to_vec(),
            "no products",
        ),
    ];
    for (bytes, message) in cases {
        let (status, body) = upload(&sam, "bad.csv", bytes).await;
        assert_eq!(status, 422, "{message}");
        assert!(body.contains(message), "{message:?} missing");
    }
    let rows = "sku,name,category,unit,price,vat_rate\nA1,Good,bakery,each,1.00,0\nA2,Bad price,bakery,each,-4,0\nA3,Bad VAT,bakery,each,1,12\n";
    let (status, body) = upload(&sam, "rows.csv", rows.as_bytes().to_vec()).await;
    assert_eq!(status, 422);
    assert!(body.contains("2 of 3 rows have problems. Nothing was written."));
    assert!(body.contains("price: The amount can&#39;t be negative."));
    assert!(body.contains("vat_rate: Choose a VAT rate of 0, 5 or 20%."));
    assert!(!body.contains("Apply import"));
    assert_eq!(count(&app), 0);
}

#[tokio::test]
async fn csv_export_round_trips_and_defuses_formulas() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    sam.browser
        .post(
            "/provider/products",
            &product_form("DC-1", "=cmd|' /C calc'!A0", "5.60"),
        )
        .await;
    sam.browser
        .post(
            "/provider/products",
            &product_form("DC-2", "Crème fraîche, \"thick\"", "3.10"),
        )
        .await;
    let res = sam
        .browser
        .client
        .get(sam.browser.url("/provider/products/export.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("sku,name,description,category,unit,pack_size,price,vat_rate,sold_by_weight,in_stock,active\n"));
    assert!(csv.contains("'=cmd|' /C calc'!A0"), "{csv}");
    assert!(csv.contains("\"Crème fraîche, \"\"thick\"\"\""));

    // The export imports back unchanged (the defused name keeps its apostrophe, as text).
    let other = fixtures::seller(&app, "kim@milk.test", "Milk Co").await;
    let (status, body) = upload(&other, "export.csv", csv.into_bytes()).await;
    assert_eq!(status, 200, "{body}");
}

/// Two tabs saving products with one SKU at once: one is saved, the other is told, and
/// nothing answers 500.
#[tokio::test]
async fn products_saved_with_one_sku_at_once_make_one_and_a_clear_answer() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@dairy.test", "Dairy Co").await;
    let token = sam.browser.csrf().await;
    let saves = (0..8).map(|i| {
        let name = format!("Cream {i}");
        let mut form: Vec<(&str, String)> = product_form("DC-1", "x", "5.60")
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect();
        form.retain(|(k, _)| *k != "name");
        form.push(("name", name));
        form.push(("csrf_token", token.clone()));
        let body = serde_urlencoded::to_string(&form).unwrap();
        sam.browser
            .client
            .post(sam.browser.url("/provider/products"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    });
    let statuses: Vec<u16> = futures::future::join_all(saves)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 303 | 409 | 422)),
        "{statuses:?}"
    );
    assert_eq!(count(&app), 1);
}

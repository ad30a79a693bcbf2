//! Invoices: drafted from what was delivered, edited, issued with gap-free numbers, voided.

use diesel::prelude::*;
use larder::db::schema::{invoice_lines, invoices, order_lines};
use larder::timefmt::london_today;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::spawn_app;
use crate::ordering::{Shop, place_order, shop};

/// An order confirmed with the cream unavailable, and the draft invoice made from it.
pub async fn drafted(app: &crate::helpers::TestApp, shop: &Shop) -> (Uuid, Uuid) {
    let order = place_order(shop).await;
    let cream: Uuid = order_lines::table
        .filter(order_lines::order_id.eq(order))
        .filter(order_lines::sku.eq("CR-1"))
        .select(order_lines::id)
        .first(&mut app.conn())
        .unwrap();
    let field = format!("qty_{cream}");
    assert_eq!(
        shop.sam
            .browser
            .post(
                &format!("/provider/orders/{order}/confirm"),
                &[(field.as_str(), "0")]
            )
            .await
            .status,
        303
    );
    let created = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{order}/invoice"), &[])
        .await;
    assert_eq!(created.status, 303);
    let invoice = Uuid::parse_str(
        created
            .location
            .unwrap()
            .trim_start_matches("/provider/invoices/"),
    )
    .unwrap();
    (order, invoice)
}

#[tokio::test]
async fn an_invoice_is_drafted_from_what_was_delivered_then_issued_with_its_number_and_terms() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (order, invoice) = drafted(&app, &shop).await;

    let mut descriptions: Vec<String> = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .select(invoice_lines::description)
        .load(&mut app.conn())
        .unwrap();
    descriptions.sort();
    assert_eq!(
        descriptions,
        vec!["House red", "Leeks"],
        "the unavailable cream is not invoiced"
    );
    // Creating again returns the same draft, never a second invoice.
    let again = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{order}/invoice"), &[])
        .await;
    assert_eq!(
        again.location.as_deref(),
        Some(format!("/provider/invoices/{invoice}").as_str())
    );
    assert_eq!(
        shop.ada
            .browser
            .get(&format!("/invoices/{invoice}"))
            .await
            .status,
        404,
        "buyers never see drafts"
    );

    let saved = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}"),
            &[
                ("delivery_description", "Delivery"),
                ("delivery_price", "7.50"),
                ("delivery_vat", "20"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let issued = shop
        .sam
        .browser
        .post(&format!("/provider/invoices/{invoice}/issue"), &[])
        .await;
    assert_eq!(issued.status, 303);

    let (number, status, subtotal, vat, total, due): (
        Option<String>,
        String,
        Decimal,
        Decimal,
        Decimal,
        Option<time::Date>,
    ) = invoices::table
        .find(invoice)
        .select((
            invoices::number,
            invoices::status,
            invoices::subtotal,
            invoices::vat_total,
            invoices::total,
            invoices::due_date,
        ))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(number.as_deref(), Some("VC-000001"));
    assert_eq!(status, "issued");
    // 42.00 wine (20%) + 3.53 leeks (0%) + 7.50 delivery (20%): VAT 8.40 + 1.50.
    assert_eq!(
        (subtotal, vat, total),
        (
            Decimal::new(5303, 2),
            Decimal::new(990, 2),
            Decimal::new(6293, 2)
        )
    );
    assert_eq!(
        due,
        Some(london_today() + time::Duration::days(30)),
        "the provider's 30-day terms"
    );

    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert_eq!(page.status, 200);
    for text in [
        "Invoice VC-000001",
        "Veg Co",
        "Ada&#39;s Bistro",
        "VAT at 20% on £49.50",
        "VAT at 0% on £3.53",
        "£62.93",
        "Unpaid",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let list = shop.ada.browser.get("/invoices?show=unpaid").await;
    assert!(list.body.contains("VC-000001") && list.body.contains("£62.93"));
    let emails: i64 = larder::db::schema::jobs::table
        .filter(
            larder::db::schema::jobs::dedup_key
                .eq(format!("invoice:{invoice}:issued:ada@bistro.test")),
        )
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(emails, 1, "the buyer is emailed a link to the new invoice");
    let edit_after = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}"),
            &[("delivery_price", "1.00")],
        )
        .await;
    assert_eq!(edit_after.status, 409, "issued invoices don't change");
}

#[tokio::test]
async fn ten_concurrent_issues_by_one_provider_take_ten_consecutive_numbers() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, first) = drafted(&app, &shop).await;
    // Nine more drafts, copied from the first: issuing is what is under test here.
    let mut drafts = vec![first];
    {
        let mut conn = app.conn();
        let business: Uuid = invoices::table
            .find(first)
            .select(invoices::business_id)
            .first(&mut conn)
            .unwrap();
        for _ in 0..9 {
            let id = Uuid::now_v7();
            diesel::insert_into(invoices::table)
                .values((
                    invoices::id.eq(id),
                    invoices::provider_id.eq(shop.sam.provider_id),
                    invoices::business_id.eq(business),
                    invoices::subtotal.eq(Decimal::TEN),
                    invoices::total.eq(Decimal::TEN),
                ))
                .execute(&mut conn)
                .unwrap();
            diesel::insert_into(invoice_lines::table)
                .values((
                    invoice_lines::id.eq(Uuid::now_v7()),
                    invoice_lines::invoice_id.eq(id),
                    invoice_lines::position.eq(0),
                    invoice_lines::description.eq("Crate of leeks"),
                    invoice_lines::unit.eq("crate"),
                    invoice_lines::quantity.eq(Decimal::ONE),
                    invoice_lines::unit_price.eq(Decimal::TEN),
                    invoice_lines::vat_rate.eq(Decimal::ZERO),
                    invoice_lines::line_total.eq(Decimal::TEN),
                    invoice_lines::line_vat.eq(Decimal::ZERO),
                    invoice_lines::fractional.eq(false),
                ))
                .execute(&mut conn)
                .unwrap();
            drafts.push(id);
        }
    }
    let token = shop.sam.browser.csrf().await;
    let requests = drafts.iter().map(|id| {
        shop.sam
            .browser
            .client
            .post(
                shop.sam
                    .browser
                    .url(&format!("/provider/invoices/{id}/issue")),
            )
            .header("X-CSRF-Token", &token)
            .send()
    });
    for res in futures::future::join_all(requests).await {
        assert_eq!(res.unwrap().status(), 303);
    }
    let mut numbers: Vec<i32> = invoices::table
        .filter(invoices::provider_id.eq(shop.sam.provider_id))
        .select(invoices::sequence_number.assume_not_null())
        .load(&mut app.conn())
        .unwrap();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=10).collect::<Vec<_>>());
}

#[tokio::test]
async fn voiding_keeps_the_number_and_paid_invoices_cannot_be_voided() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (order, invoice) = drafted(&app, &shop).await;
    shop.sam
        .browser
        .post(&format!("/provider/invoices/{invoice}/issue"), &[])
        .await;
    assert_eq!(
        shop.sam
            .browser
            .post(
                &format!("/provider/invoices/{invoice}/void"),
                &[("reason", " ")]
            )
            .await
            .status,
        422
    );
    assert_eq!(
        shop.sam
            .browser
            .post(
                &format!("/provider/invoices/{invoice}/void"),
                &[("reason", "Wrong prices")]
            )
            .await
            .status,
        303
    );
    let (status, number): (String, Option<String>) = invoices::table
        .find(invoice)
        .select((invoices::status, invoices::number))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        (status.as_str(), number.as_deref()),
        ("void", Some("VC-000001"))
    );
    assert!(
        shop.ada
            .browser
            .get(&format!("/invoices/{invoice}"))
            .await
            .body
            .contains("Wrong prices")
    );

    // A replacement may be drafted and takes the next number.
    let replacement = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{order}/invoice"), &[])
        .await;
    let replacement = replacement
        .location
        .unwrap()
        .trim_start_matches("/provider/invoices/")
        .to_owned();
    assert_ne!(replacement, invoice.to_string());
    shop.sam
        .browser
        .post(&format!("/provider/invoices/{replacement}/issue"), &[])
        .await;
    let number: Option<String> = invoices::table
        .find(Uuid::parse_str(&replacement).unwrap())
        .select(invoices::number)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(number.as_deref(), Some("VC-000002"));

    let total: Decimal = invoices::table
        .find(Uuid::parse_str(&replacement).unwrap())
        .select(invoices::total)
        .first(&mut app.conn())
        .unwrap();
    diesel::update(invoices::table.find(Uuid::parse_str(&replacement).unwrap()))
        .set((invoices::status.eq("paid"), invoices::amount_paid.eq(total)))
        .execute(&mut app.conn())
        .unwrap();
    let refused = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{replacement}/void"),
            &[("reason", "Oops")],
        )
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("paid, so it can&#39;t be voided"));
}

#[tokio::test]
async fn bad_draft_edits_are_refused_and_change_nothing() {
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
    for (field, value) in [
        (q.as_str(), "-1"),
        (q.as_str(), "abc"),
        (p.as_str(), "1.234"),
        (p.as_str(), "-5"),
        ("delivery_price", "0"),
    ] {
        let page = shop
            .sam
            .browser
            .post(&format!("/provider/invoices/{invoice}"), &[(field, value)])
            .await;
        assert_eq!(page.status, 422, "{field}={value}");
    }
    let after: Decimal = invoices::table
        .find(invoice)
        .select(invoices::total)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(before, after);
}

fn lines_of(app: &crate::helpers::TestApp, invoice: Uuid) -> Vec<(String, Decimal)> {
    invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .order(invoice_lines::position)
        .select((invoice_lines::description, invoice_lines::line_total))
        .load(&mut app.conn())
        .unwrap()
}

/// "Issue invoice" sits in the draft form and saves what is typed there first, so a charge
/// typed but not saved is on the issued invoice.
#[tokio::test]
async fn issuing_saves_what_the_provider_typed_first() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, invoice) = drafted(&app, &shop).await;
    let draft = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    assert!(draft.body.contains(&format!(
        r#"formaction="/provider/invoices/{invoice}/issue""#
    )));
    let issued = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/issue"),
            &[
                ("delivery_description", "Van"),
                ("delivery_price", "4,5"),
                ("delivery_vat", "20"),
            ],
        )
        .await;
    assert_eq!(issued.status, 303);
    let lines = lines_of(&app, invoice);
    assert!(
        lines.contains(&("Van".to_owned(), Decimal::new(450, 2))),
        "{lines:?}"
    );
    let status: String = invoices::table
        .find(invoice)
        .select(invoices::status)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(status, "issued");
}

#[tokio::test]
async fn a_zero_invoice_cannot_be_issued() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, invoice) = drafted(&app, &shop).await;
    let ids: Vec<Uuid> = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .select(invoice_lines::id)
        .load(&mut app.conn())
        .unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for id in &ids {
        form.push((format!("qty_{id}"), "1".into()));
        form.push((format!("price_{id}"), "0".into()));
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let page = shop
        .sam
        .browser
        .post(&format!("/provider/invoices/{invoice}/issue"), &fields)
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("comes to £0.00"), "{}", page.body);
    let (status, number): (String, Option<String>) = invoices::table
        .find(invoice)
        .select((invoices::status, invoices::number))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!((status.as_str(), number), ("draft", None), "nothing issued");
    assert!(
        lines_of(&app, invoice).iter().all(|(_, t)| !t.is_zero()),
        "the refused edits were not saved either"
    );
}

#[tokio::test]
async fn a_draft_shows_its_buyer_and_every_line_its_vat() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, invoice) = drafted(&app, &shop).await;
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/invoices/{invoice}"))
        .await;
    let to = page.body.split("<h2>To</h2>").nth(1).unwrap_or_default();
    let to = to.split("</div>").next().unwrap_or_default();
    assert!(to.contains("Ada&#39;s Bistro"), "{to}");
    assert!(to.contains("1 Borough High St"), "{to}");
    // House red: £42.00 at 20% has £8.40 of VAT on its own line.
    let wine_row = page
        .body
        .split("<tr>")
        .find(|row| row.contains("House red"))
        .unwrap();
    assert!(wine_row.contains("£8.40"), "{wine_row}");
}

#[tokio::test]
async fn refused_draft_edits_keep_their_values_beside_the_fields() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, invoice) = drafted(&app, &shop).await;
    let wine: Uuid = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(invoice))
        .filter(invoice_lines::description.eq("House red"))
        .select(invoice_lines::id)
        .first(&mut app.conn())
        .unwrap();
    let (q, p) = (format!("qty_{wine}"), format!("price_{wine}"));
    let page = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}"),
            &[
                (q.as_str(), "1.5"),
                (p.as_str(), "40"),
                ("delivery_price", "abc"),
                ("delivery_description", "Van <b>"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains(r#"value="abc""#));
    let kept = page.body.split("id=\"d-desc\"").nth(1).unwrap_or_default();
    assert!(kept.contains(r#"value="Van &#60;b&#62;""#), "escaped, kept");
    assert!(page.body.contains(r#"aria-describedby="d-price-error""#));
    assert!(page.body.contains("Nothing was saved"));
    // The whole-unit rule needs the line, so it comes from the database check.
    let page = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}"),
            &[(q.as_str(), "1.5"), (p.as_str(), "40")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("sold in whole units"));
    assert!(page.body.contains(r#"value="1.5""#));
    assert!(lines_of(&app, invoice).contains(&("House red".to_owned(), Decimal::new(4200, 2))));
}

#[tokio::test]
async fn an_edit_naming_another_invoices_line_is_refused() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (_, first) = drafted(&app, &shop).await;
    let (_, second) = drafted(&app, &shop).await;
    let foreign: Uuid = invoice_lines::table
        .filter(invoice_lines::invoice_id.eq(second))
        .select(invoice_lines::id)
        .first(&mut app.conn())
        .unwrap();
    let before = lines_of(&app, second);
    for fields in [
        vec![
            (format!("qty_{foreign}"), "2"),
            (format!("price_{foreign}"), "1"),
        ],
        vec![(format!("remove_{foreign}"), "on")],
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let page = shop
            .sam
            .browser
            .post(&format!("/provider/invoices/{first}"), &fields)
            .await;
        assert_eq!(page.status, 409, "{fields:?}");
        assert!(!page.body.contains("Draft saved"));
    }
    assert_eq!(lines_of(&app, second), before);
}

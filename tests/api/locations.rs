//! Buyer delivery locations and provider profile edits.

use diesel::prelude::*;
use larder::db::schema::{locations, providers};

use crate::helpers::fixtures;
use crate::helpers::spawn_app;

const NEW_LOCATION: [(&str, &str); 6] = [
    ("label", "Hotel bar"),
    ("address_line1", "20 Commercial St"),
    ("address_line2", ""),
    ("city", "London"),
    ("postcode", "e16an"),
    ("delivery_notes", ""),
];

#[tokio::test]
async fn buyer_adds_edits_and_chooses_a_default_location() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    assert!(
        ada.browser
            .post("/buyer/locations", &NEW_LOCATION)
            .await
            .redirects_to("/buyer")
    );
    let mut conn = app.conn();
    let (id, postcode, outcode, default): (uuid::Uuid, String, String, bool) = locations::table
        .filter(locations::label.eq("Hotel bar"))
        .select((
            locations::id,
            locations::postcode,
            locations::outcode,
            locations::is_default,
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (postcode.as_str(), outcode.as_str(), default),
        ("E1 6AN", "E1", false)
    );

    let edit = ada
        .browser
        .get(&format!("/buyer/locations/{id}/edit"))
        .await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains(r#"value="20 Commercial St""#));
    let mut changed = NEW_LOCATION.to_vec();
    changed[1] = ("address_line1", "22 Commercial St");
    assert!(
        ada.browser
            .post(&format!("/buyer/locations/{id}"), &changed)
            .await
            .redirects_to("/buyer")
    );
    assert!(
        ada.browser
            .post(&format!("/buyer/locations/{id}/default"), &[])
            .await
            .redirects_to("/buyer")
    );

    let defaults: Vec<(String, bool)> = locations::table
        .order(locations::label)
        .select((locations::address_line1, locations::is_default))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        defaults,
        vec![
            ("22 Commercial St".to_owned(), true),
            ("1 Borough High St".to_owned(), false)
        ]
    );
}

#[tokio::test]
async fn a_bad_location_keeps_the_input_and_writes_nothing() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let mut bad = NEW_LOCATION.to_vec();
    bad[4] = ("postcode", "<b>nope</b>");
    let page = ada.browser.post("/buyer/locations", &bad).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter a real UK postcode"));
    assert!(page.body.contains(r#"value="&#60;b&#62;nope&#60;/b&#62;""#));
    assert!(page.body.contains(r#"value="Hotel bar""#));
    let count: i64 = locations::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn malformed_ids_and_forms_are_client_errors() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    assert_eq!(
        ada.browser
            .get("/buyer/locations/not-a-uuid/edit")
            .await
            .status,
        404
    );
    let missing = format!("/buyer/locations/{}/edit", uuid::Uuid::now_v7());
    assert_eq!(ada.browser.get(&missing).await.status, 404);
    let huge = "x".repeat(70_000);
    let page = ada
        .browser
        .post("/buyer/locations", &[("label", huge.as_str())])
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
}

#[tokio::test]
async fn provider_edits_their_profile_with_field_errors_kept() {
    let app = spawn_app().await;
    let sam = fixtures::seller(&app, "sam@veg.test", "Veg Co").await;
    let page = sam
        .browser
        .post(
            "/provider/profile",
            &[
                ("provider_name", "Veg Co"),
                ("categories", "bakery"),
                ("contact_email", "nope"),
                ("description", "Bread!"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Enter a valid email address"));
    assert!(page.body.contains("Bread!"), "input kept");
    let page = sam
        .browser
        .post(
            "/provider/profile",
            &[
                ("provider_name", "Veg & Bread Co"),
                ("categories", "bakery"),
                ("categories", "fruit_veg"),
                ("contact_email", "orders@veg.test"),
                ("vat_number", "GB 123 4567 89"),
                ("delivery_days", "2"),
                ("delivery_areas", "n1 EC1A"),
                ("min_order_value", "75.50"),
            ],
        )
        .await;
    assert!(
        page.redirects_to("/provider"),
        "{}",
        page.body
            .lines()
            .filter(|l| l.contains("field-error"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    type Saved = (String, Option<String>, String);
    type Delivery = (Vec<Option<String>>, Vec<Option<i16>>);
    let mut conn = app.conn();
    let (name, vat, slug): Saved = providers::table
        .find(sam.provider_id)
        .select((providers::name, providers::vat_number, providers::slug))
        .first(&mut conn)
        .unwrap();
    let (areas, days): Delivery = providers::table
        .find(sam.provider_id)
        .select((providers::delivery_areas, providers::delivery_days))
        .first(&mut conn)
        .unwrap();
    assert_eq!(
        (name.as_str(), vat.as_deref(), slug.as_str()),
        ("Veg & Bread Co", Some("GB123456789"), "veg-co")
    );
    // Delivery lives on the zones now: the profile form neither reads nor writes it.
    assert_eq!(areas, vec![Some("E".to_owned()), Some("SE1".to_owned())]);
    assert_ne!(days, vec![Some(2)]);
}

#[tokio::test]
async fn a_buyer_deletes_an_address_but_not_the_default_and_not_anothers() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    assert!(
        ada.browser
            .post("/buyer/locations", &NEW_LOCATION)
            .await
            .redirects_to("/buyer")
    );
    let bar: uuid::Uuid = locations::table
        .filter(locations::label.eq("Hotel bar"))
        .select(locations::id)
        .first(&mut app.conn())
        .unwrap();
    let default = ada
        .browser
        .post(&format!("/buyer/locations/{}/delete", ada.location_id), &[])
        .await;
    assert_eq!(default.status, 409);
    assert!(
        default
            .body
            .contains("make another address the default first")
    );

    let foreign = bo
        .browser
        .post(&format!("/buyer/locations/{bar}/delete"), &[])
        .await;
    assert_eq!(foreign.status, 404);
    let archived: Option<time::OffsetDateTime> = locations::table
        .find(bar)
        .select(locations::archived_at)
        .first(&mut app.conn())
        .unwrap();
    assert!(archived.is_none(), "another buyer changes nothing");

    let home = ada.browser.get("/buyer").await;
    assert!(
        home.body
            .contains(&format!("/buyer/locations/{bar}/delete"))
    );
    let deleted = ada
        .browser
        .post(&format!("/buyer/locations/{bar}/delete"), &[])
        .await;
    assert!(deleted.redirects_to("/buyer"));
    let home = ada.browser.get("/buyer").await;
    assert!(!home.body.contains("Hotel bar"));
    assert_eq!(
        ada.browser
            .get(&format!("/buyer/locations/{bar}/edit"))
            .await
            .status,
        404
    );
    let again = ada
        .browser
        .post(&format!("/buyer/locations/{bar}/delete"), &[])
        .await;
    assert_eq!(again.status, 404);
}

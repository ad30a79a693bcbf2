//! The conversation on a credit request: messages and photos from each side, photos checked
//! by their bytes and served only to the parties (and admins once escalated), double posts,
//! and email notices.

use diesel::prelude::*;
use larder::db::schema::{credit_request_messages, credit_request_photos};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::credits::{delivered, raise, requests};
use crate::helpers::{Browser, TestApp, fixtures, spawn_app};
use crate::ordering::{Shop, shop};

/// The smallest thing that starts like a JPEG, and its bytes.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0xFF, 0xD9,
];

async fn post(
    b: &Browser,
    path: &str,
    body: &str,
    photo: Option<(&[u8], &str)>,
    key: &str,
) -> (StatusCode, String) {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf_token", b.csrf().await)
        .text("body", body.to_owned())
        .text("key", key.to_owned());
    if let Some((bytes, name)) = photo {
        form = form.part(
            "photo",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
        );
    }
    let res = b
        .client
        .post(b.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap_or_default())
}

fn counts(app: &TestApp) -> (i64, i64) {
    let mut conn = app.conn();
    (
        credit_request_messages::table
            .count()
            .get_result(&mut conn)
            .unwrap(),
        credit_request_photos::table
            .count()
            .get_result(&mut conn)
            .unwrap(),
    )
}

async fn request(app: &TestApp, shop: &Shop) -> Uuid {
    let order = delivered(shop).await;
    let raised = raise(app, shop, order, &Uuid::now_v7().to_string()).await;
    assert_eq!(raised.status, 303);
    requests(app).last().unwrap().0
}

#[tokio::test]
async fn a_photo_is_checked_by_its_bytes_and_seen_only_by_the_parties() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = request(&app, &shop).await;
    let path = format!("/credit-requests/{id}/messages");
    let ada = &shop.ada.browser;

    // An SVG named .jpg is refused on the same page, with the text kept.
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>";
    let key = Uuid::now_v7().to_string();
    let (status, body) = post(ada, &path, "Crushed box", Some((svg, "box.jpg")), &key).await;
    assert_eq!(status, 422);
    assert!(body.contains("Photos must be JPEG or PNG images"));
    assert!(body.contains(">Crushed box</textarea>"));
    let (status, _) = post(ada, &path, "   ", None, &key).await;
    assert_eq!(status, 422);
    let huge = vec![0xFF; 5 * 1024 * 1024 + 1];
    let (status, _) = post(ada, &path, "Big", Some((&huge, "big.jpg")), &key).await;
    assert_eq!(status, 400);
    assert_eq!(counts(&app), (0, 0));

    let (a, b) = tokio::join!(
        post(ada, &path, "Crushed box", Some((JPEG, "box.jpg")), &key),
        post(ada, &path, "Crushed box", Some((JPEG, "box.jpg")), &key),
    );
    assert_eq!((a.0.as_u16(), b.0.as_u16()), (303, 303));
    assert_eq!(counts(&app), (1, 1), "one form, one message");
    let photo: Uuid = credit_request_photos::table
        .select(credit_request_photos::id)
        .first(&mut app.conn())
        .unwrap();
    let stored = std::fs::read_dir(app.config.upload_dir.join("credit-requests"))
        .unwrap()
        .count();
    assert_eq!(stored, 1, "the refused and duplicate uploads left no files");

    let page = ada.get(&format!("/credit-requests/{id}")).await;
    assert!(page.body.contains("Crushed box"));
    assert!(
        page.body
            .contains(&format!("/credit-requests/{id}/photos/{photo}"))
    );
    let res = ada
        .client
        .get(ada.url(&format!("/credit-requests/{id}/photos/{photo}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert_eq!(res.bytes().await.unwrap().as_ref(), JPEG);
    let theirs = shop
        .sam
        .browser
        .get(&format!("/provider/credit-requests/{id}/photos/{photo}"))
        .await;
    assert_eq!(theirs.status, 200);

    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let admin = fixtures::admin(&app).await;
    for (who, browser, url) in [
        (
            "other buyer",
            &bo.browser,
            format!("/credit-requests/{id}/photos/{photo}"),
        ),
        (
            "other provider",
            &kim.browser,
            format!("/provider/credit-requests/{id}/photos/{photo}"),
        ),
        (
            "the provider on the buyer's path",
            &shop.sam.browser,
            format!("/credit-requests/{id}/photos/{photo}"),
        ),
        (
            "admin before escalation",
            &admin.browser,
            format!("/admin/disputes/{id}/photos/{photo}"),
        ),
        (
            "a photo of another request",
            ada,
            format!("/credit-requests/{}/photos/{photo}", Uuid::now_v7()),
        ),
    ] {
        assert_eq!(browser.get(&url).await.status, 404, "{who}");
    }
    for (browser, url) in [
        (&bo.browser, format!("/credit-requests/{id}/messages")),
        (
            &kim.browser,
            format!("/provider/credit-requests/{id}/messages"),
        ),
        (&admin.browser, format!("/admin/disputes/{id}/messages")),
    ] {
        let (status, _) = post(browser, &url, "Not mine", None, &Uuid::now_v7().to_string()).await;
        assert_eq!(status, 404, "{url}");
    }
    assert_eq!(counts(&app), (1, 1));
}

#[tokio::test]
async fn each_side_hears_of_the_others_messages_and_admins_join_once_escalated() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let id = request(&app, &shop).await;
    let (status, _) = post(
        &shop.sam.browser,
        &format!("/provider/credit-requests/{id}/messages"),
        "Our driver's sheet says all six",
        None,
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(status, 303);
    // In the app: the buyer's list flags the provider's message; the provider's doesn't.
    let list = shop.ada.browser.get("/credit-requests").await;
    assert!(list.body.contains("New message from Veg Co"));
    let theirs = shop.sam.browser.get("/provider/credit-requests").await;
    assert!(!theirs.body.contains("New message from"));
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("ada@bistro.test")
                && m.contains("Veg Co wrote about the credit request"))
    );

    let declined = shop
        .sam
        .browser
        .post(
            &format!("/provider/credit-requests/{id}/decline"),
            &[("reason", "See the driver's sheet")],
        )
        .await;
    assert_eq!(declined.status, 303);
    let up = shop
        .ada
        .browser
        .post(&format!("/credit-requests/{id}/escalate"), &[])
        .await;
    assert_eq!(up.status, 303);
    let admin = fixtures::admin(&app).await;
    let (status, _) = post(
        &admin.browser,
        &format!("/admin/disputes/{id}/messages"),
        "Please both send the delivery note",
        Some((JPEG, "note.jpg")),
        &Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(status, 303);
    let photo: Uuid = credit_request_photos::table
        .select(credit_request_photos::id)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(
        admin
            .browser
            .get(&format!("/admin/disputes/{id}/photos/{photo}"))
            .await
            .status,
        200
    );
    for (browser, path) in [
        (&shop.ada.browser, format!("/credit-requests/{id}")),
        (&shop.sam.browser, format!("/provider/credit-requests/{id}")),
    ] {
        let page = browser.get(&path).await;
        assert!(page.body.contains("Larder&#39;s team"), "{path}");
        assert!(
            page.body.contains("Please both send the delivery note"),
            "{path}"
        );
    }
    app.run_jobs();
    let mails = app.sent_emails();
    for who in ["ada@bistro.test", "sam@veg.test"] {
        assert!(
            mails
                .iter()
                .any(|m| m.contains(who)
                    && m.contains("Larder's team wrote about the credit request")),
            "{who}"
        );
    }
}

/// The credit request form sent as multipart, with the cream line claimed.
async fn raise_with(
    app: &TestApp,
    shop: &Shop,
    order: Uuid,
    photo: &[u8],
    key: &str,
) -> (StatusCode, String) {
    let cream = crate::credits::line(app, order, "CR-1");
    let b = &shop.ada.browser;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", b.csrf().await)
        .text("key", key.to_owned())
        .text(format!("reason_{cream}"), "short")
        .text(format!("quantity_{cream}"), "2")
        .text(format!("note_{cream}"), "Two <b>missing</b>")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(photo.to_vec()).file_name("shelf.jpg"),
        );
    let res = b
        .client
        .post(b.url(&format!("/orders/{order}/credit-request")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap_or_default())
}

#[tokio::test]
async fn a_photo_sent_with_the_request_opens_its_conversation_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    let key = Uuid::now_v7().to_string();

    let (status, body) = raise_with(&app, &shop, order, b"GIF89a not allowed", &key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Photos must be JPEG or PNG images"));
    assert!(
        body.contains("value=\"2\""),
        "the lines keep what was typed"
    );
    assert!(body.contains("value=\"Two &#60;b&#62;missing&#60;/b&#62;\""));
    assert!(requests(&app).is_empty());
    assert_eq!(counts(&app), (0, 0));

    let too_big = [JPEG, &vec![0u8; larder::credits::thread::MAX_PHOTO]].concat();
    let (status, body) = raise_with(&app, &shop, order, &too_big, &key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("at most 5 MB"));
    assert!(requests(&app).is_empty());

    for _ in 0..2 {
        // Sent twice (a double click): one request, one photo.
        let (status, _) = raise_with(&app, &shop, order, JPEG, &key).await;
        assert!(status.is_success() || status.is_redirection(), "{status}");
    }
    assert_eq!(requests(&app).len(), 1);
    assert_eq!(counts(&app), (1, 1));
    let id = requests(&app)[0].0;
    let page = shop
        .sam
        .browser
        .get(&format!("/provider/credit-requests/{id}"))
        .await;
    assert!(page.body.contains("Photo sent with the request."));
    let photo: Uuid = credit_request_photos::table
        .select(credit_request_photos::id)
        .first(&mut app.conn())
        .unwrap();
    assert!(page.body.contains(&photo.to_string()));
    app.run_jobs();
    let to_provider = app
        .sent_emails()
        .into_iter()
        .filter(|m| m.contains("sam@") && m.contains(&id.to_string()))
        .count();
    assert_eq!(
        to_provider, 1,
        "one email for the new request, none for its photo"
    );
}

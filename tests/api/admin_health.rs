//! The admin health page: server errors from any request (with the reference the person
//! saw), failed jobs and retrying them once, and who may see any of it.

use diesel::prelude::*;
use larder::db::schema::{audit_log, jobs};
use uuid::Uuid;

use crate::helpers::{fixtures, spawn_app};
use crate::ordering::shop;

#[tokio::test]
async fn a_server_error_is_listed_with_the_reference_the_person_saw() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let admin = fixtures::admin(&app).await;
    let calm = admin.browser.get("/admin/health").await;
    assert_eq!(calm.status, 200);
    assert!(calm.body.contains("0 in the last 24 hours"));
    assert!(calm.body.contains("No failed jobs."));

    let failed = shop.ada.browser.get("/test/fail").await;
    assert_eq!(failed.status, 500);
    let reference = failed
        .body
        .split("Reference: <code>")
        .nth(1)
        .and_then(|r| r.split("</code>").next())
        .expect("the error page gives a reference")
        .to_owned();
    assert!(!failed.body.contains("on purpose"), "no internals shown");
    let page = admin.browser.get("/admin/health").await;
    assert!(page.body.contains("1 in the last 24 hours"));
    assert!(page.body.contains("GET /test/fail"));
    assert!(page.body.contains(&reference));
    // Buyers and providers don't see it.
    assert_eq!(shop.ada.browser.get("/admin/health").await.status, 404);
    assert_eq!(shop.sam.browser.get("/admin/health").await.status, 404);
}

#[tokio::test]
async fn a_failed_job_is_retried_once_by_an_admin_and_by_nobody_else() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let admin = fixtures::admin(&app).await;
    let job: Uuid = diesel::insert_into(jobs::table)
        .values((
            jobs::kind.eq("send_email"),
            jobs::status.eq("failed"),
            jobs::attempts.eq(5),
            jobs::last_error.eq("SMTP said no\nand a long trace"),
            jobs::finished_at.eq(Some(time::OffsetDateTime::now_utc())),
        ))
        .returning(jobs::id)
        .get_result(&mut app.conn())
        .unwrap();
    let state = || -> (String, i32) {
        jobs::table
            .find(job)
            .select((jobs::status, jobs::attempts))
            .first(&mut app.conn())
            .unwrap()
    };
    let page = admin.browser.get("/admin/health").await;
    assert!(page.body.contains("SMTP said no"));
    assert!(!page.body.contains("a long trace"), "first line only");
    assert!(page.body.contains(&format!("/admin/jobs/{job}/retry")));

    let retry = format!("/admin/jobs/{job}/retry");
    for outsider in [&shop.ada.browser, &shop.sam.browser] {
        assert_eq!(outsider.post(&retry, &[]).await.status, 404);
    }
    assert_eq!(state(), ("failed".to_owned(), 5));
    let unknown = format!("/admin/jobs/{}/retry", Uuid::now_v7());
    assert_eq!(admin.browser.post(&unknown, &[]).await.status, 404);

    let done = admin.browser.post(&retry, &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(state(), ("queued".to_owned(), 0));
    let again = admin.browser.post(&retry, &[]).await;
    assert_eq!(again.status, 409);
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("admin.job_retried"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(audited, 1);
    let page = admin.browser.get("/admin/health").await;
    assert!(page.body.contains("No failed jobs."));
}

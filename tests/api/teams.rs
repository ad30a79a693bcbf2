//! Teams: invites by email, roles that narrow what a member sees and does, the last-owner
//! rule, removal at the next click, and switching between organisations.

use diesel::prelude::*;
use larder::db::schema::{invites, memberships, users};
use regex::Regex;
use uuid::Uuid;

use crate::helpers::fixtures::{self, PASSWORD};
use crate::helpers::{Browser, TestApp, spawn_app};

/// Sends an invite from `owner` and returns the token from the emailed link.
async fn invite(app: &TestApp, owner: &Browser, email: &str, role: &str) -> String {
    let page = owner
        .post("/team/invites", &[("email", email), ("role", role)])
        .await;
    assert!(
        page.redirects_to("/team"),
        "invite: {} {}",
        page.status,
        page.body
    );
    app.run_jobs();
    let re = Regex::new(r"/invites/([0-9a-f]{64})").unwrap();
    let mail = app
        .sent_emails()
        .into_iter()
        .rev()
        .find(|m| m.contains(email))
        .expect("invite email sent");
    re.captures(&mail).expect("link in the invite")[1].to_owned()
}

/// A new person follows the link and creates their account.
async fn join_new(app: &TestApp, token: &str, name: &str) -> Browser {
    let b = app.browser();
    let page = b.get(&format!("/invites/{token}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Create your account"), "{}", page.body);
    let page = b
        .post(
            &format!("/invites/{token}"),
            &[("name", name), ("password", PASSWORD)],
        )
        .await;
    assert!(
        page.status == 303
            && page
                .location
                .as_deref()
                .is_some_and(|l| l == "/buyer" || l == "/provider"),
        "join: {} {:?} {}",
        page.status,
        page.location,
        page.body
    );
    b
}

fn membership_of(app: &TestApp, email: &str) -> Uuid {
    memberships::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .select(memberships::id)
        .first(&mut app.conn())
        .expect("membership")
}

#[tokio::test]
async fn an_invited_orderer_joins_and_gets_only_what_the_role_allows() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let token = invite(&app, &ada.browser, "olu@bistro.test", "orderer").await;
    let olu = join_new(&app, &token, "Olu").await;

    let role: String = memberships::table
        .filter(memberships::id.eq(membership_of(&app, "olu@bistro.test")))
        .select(memberships::role)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(role, "orderer");
    // An orderer orders, but neither sees invoices nor manages the team, and isn't shown
    // the links.
    assert_eq!(olu.get("/cart").await.status, 200);
    let orders = olu.get("/orders").await;
    assert_eq!(orders.status, 200);
    assert!(!orders.body.contains(r#"href="/invoices""#));
    assert!(!orders.body.contains(r#"href="/team""#));
    assert_eq!(olu.get("/invoices").await.status, 404);
    assert_eq!(olu.get("/team").await.status, 404);
    assert_eq!(
        olu.post(
            "/team/invites",
            &[("email", "x@y.test"), ("role", "viewer")]
        )
        .await
        .status,
        404
    );

    // The link works once: a second click (another tab) changes nothing.
    let before: i64 = memberships::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    let again = olu
        .post(
            &format!("/invites/{token}"),
            &[("name", "Olu"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(again.status, 410, "{}", again.body);
    let after: i64 = memberships::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_bad_invite_is_refused_on_the_form_with_what_was_typed() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let page = ada
        .browser
        .post(
            "/team/invites",
            &[("email", "not-an-email"), ("role", "owner")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.body.contains(r#"value="not-an-email""#),
        "{}",
        page.body
    );
    let page = ada
        .browser
        .post(
            "/team/invites",
            &[("email", "x@bistro.test"), ("role", "staff")],
        )
        .await;
    assert_eq!(page.status, 422, "a provider role for a buyer team");
    assert!(page.body.contains("Choose one of the roles listed."));
    // A member already, and an address with the other kind of account.
    let page = ada
        .browser
        .post(
            "/team/invites",
            &[("email", "ada@bistro.test"), ("role", "viewer")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("already a member"));
    fixtures::seller(&app, "sam@veg.test", "Veg Co").await;
    let page = ada
        .browser
        .post(
            "/team/invites",
            &[("email", "sam@veg.test"), ("role", "viewer")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("different kind of Larder account"));
    let open: i64 = invites::table.count().get_result(&mut app.conn()).unwrap();
    assert_eq!(open, 0);
}

#[tokio::test]
async fn invites_can_be_withdrawn_resent_and_run_out() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let first = invite(&app, &ada.browser, "vic@bistro.test", "viewer").await;
    // Sending again replaces the link: the first stops working, one invite stays open.
    let second = invite(&app, &ada.browser, "vic@bistro.test", "finance").await;
    assert_ne!(first, second);
    let visitor = app.browser();
    assert_eq!(visitor.get(&format!("/invites/{first}")).await.status, 404);
    let page = visitor.get(&format!("/invites/{second}")).await;
    assert!(page.body.contains("Finance"), "{}", page.body);
    let id: Uuid = invites::table
        .select(invites::id)
        .first(&mut app.conn())
        .unwrap();
    let page = ada
        .browser
        .post(&format!("/team/invites/{id}/revoke"), &[])
        .await;
    assert!(page.redirects_to("/team"));
    assert_eq!(visitor.get(&format!("/invites/{second}")).await.status, 410);

    let third = invite(&app, &ada.browser, "vic@bistro.test", "viewer").await;
    diesel::update(invites::table.filter(invites::revoked_at.is_null()))
        .set(invites::expires_at.eq(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)))
        .execute(&mut app.conn())
        .unwrap();
    let page = visitor.get(&format!("/invites/{third}")).await;
    assert_eq!(page.status, 410);
    assert!(page.body.contains("expired"));
    let refused = visitor
        .post(
            &format!("/invites/{third}"),
            &[("name", "Vic"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(refused.status, 410);
    let vic: i64 = users::table
        .filter(users::email.eq("vic@bistro.test"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert_eq!(vic, 0, "no account from an expired invite");
}

#[tokio::test]
async fn the_last_owner_stays_and_a_removed_member_is_out_at_the_next_click() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let ada_member = membership_of(&app, "ada@bistro.test");
    let page = ada
        .browser
        .post(
            &format!("/team/members/{ada_member}/role"),
            &[("role", "manager")],
        )
        .await;
    assert_eq!(page.status, 409, "the only owner can't step down");
    assert!(page.body.contains("only owner"));
    assert_eq!(
        ada.browser
            .post(&format!("/team/members/{ada_member}/remove"), &[])
            .await
            .status,
        409
    );

    let token = invite(&app, &ada.browser, "mo@bistro.test", "manager").await;
    let mo = join_new(&app, &token, "Mo").await;
    // A manager manages the roles below theirs, not the owner.
    let page = mo
        .post(
            &format!("/team/members/{ada_member}/role"),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(page.status, 409);
    let token = invite(&app, &mo, "olu@bistro.test", "orderer").await;
    let olu = join_new(&app, &token, "Olu").await;
    assert_eq!(olu.get("/orders").await.status, 200);
    let olu_member = membership_of(&app, "olu@bistro.test");
    let page = mo
        .post(
            &format!("/team/members/{olu_member}/role"),
            &[("role", "viewer")],
        )
        .await;
    assert!(page.redirects_to("/team"));
    assert_eq!(olu.get("/cart").await.status, 404, "a viewer can't order");

    let page = ada
        .browser
        .post(&format!("/team/members/{olu_member}/remove"), &[])
        .await;
    assert!(page.redirects_to("/team"));
    assert_eq!(olu.get("/orders").await.status, 404);
}

#[tokio::test]
async fn a_member_of_two_businesses_switches_between_them() {
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    // Bo invites Ada, who is logged in already: one button joins.
    let token = invite(&app, &bo.browser, "ada@bistro.test", "viewer").await;
    let page = ada.browser.get(&format!("/invites/{token}")).await;
    assert!(page.body.contains("Join Ada"), "{}", page.body);
    let page = ada.browser.post(&format!("/invites/{token}"), &[]).await;
    assert!(page.redirects_to("/buyer"), "{} {}", page.status, page.body);
    // Now acting for Bo's business, as a viewer.
    assert_eq!(ada.browser.get("/cart").await.status, 404);
    let orgs = ada.browser.get("/organisations").await;
    assert_eq!(orgs.status, 200);
    let own = membership_of(&app, "ada@bistro.test");
    let mine: Vec<Uuid> = memberships::table
        .inner_join(users::table)
        .filter(users::email.eq("ada@bistro.test"))
        .order(memberships::created_at)
        .select(memberships::id)
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0], own);
    let page = ada
        .browser
        .post(&format!("/organisations/{}", mine[0]), &[])
        .await;
    assert!(page.redirects_to("/buyer"));
    assert_eq!(ada.browser.get("/cart").await.status, 200, "owner again");
    // Someone else's membership id is not a door.
    let bos = membership_of(&app, "bo@cafe.test");
    assert_eq!(
        ada.browser
            .post(&format!("/organisations/{bos}"), &[])
            .await
            .status,
        404
    );
}

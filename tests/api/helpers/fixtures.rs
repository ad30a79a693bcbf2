//! Accounts made through the real sign-up forms, plus an admin made as the CLI would.

use diesel::prelude::*;
use larder::accounts::{model::AccountType, password, queries};
use uuid::Uuid;

use super::{Browser, TestApp, stripe};

pub const PASSWORD: &str = "tomato-basil-42-oven";

pub struct Buyer {
    pub browser: Browser,
    pub business_id: Uuid,
    pub location_id: Uuid,
}

pub struct Seller {
    pub browser: Browser,
    pub provider_id: Uuid,
}

pub struct Admin {
    pub browser: Browser,
    pub user_id: Uuid,
}

pub fn buyer_form<'a>(email: &'a str, business: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Ada Cook"),
        ("email", email),
        ("password", PASSWORD),
        ("business_name", business),
        ("vat_number", ""),
        ("label", "Main kitchen"),
        ("address_line1", "1 Borough High St"),
        ("address_line2", ""),
        ("city", "London"),
        ("postcode", "se1 9ql"),
        ("delivery_notes", "Back door"),
    ]
}

pub fn provider_form<'a>(email: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Sam Grower"),
        ("email", email),
        ("password", PASSWORD),
        ("provider_name", name),
        ("categories", "fruit_veg"),
        ("categories", "dairy_eggs"),
        ("description", "Seasonal veg from Kent"),
        ("contact_email", ""),
        ("contact_phone", "020 7946 0000"),
        ("address", "Unit 3, Market Yard, London"),
        ("vat_number", ""),
        ("delivery_days", "1"),
        ("delivery_days", "3"),
        ("delivery_days", "5"),
        ("delivery_areas", "SE1, E"),
        ("min_order_value", "50"),
        ("payment_terms_days", "30"),
    ]
}

pub async fn buyer(app: &TestApp, email: &str) -> Buyer {
    let browser = app.browser();
    let page = browser
        .post("/signup/buyer", &buyer_form(email, "Ada's Bistro"))
        .await;
    assert!(
        page.redirects_to("/buyer"),
        "buyer signup: {} {:?}",
        page.status,
        page.location
    );
    let mut conn = app.conn();
    use larder::db::schema::{locations, memberships, users};
    let business_id: Uuid = memberships::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .select(memberships::business_id.assume_not_null())
        .first(&mut conn)
        .expect("membership");
    let location_id = locations::table
        .filter(locations::business_id.eq(business_id))
        .select(locations::id)
        .first(&mut conn)
        .expect("location");
    confirmed(&mut conn, email);
    Buyer {
        browser,
        business_id,
        location_id,
    }
}

/// Most tests want an account that has confirmed its address already (and no confirmation
/// email in the queue); tests/api/verify_email.rs follows the real link instead.
fn confirmed(conn: &mut diesel::PgConnection, email: &str) {
    use larder::db::schema::{jobs, users};
    diesel::update(users::table.filter(users::email.eq(email)))
        .set(users::email_verified_at.eq(Some(time::OffsetDateTime::now_utc())))
        .execute(conn)
        .expect("confirmed");
    diesel::delete(jobs::table.filter(jobs::dedup_key.like("verify:%")))
        .execute(conn)
        .expect("confirmation email dropped");
}

pub async fn seller(app: &TestApp, email: &str, name: &str) -> Seller {
    let browser = app.browser();
    let page = browser
        .post("/signup/provider", &provider_form(email, name))
        .await;
    assert!(
        page.redirects_to("/provider"),
        "provider signup: {} {:?}",
        page.status,
        page.location
    );
    let mut conn = app.conn();
    use larder::db::schema::{memberships, users};
    let provider_id = memberships::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .select(memberships::provider_id.assume_not_null())
        .first(&mut conn)
        .expect("membership");
    confirmed(&mut conn, email);
    // Sellers have finished payout onboarding unless a test says otherwise, so buyers can pay
    // them by card.
    diesel::insert_into(larder::db::schema::payout_accounts::table)
        .values((
            larder::db::schema::payout_accounts::provider_id.eq(provider_id),
            larder::db::schema::payout_accounts::stripe_account_id
                .eq(stripe::connected_account(provider_id)),
            larder::db::schema::payout_accounts::charges_enabled.eq(true),
            larder::db::schema::payout_accounts::payouts_enabled.eq(true),
            larder::db::schema::payout_accounts::details_submitted.eq(true),
        ))
        .execute(&mut conn)
        .expect("payout account");
    Seller {
        browser,
        provider_id,
    }
}

pub async fn admin(app: &TestApp) -> Admin {
    let mut conn = app.conn();
    let hash = password::hash(PASSWORD, app.config.argon2).expect("hash");
    let user_id = queries::insert_user(
        &mut conn,
        "admin@larder.test",
        &hash,
        "Ops",
        AccountType::Admin,
    )
    .expect("admin")
    .0;
    let browser = app.browser();
    let page = login(&browser, "admin@larder.test", PASSWORD).await;
    assert!(page.redirects_to("/admin"), "admin login: {}", page.status);
    Admin { browser, user_id }
}

pub async fn login(browser: &Browser, email: &str, password: &str) -> super::browser::Page {
    browser
        .post(
            "/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
}

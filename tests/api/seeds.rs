//! Demo and scale data load cleanly into a fresh database.

use diesel::prelude::*;
use larder::db::schema::{businesses, locations, products, providers, users};
use larder::seed::{demo, scale};

use crate::helpers::db::TestDatabase;
use crate::helpers::fixtures::login;
use crate::helpers::spawn_app;

#[tokio::test]
async fn demo_data_is_a_small_real_marketplace_and_loads_once() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let logins = demo::load(&mut conn, app.config.argon2)
        .unwrap()
        .expect("first load");
    // Admin, 8 providers, 3 buyers, the group chef, and the line naming the team logins.
    assert_eq!(logins.len(), 14);
    let mut roles: Vec<String> = larder::db::schema::memberships::table
        .select(larder::db::schema::memberships::role)
        .distinct()
        .load(&mut conn)
        .unwrap();
    roles.sort();
    assert_eq!(
        roles,
        ["finance", "manager", "orderer", "owner", "staff", "viewer"],
        "every role has a demo member"
    );
    let group_chef: i64 = larder::db::schema::memberships::table
        .inner_join(larder::db::schema::users::table)
        .filter(larder::db::schema::users::email.eq("groupchef@larder.demo"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(group_chef, 3, "the group chef orders for every demo buyer");
    assert!(
        demo::load(&mut conn, app.config.argon2).unwrap().is_none(),
        "second load is a no-op"
    );

    let per_provider: Vec<(String, i64)> = products::table
        .inner_join(providers::table)
        .group_by(providers::name)
        .select((providers::name, diesel::dsl::count_star()))
        .load(&mut conn)
        .unwrap();
    assert_eq!(per_provider.len(), 8);
    assert!(
        per_provider.iter().all(|(_, n)| *n >= 30),
        "{per_provider:?}"
    );
    let mut outcodes: Vec<String> = locations::table
        .select(locations::outcode)
        .load(&mut conn)
        .unwrap();
    outcodes.sort();
    outcodes.dedup();
    assert_eq!(outcodes.len(), 3);

    let b = app.browser();
    assert!(
        login(&b, "chef@copperpot.demo", demo::PASSWORD)
            .await
            .redirects_to("/buyer")
    );
    let compare = b.get("/compare?q=double+cream").await;
    assert!(compare.body.contains("Wildfield Dairy"));
}

#[test]
fn scale_data_generates_within_the_schema_rules() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    let sizes = scale::ScaleSizes {
        providers: 20,
        products: 500,
        businesses: 30,
        orders: 200,
    };
    let report =
        scale::generate(&mut conn, sizes, "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA").unwrap();
    assert!(
        report.iter().any(|l| l.starts_with("products: 500 rows")),
        "{report:?}"
    );
    let counts: (i64, i64, i64, i64) = (
        providers::table.count().get_result(&mut conn).unwrap(),
        products::table.count().get_result(&mut conn).unwrap(),
        businesses::table.count().get_result(&mut conn).unwrap(),
        users::table.count().get_result(&mut conn).unwrap(),
    );
    assert_eq!(counts, (20, 500, 30, 50));
    use larder::db::schema::{invoices, order_lines, orders};
    let order_count: i64 = orders::table.count().get_result(&mut conn).unwrap();
    let line_count: i64 = order_lines::table.count().get_result(&mut conn).unwrap();
    assert_eq!((order_count, line_count), (200, 1000));
    let mismatched: i64 = orders::table
        .filter(
            orders::total
                .ne(orders::subtotal + orders::vat_total)
                .or(orders::subtotal.le(rust_decimal::Decimal::ZERO)),
        )
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mismatched, 0, "totals come from the lines");
    let invoiced: i64 = invoices::table.count().get_result(&mut conn).unwrap();
    assert!(
        invoiced > 50,
        "most delivered orders are invoiced: {invoiced}"
    );
    assert!(
        scale::generate(&mut conn, sizes, "x").is_err(),
        "refuses to run twice"
    );
    // Every scale provider has its zone, and the benchmark's standing orders are all due on
    // one morning: one sweep places each of them.
    let zones: i64 = larder::db::schema::delivery_zones::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(zones, 20);
    let wednesday = time::macros::date!(2026 - 12 - 02);
    let made = scale::standing_orders(&mut conn, 30, wednesday).unwrap();
    assert!(made.starts_with("standing orders: "), "{made}");
    let standing: i64 = larder::db::schema::standing_orders::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert!(standing > 5, "most businesses find a provider: {standing}");
    let tally = larder::standing::place::place_due(
        &mut conn,
        time::macros::datetime!(2026-12-02 10:30 UTC),
        time::Duration::hours(2),
        "http://127.0.0.1",
    )
    .unwrap();
    assert_eq!(tally.placed as i64, standing, "{tally:?}");
}

//! The route × role matrix. Every route the app registers declares who may use it
//! (`larder::tenancy::access::ROUTES`); this reads the registrations from the source and
//! fails for any undeclared route. Then every member role, on each side, asks for every
//! route its role lacks the permission for, with real ids of its own organisation, and
//! gets 404 with the database unchanged; anonymous visitors are sent to log in.

use std::collections::BTreeSet;

use diesel::prelude::*;
use larder::accounts::model::AccountType;
use larder::accounts::queries as accounts;
use larder::tenancy::access::{Access, ROUTES};
use larder::tenancy::roles::allows;
use larder::tenancy::{Role, Side};
use regex::Regex;
use uuid::Uuid;

use crate::helpers::fixtures::{self, PASSWORD};
use crate::helpers::{Browser, TestApp, spawn_app};

fn registered_routes() -> BTreeSet<(String, String)> {
    let re =
        Regex::new(r#"\.route\(\s*"([^"]+)",\s*web::(get|post|put|patch|delete)\(\)"#).unwrap();
    let mut found = BTreeSet::new();
    let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for c in re.captures_iter(&text) {
                    found.insert((c[2].to_uppercase(), c[1].to_owned()));
                }
            }
        }
    }
    found
}

#[test]
fn every_registered_route_declares_who_may_use_it() {
    let registered = registered_routes();
    assert!(registered.len() > 100, "the source scan finds the routes");
    let declared: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let undeclared: Vec<_> = registered.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "routes with no declared access: {undeclared:?}"
    );
    let gone: Vec<_> = declared.difference(&registered).collect();
    assert!(gone.is_empty(), "declared but not registered: {gone:?}");
    assert_eq!(declared.len(), ROUTES.len(), "each route declared once");
}

/// Real ids of the organisation's own things, for the `{id}` in each path.
struct Ids {
    location: Uuid,
    cart_item: Uuid,
    order: Uuid,
    product: Uuid,
    import: Uuid,
    invoice: Uuid,
    member: Uuid,
    invite: Uuid,
    zone: Uuid,
    closure: Uuid,
    standing: Uuid,
    credit_note: Uuid,
    card: Uuid,
    payout: Uuid,
    credit_request: Uuid,
}

fn fill(path: &str, ids: &Ids, side: Side) -> String {
    let id = if path.contains("credit-requests/") || path.starts_with("/admin/disputes/") {
        ids.credit_request
    } else if path.starts_with("/provider/payouts/") {
        ids.payout
    } else if path.starts_with("/buyer/cards/") {
        ids.card
    } else if path.contains("credit-notes/") {
        ids.credit_note
    } else if path.starts_with("/standing-orders/") {
        ids.standing
    } else if path.starts_with("/provider/delivery/zones") {
        ids.zone
    } else if path.starts_with("/provider/delivery/closures") {
        ids.closure
    } else if path.starts_with("/buyer/locations") {
        ids.location
    } else if path.starts_with("/cart/items") {
        ids.cart_item
    } else if path.contains("/orders/") {
        ids.order
    } else if path.contains("/import/") {
        ids.import
    } else if path.starts_with("/provider/products") {
        ids.product
    } else if path.contains("invoices/") && !path.starts_with("/team") {
        ids.invoice
    } else if path.starts_with("/team/invites") {
        ids.invite
    } else {
        ids.member
    };
    let _ = side;
    path.replace("{id}", &id.to_string())
        .replace("{slug}", "veg-co")
        .replace("{session}", "cs_test_local_x")
        .replace("{outcome}", "success")
        .replace("{photo}", &Uuid::nil().to_string())
}

/// A form any route would accept, so a refusal is about the role, not a malformed body.
const FORM: [(&str, &str); 13] = [
    ("in_stock", "false"),
    ("product_id", "00000000-0000-0000-0000-000000000000"),
    ("quantity", "1"),
    ("reason", "Because"),
    ("email", "someone@else.test"),
    ("role", "viewer"),
    ("date", "2099-01-01"),
    ("received_by", "Chef"),
    ("method", "bank_transfer"),
    ("paid_on", "2026-01-01"),
    ("key", "00000000-0000-0000-0000-000000000000"),
    ("location", "00000000-0000-0000-0000-000000000000"),
    ("label", "x"),
];

/// A credit note against the organisations' invoice (written directly: the matrix is about
/// who may reach it, not how it came to be).
fn credit_note(app: &TestApp, shop: &crate::ordering::Shop, invoice: Uuid) -> Uuid {
    use larder::db::schema::credit_notes as c;
    diesel::insert_into(c::table)
        .values((
            c::provider_id.eq(shop.sam.provider_id),
            c::business_id.eq(shop.ada.business_id),
            c::invoice_id.eq(invoice),
            c::sequence_number.eq(1),
            c::number.eq("CN-000001"),
            c::reason.eq("Matrix"),
            c::kind.eq("credit"),
            c::issue_date.eq(time::macros::date!(2026 - 01 - 01)),
            c::subtotal.eq(rust_decimal::Decimal::ONE),
            c::vat_total.eq(rust_decimal::Decimal::ZERO),
            c::total.eq(rust_decimal::Decimal::ONE),
        ))
        .returning(c::id)
        .get_result(&mut app.conn())
        .unwrap()
}

/// A member of `org` with `role`, logged in.
async fn member(
    app: &TestApp,
    email: &str,
    kind: AccountType,
    org: (Option<Uuid>, Option<Uuid>),
    role: Role,
) -> Browser {
    let mut conn = app.conn();
    let hash = larder::accounts::password::hash(PASSWORD, app.config.argon2).unwrap();
    let user = accounts::insert_user(&mut conn, email, &hash, "Member", kind).unwrap();
    accounts::insert_membership(&mut conn, user, org.0, org.1, role.as_str()).unwrap();
    let b = app.browser();
    let page = fixtures::login(&b, email, PASSWORD).await;
    assert_eq!(page.status, 303, "{email} logs in");
    b
}

#[tokio::test]
async fn every_role_gets_404_wherever_its_role_lacks_the_permission() {
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let order = crate::ordering::place_order(&shop).await;
    let page = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{order}/confirm"), &[])
        .await;
    assert_eq!(page.status, 303);
    let page = shop
        .sam
        .browser
        .post(&format!("/provider/orders/{order}/invoice"), &[])
        .await;
    let invoice = Uuid::parse_str(
        page.location
            .unwrap()
            .trim_start_matches("/provider/invoices/"),
    )
    .unwrap();
    crate::ordering::add(&shop.ada.browser, shop.cream, "1").await;
    let cart_item: Uuid = larder::db::schema::cart_items::table
        .select(larder::db::schema::cart_items::id)
        .first(&mut app.conn())
        .unwrap();
    let import = larder::catalog::queries::stage_import(
        &mut app.conn(),
        larder::ids::ProviderId(shop.sam.provider_id),
        "x.csv",
        &[],
    )
    .unwrap();
    let page = shop
        .ada
        .browser
        .post(
            "/team/invites",
            &[("email", "new@bistro.test"), ("role", "viewer")],
        )
        .await;
    assert!(page.redirects_to("/team"));
    let invite: Uuid = larder::db::schema::invites::table
        .select(larder::db::schema::invites::id)
        .first(&mut app.conn())
        .unwrap();
    let member_of = |email: &str| -> Uuid {
        larder::db::schema::memberships::table
            .inner_join(larder::db::schema::users::table)
            .filter(larder::db::schema::users::email.eq(email))
            .select(larder::db::schema::memberships::id)
            .first(&mut app.conn())
            .unwrap()
    };
    let buyer_ids = Ids {
        location: shop.ada.location_id,
        cart_item,
        order,
        product: shop.cream,
        import,
        invoice,
        member: member_of("ada@bistro.test"),
        invite,
        zone: larder::db::schema::delivery_zones::table
            .select(larder::db::schema::delivery_zones::id)
            .first(&mut app.conn())
            .unwrap(),
        closure: larder::availability::queries::add_closure(
            &mut app.conn(),
            larder::ids::ProviderId(shop.sam.provider_id),
            time::macros::date!(2030 - 01 - 01),
            time::macros::date!(2030 - 01 - 01),
            "",
        )
        .unwrap(),
        standing: larder::standing::queries::create(
            &mut app.conn(),
            larder::ids::BusinessId(shop.ada.business_id),
            larder::db::schema::users::table
                .filter(larder::db::schema::users::email.eq("ada@bistro.test"))
                .select(larder::db::schema::users::id)
                .first(&mut app.conn())
                .unwrap(),
            &larder::standing::queries::NewStanding {
                provider_id: shop.sam.provider_id,
                location_id: shop.ada.location_id,
                weekdays: vec![3],
                every_weeks: 1,
                starts_on: time::macros::date!(2030 - 01 - 01),
                ends_on: None,
                window_start: None,
                notes: String::new(),
                lines: vec![(shop.cream, rust_decimal::Decimal::ONE)],
            },
        )
        .unwrap(),
        credit_note: credit_note(&app, &shop, invoice),
        card: {
            use larder::db::schema::saved_cards as c;
            diesel::insert_into(c::table)
                .values((
                    c::business_id.eq(shop.ada.business_id),
                    c::payment_method_id.eq("pm_matrix"),
                    c::brand.eq("visa"),
                    c::last4.eq("4242"),
                    c::exp_month.eq(1),
                    c::exp_year.eq(2040),
                    c::is_default.eq(true),
                ))
                .returning(c::id)
                .get_result(&mut app.conn())
                .unwrap()
        },
        payout: {
            use larder::db::schema::payouts as p;
            diesel::insert_into(p::table)
                .values((
                    p::provider_id.eq(shop.sam.provider_id),
                    p::stripe_payout_id.eq("po_matrix"),
                    p::amount.eq(rust_decimal::Decimal::ONE),
                    p::status.eq("paid"),
                    p::arrival_date.eq(time::macros::date!(2030 - 01 - 01)),
                ))
                .returning(p::id)
                .get_result(&mut app.conn())
                .unwrap()
        },
        credit_request: {
            use larder::db::schema::credit_requests as c;
            diesel::insert_into(c::table)
                .values((
                    c::order_id.eq(order),
                    c::business_id.eq(shop.ada.business_id),
                    c::provider_id.eq(shop.sam.provider_id),
                    c::amount.eq(rust_decimal::Decimal::ONE),
                    c::idempotency_key.eq(Uuid::now_v7()),
                ))
                .returning(c::id)
                .get_result(&mut app.conn())
                .unwrap()
        },
    };
    let provider_ids = Ids {
        member: member_of("sam@veg.test"),
        ..buyer_ids
    };

    let mut checked = 0;
    let mut wrong = Vec::new();
    for (side, kind, org, ids) in [
        (
            Side::Buyer,
            AccountType::Buyer,
            (Some(shop.ada.business_id), None),
            &buyer_ids,
        ),
        (
            Side::Provider,
            AccountType::Provider,
            (None, Some(shop.sam.provider_id)),
            &provider_ids,
        ),
    ] {
        for &role in Role::for_side(side) {
            if role == Role::Owner {
                continue; // owners hold every permission of their side
            }
            let email = format!("{}-{:?}@matrix.test", role.as_str(), side).to_lowercase();
            let b = member(&app, &email, kind, org, role).await;
            for route in ROUTES {
                let needed = match (route.access, side) {
                    (Access::Buyer(p), Side::Buyer) | (Access::Provider(p), Side::Provider) => p,
                    (Access::Member(p), _) => p,
                    _ => continue,
                };
                if allows(side, role, needed) {
                    continue;
                }
                let path = fill(route.path, ids, side);
                let before = crate::tenancy::fingerprint(&app);
                let status = match (route.method, route.path) {
                    ("GET", _) => b.get(&path).await.status,
                    // The CSV upload is a multipart form, as the browser sends it.
                    (_, "/provider/products/import" | "/provider/customer-prices/import") => {
                        let form = reqwest::multipart::Form::new()
                            .text("csrf_token", b.csrf().await)
                            .part(
                                "file",
                                reqwest::multipart::Part::bytes(b"sku,name\n".to_vec())
                                    .file_name("x.csv"),
                            );
                        let res = b.client.post(b.url(&path)).multipart(form).send().await;
                        res.unwrap().status()
                    }
                    _ => b.post(&path, &FORM).await.status,
                };
                if status != 404 {
                    wrong.push(format!(
                        "{role:?} ({side:?}) {} {path}: {status}",
                        route.method
                    ));
                }
                assert_eq!(
                    crate::tenancy::fingerprint(&app),
                    before,
                    "{role:?} {path} changed data"
                );
                checked += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "not refused with 404: {wrong:#?}");
    assert!(checked > 60, "only {checked} refusals checked");

    // Anonymous visitors are sent to log in for everything but public routes.
    let anonymous = app.browser();
    for route in ROUTES.iter().filter(|r| r.method == "GET") {
        if matches!(
            route.access,
            Access::Public | Access::Signed | Access::TestOnly | Access::Token
        ) {
            continue;
        }
        let page = anonymous
            .get(
                &fill(route.path, &buyer_ids, Side::Buyer)
                    .replace("{entity}", "users")
                    .replace("{token}", "x"),
            )
            .await;
        assert!(
            page.status == 303
                && page
                    .location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/login")),
            "anonymous GET {}: {}",
            route.path,
            page.status
        );
    }
}

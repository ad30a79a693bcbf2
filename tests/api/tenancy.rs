//! The cross-tenant matrix: every route that takes an id, requested by another tenant and
//! by the wrong kind of user, answers 404 and changes nothing; the owner gets through, so
//! the 404s are about who asks, not a wrong path. Later slices add their routes here.

use diesel::prelude::*;
use diesel::sql_types::Text;
use larder::catalog::model::ProductInput;
use larder::catalog::queries as catalog;
use larder::ids::ProviderId;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::fixtures::{self, Admin, Buyer, Seller};
use crate::helpers::{Browser, TestApp, spawn_app};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Method {
    Get,
    Post,
}

struct IdRoute {
    method: Method,
    path: String,
    form: Vec<(&'static str, &'static str)>,
}

fn get(path: String) -> IdRoute {
    IdRoute {
        method: Method::Get,
        path,
        form: vec![],
    }
}

fn post(path: String, form: &[(&'static str, &'static str)]) -> IdRoute {
    IdRoute {
        method: Method::Post,
        path,
        form: form.to_vec(),
    }
}

struct World {
    ada: Buyer,
    bo: Buyer,
    sam: Seller,
    kim: Seller,
    admin: Admin,
    /// One of Sam's products and one of Sam's staged imports.
    product: Uuid,
    import: Uuid,
}

async fn world(app: &TestApp) -> World {
    let sam = fixtures::seller(app, "sam@veg.test", "Veg Co").await;
    let input = ProductInput {
        sku: "VEG-1".into(),
        name: "Leeks".into(),
        description: String::new(),
        category: "fruit_veg".into(),
        unit: "kg".into(),
        pack_size: String::new(),
        fractional: true,
        price: Decimal::new(240, 2),
        vat_rate: Decimal::ZERO,
        in_stock: true,
        active: true,
    };
    let provider = ProviderId(sam.provider_id);
    let product = catalog::insert(&mut app.conn(), provider, &input).unwrap();
    let import = catalog::stage_import(&mut app.conn(), provider, "veg.csv", &[input]).unwrap();
    World {
        ada: fixtures::buyer(app, "ada@bistro.test").await,
        bo: fixtures::buyer(app, "bo@cafe.test").await,
        kim: fixtures::seller(app, "kim@fish.test", "Fish Co").await,
        admin: fixtures::admin(app).await,
        sam,
        product,
        import,
    }
}

const LOCATION: [(&str, &str); 5] = [
    ("label", "Taken over"),
    ("address_line1", "1 Evil St"),
    ("city", "London"),
    ("postcode", "N1 9GU"),
    ("delivery_notes", ""),
];

/// Routes owned by Ada (a buyer).
fn buyer_routes(w: &World) -> Vec<IdRoute> {
    let loc = w.ada.location_id;
    vec![
        get(format!("/buyer/locations/{loc}/edit")),
        post(format!("/buyer/locations/{loc}"), &LOCATION),
        post(format!("/buyer/locations/{loc}/default"), &[]),
    ]
}

/// Routes owned by Sam (a provider): his product and his staged import.
fn provider_routes(w: &World) -> Vec<IdRoute> {
    let (p, i) = (w.product, w.import);
    vec![
        get(format!("/provider/products/{p}/edit")),
        post(format!("/provider/products/{p}"), &PRODUCT),
        post(
            format!("/provider/products/{p}/stock"),
            &[("in_stock", "false")],
        ),
        get(format!("/provider/products/{p}/delete")),
        post(format!("/provider/products/import/{i}/apply"), &[]),
        // Last: the owner's delete removes the product the routes above use.
        post(format!("/provider/products/{p}/delete"), &[]),
    ]
}

const PRODUCT: [(&str, &str); 8] = [
    ("sku", "VEG-1"),
    ("name", "Stolen leeks"),
    ("category", "fruit_veg"),
    ("unit", "kg"),
    ("price", "0.01"),
    ("vat_rate", "0"),
    ("in_stock", "on"),
    ("active", "on"),
];

/// Routes only an admin may use (ids of Ada's account, business and Sam's provider).
fn admin_routes(w: &World) -> Vec<IdRoute> {
    let (biz, prov) = (w.ada.business_id, w.sam.provider_id);
    vec![
        get(format!("/admin/businesses/{biz}/status?to=suspended")),
        post(
            format!("/admin/businesses/{biz}/status"),
            &[("status", "suspended")],
        ),
        get(format!("/admin/providers/{prov}/status?to=suspended")),
        post(
            format!("/admin/providers/{prov}/status"),
            &[("status", "suspended")],
        ),
    ]
}

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    digest: String,
}

/// A fingerprint of every tenant table, to prove a refused request wrote nothing.
fn fingerprint(app: &TestApp) -> String {
    let tables = [
        "users",
        "businesses",
        "locations",
        "providers",
        "memberships",
        "status_changes",
        "jobs",
    ];
    let parts: Vec<String> = tables
        .iter()
        .map(|t| {
            format!(
                "(SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {t} x)"
            )
        })
        .collect();
    let sql = format!("SELECT {} AS digest", parts.join(" || "));
    diesel::sql_query(sql)
        .get_result::<Digest>(&mut app.conn())
        .unwrap()
        .digest
}

async fn send(b: &Browser, route: &IdRoute) -> reqwest::StatusCode {
    match route.method {
        Method::Get => b.get(&route.path).await.status,
        Method::Post => b.post(&route.path, &route.form).await.status,
    }
}

async fn check(
    app: &TestApp,
    routes: Vec<IdRoute>,
    outsiders: &[(&str, &Browser)],
    owner: &Browser,
) {
    for route in &routes {
        for (who, browser) in outsiders {
            let before = fingerprint(app);
            let status = send(browser, route).await;
            assert_eq!(status, 404, "{who} {:?} {}", route.method, route.path);
            assert_eq!(
                fingerprint(app),
                before,
                "{who} {:?} {} changed data",
                route.method,
                route.path
            );
        }
    }
    for route in &routes {
        let status = send(owner, route).await;
        assert!(
            status == 200 || status == 303,
            "owner {:?} {}: {status}",
            route.method,
            route.path
        );
    }
}

#[tokio::test]
async fn buyer_id_routes_answer_404_to_other_tenants_and_other_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let outsiders = [
        ("other buyer", &w.bo.browser),
        ("provider", &w.sam.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, buyer_routes(&w), &outsiders, &w.ada.browser).await;
}

#[tokio::test]
async fn provider_id_routes_answer_404_to_other_providers_and_other_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let outsiders = [
        ("other provider", &w.kim.browser),
        ("buyer", &w.ada.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, provider_routes(&w), &outsiders, &w.sam.browser).await;
}

#[tokio::test]
async fn admin_id_routes_answer_404_to_everyone_else() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let outsiders = [
        ("buyer", &w.ada.browser),
        ("other buyer", &w.bo.browser),
        ("provider", &w.sam.browser),
    ];
    check(&app, admin_routes(&w), &outsiders, &w.admin.browser).await;
}

#[tokio::test]
async fn role_areas_without_ids_are_404_for_other_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    for (who, b, paths) in [
        (
            "provider",
            &w.sam.browser,
            vec!["/buyer", "/buyer/locations/new", "/admin/users"],
        ),
        (
            "buyer",
            &w.ada.browser,
            vec!["/provider", "/admin", "/admin/users"],
        ),
        (
            "admin",
            &w.admin.browser,
            vec![
                "/buyer",
                "/provider",
                "/discover",
                "/compare",
                "/providers/veg-co",
            ],
        ),
        (
            "provider",
            &w.kim.browser,
            vec!["/discover", "/compare", "/providers/veg-co"],
        ),
    ] {
        for path in paths {
            assert_eq!(b.get(path).await.status, 404, "{who} {path}");
        }
    }
}

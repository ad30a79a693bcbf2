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

pub struct IdRoute {
    method: Method,
    path: String,
    form: Vec<(&'static str, &'static str)>,
}

pub fn get(path: String) -> IdRoute {
    IdRoute {
        method: Method::Get,
        path,
        form: vec![],
    }
}

pub fn post(path: String, form: &[(&'static str, &'static str)]) -> IdRoute {
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
    /// Two of Ada's orders from Sam, and an item in Ada's cart.
    order: Uuid,
    order_to_reject: Uuid,
    cart_item: Uuid,
    /// A second, non-default address of Ada's (the default can't be deleted).
    spare_location: Uuid,
}

impl World {
    fn sam_provider(&self) -> Uuid {
        self.sam.provider_id
    }
}

async fn order_leeks(buyer: &Browser, product: Uuid) -> Uuid {
    crate::ordering::add(buyer, product, "25").await;
    let (key, date, location) = crate::ordering::checkout_form(buyer).await;
    let page = crate::ordering::submit(buyer, &key, &date, &location).await;
    assert_eq!(page.status, 303, "{}", page.body);
    Uuid::parse_str(page.location.unwrap().trim_start_matches("/orders/")).unwrap()
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
    let ada = fixtures::buyer(app, "ada@bistro.test").await;
    let order = order_leeks(&ada.browser, product).await;
    let order_to_reject = order_leeks(&ada.browser, product).await;
    crate::ordering::add(&ada.browser, product, "2").await;
    let cart_item = larder::db::schema::cart_items::table
        .select(larder::db::schema::cart_items::id)
        .first(&mut app.conn())
        .unwrap();
    let spare = ada.browser.post("/buyer/locations", &LOCATION).await;
    assert!(spare.redirects_to("/buyer"), "{}", spare.status);
    let spare_location = larder::db::schema::locations::table
        .filter(larder::db::schema::locations::business_id.eq(ada.business_id))
        .filter(larder::db::schema::locations::is_default.eq(false))
        .select(larder::db::schema::locations::id)
        .first(&mut app.conn())
        .unwrap();
    World {
        ada,
        bo: fixtures::buyer(app, "bo@cafe.test").await,
        kim: fixtures::seller(app, "kim@fish.test", "Fish Co").await,
        admin: fixtures::admin(app).await,
        sam,
        product,
        import,
        order,
        order_to_reject,
        cart_item,
        spare_location,
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
        // Last: the owner's delete archives the spare address (the default can't go).
        post(format!("/buyer/locations/{}/delete", w.spare_location), &[]),
    ]
}

/// Routes owned by Ada (a buyer) about her orders and cart.
fn buyer_order_routes(w: &World) -> Vec<IdRoute> {
    let (o, item) = (w.order, w.cart_item);
    vec![
        get(format!("/orders/{o}")),
        get(format!("/orders/{o}/status")),
        // With a version the poll reads only that first; it must be scoped too.
        get(format!("/orders/{o}/status?v=0")),
        post(format!("/orders/{o}/reorder"), &[]),
        post(format!("/cart/items/{item}"), &[("quantity", "3")]),
        post(format!("/cart/items/{item}/remove"), &[]),
        post(format!("/orders/{o}/cancel"), &[]),
    ]
}

/// Routes owned by Sam about the orders he received; in the order the owner can run them.
fn provider_order_routes(w: &World) -> Vec<IdRoute> {
    let (o, r) = (w.order, w.order_to_reject);
    vec![
        get(format!("/provider/orders/{o}")),
        get(format!("/provider/orders/{o}/status")),
        // With a version the poll reads only that first; it must be scoped too.
        get(format!("/provider/orders/{o}/status?v=0")),
        post(format!("/provider/orders/{o}/confirm"), &[]),
        post(
            format!("/provider/orders/{o}/schedule"),
            &[("date", "2099-01-01")],
        ),
        post(format!("/provider/orders/{o}/dispatch"), &[]),
        post(
            format!("/provider/orders/{o}/deliver"),
            &[("received_by", "Chef")],
        ),
        post(
            format!("/provider/orders/{r}/reject"),
            &[("reason", "Closed")],
        ),
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
fn admin_routes(w: &World, ada_user: Uuid) -> Vec<IdRoute> {
    let (biz, prov) = (w.ada.business_id, w.sam.provider_id);
    vec![
        get(format!("/admin/users/{ada_user}/status?to=suspended")),
        post(
            format!("/admin/users/{ada_user}/status"),
            &[("status", "suspended")],
        ),
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
pub fn fingerprint(app: &TestApp) -> String {
    let tables = [
        "users",
        "businesses",
        "locations",
        "providers",
        "memberships",
        "status_changes",
        "jobs",
        "products",
        "catalog_imports",
        "carts",
        "cart_items",
        "orders",
        "order_lines",
        "order_events",
        "deliveries",
        "invoices",
        "invoice_lines",
        "provider_invoice_counters",
        "payments",
        "stripe_events",
        "password_reset_tokens",
        "invites",
        "audit_log",
        "login_attempts",
        "delivery_zones",
        "delivery_windows",
        "provider_closures",
        "standing_orders",
        "standing_order_lines",
        "standing_order_occurrences",
        "refunds",
        "credit_notes",
        "order_receipts",
        "order_receipt_lines",
        "credit_requests",
        "credit_request_lines",
        "credit_request_messages",
        "order_ratings",
        "notifications",
        "guide_items",
        "customer_prices",
        "buyer_groups",
        "buyer_group_members",
        "favourite_providers",
        "favourite_products",
        "plans",
        "fee_rules",
        "provider_plans",
        "plan_subscriptions",
        "fee_invoices",
        "fee_invoice_lines",
        "report_runs",
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

pub async fn check(
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
async fn buyer_order_and_cart_routes_answer_404_to_other_tenants_and_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let outsiders = [
        ("other buyer", &w.bo.browser),
        ("provider", &w.sam.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, buyer_order_routes(&w), &outsiders, &w.ada.browser).await;
}

#[tokio::test]
async fn provider_order_routes_answer_404_to_other_providers_and_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let outsiders = [
        ("other provider", &w.kim.browser),
        ("buyer", &w.ada.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, provider_order_routes(&w), &outsiders, &w.sam.browser).await;
}

#[tokio::test]
async fn checkout_with_another_businesss_location_is_404_and_orders_nothing() {
    let app = spawn_app().await;
    let w = world(&app).await;
    crate::ordering::add(&w.bo.browser, w.product, "25").await;
    let (key, date, _) = crate::ordering::checkout_form(&w.bo.browser).await;
    let before = fingerprint(&app);
    let page =
        crate::ordering::submit(&w.bo.browser, &key, &date, &w.ada.location_id.to_string()).await;
    assert_eq!(page.status, 404);
    assert_eq!(fingerprint(&app), before);
}

#[tokio::test]
async fn invoice_routes_answer_404_to_other_tenants_and_roles() {
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let (order, invoice) = crate::invoicing::drafted(&app, &shop).await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let admin = fixtures::admin(&app).await;
    let provider_routes = vec![
        get(format!("/provider/invoices/{invoice}")),
        post(
            format!("/provider/invoices/{invoice}"),
            &[("delivery_price", "5.00")],
        ),
        post(format!("/provider/invoices/{invoice}/issue"), &[]),
        post(format!("/provider/orders/{order}/invoice"), &[]),
        post(
            format!("/provider/invoices/{invoice}/void"),
            &[("reason", "Test")],
        ),
    ];
    let outsiders = [
        ("other provider", &kim.browser),
        ("buyer", &shop.ada.browser),
        ("admin", &admin.browser),
    ];
    check(&app, provider_routes, &outsiders, &shop.sam.browser).await;
    let outsiders = [
        ("other buyer", &bo.browser),
        ("provider", &shop.sam.browser),
        ("admin", &admin.browser),
    ];
    check(
        &app,
        vec![get(format!("/invoices/{invoice}"))],
        &outsiders,
        &shop.ada.browser,
    )
    .await;
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
    let ada_user: Uuid = larder::db::schema::users::table
        .filter(larder::db::schema::users::email.eq("ada@bistro.test"))
        .select(larder::db::schema::users::id)
        .first(&mut app.conn())
        .unwrap();
    check(
        &app,
        admin_routes(&w, ada_user),
        &outsiders,
        &w.admin.browser,
    )
    .await;
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

/// Paying: the payment region, "Pay", and the local test checkout with its outcomes. A
/// refused request must not reserve a payment or record an event (both are fingerprinted).
#[tokio::test]
async fn payment_routes_answer_404_to_other_tenants_and_roles() {
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let (_, invoice) = crate::invoicing::drafted(&app, &shop).await;
    let issued = shop
        .sam
        .browser
        .post(&format!("/provider/invoices/{invoice}/issue"), &[])
        .await;
    assert_eq!(issued.status, 303);
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    let session = pay
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/pay/test/"))
        .expect("the local test checkout")
        .to_owned();
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let admin = fixtures::admin(&app).await;
    let routes = vec![
        get(format!("/invoices/{invoice}/payment")),
        post(format!("/invoices/{invoice}/pay"), &[]),
        get(format!("/pay/test/{session}")),
        // Last: the owner's payment settles the invoice.
        post(format!("/pay/test/{session}/pay"), &[]),
    ];
    let outsiders = [
        ("other buyer", &bo.browser),
        ("the invoicing provider", &shop.sam.browser),
        ("other provider", &kim.browser),
        ("admin", &admin.browser),
    ];
    check(&app, routes, &outsiders, &shop.ada.browser).await;
    let fail = post(format!("/pay/test/{session}/fail"), &[]);
    for (who, browser) in outsiders {
        let before = fingerprint(&app);
        assert_eq!(send(browser, &fail).await, 404, "{who}");
        assert_eq!(fingerprint(&app), before, "{who}");
    }
}

/// Recording an offline payment is the invoicing provider's alone.
#[tokio::test]
async fn recording_an_offline_payment_answers_404_to_everyone_else() {
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let invoice = crate::payments::issued(&app, &shop).await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let admin = fixtures::admin(&app).await;
    let today = larder::timefmt::london_today().to_string();
    let today: &'static str = Box::leak(today.into_boxed_str());
    let routes = vec![post(
        format!("/provider/invoices/{invoice}/paid"),
        &[
            ("method", "cheque"),
            ("paid_on", today),
            ("reference", "CHQ 1"),
        ],
    )];
    let outsiders = [
        ("other provider", &kim.browser),
        ("the buyer", &shop.ada.browser),
        ("admin", &admin.browser),
    ];
    check(&app, routes, &outsiders, &shop.sam.browser).await;
}

/// A member whose role lacks a permission gets 404 on the routes that need it, and can still
/// use what the role allows (one route each way per context).
#[tokio::test]
async fn a_role_without_the_permission_gets_404_and_changes_nothing() {
    use larder::db::schema::memberships;
    let app = spawn_app().await;
    let w = world(&app).await;
    diesel::update(memberships::table.filter(memberships::business_id.eq(w.ada.business_id)))
        .set(memberships::role.eq("viewer"))
        .execute(&mut app.conn())
        .unwrap();
    diesel::update(memberships::table.filter(memberships::provider_id.eq(w.sam.provider_id)))
        .set(memberships::role.eq("staff"))
        .execute(&mut app.conn())
        .unwrap();
    let refused = [
        (
            &w.ada.browser,
            post(format!("/cart/items/{}", w.cart_item), &[("quantity", "5")]),
        ),
        (
            &w.ada.browser,
            post(format!("/orders/{}/cancel", w.order), &[]),
        ),
        (
            &w.sam.browser,
            post(format!("/provider/orders/{}/confirm", w.order), &[]),
        ),
        (
            &w.sam.browser,
            post(format!("/provider/products/{}", w.product), &PRODUCT),
        ),
    ];
    for (browser, route) in &refused {
        let before = fingerprint(&app);
        assert_eq!(send(browser, route).await, 404, "{}", route.path);
        assert_eq!(fingerprint(&app), before, "{}", route.path);
    }
    assert_eq!(
        w.ada
            .browser
            .get(&format!("/orders/{}", w.order))
            .await
            .status,
        200
    );
    assert_eq!(
        w.sam
            .browser
            .get(&format!("/provider/orders/{}", w.order))
            .await
            .status,
        200,
        "a dispatcher sees orders"
    );
}

/// The team's id routes: a member's role and removal, an invite's withdrawal. Another
/// business, a provider and an admin get 404 and change nothing; the owner gets through.
#[tokio::test]
async fn team_id_routes_answer_404_to_other_tenants_and_other_roles() {
    use larder::accounts::model::AccountType;
    use larder::accounts::queries as accounts;
    use larder::db::schema::invites;
    let app = spawn_app().await;
    let ada = fixtures::buyer(&app, "ada@bistro.test").await;
    let page = ada
        .browser
        .post(
            "/team/invites",
            &[("email", "vic@bistro.test"), ("role", "viewer")],
        )
        .await;
    assert!(page.redirects_to("/team"), "{}", page.status);
    let invite: Uuid = invites::table
        .select(invites::id)
        .first(&mut app.conn())
        .unwrap();
    let mut conn = app.conn();
    let olu = accounts::insert_user(&mut conn, "olu@bistro.test", "x", "Olu", AccountType::Buyer)
        .unwrap();
    accounts::insert_membership(&mut conn, olu, Some(ada.business_id), None, "orderer").unwrap();
    let member: Uuid = larder::db::schema::memberships::table
        .filter(larder::db::schema::memberships::user_id.eq(olu.0))
        .select(larder::db::schema::memberships::id)
        .first(&mut conn)
        .unwrap();
    let bo = fixtures::buyer(&app, "bo@cafe.test").await;
    let sam = fixtures::seller(&app, "sam@veg.test", "Veg Co").await;
    let admin = fixtures::admin(&app).await;
    let routes = vec![
        post(
            format!("/team/members/{member}/role"),
            &[("role", "viewer")],
        ),
        post(format!("/team/invites/{invite}/revoke"), &[]),
        // Last: the owner's removal ends the membership the routes above use.
        post(format!("/team/members/{member}/remove"), &[]),
    ];
    let outsiders = [
        ("other buyer", &bo.browser),
        ("provider", &sam.browser),
        ("admin", &admin.browser),
    ];
    check(&app, routes, &outsiders, &ada.browser).await;
}

/// The sockets that keep an order or invoice page current. Owners reach the socket itself (a
/// plain GET is told it isn't a page: 400); everyone else gets 404 before any socket opens.
#[tokio::test]
async fn live_id_routes_answer_404_to_other_tenants_and_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let o = w.order;
    // Sam confirms Ada's order and invoices it.
    let sam = &w.sam.browser;
    assert_eq!(
        sam.post(&format!("/provider/orders/{o}/confirm"), &[])
            .await
            .status,
        303
    );
    let created = sam
        .post(&format!("/provider/orders/{o}/invoice"), &[])
        .await;
    assert_eq!(created.status, 303);
    let invoice = created
        .location
        .unwrap_or_default()
        .trim_start_matches("/provider/invoices/")
        .to_owned();
    let issue = format!("/provider/invoices/{invoice}/issue");
    assert_eq!(sam.post(&issue, &[]).await.status, 303);
    type Outsiders<'a> = Vec<(&'a str, &'a Browser)>;
    let cases: Vec<(String, Outsiders, &Browser)> = vec![
        (
            format!("/orders/{o}/live"),
            vec![
                ("other buyer", &w.bo.browser),
                ("provider", &w.sam.browser),
                ("admin", &w.admin.browser),
            ],
            &w.ada.browser,
        ),
        (
            format!("/provider/orders/{o}/live"),
            vec![
                ("other provider", &w.kim.browser),
                ("buyer", &w.ada.browser),
                ("admin", &w.admin.browser),
            ],
            &w.sam.browser,
        ),
        (
            format!("/invoices/{invoice}/live"),
            vec![
                ("other buyer", &w.bo.browser),
                ("provider", &w.sam.browser),
                ("admin", &w.admin.browser),
            ],
            &w.ada.browser,
        ),
        (
            format!("/provider/invoices/{invoice}/live"),
            vec![
                ("other provider", &w.kim.browser),
                ("buyer", &w.ada.browser),
                ("admin", &w.admin.browser),
            ],
            &w.sam.browser,
        ),
    ];
    for (path, outsiders, owner) in cases {
        for (who, browser) in outsiders {
            let before = fingerprint(&app);
            assert_eq!(browser.get(&path).await.status, 404, "{who} GET {path}");
            assert_eq!(fingerprint(&app), before, "{who} GET {path} changed data");
        }
        assert_eq!(owner.get(&path).await.status, 400, "owner GET {path}");
    }
}

#[tokio::test]
async fn order_guide_routes_answer_404_to_other_tenants_and_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Form values are static in the matrix; the location is this run's, so it lives as long.
    let location: &'static str = Box::leak(w.ada.location_id.to_string().into_boxed_str());
    let product: &'static str = Box::leak(w.product.to_string().into_boxed_str());
    let p = w.product;
    let routes = vec![
        get(format!("/guide?location={location}")),
        post(
            "/guide".into(),
            &[("location", location), ("intent", "pars")],
        ),
        post(
            "/guide/items".into(),
            &[("product_id", product), ("location", location)],
        ),
        post(
            format!("/guide/items/{p}/remove"),
            &[("location", location)],
        ),
        post(
            format!("/guide/items/{p}/restore"),
            &[("location", location)],
        ),
    ];
    let outsiders = [
        ("other buyer", &w.bo.browser),
        ("provider", &w.sam.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, routes, &outsiders, &w.ada.browser).await;
}

#[tokio::test]
async fn customer_price_routes_answer_404_to_other_providers_and_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // Ada has ordered from Sam, so Sam prices her and puts her in a group.
    let ada = format!("b:{}", w.ada.business_id);
    let sam = &w.sam.browser;
    let priced = sam
        .post(
            "/provider/customer-prices",
            &[("sku", "VEG-1"), ("buyer", &ada), ("price", "2.00")],
        )
        .await;
    assert_eq!(priced.status, 303, "{}", priced.body);
    assert_eq!(
        sam.post("/provider/buyer-groups", &[("name", "Trade")])
            .await
            .status,
        303
    );
    let mut conn = app.conn();
    use larder::db::schema::{buyer_groups, customer_prices};
    let price: Uuid = customer_prices::table
        .select(customer_prices::id)
        .first(&mut conn)
        .unwrap();
    let group: Uuid = buyer_groups::table
        .select(buyer_groups::id)
        .first(&mut conn)
        .unwrap();
    let business: &'static str = Box::leak(w.ada.business_id.to_string().into_boxed_str());
    let b = w.ada.business_id;
    let routes = vec![
        post(
            format!("/provider/buyer-groups/{group}/members"),
            &[("business", business)],
        ),
        post(
            format!("/provider/buyer-groups/{group}/members/{b}/remove"),
            &[],
        ),
        post(format!("/provider/customer-prices/{price}/remove"), &[]),
    ];
    let outsiders = [
        ("other provider", &w.kim.browser),
        ("buyer", &w.ada.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, routes, &outsiders, &w.sam.browser).await;
}

#[tokio::test]
async fn favourite_routes_answer_404_to_providers_and_admins() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The ids are public listings; what is private is the starring business's own list, so
    // the outsiders here are the other kinds of user (another buyer stars for itself, as
    // tests/api/favourites.rs shows).
    let (provider, product) = (w.sam_provider(), w.product);
    let routes = vec![
        post(
            format!("/favourites/providers/{provider}"),
            &[("favourite", "1")],
        ),
        post(
            format!("/favourites/products/{product}"),
            &[("favourite", "1")],
        ),
    ];
    let outsiders = [
        ("provider", &w.sam.browser),
        ("other provider", &w.kim.browser),
        ("admin", &w.admin.browser),
    ];
    check(&app, routes, &outsiders, &w.ada.browser).await;
}

#[tokio::test]
async fn plan_routes_answer_404_to_other_providers_and_roles() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin_id: Uuid = larder::db::schema::users::table
        .filter(larder::db::schema::users::account_type.eq("admin"))
        .select(larder::db::schema::users::id)
        .first(&mut app.conn())
        .unwrap();
    let plan = larder::plans::queries::create(
        &mut app.conn(),
        &larder::plans::queries::NewPlan {
            name: "Pro",
            monthly_price: rust_decimal::Decimal::new(19, 0),
            featured: true,
            by: admin_id,
        },
    )
    .unwrap()
    .unwrap();
    let go = w
        .sam
        .browser
        .post("/provider/plan", &[("plan_id", &plan.to_string())])
        .await;
    let checkout = go.location.clone().unwrap_or_default();
    assert!(checkout.starts_with("/provider/plan/test/"), "{checkout}");
    let outsiders = [
        ("other provider", &w.kim.browser),
        ("buyer", &w.ada.browser),
        ("admin", &w.admin.browser),
    ];
    let routes = vec![get(checkout.clone()), post(format!("{checkout}/pay"), &[])];
    check(&app, routes, &outsiders, &w.sam.browser).await;

    let outsiders = [("buyer", &w.ada.browser), ("provider", &w.sam.browser)];
    let routes = vec![
        get(format!("/admin/plans/{plan}")),
        post(format!("/admin/plans/{plan}/rules"), &[("percent", "1")]),
    ];
    check(&app, routes, &outsiders, &w.admin.browser).await;
    // A plan id that doesn't exist is a 404 for the admin too, and changes nothing.
    let before = fingerprint(&app);
    let missing = Uuid::now_v7();
    let page = w
        .admin
        .browser
        .get(&format!("/admin/plans/{missing}"))
        .await;
    assert_eq!(page.status, 404);
    let add = w
        .admin
        .browser
        .post(
            &format!("/admin/plans/{missing}/rules"),
            &[("percent", "1")],
        )
        .await;
    assert_eq!(add.status, 404);
    let choose = w
        .sam
        .browser
        .post("/provider/plan", &[("plan_id", &missing.to_string())])
        .await;
    assert_eq!(choose.status, 404);
    assert_eq!(fingerprint(&app), before);
}

#[tokio::test]
async fn fee_invoice_routes_answer_404_to_other_providers_and_roles() {
    use larder::db::schema::fee_invoices;
    use time::macros::datetime;
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let invoice = crate::payments::issued(&app, &shop).await;
    crate::fee_invoices::journal_fee(
        &app,
        invoice,
        datetime!(2026-10-15 12:00 UTC),
        "1.00",
        "0.20",
    );
    crate::fee_invoices::run_job(&app, datetime!(2026-11-01 10:00 UTC));
    let id: Uuid = fee_invoices::table
        .select(fee_invoices::id)
        .first(&mut app.conn())
        .unwrap();
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    let admin = fixtures::admin(&app).await;
    let outsiders = [
        ("other provider", &kim.browser),
        ("buyer", &shop.ada.browser),
        ("admin", &admin.browser),
    ];
    let routes = vec![get(format!("/provider/fee-invoices/{id}"))];
    check(&app, routes, &outsiders, &shop.sam.browser).await;
    let outsiders = [
        ("buyer", &shop.ada.browser),
        ("provider", &shop.sam.browser),
    ];
    let routes = vec![get(format!("/admin/fee-invoices/{id}"))];
    check(&app, routes, &outsiders, &admin.browser).await;
}

#[tokio::test]
async fn export_routes_answer_404_to_other_owners_and_roles() {
    use larder::db::schema::report_runs;
    let app = spawn_app().await;
    let shop = crate::ordering::shop(&app).await;
    let admin = fixtures::admin(&app).await;
    let kim = fixtures::seller(&app, "kim@fish.test", "Fish Co").await;
    crate::payments::issued(&app, &shop).await;
    let day = larder::timefmt::to_london(time::OffsetDateTime::now_utc())
        .date()
        .to_string();
    for (browser, base, kind) in [
        (&shop.sam.browser, "/provider/exports", "sales_invoices"),
        (&admin.browser, "/admin/exports", "fee_invoices"),
    ] {
        let form = [
            ("kind", kind),
            ("format", "xero"),
            ("from", &day),
            ("to", &day),
        ];
        assert_eq!(browser.post(base, &form).await.status, 303);
    }
    let runs: Vec<(Uuid, Option<Uuid>)> = report_runs::table
        .select((report_runs::id, report_runs::provider_id))
        .load(&mut app.conn())
        .unwrap();
    for (run, _) in &runs {
        larder::exports::job::build(&mut app.conn(), *run).unwrap();
    }
    let provider_run = runs.iter().find(|r| r.1.is_some()).unwrap().0;
    let platform_run = runs.iter().find(|r| r.1.is_none()).unwrap().0;
    let outsiders = [
        ("other provider", &kim.browser),
        ("buyer", &shop.ada.browser),
        ("admin", &admin.browser),
    ];
    let routes = vec![get(format!("/provider/exports/{provider_run}/download"))];
    check(&app, routes, &outsiders, &shop.sam.browser).await;
    let outsiders = [
        ("buyer", &shop.ada.browser),
        ("provider", &shop.sam.browser),
    ];
    let routes = vec![get(format!("/admin/exports/{platform_run}/download"))];
    check(&app, routes, &outsiders, &admin.browser).await;
}

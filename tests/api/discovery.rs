//! Buyers finding providers: filters, search and ranking, provider pages, compare.

use diesel::prelude::*;
use larder::catalog::model::ProductInput;
use larder::catalog::queries as catalog;
use larder::db::schema::providers;
use larder::ids::ProviderId;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::helpers::fixtures::{self, Buyer, PASSWORD};
use crate::helpers::{TestApp, spawn_app};

struct Spec {
    email: &'static str,
    name: &'static str,
    description: &'static str,
    categories: &'static [&'static str],
    areas: &'static str,
    min_order: &'static str,
}

async fn provider(app: &TestApp, spec: Spec) -> Uuid {
    let b = app.browser();
    let mut form: Vec<(&str, &str)> = vec![
        ("name", "Owner"),
        ("email", spec.email),
        ("password", PASSWORD),
        ("provider_name", spec.name),
        ("description", spec.description),
        ("contact_email", ""),
        ("delivery_days", "2"),
        ("delivery_days", "4"),
        ("delivery_areas", spec.areas),
        ("min_order_value", spec.min_order),
    ];
    for c in spec.categories {
        form.push(("categories", c));
    }
    let page = b.post("/signup/provider", &form).await;
    assert!(page.redirects_to("/provider"), "{}", page.status);
    providers::table
        .filter(providers::name.eq(spec.name))
        .select(providers::id)
        .first(&mut app.conn())
        .unwrap()
}

fn product(
    app: &TestApp,
    provider: Uuid,
    sku: &str,
    name: &str,
    unit: &str,
    pack: &str,
    price: &str,
) {
    let input = ProductInput {
        sku: sku.into(),
        name: name.into(),
        description: String::new(),
        category: "dairy_eggs".into(),
        unit: unit.into(),
        pack_size: pack.into(),
        fractional: false,
        price: price.parse::<Decimal>().unwrap(),
        vat_rate: Decimal::ZERO,
        in_stock: true,
        active: true,
    };
    catalog::insert(&mut app.conn(), ProviderId(provider), &input).unwrap();
}

/// Three providers around a buyer in SE1 (see fixtures::buyer_form).
async fn market(app: &TestApp) -> (Buyer, Uuid, Uuid, Uuid) {
    let dairy = provider(
        app,
        Spec {
            email: "a@dairy.test",
            name: "Wildfield Dairy",
            description: "Cream and butter from Kent",
            categories: &["dairy_eggs"],
            areas: "SE1 E",
            min_order: "40",
        },
    )
    .await;
    let grocer = provider(
        app,
        Spec {
            email: "b@grocer.test",
            name: "Napoli Grocer",
            description: "Italian dry goods",
            categories: &["dry_goods", "dairy_eggs"],
            areas: "SE",
            min_order: "150",
        },
    )
    .await;
    let north = provider(
        app,
        Spec {
            email: "c@north.test",
            name: "North Bakes",
            description: "Bread for north London",
            categories: &["bakery"],
            areas: "N1",
            min_order: "20",
        },
    )
    .await;
    product(app, dairy, "D1", "Double cream", "each", "1 L", "5.60");
    product(app, dairy, "D2", "Double cream", "each", "5 L", "24.00");
    product(
        app,
        grocer,
        "G1",
        "San Marzano tomatoes",
        "case",
        "6 x 2.5kg",
        "21.00",
    );
    product(
        app,
        grocer,
        "G2",
        "Double cream",
        "case",
        "case of 12 × 1 L",
        "54.00",
    );
    product(app, north, "N1", "Sourdough", "each", "800g", "3.60");
    (
        fixtures::buyer(app, "ada@bistro.test").await,
        dairy,
        grocer,
        north,
    )
}

fn names(body: &str) -> Vec<String> {
    body.split("<h2><a href=\"/providers/")
        .skip(1)
        .map(|s| s[s.find('>').unwrap() + 1..s.find('<').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn discovery_lists_providers_that_deliver_to_the_buyer_by_name() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    let page = ada.browser.get("/discover").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        names(&page.body),
        vec!["Napoli Grocer", "Wildfield Dairy"],
        "North Bakes doesn't reach SE1"
    );
    let all = ada.browser.get("/discover?filtered=1").await;
    assert_eq!(
        names(&all.body),
        vec!["Napoli Grocer", "North Bakes", "Wildfield Dairy"]
    );
    assert!(all.body.contains("Doesn't deliver to you yet"));
}

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    let by_category = ada
        .browser
        .get("/discover?filtered=1&category=bakery")
        .await;
    assert_eq!(names(&by_category.body), vec!["North Bakes"]);
    let by_min_order = ada
        .browser
        .get("/discover?filtered=1&delivers=1&max_min_order=100")
        .await;
    assert_eq!(names(&by_min_order.body), vec!["Wildfield Dairy"]);
    let unknown_category = ada
        .browser
        .get("/discover?filtered=1&category=weapons")
        .await;
    assert_eq!(
        names(&unknown_category.body).len(),
        3,
        "an unknown category is ignored, not an error"
    );
    let bad_amount = ada
        .browser
        .get("/discover?filtered=1&max_min_order=lots")
        .await;
    assert_eq!(bad_amount.status, 200);
    assert!(bad_amount.body.contains("isn&#39;t an amount"));
}

#[tokio::test]
async fn text_search_covers_products_and_ranks_name_matches_first() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    // "cream" is in Wildfield's description and products, but only in Napoli's products.
    let page = ada.browser.get("/discover?filtered=1&q=cream").await;
    assert_eq!(names(&page.body), vec!["Wildfield Dairy", "Napoli Grocer"]);
    let prefix = ada.browser.get("/discover?filtered=1&q=marz").await;
    assert_eq!(
        names(&prefix.body),
        vec!["Napoli Grocer"],
        "prefixes match product names"
    );
    let none = ada.browser.get("/discover?filtered=1&q=caviar").await;
    assert!(none.body.contains("No providers match"));
}

#[tokio::test]
async fn hostile_search_strings_are_just_text() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    let long = "cream ".repeat(2000);
    for q in [
        "'; DROP TABLE users;--",
        "%",
        "_",
        "cream & | ! :* <->",
        "\"double cream\"",
        "\\",
        long.as_str(),
    ] {
        let res = ada
            .browser
            .client
            .get(ada.browser.url("/discover"))
            .query(&[("q", q), ("filtered", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{:.40}", q);
        let body = res.text().await.unwrap();
        if q.len() > 1000 {
            assert!(body.contains("only its first 200 characters were used"));
        }
    }
    let count: i64 = larder::db::schema::users::table
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    assert!(count > 0);
}

#[tokio::test]
async fn htmx_gets_only_the_results_fragment() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    let res = ada
        .browser
        .client
        .get(ada.browser.url("/discover?filtered=1&q=cream"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["vary"], "HX-Request");
    let body = res.text().await.unwrap();
    assert!(!body.contains("<html") && body.contains("Wildfield Dairy"));
    let full = ada.browser.get("/discover?filtered=1&q=cream").await;
    assert!(full.body.contains("<html") && full.body.contains(r#"hx-push-url="true""#));
    assert!(
        full.body.contains(r#"value="cream""#),
        "the form shows the filter it came with"
    );
}

#[tokio::test]
async fn suspended_providers_vanish_from_discovery_pages_and_compare() {
    let app = spawn_app().await;
    let (ada, dairy, ..) = market(&app).await;
    diesel::update(providers::table.find(dairy))
        .set(providers::status.eq("suspended"))
        .execute(&mut app.conn())
        .unwrap();
    assert_eq!(
        names(&ada.browser.get("/discover?filtered=1").await.body),
        vec!["Napoli Grocer", "North Bakes"]
    );
    assert_eq!(
        ada.browser.get("/providers/wildfield-dairy").await.status,
        404
    );
    let compare = ada.browser.get("/compare?q=double+cream").await;
    assert!(!compare.body.contains("Wildfield"));
}

#[tokio::test]
async fn provider_page_shows_delivery_facts_tabs_and_searches_its_catalogue() {
    let app = spawn_app().await;
    let (ada, _, grocer, _) = market(&app).await;
    let page = ada.browser.get("/providers/napoli-grocer").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Tue, Thu")
            && page.body.contains("£150.00")
            && page.body.contains("Delivers to you")
    );
    assert!(page.body.contains("All (2)") && page.body.contains("Dairy &#38; eggs (2)"));
    assert!(page.body.contains("£1.40 / kg"), "21.00 for 6 × 2.5kg");
    let search = ada.browser.get("/providers/napoli-grocer?q=tomato").await;
    assert!(search.body.contains("San Marzano") && !search.body.contains("Double cream"));
    let inactive: Vec<Uuid> = larder::db::schema::products::table
        .filter(larder::db::schema::products::provider_id.eq(grocer))
        .select(larder::db::schema::products::id)
        .load(&mut app.conn())
        .unwrap();
    diesel::update(
        larder::db::schema::products::table
            .filter(larder::db::schema::products::id.eq_any(inactive)),
    )
    .set(larder::db::schema::products::active.eq(false))
    .execute(&mut app.conn())
    .unwrap();
    assert!(
        ada.browser
            .get("/providers/napoli-grocer")
            .await
            .body
            .contains("No products listed here yet")
    );
    assert_eq!(
        ada.browser.get("/providers/no-such-provider").await.status,
        404
    );
}

#[tokio::test]
async fn compare_lines_up_one_product_across_providers_per_litre() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    let page = ada.browser.get("/compare?q=double+cream&sort=price").await;
    assert_eq!(page.status, 200);
    let body = &page.body;
    let first = body.find("£5.60").unwrap();
    let second = body.find("£24.00").unwrap();
    let third = body.find("£54.00").unwrap();
    assert!(first < second && second < third, "sorted by price");
    assert!(
        body.contains("£5.60 / litre")
            && body.contains("£4.80 / litre")
            && body.contains("£4.50 / litre")
    );
    assert!(body.contains("Napoli Grocer") && body.contains("Wildfield Dairy"));
    // Same-named rows must not share an accessible name: pack and provider tell them apart.
    let labels: Vec<&str> = body
        .split("<label class=\"visually-hidden\" for=\"add-")
        .skip(1)
        .filter_map(|l| {
            l.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</label>"))
        })
        .map(|(text, _)| text)
        .collect();
    assert!(labels.len() >= 3, "{labels:?}");
    let mut unique = labels.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), labels.len(), "{labels:?}");
    assert!(
        labels.iter().any(|l| l.contains("from Wildfield Dairy")),
        "{labels:?}"
    );
    let empty = ada.browser.get("/compare").await;
    assert!(empty.body.contains("Type a product to compare"));
}

#[tokio::test]
async fn another_businesss_location_id_is_ignored_in_filters() {
    let app = spawn_app().await;
    let (ada, ..) = market(&app).await;
    let mut bo_form = fixtures::buyer_form("bo@north.test", "North Cafe");
    bo_form.retain(|(k, _)| *k != "postcode");
    bo_form.push(("postcode", "N1 9GU"));
    let bo = app.browser();
    assert!(
        bo.post("/signup/buyer", &bo_form)
            .await
            .redirects_to("/buyer")
    );
    let bo_location: Uuid = larder::db::schema::locations::table
        .filter(larder::db::schema::locations::postcode.eq("N1 9GU"))
        .select(larder::db::schema::locations::id)
        .first(&mut app.conn())
        .unwrap();
    let page = ada
        .browser
        .get(&format!(
            "/discover?filtered=1&delivers=1&location={bo_location}"
        ))
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        names(&page.body),
        vec!["Napoli Grocer", "Wildfield Dairy"],
        "Ada's own SE1 location is used"
    );
    assert!(!page.body.contains("N1 9GU"));
}

/// Discovery and compare are hand-written SQL kept prepared per connection (see
/// `db::prepared`): the second run must reuse the statement, not parse and plan it again.
#[tokio::test]
async fn discovery_and_compare_statements_stay_prepared_on_their_connection() {
    use larder::discovery::queries::{self as discovery, CompareSort, DiscoveryFilter};
    use larder::web::pagination::PageRequest;

    let app = spawn_app().await;
    let mut conn = app.conn();
    let filter = DiscoveryFilter {
        tsquery: Some("cream:*".into()),
        areas: vec!["SE".into(), "SE1".into()],
        ..DiscoveryFilter::default()
    };
    let page = PageRequest::from_query(None);
    let areas = filter.areas.clone();
    for _ in 0..3 {
        discovery::discover(&mut conn, &filter, page).unwrap();
        discovery::compare(
            &mut conn,
            discovery::Viewer {
                business: Uuid::now_v7(),
                on: time::macros::date!(2026 - 11 - 25),
            },
            "cream:*",
            &areas,
            false,
            CompareSort::Price,
            page,
        )
        .unwrap();
    }
    let prepared: Vec<String> =
        diesel::sql_query("SELECT statement AS s FROM pg_prepared_statements")
            .load::<Statement>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|row| row.s)
            .collect();
    let count = |needle: &str| prepared.iter().filter(|s| s.contains(needle)).count();
    assert_eq!(
        count("LEFT JOIN m ON m.provider_id = p.id"),
        1,
        "{prepared:?}"
    );
    assert_eq!(
        count("ORDER BY coalesce(own.price, pr.price), pr.id"),
        1,
        "{prepared:?}"
    );
}

#[derive(QueryableByName)]
struct Statement {
    #[diesel(sql_type = diesel::sql_types::Text)]
    s: String,
}

use crate::helpers::spawn_app;

#[tokio::test]
async fn home_page_renders_in_the_layout_with_vendored_htmx() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = res.text().await.unwrap();
    assert!(body.contains("<title>Ordering for hospitality · Larder</title>"));
    assert!(body.contains(r#"<script src="/static/htmx-2.0.11.min.js" defer></script>"#));
    assert!(!body.contains("unpkg") && !body.contains("cdn"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/healthz", "/no-such-page", "/static/app.css"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
    }
}

#[tokio::test]
async fn pages_have_no_inline_script_so_the_csp_holds() {
    let app = spawn_app().await;
    for path in ["/", "/missing"] {
        let body = app.get(path).await.text().await.unwrap();
        let scripts: Vec<&str> = body
            .match_indices("<script")
            .map(|(i, _)| &body[i..])
            .collect();
        assert!(!scripts.is_empty(), "{path} loads htmx");
        for s in scripts {
            let tag_end = s.find('>').unwrap();
            assert!(
                s[..tag_end].contains(" src=\"/static/"),
                "{path}: inline script {}",
                &s[..tag_end]
            );
            assert!(
                s[tag_end..].starts_with("></script>"),
                "{path}: script with a body"
            );
        }
    }
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404_page() {
    let app = spawn_app().await;
    let res = app.get("/nowhere/not-a-real-thing?x=<script>").await;
    assert_eq!(res.status(), 404);
    let body = res.text().await.unwrap();
    assert!(body.contains("<h1>Page not found</h1>"));
    assert!(
        body.contains("Reference: <code>"),
        "shows a request id to quote to support"
    );
    assert!(
        !body.contains("<script>"),
        "nothing from the URL is echoed unescaped"
    );
}

#[tokio::test]
async fn htmx_errors_come_back_as_a_fragment_aimed_at_the_error_region() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/nowhere"))
        .header("HX-Request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["hx-retarget"], "#errors");
    assert_eq!(res.headers()["hx-reswap"], "innerHTML");
    let body = res.text().await.unwrap();
    assert!(
        body.starts_with("<div class=\"alert alert-error\""),
        "{body}"
    );
    assert!(!body.contains("<html"));
}

#[tokio::test]
async fn wrong_method_on_a_known_path_is_not_a_server_error() {
    let app = spawn_app().await;
    let res = app.client.post(app.url("/healthz")).send().await.unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    assert!(res.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn static_assets_are_served_with_their_types() {
    let app = spawn_app().await;
    let css = app.get("/static/app.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let js = app.get("/static/htmx-2.0.11.min.js").await;
    assert_eq!(js.status(), 200);
    assert!(js.text().await.unwrap().contains("htmx"));
    let traversal = app.get("/static/../Cargo.toml").await;
    assert_eq!(traversal.status(), 404);
}

/// An error page keeps a logged-in person's navigation, and offers the page they came from
/// (ours only) as well as their own home.
#[tokio::test]
async fn a_logged_in_persons_error_page_keeps_their_navigation_and_a_way_back() {
    let app = spawn_app().await;
    let ada = crate::helpers::fixtures::buyer(&app, "ada@bistro.test").await;
    let missing = uuid::Uuid::now_v7();
    let res = ada
        .browser
        .client
        .get(ada.browser.url(&format!("/orders/{missing}")))
        .header("Referer", ada.browser.url("/orders?status=submitted"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body = res.text().await.unwrap();
    assert!(
        body.contains(r#"id="cart-badge""#),
        "the buyer's navigation"
    );
    assert!(
        body.contains(r#"href="/orders?status=submitted">Go back</a>"#),
        "{body}"
    );
    assert!(body.contains(r#"href="/buyer">Go to your home page</a>"#));

    let elsewhere = ada
        .browser
        .client
        .get(ada.browser.url("/no-such-page"))
        .header("Referer", "https://evil.example/orders")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        elsewhere.contains(r#"id="cart-badge""#),
        "unknown routes too"
    );
    assert!(!elsewhere.contains("evil.example") && !elsewhere.contains("Go back"));

    let stranger = app.browser().get("/no-such-page").await;
    assert!(!stranger.body.contains(r#"id="cart-badge""#));
    assert!(
        stranger
            .body
            .contains(r#"href="/">Go to the home page</a>"#)
    );
}

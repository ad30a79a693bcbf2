//! Live updates over real WebSockets: a change made through one app instance reaches the
//! sockets open on another (two instances, one database, as behind a load balancer), only
//! the sockets whose user may see it, and only while their session stands.

use std::time::Duration;

use futures::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::helpers::{Browser, fixtures, spawn_app};
use crate::ordering::{place_order, shop};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The time a change has to reach a socket on the other instance.
const WITHIN: Duration = Duration::from_secs(1);

fn request(
    base: &str,
    path: &str,
    visitor: &Browser,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let mut req = url.into_client_request().expect("socket URL");
    req.headers_mut().insert(
        "cookie",
        HeaderValue::from_str(&visitor.cookie_header()).expect("cookie header"),
    );
    req
}

async fn open(base: &str, path: &str, visitor: &Browser) -> Socket {
    let (socket, response) = tokio_tungstenite::connect_async(request(base, path, visitor))
        .await
        .unwrap_or_else(|e| panic!("socket {path} opens: {e}"));
    assert_eq!(response.status(), 101);
    socket
}

/// The status the server refused a socket's handshake with.
async fn refused(base: &str, path: &str, visitor: &Browser, origin: Option<&str>) -> u16 {
    let mut req = request(base, path, visitor);
    if let Some(origin) = origin {
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(origin).expect("origin"));
    }
    match tokio_tungstenite::connect_async(req).await {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Ok(_) => panic!("socket {path} opened"),
        Err(e) => panic!("socket {path}: {e}"),
    }
}

/// The next frame that isn't a ping or pong, within `WITHIN`.
async fn next(socket: &mut Socket) -> Message {
    loop {
        let frame = tokio::time::timeout(WITHIN, socket.next())
            .await
            .expect("a message within a second")
            .expect("socket still open")
            .expect("a frame");
        if !matches!(frame, Message::Ping(_) | Message::Pong(_)) {
            return frame;
        }
    }
}

async fn text(socket: &mut Socket) -> String {
    match next(socket).await {
        Message::Text(t) => t.to_string(),
        other => panic!("expected HTML, got {other:?}"),
    }
}

/// The socket path the page at `path` connects to.
async fn live_path(visitor: &Browser, path: &str) -> String {
    let page = visitor.get(path).await;
    assert_eq!(page.status, 200);
    let re = regex::Regex::new(r#"data-ws-connect="([^"]+)""#).expect("regex");
    re.captures(&page.body)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("{path} has no live socket"))
}

fn tell(app: &crate::helpers::TestApp, email: &str, key: &str) {
    use diesel::prelude::*;
    let mut conn = app.conn();
    let user: Uuid = larder::db::schema::users::table
        .filter(larder::db::schema::users::email.eq(email))
        .select(larder::db::schema::users::id)
        .first(&mut conn)
        .expect("user");
    let notice = larder::notifications::Notice {
        kind: "test",
        title: "A test notice",
        body: "",
        link: "/",
        key,
    };
    larder::notifications::tell(&mut conn, &[user], &notice).expect("told");
}

#[tokio::test]
async fn a_confirmation_on_one_instance_reaches_the_buyers_socket_on_the_other_and_no_one_else() {
    let app = spawn_app().await;
    let (other, _) = app.another_instance().await;
    let shop = shop(&app).await;
    let bob = fixtures::buyer(&app, "bob@cafe.test").await;
    let order = place_order(&shop).await;

    // Ada's order page on one instance names its socket; she opens it on the other.
    let path = live_path(&shop.ada.browser, &format!("/orders/{order}")).await;
    assert!(
        path.starts_with(&format!("/orders/{order}/live?v=")),
        "{path}"
    );
    let mut ada = open(&other, &path, &shop.ada.browser).await;
    // Her bell comes first (it may have changed since the page); the order is as shown.
    let first = text(&mut ada).await;
    assert!(
        first.starts_with("<a href=\"/notifications\" id=\"bell\">"),
        "{first}"
    );
    assert!(!first.contains("order-status"));
    // Bob, another business, has a bell socket, and can't watch Ada's order.
    let bob_path = live_path(&bob.browser, "/buyer").await;
    assert_eq!(bob_path, "/live");
    let mut bob_socket = open(&other, &bob_path, &bob.browser).await;
    assert!(text(&mut bob_socket).await.contains("id=\"bell\""));
    assert_eq!(refused(&other, &path, &bob.browser, None).await, 404);

    let confirm = format!("/provider/orders/{order}/confirm");
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 303);

    // The status and the bell, each within a second, in either order.
    let (mut status, mut bell) = (None, None);
    while status.is_none() || bell.is_none() {
        let html = text(&mut ada).await;
        if html.contains("id=\"order-status\"") {
            status = Some(html);
        } else {
            bell = Some(html);
        }
    }
    let status = status.unwrap_or_default();
    assert!(status.contains("status-confirmed"), "{status}");
    assert!(status.contains("id=\"order-body\" data-hx-swap-oob=\"true\""));
    assert!(
        !status.contains("/cancel"),
        "a confirmed order offers no cancel"
    );
    assert!(bell.unwrap_or_default().contains("id=\"bell-count\">1<"));

    // Bob heard nothing of it: the next thing his socket says is his own news.
    tell(&app, "bob@cafe.test", "bob-news");
    let news = text(&mut bob_socket).await;
    assert!(news.contains("id=\"bell-count\">1<"), "{news}");
    assert!(!news.contains(&order.to_string()));
}

#[tokio::test]
async fn a_reconnecting_page_catches_up_and_an_ended_session_closes_its_socket() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = place_order(&shop).await;
    let confirm = format!("/provider/orders/{order}/confirm");
    assert_eq!(shop.sam.browser.post(&confirm, &[]).await.status, 303);

    // A page drawn before the confirmation reconnects: it is sent the order as it is now.
    let mut ada = open(
        &app.address,
        &format!("/orders/{order}/live?v=1"),
        &shop.ada.browser,
    )
    .await;
    let mut caught_up = String::new();
    while !caught_up.contains("order-status") {
        caught_up = text(&mut ada).await;
    }
    assert!(caught_up.contains("status-confirmed"));

    // Sam's own socket hears his bell; then he logs out everywhere, and the next change
    // his socket reads finds the session over.
    let mut sam = open(&app.address, "/live", &shop.sam.browser).await;
    assert!(text(&mut sam).await.contains("id=\"bell\""));
    let out = shop
        .sam
        .browser
        .post("/account/logout-everywhere", &[])
        .await;
    assert_eq!(out.status, 303);
    tell(&app, "sam@veg.test", "after-logout");
    match next(&mut sam).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Policy),
        other => panic!("expected the socket to close, got {other:?}"),
    }
}

#[tokio::test]
async fn a_socket_is_opened_only_from_our_pages_and_only_as_a_socket() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = place_order(&shop).await;
    let path = format!("/orders/{order}/live");
    let ada = &shop.ada.browser;
    assert_eq!(
        refused(&app.address, &path, ada, Some("https://evil.test")).await,
        404
    );
    assert_eq!(
        refused(&app.address, "/live", ada, Some("https://evil.test")).await,
        404
    );
    let ours = open_with_origin(&app.address, &path, ada, &app.address).await;
    drop(ours);
    // Plain HTTP gets a page saying what the address is for.
    let page = ada.get(&path).await;
    assert_eq!(page.status, 400);
    assert!(
        page.body.contains("keeps a page up to date"),
        "{}",
        page.body
    );
    // Logged out: sent to log in, like any page.
    let anonymous = app.browser();
    let page = anonymous.get("/live").await;
    assert_eq!(page.status, 303);
}

async fn open_with_origin(base: &str, path: &str, visitor: &Browser, origin: &str) -> Socket {
    let mut req = request(base, path, visitor);
    req.headers_mut()
        .insert("origin", HeaderValue::from_str(origin).expect("origin"));
    let (socket, response) = tokio_tungstenite::connect_async(req)
        .await
        .expect("our own page's socket opens");
    assert_eq!(response.status(), 101);
    socket
}

#[tokio::test]
async fn changes_still_arrive_after_the_listening_connection_is_cut() {
    let app = spawn_app().await;
    let (other, hub) = app.another_instance().await;
    let shop = shop(&app).await;
    let mut sam = open(&other, "/live", &shop.sam.browser).await;
    assert!(text(&mut sam).await.contains("id=\"bell\""));

    let before = hub.listening().expect("listening");
    {
        use diesel::prelude::*;
        let cut: Vec<bool> = diesel::sql_query(
            "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .load::<Cut>(&mut app.conn())
        .expect("terminate")
        .into_iter()
        .map(|c| c.cut)
        .collect();
        assert!(!cut.is_empty(), "found the listening connections");
    }
    tokio::time::timeout(Duration::from_secs(10), hub.until_listening(before))
        .await
        .expect("listening again");
    tell(&app, "sam@veg.test", "after-reconnect");
    assert!(text(&mut sam).await.contains("id=\"bell-count\">1<"));
}

#[derive(diesel::QueryableByName)]
struct Cut {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    cut: bool,
}

#[tokio::test]
async fn an_invoice_page_follows_its_payment_live_and_no_other_tenant_can_watch_it() {
    let app = spawn_app().await;
    let (other, _) = app.another_instance().await;
    let shop = shop(&app).await;
    let bob = fixtures::buyer(&app, "bob@cafe.test").await;
    let invoice = crate::payments::issued(&app, &shop).await;
    let path = live_path(&shop.ada.browser, &format!("/invoices/{invoice}")).await;
    assert!(
        path.starts_with(&format!("/invoices/{invoice}/live?v=")),
        "{path}"
    );
    let mut ada = open(&other, &path, &shop.ada.browser).await;
    assert!(text(&mut ada).await.contains("id=\"bell\""));
    assert_eq!(refused(&other, &path, &bob.browser, None).await, 404);
    let sams = live_path(&shop.sam.browser, &format!("/provider/invoices/{invoice}")).await;
    assert_eq!(refused(&other, &sams, &bob.browser, None).await, 404);

    let today = larder::timefmt::london_today().to_string();
    let recorded = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/paid"),
            &[
                ("method", "bank_transfer"),
                ("paid_on", &today),
                ("reference", "BACS 12"),
            ],
        )
        .await;
    assert_eq!(recorded.status, 303);
    // The first invoice region the socket sends is the paid one: the page's own version
    // matched what the socket read on connecting, so nothing was sent for it.
    let mut region = String::new();
    while !region.contains("id=\"invoice-status\"") {
        region = text(&mut ada).await;
    }
    assert!(region.contains("status-paid"), "{region}");
    assert!(region.contains("id=\"payment\""));
    assert!(!region.contains("Pay £"), "nothing left to pay");
}

#[tokio::test]
async fn a_payment_attempt_changing_tells_its_invoices_watchers_at_commit() {
    use diesel::connection::SimpleConnection;
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = crate::payments::issued(&app, &shop).await;
    let mut listening = app.conn();
    listening
        .batch_execute("LISTEN larder_live")
        .expect("listen");
    let started = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    // A round trip after the commit: notifications sent before it have arrived.
    listening.batch_execute("SELECT 1").expect("round trip");
    let heard: Vec<String> = listening
        .notifications_iter()
        .map(|n| n.expect("notification").payload)
        .collect();
    assert!(heard.contains(&format!("i:{invoice}")), "{heard:?}");
}

/// The next list region a socket sends, skipping bells.
async fn next_list(socket: &mut Socket) -> String {
    loop {
        let html = text(socket).await;
        if html.contains("id=\"order-list\"") {
            return html;
        }
    }
}

#[tokio::test]
async fn order_lists_follow_along_the_approvers_queue_and_the_providers_incoming() {
    let app = spawn_app().await;
    let (other, _) = app.another_instance().await;
    let shop = shop(&app).await;
    let incoming = live_path(&shop.sam.browser, "/provider/orders").await;
    assert!(incoming.starts_with("/live/provider/orders?"), "{incoming}");
    let mut sam = open(&other, &incoming, &shop.sam.browser).await;
    assert!(text(&mut sam).await.contains("id=\"bell\""));
    let queue = live_path(&shop.ada.browser, "/orders?status=awaiting_approval").await;
    assert!(
        queue.starts_with("/live/orders?status=awaiting_approval"),
        "{queue}"
    );
    let mut ada = open(&other, &queue, &shop.ada.browser).await;
    assert!(text(&mut ada).await.contains("id=\"bell\""));

    // Olu's order is over his limit: it joins Ada's approval queue.
    let olu = crate::approvals::orderer(&app, &shop, Some("20"), None).await;
    let (waiting, _) = crate::approvals::order_cream(&olu, &shop).await;
    let queued = next_list(&mut ada).await;
    assert!(queued.contains(&format!("/orders/{waiting}")), "{queued}");

    // Approved, it leaves her queue and reaches Sam, whose list never showed it waiting.
    let approve = format!("/orders/{waiting}/approve");
    assert_eq!(shop.ada.browser.post(&approve, &[]).await.status, 303);
    let emptied = next_list(&mut ada).await;
    assert!(
        !emptied.contains(&format!("/orders/{waiting}")),
        "{emptied}"
    );
    let arrived = next_list(&mut sam).await;
    assert!(
        arrived.contains(&format!("/provider/orders/{waiting}")),
        "{arrived}"
    );
    assert!(!arrived.contains("Awaiting approval"), "{arrived}");
}

//! Live-update fan-out, measured: opens `sockets` WebSockets on one app instance, all on one
//! order's page, then commits a change to that order `rounds` times and times how long each
//! socket takes to receive the re-read status. Also reads the app's resident memory before
//! and after the sockets open. Run by bench/sockets.sh, which starts the app and logs in.
//!
//!   ws_fanout BASE_URL COOKIE ORDER_ID DATABASE_URL APP_PID [SOCKETS] [ROUNDS]

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

async fn open(url: &str, cookie: &str) -> Socket {
    let mut req = url.into_client_request().expect("socket URL");
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(cookie).expect("cookie"));
    let (mut socket, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("socket opens");
    // The bell is sent first; after it the socket is fully set up.
    until(&mut socket, "id=\"bell\"").await;
    socket
}

async fn until(socket: &mut Socket, marker: &str) {
    while let Some(frame) = socket.next().await {
        if let Message::Text(t) = frame.expect("frame")
            && t.contains(marker)
        {
            return;
        }
    }
    panic!("socket closed before {marker}");
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, cookie, order, database_url, pid, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: ws_fanout BASE_URL COOKIE ORDER_ID DATABASE_URL APP_PID [SOCKETS] [ROUNDS]"
        );
        std::process::exit(2);
    };
    let sockets: usize = rest.first().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let rounds: usize = rest.get(1).and_then(|n| n.parse().ok()).unwrap_or(5);
    let order_id = uuid::Uuid::parse_str(order).expect("order id");
    let mut conn = PgConnection::establish(database_url).expect("database");
    let version = |conn: &mut PgConnection| -> i64 {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT count(*) AS n FROM order_events WHERE order_id = $1")
            .bind::<SqlUuid, _>(order_id)
            .get_result::<N>(conn)
            .expect("version")
            .n
    };
    let url = format!(
        "{}/orders/{order_id}/live?v={}",
        base.replacen("http://", "ws://", 1),
        version(&mut conn)
    );

    let before = rss_kib(pid);
    let opened = Instant::now();
    let mut open_sockets = Vec::with_capacity(sockets);
    // A hundred handshakes at a time, as pages arrive, not all in one instant.
    for chunk in (0..sockets).collect::<Vec<_>>().chunks(100) {
        let batch: Vec<Socket> =
            futures::future::join_all(chunk.iter().map(|_| open(&url, cookie))).await;
        open_sockets.extend(batch);
    }
    let opening = opened.elapsed();
    let after = rss_kib(pid);
    println!(
        "sockets: {sockets} open in {} ms; app RSS {} KiB -> {} KiB: {:.1} KiB per socket",
        ms(opening),
        before,
        after,
        (after.saturating_sub(before)) as f64 / sockets as f64
    );

    let mut lasts = Vec::new();
    for round in 1..=rounds {
        let started = Instant::now();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::sql_query(
                "INSERT INTO order_events (id, order_id, status, note) \
                 VALUES (gen_random_uuid(), $1, 'changed', $2)",
            )
            .bind::<SqlUuid, _>(order_id)
            .bind::<Text, _>(format!("fan-out round {round}"))
            .execute(conn)?;
            diesel::sql_query("SELECT pg_notify('larder_live', $1)")
                .bind::<Text, _>(format!("o:{order_id}"))
                .execute(conn)?;
            Ok(())
        })
        .expect("change committed");
        let mut waiting: FuturesUnordered<_> = open_sockets
            .iter_mut()
            .map(|s| async move {
                until(s, "id=\"order-status\"").await;
                Instant::now()
            })
            .collect();
        let mut times = Vec::with_capacity(sockets);
        while let Some(at) = waiting.next().await {
            times.push(at - started);
        }
        drop(waiting);
        times.sort();
        let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        println!(
            "round {round}: first {} ms, median {} ms, p99 {} ms, last {} ms",
            ms(pick(0.0)),
            ms(pick(0.5)),
            ms(pick(0.99)),
            ms(pick(1.0))
        );
        lasts.push(pick(1.0));
    }
    lasts.sort();
    println!(
        "all {sockets} sockets had the change: median of rounds {} ms, worst {} ms; app RSS now {} KiB",
        ms(lasts[lasts.len() / 2]),
        ms(lasts[lasts.len() - 1]),
        rss_kib(pid)
    );
}

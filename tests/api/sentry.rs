//! Sentry, end to end: the real binary runs with `SENTRY_DSN` pointed at a local receiver;
//! a 500 and a panic both arrive there tagged with the request id the person saw, and
//! without cookies, credentials or tokens.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::spawn_app;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls until `check` holds, for at most `limit`: waiting on a condition, not a guess.
async fn until<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Every envelope the receiver got, as text.
async fn envelopes(receiver: &MockServer) -> Vec<String> {
    receiver
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

#[tokio::test]
async fn server_errors_and_panics_reach_sentry_with_the_reference_and_no_secrets() {
    let app = spawn_app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&receiver)
        .await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let dsn = receiver.uri().replace("http://", "http://public@") + "/1";
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_larder"))
            .arg("serve")
            .env("APP_ENV", "development")
            .env("DATABASE_URL", app.config.database_url.clone().unwrap())
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("BASE_URL", &base)
            .env("SENTRY_DSN", &dsn)
            .env("TEST_CLOCK", "true")
            .env("RUN_WORKER", "false")
            .env("MAIL_DIR", app.config.mail_dir.join("sentry"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let up = until(Duration::from_secs(30), || async {
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(up, "the server never answered");

    let secret = |req: reqwest::RequestBuilder| {
        req.header("Cookie", "larder_session=cookie-secret-1")
            .header("Authorization", "Bearer token-secret-2")
            .header("X-CSRF-Token", "csrf-secret-3")
    };
    let failed = secret(client.get(format!("{base}/test/fail?token=query-secret-4")))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 500);
    let page = failed.text().await.unwrap();
    let reference = page
        .split("Reference: <code>")
        .nth(1)
        .and_then(|r| r.split("</code>").next())
        .unwrap()
        .to_owned();
    let arrived = until(Duration::from_secs(20), || async {
        envelopes(&receiver)
            .await
            .iter()
            .any(|e| e.contains(&reference))
    })
    .await;
    assert!(arrived, "the 500's report never arrived");

    // The panic drops the connection; its report still arrives, with its own request id.
    let _ = secret(client.get(format!("{base}/test/panic?password=query-secret-5")))
        .send()
        .await;
    let panicked = until(Duration::from_secs(20), || async {
        envelopes(&receiver)
            .await
            .iter()
            .any(|e| e.contains("a panic on purpose") && e.contains("request_id"))
    })
    .await;
    assert!(
        panicked,
        "the panic's report never arrived: {:?}",
        envelopes(&receiver).await
    );

    let all = envelopes(&receiver).await.join("\n");
    for secret in [
        "cookie-secret-1",
        "token-secret-2",
        "csrf-secret-3",
        "query-secret-4",
        "query-secret-5",
    ] {
        assert!(!all.contains(secret), "{secret} reached Sentry");
    }
    // And the server is still answering after the panic.
    let alive = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert!(alive.status().is_success());
}

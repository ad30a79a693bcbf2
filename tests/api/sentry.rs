//! Sentry, end to end: the real binary runs with `SENTRY_DSN` pointed at a local receiver;
//! a 500 and a panic both arrive there tagged with the request id the person saw, and
//! without cookies, credentials or tokens.

use std::time::Duration;

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::process::{serve, until};
use crate::helpers::spawn_app;

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
    let dsn = receiver.uri().replace("http://", "http://public@") + "/1";
    let (_server, base) = serve(&app, &[("SENTRY_DSN", &dsn), ("TEST_CLOCK", "true")]).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

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

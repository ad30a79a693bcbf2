//! Traces, end to end: the real binary runs with `OTEL_EXPORTER_OTLP_ENDPOINT` pointed at a
//! local receiver, and a request arrives there as a span named by its route, with the
//! database work it did as a child span in the same trace.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::process::{serve, until};
use crate::helpers::spawn_app;

/// Every span the receiver was sent, decoded from OTLP protobuf.
async fn spans(receiver: &MockServer) -> Vec<Span> {
    receiver
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| ExportTraceServiceRequest::decode(r.body.as_slice()).ok())
        .flat_map(|export| export.resource_spans)
        .flat_map(|resource| resource.scope_spans)
        .flat_map(|scope| scope.spans)
        .collect()
}

#[tokio::test]
async fn a_request_and_its_database_work_reach_the_collector_as_one_trace() {
    let app = spawn_app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/traces"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let endpoint = receiver.uri();
    // OTEL_BSP_SCHEDULE_DELAY: send each batch at once rather than every five seconds.
    let (_server, base) = serve(
        &app,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ],
    )
    .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // A wrong password: the login reads the account from the database.
    let form = client.get(format!("{base}/login")).send().await.unwrap();
    let html = form.text().await.unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let refused = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "nobody@traces.test"),
            ("password", "not-the-password"),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);

    let traced = until(Duration::from_secs(20), || async {
        let spans = spans(&receiver).await;
        spans.iter().any(|request| {
            request.name == "POST /login"
                && spans.iter().any(|db| {
                    db.name == "db"
                        && db.trace_id == request.trace_id
                        && db.parent_span_id == request.span_id
                })
        })
    })
    .await;
    let names: Vec<String> = spans(&receiver).await.into_iter().map(|s| s.name).collect();
    assert!(traced, "no POST /login span with a db child: {names:?}");
    // Nothing from a request's query string or headers is a span name.
    assert!(names.iter().all(|n| !n.contains("nobody@traces.test")));
}

//! Logs (structured JSON in production, readable lines locally), traces over OTLP when an
//! endpoint is configured, and Sentry.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::Config;

/// Exports traces while held; dropping it sends what is still buffered.
pub struct Traces(SdkTracerProvider);

impl Drop for Traces {
    fn drop(&mut self) {
        if let Err(e) = self.0.shutdown() {
            eprintln!("traces: the last spans could not be sent: {e}");
        }
    }
}

/// Spans batched and sent over OTLP/HTTP (protobuf) to `{endpoint}/v1/traces`, from their
/// own thread so a slow collector never holds a request.
fn tracer_provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name("larder")
                .build(),
        )
        .build())
}

/// Installs logging, and tracing export when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; keep the
/// returned guard for the life of the process.
pub fn init_logging(config: &Config) -> Option<Traces> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let provider =
        config
            .otlp_endpoint
            .as_deref()
            .and_then(|endpoint| match tracer_provider(endpoint) {
                Ok(p) => Some(p),
                Err(e) => {
                    eprintln!("traces: not exported ({e}); check OTEL_EXPORTER_OTLP_ENDPOINT");
                    None
                }
            });
    let traces = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("larder")));
    let registry = tracing_subscriber::registry().with(filter).with(traces);
    let fmt = tracing_subscriber::fmt::layer().with_target(false);
    // A second init (tests, embedding) is harmless, so its error is ignored on purpose.
    let _ = if config.is_production() {
        registry.with(fmt.json().flatten_event(true)).try_init()
    } else {
        registry.with(fmt.compact()).try_init()
    };
    provider.map(Traces)
}

/// Starts Sentry only when `SENTRY_DSN` is set; keep the guard alive for the process.
pub fn init_sentry(config: &Config) -> Option<sentry::ClientInitGuard> {
    let dsn = config.sentry_dsn.as_deref()?;
    let environment = match config.env {
        crate::config::AppEnv::Production => "production",
        crate::config::AppEnv::Test => "test",
        crate::config::AppEnv::Development => "development",
    };
    let mut options = sentry::ClientOptions::default();
    options.release = sentry::release_name!();
    options.environment = Some(environment.into());
    options.send_default_pii = false;
    options.before_send = Some(std::sync::Arc::new(|mut event| {
        scrub(&mut event);
        Some(event)
    }));
    Some(sentry::init((dsn, options)))
}

/// Headers that carry credentials or session state: never sent to Sentry.
const SECRET_HEADERS: &[&str] = &[
    "cookie",
    "set-cookie",
    "authorization",
    "proxy-authorization",
    "x-csrf-token",
    "stripe-signature",
];

/// Takes what could identify a session or reveal a secret out of an error report: cookies,
/// credential headers, the query string (reset and invite tokens travel in paths and
/// queries) and any request body.
pub fn scrub(event: &mut sentry::protocol::Event<'static>) {
    let Some(request) = event.request.as_mut() else {
        return;
    };
    request.cookies = None;
    request.data = None;
    request.query_string = None;
    request.env.clear();
    request
        .headers
        .retain(|name, _| !SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()));
    if let Some(url) = request.url.as_mut() {
        url.set_query(None);
        // Tokens in paths (password reset, invites, email verification) are cut off too.
        let path = url.path().to_owned();
        for secret in ["/password-reset/", "/invites/", "/verify-email/"] {
            if let Some(at) = path.find(secret) {
                url.set_path(&format!("{}{secret}[token]", &path[..at]));
            }
        }
    }
}

/// Tags the request's Sentry scope with the id the tracing logger gave it, the reference
/// the error page shows, so a report is found from what the person saw.
pub async fn tag_request(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    if let Some(id) = req.extensions().get::<tracing_actix_web::RequestId>() {
        let id = id.to_string();
        sentry::configure_scope(|scope| scope.set_tag("request_id", id));
    }
    next.call(req).await
}

/// A failed payment: counted for the `LarderPaymentFailures` alert, and logged.
pub fn payment_failed() {
    crate::monitoring::payment_failed();
    tracing::warn!(metric = "larder_payments_failed_total", "payment failed");
}

#[cfg(test)]
mod tests {
    use super::*;
    use sentry::protocol::{Event, Request};

    #[test]
    fn reports_lose_cookies_credentials_queries_and_tokens_in_paths() {
        let mut event = Event {
            request: Some(Request {
                url: "https://larder.test/password-reset/abc123?token=t0k&password=hunter2"
                    .parse()
                    .ok(),
                cookies: Some("larder_session=secret".into()),
                data: Some("password=hunter2".into()),
                query_string: Some("token=t0k&password=hunter2".into()),
                headers: [
                    ("Cookie".to_owned(), "larder_session=secret".to_owned()),
                    ("Authorization".to_owned(), "Bearer t0k".to_owned()),
                    ("X-CSRF-Token".to_owned(), "csrf".to_owned()),
                    ("User-Agent".to_owned(), "test".to_owned()),
                ]
                .into_iter()
                .collect(),
                ..Default::default()
            }),
            ..Default::default()
        };
        scrub(&mut event);
        let text = serde_json::to_string(&event).unwrap();
        for secret in ["secret", "t0k", "hunter2", "abc123", "csrf", "Bearer"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("User-Agent"));
        assert!(text.contains("/password-reset/[token]"));
    }
}

//! Logs (structured JSON in production, readable lines locally) and Sentry.

use tracing_subscriber::EnvFilter;

use crate::config::Config;

pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // A second init (tests, embedding) is harmless, so its error is ignored on purpose.
    let _ = if config.is_production() {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
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

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
    Some(sentry::init((dsn, options)))
}

/// A failed payment: counted for the `LarderPaymentFailures` alert, and logged.
pub fn payment_failed() {
    crate::monitoring::payment_failed();
    tracing::warn!(metric = "larder_payments_failed_total", "payment failed");
}

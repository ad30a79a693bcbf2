//! Prometheus metrics through the `metrics` facade: requests by route pattern and status,
//! latency, in-flight, connection pool, job queue, readiness, payments failed and business
//! counters. `/metrics` answers only with `METRICS_TOKEN` as a bearer token (and 404s
//! without one, like any unknown page), so it is never public.

pub mod health;
pub mod middleware;
pub mod scrape;

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Request latency buckets, in seconds: our pages answer in milliseconds, so the buckets are
/// fine at the bottom and coarse where only outages live.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder once (several apps in one test process share it).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .and_then(|b| b.install_recorder());
            match built {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::error!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Money events, counted as they are written. Counted inside the writing transaction, so a
/// rolled-back write can count once too many; alerts look at rates, where that is noise.
pub fn order_placed() {
    metrics::counter!("larder_orders_placed_total").increment(1);
}

pub fn invoice_paid(total: rust_decimal::Decimal) {
    metrics::counter!("larder_invoices_paid_total").increment(1);
    let pence = (total * rust_decimal::Decimal::ONE_HUNDRED)
        .round()
        .try_into()
        .unwrap_or(0u64);
    metrics::counter!("larder_gmv_pence_total").increment(pence);
}

pub fn payment_failed() {
    metrics::counter!("larder_payments_failed_total").increment(1);
}

/// Test-only: a request that fails on the server, to prove errors are recorded and reported.
/// Registered only where the clock is settable (tests and local e2e), never in production.
pub fn test_routes(cfg: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;
    cfg.route("/test/fail", web::get().to(fail))
        .route("/test/panic", web::get().to(panic));
}

#[allow(clippy::panic)]
async fn panic() -> actix_web::HttpResponse {
    panic!("a panic on purpose (test route)")
}

async fn fail() -> Result<actix_web::HttpResponse, crate::web::AppError> {
    Err(crate::web::AppError::Unexpected(anyhow::anyhow!(
        "a server error on purpose (test route)"
    )))
}

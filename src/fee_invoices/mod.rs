//! The platform's monthly VAT invoices to providers for its fees: issued by a job from the
//! journal's fee entries (the platform as seller, its own gap-free sequence), emailed, and
//! shown as paid, since Stripe took each fee from the card payment it was charged on.

pub mod handlers;
pub mod notify;
pub mod queries;
pub mod rules;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use handlers as h;
    cfg.route("/provider/fee-invoices", web::get().to(h::provider_list))
        .route(
            "/provider/fee-invoices/{id}",
            web::get().to(h::provider_one),
        )
        // Before the admin area's `/admin/{entity}` catch-alls.
        .route("/admin/fee-invoices", web::get().to(h::admin_list))
        .route("/admin/fee-invoices/{id}", web::get().to(h::admin_one));
}

/// Issues last month's fee invoices (the job runs hourly; each month is issued once).
pub struct IssueFeeInvoices;

impl crate::jobs::registry::JobType for IssueFeeInvoices {
    const NAME: &'static str = "issue_fee_invoices";
    type Payload = serde_json::Value;
    fn run(
        _: Self::Payload,
        conn: &mut diesel::PgConnection,
        ctx: &crate::jobs::worker::JobContext,
    ) -> anyhow::Result<()> {
        let month = rules::month_due(ctx.clock.now());
        let issued = queries::issue_month(conn, month, &ctx.config.platform, &ctx.base_url)
            .map_err(|e| anyhow::anyhow!("issuing fee invoices: {e}"))?;
        if !issued.is_empty() {
            tracing::info!(count = issued.len(), "fee invoices issued");
        }
        Ok(())
    }
}

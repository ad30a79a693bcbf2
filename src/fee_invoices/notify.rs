//! Emails the provider's finance people when their fee invoice is issued.

use diesel::prelude::*;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::db::schema::providers;
use crate::email;
use crate::ids::ProviderId;
use crate::tenancy::Permission;
use crate::web::AppError;

pub fn issued(
    conn: &mut PgConnection,
    provider: ProviderId,
    id: Uuid,
    number: &str,
    total: Decimal,
    base_url: &str,
) -> Result<(), AppError> {
    let mut to =
        crate::tenancy::members::provider_emails_allowed(conn, provider, Permission::ViewPayouts)?;
    let contact: String = providers::table
        .find(provider.0)
        .select(providers::contact_email)
        .first(conn)?;
    if !to.contains(&contact) {
        to.push(contact);
    }
    let subject = format!("Larder fee invoice {number}");
    let paragraphs = [
        format!(
            "Larder's invoice {number} for last month's fees is ready: {} including VAT.",
            crate::money::format_gbp(total)
        ),
        "Nothing to pay: the fees were taken from your card payments as they came in. Keep the invoice for your VAT records.".to_owned(),
    ];
    let link = format!(
        "{}/provider/fee-invoices/{id}",
        base_url.trim_end_matches('/')
    );
    for address in to {
        let message = email::notice(&address, &subject, &paragraphs, (&link, "See the invoice"))?;
        email::queue(conn, &message, &format!("fee_invoice:{id}:{address}"))?;
    }
    Ok(())
}

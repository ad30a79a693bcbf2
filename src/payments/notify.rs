//! "Invoice paid" emails to both sides, queued in the transaction that records the payment.

use crate::ids::InvoiceId;
use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{businesses, invoices, memberships, providers, users};
use crate::email::{self, OutgoingEmail};
use crate::web::AppError;

#[derive(Template)]
#[template(path = "emails/invoice_paid.txt")]
struct PaidText<'a> {
    number: &'a str,
    amount: &'a str,
    other: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/invoice_paid.html")]
struct PaidHtml<'a> {
    number: &'a str,
    amount: &'a str,
    other: &'a str,
    link: &'a str,
}

pub fn invoice_paid(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    base_url: &str,
) -> Result<(), AppError> {
    let (number, total, provider, business): (Option<String>, rust_decimal::Decimal, Uuid, Uuid) =
        invoices::table
            .find(invoice)
            .select((
                invoices::number,
                invoices::total,
                invoices::provider_id,
                invoices::business_id,
            ))
            .first(conn)?;
    let number = number.unwrap_or_default();
    let amount = crate::money::format_gbp(total);
    let (provider_name, provider_email): (String, String) = providers::table
        .find(provider)
        .select((providers::name, providers::contact_email))
        .first(conn)?;
    let business_name: String = businesses::table
        .find(business)
        .select(businesses::name)
        .first(conn)?;
    let buyer_emails: Vec<String> = memberships::table
        .inner_join(users::table)
        .filter(memberships::business_id.eq(business))
        .select(users::email)
        .load(conn)?;
    let mut messages = vec![(
        provider_email,
        format!("{base_url}/provider/invoices/{invoice}"),
        business_name,
        "provider",
    )];
    for email in buyer_emails {
        messages.push((
            email,
            format!("{base_url}/invoices/{invoice}"),
            provider_name.clone(),
            "buyer",
        ));
    }
    for (to, link, other, side) in messages {
        let message = OutgoingEmail {
            subject: format!("Invoice {number} paid"),
            text: PaidText {
                number: &number,
                amount: &amount,
                other: &other,
                link: &link,
            }
            .render()?,
            html: PaidHtml {
                number: &number,
                amount: &amount,
                other: &other,
                link: &link,
            }
            .render()?,
            to: to.clone(),
        };
        email::queue(
            conn,
            &message,
            &format!("invoice:{invoice}:paid:{side}:{to}"),
        )?;
    }
    Ok(())
}

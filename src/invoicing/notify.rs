//! "New invoice" email to the buyer's people, queued in the issuing transaction, with a link
//! to the invoice page (a logged-out reader goes through login and back).

use crate::ids::InvoiceId;
use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{invoices, memberships, providers, users};
use crate::email::{self, OutgoingEmail};
use crate::web::AppError;

#[derive(Template)]
#[template(path = "emails/invoice_issued.txt")]
struct IssuedText<'a> {
    number: &'a str,
    provider: &'a str,
    amount: &'a str,
    due: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/invoice_issued.html")]
struct IssuedHtml<'a> {
    number: &'a str,
    provider: &'a str,
    amount: &'a str,
    due: &'a str,
    link: &'a str,
}

pub fn issued(conn: &mut PgConnection, invoice: InvoiceId, base_url: &str) -> Result<(), AppError> {
    let (number, total, due, provider, business): (
        Option<String>,
        rust_decimal::Decimal,
        Option<time::Date>,
        Uuid,
        Uuid,
    ) = invoices::table
        .find(invoice)
        .select((
            invoices::number,
            invoices::total,
            invoices::due_date,
            invoices::provider_id,
            invoices::business_id,
        ))
        .first(conn)?;
    let (number, amount) = (number.unwrap_or_default(), crate::money::format_gbp(total));
    let due = due.map(crate::timefmt::date).unwrap_or_default();
    let provider: String = providers::table
        .find(provider)
        .select(providers::name)
        .first(conn)?;
    let link = format!("{base_url}/invoices/{invoice}");
    let recipients: Vec<String> = memberships::table
        .inner_join(users::table)
        .filter(memberships::business_id.eq(business))
        .select(users::email)
        .load(conn)?;
    for to in recipients {
        let (n, p, a, d, l) = (
            number.as_str(),
            provider.as_str(),
            amount.as_str(),
            due.as_str(),
            link.as_str(),
        );
        let message = OutgoingEmail {
            subject: format!("Invoice {number} from {provider}: {amount}"),
            text: IssuedText {
                number: n,
                provider: p,
                amount: a,
                due: d,
                link: l,
            }
            .render()?,
            html: IssuedHtml {
                number: n,
                provider: p,
                amount: a,
                due: d,
                link: l,
            }
            .render()?,
            to: to.clone(),
        };
        email::queue(conn, &message, &format!("invoice:{invoice}:issued:{to}"))?;
    }
    Ok(())
}

//! Invoice emails, queued by `changes::after_change` in the transaction that made the change:
//! "new invoice" to the buyer's people, "invoice paid" to both sides. Each links to the
//! invoice page (a logged-out reader goes through login and back).

use askama::Template;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{businesses, invoices, providers};
use crate::email::{self, OutgoingEmail};
use crate::ids::{BusinessId, InvoiceId};
use crate::notifications::Notice;
use crate::tenancy::Permission;
use crate::tenancy::members::{
    buyer_emails_allowed, buyer_members_allowed, provider_members_allowed, user_ids,
};
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

pub(super) fn issued(
    conn: &mut PgConnection,
    invoice: InvoiceId,
    base_url: &str,
) -> Result<(), AppError> {
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
    for to in buyer_emails_allowed(conn, BusinessId(business), Permission::ViewInvoices)? {
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
    let users = user_ids(buyer_members_allowed(
        conn,
        BusinessId(business),
        Permission::ViewInvoices,
    )?);
    crate::notifications::tell(
        conn,
        &users,
        &Notice {
            kind: "invoice",
            title: &format!("Invoice {number} from {provider}: {amount}"),
            body: &format!("Due {due}."),
            link: &format!("/invoices/{invoice}"),
            key: &format!("invoice:{invoice}:issued"),
        },
    )?;
    Ok(())
}

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

pub(super) fn paid(
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
    let buyer_emails = buyer_emails_allowed(conn, BusinessId(business), Permission::ViewInvoices)?;
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
    let title = format!("Invoice {number} paid: {amount}");
    let sides = [
        (
            user_ids(buyer_members_allowed(
                conn,
                BusinessId(business),
                Permission::ViewInvoices,
            )?),
            format!("/invoices/{invoice}"),
        ),
        (
            user_ids(provider_members_allowed(
                conn,
                crate::ids::ProviderId(provider),
                Permission::ManageInvoices,
            )?),
            format!("/provider/invoices/{invoice}"),
        ),
    ];
    for (users, link) in sides {
        crate::notifications::tell(
            conn,
            &users,
            &Notice {
                kind: "invoice",
                title: &title,
                body: "",
                link: &link,
                key: &format!("invoice:{invoice}:paid"),
            },
        )?;
    }
    Ok(())
}

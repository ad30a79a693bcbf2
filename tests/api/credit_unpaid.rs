//! Credit before payment: accepting a credit request (or an admin upholding one) on an
//! issued, unpaid invoice issues a credit note that lowers what the buyer owes, with balanced
//! entries; the buyer then pays the rest, a checkout opened for the old amount can't settle
//! it, and an invoice credited in full asks for nothing.

use diesel::prelude::*;
use larder::db::schema::{credit_notes, credit_request_lines, credit_requests, invoices, payments};
use larder::ids::InvoiceId;
use larder::tenancy::Scope;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::credits::{delivered, raise, requests};
use crate::disputes::issued;
use crate::helpers::{TestApp, fixtures, spawn_app};
use crate::ledger::assert_journal_balanced;
use crate::ordering::shop;
use crate::payments::invoice_status;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// (total, credited, paid, fee + its VAT) of the invoice.
fn amounts(app: &TestApp, invoice: Uuid) -> (Decimal, Decimal, Decimal, Decimal) {
    invoices::table
        .find(invoice)
        .select((
            invoices::total,
            invoices::amount_credited,
            invoices::amount_paid,
            invoices::platform_fee + invoices::platform_fee_vat,
        ))
        .first(&mut app.conn())
        .unwrap()
}

/// Credit notes on the invoice: (total, refund id).
fn notes(app: &TestApp, invoice: Uuid) -> Vec<(Decimal, Option<Uuid>)> {
    credit_notes::table
        .filter(credit_notes::invoice_id.eq(invoice))
        .order(credit_notes::sequence_number)
        .select((credit_notes::total, credit_notes::refund_id))
        .load(&mut app.conn())
        .unwrap()
}

fn due_in_ledger(app: &TestApp, invoice: Uuid) -> Decimal {
    larder::ledger::queries::invoice_due(&mut app.conn(), InvoiceId(invoice)).unwrap()
}

#[tokio::test]
async fn accepting_on_an_unpaid_invoice_credits_it_and_the_buyer_pays_the_rest() {
    let app = spawn_app().await;
    let ten_percent = larder::ledger::rules::FeeRule {
        percent: d("10"),
        ..Default::default()
    };
    larder::ledger::queries::save_rule(&mut app.conn(), None, &ten_percent, None).unwrap();
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    let invoice = issued(&shop, order).await;
    let (total, _, _, fee_before) = amounts(&app, invoice);
    assert!(fee_before > Decimal::ZERO);
    // A checkout opened for the full amount before the credit.
    let stale = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await
        .location
        .unwrap();
    assert_eq!(
        raise(&app, &shop, order, &Uuid::now_v7().to_string())
            .await
            .status,
        303
    );
    let id = requests(&app)[0].0;
    let wine: i64 = credit_request_lines::table
        .filter(credit_request_lines::request_id.eq(id))
        .filter(credit_request_lines::reason.eq("damaged"))
        .select(credit_request_lines::id)
        .first(&mut app.conn())
        .unwrap();
    let path = format!("/provider/credit-requests/{id}/accept");
    let wine = wine.to_string();
    let done = shop
        .sam
        .browser
        .post(&path, &[("line", wine.as_str())])
        .await;
    assert_eq!(done.status, 303);
    // A second click finds it answered and credits nothing more.
    let again = shop
        .sam
        .browser
        .post(&path, &[("line", wine.as_str())])
        .await;
    assert_eq!(again.status, 409);

    assert_eq!(notes(&app, invoice), vec![(d("50.40"), None)]);
    let (_, credited, paid, fee_after) = amounts(&app, invoice);
    assert_eq!((credited, paid), (d("50.40"), Decimal::ZERO));
    assert!(fee_after < fee_before, "the fee shrinks with the invoice");
    assert_eq!(invoice_status(&app, invoice), "issued");
    assert_eq!(due_in_ledger(&app, invoice), total - d("50.40"));
    let linked: Option<Uuid> = credit_requests::table
        .find(id)
        .select(credit_requests::credit_note_id)
        .first(&mut app.conn())
        .unwrap();
    assert!(linked.is_some());
    assert_journal_balanced(&app);

    let left = larder::money::format_gbp(total - d("50.40"));
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(
        page.body
            .contains(&format!("Left to pay: <strong>{left}</strong>")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("Pay {left}")));
    let seen = shop
        .ada
        .browser
        .get(&format!("/credit-requests/{id}"))
        .await;
    assert!(seen.body.contains("credited on the unpaid invoice"));
    // The invoices list sums what is owed after the credit; once past due, all of it is late.
    let list = shop.ada.browser.get("/invoices").await;
    assert!(
        list.body
            .contains(&format!("<dt>Outstanding</dt><dd>{left}</dd>"))
    );
    assert!(
        list.body
            .contains("<dt>Of which overdue</dt><dd>£0.00</dd>")
    );
    app.clock
        .set(time::OffsetDateTime::now_utc() + time::Duration::days(120));
    let late = shop.ada.browser.get("/invoices").await;
    assert!(
        late.body
            .contains(&format!("<dt>Of which overdue</dt><dd>{left}</dd>"))
    );
    app.clock.set(time::OffsetDateTime::now_utc());
    app.run_jobs();
    assert!(
        app.sent_emails()
            .iter()
            .any(|m| m.contains("ada@bistro.test") && m.contains("Credit note"))
    );

    // The checkout for the old amount completes: the money is listed to go back, and the
    // invoice still asks for what is due now.
    let late = shop.ada.browser.post(&format!("{stale}/pay"), &[]).await;
    assert_eq!(late.status, 303);
    assert_eq!(invoice_status(&app, invoice), "issued");
    let flagged: Vec<(String, Decimal)> = payments::table
        .filter(payments::invoice_id.eq(invoice))
        .filter(payments::status.ne("expired"))
        .select((payments::status, payments::amount))
        .load(&mut app.conn())
        .unwrap();
    assert_eq!(flagged, vec![("needs_refund".to_owned(), total)]);

    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    let paid = shop
        .ada
        .browser
        .post(&format!("{}/pay", pay.location.unwrap()), &[])
        .await;
    assert_eq!(paid.status, 303);
    assert_eq!(invoice_status(&app, invoice), "paid");
    let (_, credited, paid, fee) = amounts(&app, invoice);
    assert_eq!(paid, total - credited);
    let application_fee: Decimal = payments::table
        .filter(payments::invoice_id.eq(invoice))
        .filter(payments::status.eq("succeeded"))
        .select(payments::application_fee)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(application_fee, fee, "Stripe takes the shrunk fee");
    assert_journal_balanced(&app);
}

#[tokio::test]
async fn an_admin_upholding_on_an_unpaid_invoice_issues_the_credit_note() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let (order, id) = crate::disputes::escalated(&app, &shop).await;
    let invoice = issued(&shop, order).await;
    let admin = fixtures::admin(&app).await;
    let resolve = format!("/admin/disputes/{id}/resolve");
    let decide = || {
        admin.browser.post(
            &resolve,
            &[
                ("decision", "uphold"),
                ("amount", "11.20"),
                ("note", "Two cream short"),
            ],
        )
    };
    assert_eq!(decide().await.status, 303);
    assert_eq!(decide().await.status, 409, "decided once");
    assert_eq!(notes(&app, invoice), vec![(d("11.20"), None)]);
    assert_eq!(amounts(&app, invoice).1, d("11.20"));
    let seen = shop
        .sam
        .browser
        .get(&format!("/provider/credit-requests/{id}"))
        .await;
    assert!(
        seen.body
            .contains("upheld £11.20, credited on the invoice: Two cream short")
    );
    assert_journal_balanced(&app);
}

#[tokio::test]
async fn an_invoice_credited_in_full_asks_for_nothing_and_cannot_be_voided() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let order = delivered(&shop).await;
    let invoice = issued(&shop, order).await;
    let (total, ..) = amounts(&app, invoice);
    let mut conn = app.conn();
    let credit = |conn: &mut diesel::PgConnection, scope, amount| {
        conn.transaction(|conn| {
            larder::invoicing::credit::credit_unpaid(
                conn,
                scope,
                InvoiceId(invoice),
                (amount, "Whole delivery refused"),
                (time::OffsetDateTime::now_utc(), "http://localhost"),
            )
        })
    };
    // Another provider can't credit it, and nobody can credit more than is due.
    let stranger = Scope::Provider(larder::ids::ProviderId(Uuid::now_v7()));
    assert!(credit(&mut conn, stranger, d("1")).is_err());
    assert!(credit(&mut conn, Scope::System, total + d("0.01")).is_err());
    assert!(notes(&app, invoice).is_empty());
    // A bank payment on its way can't be called back: nothing is credited meanwhile.
    let (business, total_due): (Uuid, Decimal) = invoices::table
        .find(invoice)
        .select((invoices::business_id, invoices::total))
        .first(&mut conn)
        .unwrap();
    let bank: Uuid = diesel::insert_into(payments::table)
        .values((
            payments::invoice_id.eq(invoice),
            payments::business_id.eq(business),
            payments::amount.eq(total_due),
            payments::gateway.eq("stripe"),
            payments::status.eq("processing"),
        ))
        .returning(payments::id)
        .get_result(&mut conn)
        .unwrap();
    match credit(&mut conn, Scope::System, d("1")) {
        Err(larder::web::AppError::Conflict(why)) => {
            assert!(why.contains("the credit is then refunded"), "{why}")
        }
        other => panic!("credited while a bank payment was on its way: {other:?}"),
    }
    assert!(notes(&app, invoice).is_empty());
    diesel::update(payments::table.find(bank))
        .set((
            payments::status.eq("failed"),
            payments::failure_reason.eq(Some("Your bank declined the payment.")),
        ))
        .execute(&mut conn)
        .unwrap();
    credit(&mut conn, Scope::System, d("10.00")).unwrap();
    credit(&mut conn, Scope::System, total - d("10.00")).unwrap();
    assert_eq!(invoice_status(&app, invoice), "credited");
    assert_eq!(due_in_ledger(&app, invoice), Decimal::ZERO);
    assert_eq!(amounts(&app, invoice).3, Decimal::ZERO, "no fee on nothing");
    assert!(credit(&mut conn, Scope::System, d("0.01")).is_err());

    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    assert_eq!(pay.status, 409);
    assert!(pay.body.contains("credited in full"));
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{invoice}/void"),
            &[("reason", "Oops")],
        )
        .await;
    assert_eq!(void.status, 409);
    let page = shop.ada.browser.get(&format!("/invoices/{invoice}")).await;
    assert!(page.body.contains("Credited"));
    assert!(page.body.contains("Left to pay: <strong>£0.00</strong>"));
    assert_journal_balanced(&app);
}

//! The journal: balanced by the database, append-only, and written by every money event.

use diesel::prelude::*;
use diesel::sql_types::{Numeric, Text};

use crate::helpers::{TestApp, spawn_app};
use crate::ordering::shop;
use crate::payments::{invoice_status, issued};

#[derive(QueryableByName)]
struct Off {
    #[diesel(sql_type = Text)]
    entry: String,
}

/// No journal entry is off by a penny.
pub fn assert_journal_balanced(app: &TestApp) {
    let off: Vec<Off> = diesel::sql_query(
        "SELECT entry_id::text AS entry FROM journal_lines GROUP BY entry_id HAVING sum(amount) <> 0",
    )
    .load(&mut app.conn())
    .unwrap();
    assert!(
        off.is_empty(),
        "unbalanced entries: {:?}",
        off.iter().map(|o| &o.entry).collect::<Vec<_>>()
    );
    // The daily totals the dashboard reads agree with the lines, day by day and account.
    let drift: Vec<Off> = diesel::sql_query(
        "WITH l AS (SELECT (e.occurred_at AT TIME ZONE 'Europe/London')::date AS day, l.account,
                           coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0) AS debits,
                           coalesce(-sum(l.amount) FILTER (WHERE l.amount < 0), 0) AS credits
                      FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id GROUP BY 1, 2)
         SELECT coalesce(l.day, d.day)::text || ' ' || coalesce(l.account, d.account) AS entry
           FROM l FULL JOIN journal_daily d ON d.day = l.day AND d.account = l.account
          WHERE l.debits IS DISTINCT FROM d.debits OR l.credits IS DISTINCT FROM d.credits",
    )
    .load(&mut app.conn())
    .unwrap();
    assert!(
        drift.is_empty(),
        "daily totals differ from the lines: {:?}",
        drift.iter().map(|o| &o.entry).collect::<Vec<_>>()
    );
}

#[derive(QueryableByName)]
struct Sum {
    #[diesel(sql_type = Numeric)]
    total: rust_decimal::Decimal,
}

/// The signed sum of an account (debits positive), to the penny.
pub fn balance(app: &TestApp, account: &str) -> String {
    let s: Sum = diesel::sql_query(
        "SELECT coalesce(sum(amount), 0)::numeric(12,2) AS total FROM journal_lines WHERE account = $1",
    )
    .bind::<Text, _>(account)
    .get_result(&mut app.conn())
    .unwrap();
    format!("{:.2}", s.total)
}

fn kinds(app: &TestApp) -> Vec<String> {
    larder::db::schema::journal_entries::table
        .order(larder::db::schema::journal_entries::created_at)
        .select(larder::db::schema::journal_entries::kind)
        .load(&mut app.conn())
        .unwrap()
}

#[tokio::test]
async fn the_database_refuses_an_unbalanced_entry_and_any_change_to_a_written_one() {
    let app = spawn_app().await;
    let mut conn = app.conn();
    let unbalanced = conn.transaction::<_, diesel::result::Error, _>(|c| {
        diesel::sql_query(
            "WITH e AS (INSERT INTO journal_entries (kind, source, occurred_at) VALUES ('test', 'x', now()) RETURNING id)
             INSERT INTO journal_lines (entry_id, account, amount)
             SELECT id, 'stripe_clearing', 10.00 FROM e UNION ALL SELECT id, 'platform_fee_revenue', -9.99 FROM e",
        )
        .execute(c)?;
        Ok(())
    });
    assert!(
        unbalanced.is_err(),
        "an entry off by 1p is refused at commit"
    );
    let count: i64 = larder::db::schema::journal_entries::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(count, 0);

    diesel::sql_query(
        "WITH e AS (INSERT INTO journal_entries (kind, source, occurred_at) VALUES ('test', 'y', now()) RETURNING id)
         INSERT INTO journal_lines (entry_id, account, amount)
         SELECT id, 'stripe_clearing', 10.00 FROM e UNION ALL SELECT id, 'platform_fee_revenue', -10.00 FROM e",
    )
    .execute(&mut conn)
    .unwrap();
    assert!(
        diesel::sql_query("UPDATE journal_lines SET amount = amount * 2")
            .execute(&mut conn)
            .is_err()
    );
    assert!(
        diesel::sql_query("DELETE FROM journal_lines")
            .execute(&mut conn)
            .is_err()
    );
    assert!(
        diesel::sql_query("DELETE FROM journal_entries")
            .execute(&mut conn)
            .is_err()
    );
    assert_eq!(balance(&app, "stripe_clearing"), "10.00");
}

#[tokio::test]
async fn issuing_voiding_and_paying_outside_leave_nobody_owing() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let first = issued(&app, &shop).await;
    assert_eq!(balance(&app, "buyer_receivable"), "53.93");
    assert_eq!(balance(&app, "provider_payable"), "-53.93");
    let void = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{first}/void"),
            &[("reason", "Wrong prices")],
        )
        .await;
    assert_eq!(void.status, 303);
    assert_eq!(balance(&app, "buyer_receivable"), "0.00");

    let second = issued(&app, &shop).await;
    let today = larder::timefmt::london_today().to_string();
    let paid = shop
        .sam
        .browser
        .post(
            &format!("/provider/invoices/{second}/paid"),
            &[("method", "bank_transfer"), ("paid_on", &today)],
        )
        .await;
    assert_eq!(paid.status, 303);
    assert_eq!(invoice_status(&app, second), "paid");
    assert_eq!(
        kinds(&app),
        [
            "invoice_issued",
            "invoice_voided",
            "invoice_issued",
            "paid_outside"
        ]
    );
    assert_journal_balanced(&app);
    for account in ["buyer_receivable", "provider_payable", "stripe_clearing"] {
        assert_eq!(balance(&app, account), "0.00", "{account}");
    }
}

#[tokio::test]
async fn a_test_gateway_payment_posts_receipt_fee_and_transfer_once() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let invoice = issued(&app, &shop).await;
    let pay = shop
        .ada
        .browser
        .post(&format!("/invoices/{invoice}/pay"), &[])
        .await;
    let checkout = pay.location.unwrap();
    let done = shop.ada.browser.post(&format!("{checkout}/pay"), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(invoice_status(&app, invoice), "paid");
    // The default rule takes no fee: no fee entry, and everything moves on to the provider.
    assert_eq!(
        kinds(&app),
        ["invoice_issued", "payment_received", "transfer"]
    );
    assert_journal_balanced(&app);
    for account in ["buyer_receivable", "stripe_clearing"] {
        assert_eq!(balance(&app, account), "0.00", "{account}");
    }
    // Owed to the provider until Stripe pays it out to their bank.
    assert_eq!(balance(&app, "provider_payable"), "-53.93");
    assert_eq!(balance(&app, "provider_stripe_balance"), "53.93");
}

//! A property test over random months of trade: invoices issued under the plan in force (plans
//! switched and rules re-versioned at random moments), paid by card, some partly or wholly
//! refunded, then paid out and invoiced for fees. For every month, to the penny:
//! the fee invoice = the application fees taken = the journal's fee revenue, and the payout =
//! the paid invoices − fees − refunds.

use std::cell::Cell;

use diesel::prelude::*;
use larder::db::schema::{fee_invoices, invoices, users};
use larder::ids::{BusinessId, InvoiceId, ProviderId};
use larder::ledger::queries::{Posting, RuleScope, add_version, post, rule_for};
use larder::ledger::rules::{self as ledger, Fee, FeeRule, Parties};
use larder::statements::rules::StatementMonth;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use time::{Duration, Month, OffsetDateTime};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app};
use crate::ordering::shop;
use crate::payments::issued;

#[derive(Debug, Clone)]
struct Sale {
    /// Minutes into the month (kept clear of its last day, so refunds stay inside it).
    minute: i64,
    pennies: i64,
    paid: bool,
    /// Percent of the total refunded, if any.
    refund: Option<i64>,
    /// Switch plan just before this sale: to Pro (true) or back to Free.
    switch: Option<bool>,
}

fn sales() -> impl Strategy<Value = (Vec<Sale>, Option<(i64, i64)>)> {
    let sale = (
        0i64..(27 * 24 * 60),
        100i64..300_000,
        prop::bool::weighted(0.8),
        prop::option::weighted(0.3, 1i64..=100),
        prop::option::weighted(0.3, any::<bool>()),
    )
        .prop_map(|(minute, pennies, paid, refund, switch)| Sale {
            minute,
            pennies,
            paid,
            refund,
            switch,
        });
    (
        prop::collection::vec(sale, 1..10),
        // A new version of Pro's rule at a random minute: its percent in tenths.
        prop::option::weighted(0.5, (0i64..(27 * 24 * 60), 5i64..60)),
    )
}

fn money(pennies: i64) -> Decimal {
    Decimal::new(pennies, 2)
}

fn rule(percent_tenths: i64, fixed: i64) -> FeeRule {
    FeeRule {
        percent: Decimal::new(percent_tenths, 1),
        fixed: money(fixed),
        minimum: money(50),
        maximum: Some(money(2500)),
    }
}

fn journal(
    app: &TestApp,
    kind: &'static str,
    invoice: Uuid,
    at: OffsetDateTime,
    lines: &[ledger::Line],
) {
    let posting = Posting {
        kind,
        source: Uuid::now_v7().to_string(),
        invoice: Some(InvoiceId(invoice)),
        payment: None,
        refund: None,
        payout: None,
        at,
        memo: String::new(),
    };
    post(&mut app.conn(), &posting, lines).unwrap();
}

#[derive(QueryableByName)]
struct Sum {
    #[diesel(sql_type = diesel::sql_types::Numeric)]
    amount: Decimal,
}

/// The sum of `account`'s lines dated in `[from, to)` (for the provider's, its own lines).
fn ledger_sum(
    app: &TestApp,
    account: &str,
    provider: Option<Uuid>,
    from: OffsetDateTime,
    to: OffsetDateTime,
) -> Decimal {
    diesel::sql_query(
        "SELECT coalesce(sum(l.amount), 0) AS amount
           FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
          WHERE l.account = $1 AND e.occurred_at >= $2 AND e.occurred_at < $3
            AND ($4::uuid IS NULL OR l.provider_id = $4)",
    )
    .bind::<diesel::sql_types::Text, _>(account)
    .bind::<diesel::sql_types::Timestamptz, _>(from)
    .bind::<diesel::sql_types::Timestamptz, _>(to)
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(provider)
    .get_result::<Sum>(&mut app.conn())
    .unwrap()
    .amount
}

#[tokio::test]
async fn fee_invoices_fees_taken_fee_revenue_and_payouts_agree_for_random_months() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    // Anchors for the journal's entries: the amounts below are the test's own.
    let anchor = issued(&app, &shop).await;
    let (business, provider): (Uuid, Uuid) = invoices::table
        .find(anchor)
        .select((invoices::business_id, invoices::provider_id))
        .first(&mut app.conn())
        .unwrap();
    let parties = Parties {
        business: BusinessId(business),
        provider: ProviderId(provider),
    };
    let free = larder::plans::queries::default_plan(&mut app.conn()).unwrap();
    let pro = larder::plans::queries::create(
        &mut app.conn(),
        &larder::plans::queries::NewPlan {
            name: "Pro",
            monthly_price: money(1900),
            featured: false,
            by: owner(&app),
        },
    )
    .unwrap()
    .unwrap();
    let start = OffsetDateTime::new_utc(
        time::Date::from_calendar_date(2030, Month::January, 1).unwrap(),
        time::Time::MIDNIGHT,
    );
    let free_rule = rule(30, 0);
    let pro_rule = rule(15, 20);
    add_version(
        &mut app.conn(),
        RuleScope::Plan(free),
        Some(&free_rule),
        start - Duration::days(1),
        None,
    )
    .unwrap();
    add_version(
        &mut app.conn(),
        RuleScope::Plan(pro),
        Some(&pro_rule),
        start - Duration::days(1),
        None,
    )
    .unwrap();

    let months = Cell::new(0i32);
    let on_pro = Cell::new(false);
    let pro_now = Cell::new(pro_rule);
    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&sales(), |(mut sales, version)| {
            // Each case trades in a month of its own, after the last case's.
            let n = months.get();
            months.set(n + 1);
            let month = StatementMonth {
                year: 2030 + n / 12,
                month: Month::try_from(u8::try_from(n % 12 + 1).unwrap()).unwrap(),
            };
            let from = larder::timefmt::london_midnight(month.first_day());
            let to = larder::timefmt::london_midnight(month.next().first_day());
            sales.sort_by_key(|s| s.minute);
            let mut version = version;
            let (mut fees_taken, mut paid, mut refunded) =
                (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
            for s in &sales {
                let at = from + Duration::minutes(s.minute);
                if let Some((minute, tenths)) = version.filter(|(m, _)| *m <= s.minute) {
                    let next = rule(tenths, 20);
                    add_version(
                        &mut app.conn(),
                        RuleScope::Plan(pro),
                        Some(&next),
                        from + Duration::minutes(minute),
                        None,
                    )
                    .unwrap();
                    pro_now.set(next);
                    version = None;
                }
                if let Some(to_pro) = s.switch {
                    larder::plans::queries::choose(
                        &mut app.conn(),
                        parties.provider,
                        if to_pro { pro } else { free },
                        at,
                        if to_pro { "upgrade" } else { "downgrade" },
                    )
                    .unwrap();
                    on_pro.set(to_pro);
                }
                let total = money(s.pennies);
                let fee = rule_for(&mut app.conn(), parties.provider, at)
                    .unwrap()
                    .fee(total);
                let expected = if on_pro.get() {
                    pro_now.get()
                } else {
                    free_rule
                }
                .fee(total);
                prop_assert_eq!(
                    fee,
                    expected,
                    "the fee follows the plan and version in force"
                );
                journal(
                    &app,
                    "invoice_issued",
                    anchor,
                    at,
                    &ledger::invoice_issued(parties, total),
                );
                if !s.paid {
                    continue;
                }
                let pay_at = at + Duration::hours(1);
                journal(
                    &app,
                    "payment_received",
                    anchor,
                    pay_at,
                    &ledger::payment_received(parties, total),
                );
                journal(
                    &app,
                    "platform_fee",
                    anchor,
                    pay_at,
                    &ledger::platform_fee(parties, fee),
                );
                journal(
                    &app,
                    "transfer",
                    anchor,
                    pay_at,
                    &ledger::transfer(parties, total - fee.gross()),
                );
                fees_taken += fee.gross();
                paid += total;
                if let Some(percent) = s.refund {
                    let amount = larder::money::round_pennies(total * Decimal::new(percent, 2))
                        .max(money(1));
                    let back: Fee =
                        larder::refunds::rules::fee_refunded_through(fee, total, amount);
                    let refund_at = at + Duration::hours(2);
                    journal(
                        &app,
                        "refund_paid",
                        anchor,
                        refund_at,
                        &ledger::refund_paid(parties, amount),
                    );
                    journal(
                        &app,
                        "transfer_reversed",
                        anchor,
                        refund_at,
                        &ledger::transfer_reversed(parties, amount - back.gross()),
                    );
                    journal(
                        &app,
                        "fee_refunded",
                        anchor,
                        refund_at,
                        &ledger::fee_refunded(parties, back),
                    );
                    fees_taken -= back.gross();
                    refunded += amount;
                }
            }
            // Everything in the provider's Stripe balance is paid out on the month's last day.
            let balance = ledger_sum(&app, "provider_stripe_balance", Some(provider), from, to);
            let payout_at = to - Duration::hours(2);
            journal(
                &app,
                "payout_paid",
                anchor,
                payout_at,
                &ledger::payout_paid(parties.provider, balance),
            );
            larder::fee_invoices::queries::issue_month(
                &mut app.conn(),
                month,
                &app.config.platform,
                "http://localhost",
            )
            .unwrap();

            let invoiced: Option<Decimal> = fee_invoices::table
                .filter(fee_invoices::provider_id.eq(provider))
                .filter(fee_invoices::month.eq(month.first_day()))
                .select(fee_invoices::total)
                .first(&mut app.conn())
                .optional()
                .unwrap();
            let revenue = -(ledger_sum(&app, "platform_fee_revenue", None, from, to)
                + ledger_sum(&app, "vat_on_fees", None, from, to));
            prop_assert_eq!(
                invoiced.unwrap_or_default(),
                fees_taken,
                "fee invoice = fees taken"
            );
            prop_assert_eq!(revenue, fees_taken, "journal fee revenue = fees taken");
            prop_assert_eq!(
                balance,
                paid - fees_taken - refunded,
                "payout = paid − fees − refunds"
            );
            Ok(())
        })
        .unwrap();
    crate::ledger::assert_journal_balanced(&app);
}

fn owner(app: &TestApp) -> Uuid {
    users::table
        .filter(users::email.eq("sam@veg.test"))
        .select(users::id)
        .first(&mut app.conn())
        .unwrap()
}

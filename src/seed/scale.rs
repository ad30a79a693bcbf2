//! Generated data at marketplace scale for the benchmarks, made set-wise in SQL
//! (`generate_series`), so 200,000 products take seconds, not hours.
//! Orders join this when the ordering work lands (`ScaleSizes::orders` is their hook).

use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// The password of every generated account (the data is for benchmarks, never production).
pub const PASSWORD: &str = "scale-bench-password";

/// Orders, their lines and invoices, set-wise. Each statement binds $1 (the order count) and
/// $2 (the password hash, unused here) like the other steps.
fn order_steps() -> Vec<(&'static str, String)> {
    vec![
        ("orders", "WITH b AS (SELECT bz.id AS business_id, l.id AS location_id, l.postcode, m.user_id,
                                 row_number() OVER (ORDER BY bz.id) AS rn
                            FROM businesses bz
                            JOIN locations l ON l.business_id = bz.id AND l.is_default
                            JOIN memberships m ON m.business_id = bz.id
                           WHERE bz.name LIKE 'Scale Bistro %'),
              p AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM providers WHERE slug LIKE 'scale-provider-%'),
              s AS (SELECT i, (ARRAY['submitted','confirmed','out_for_delivery','delivered','delivered','delivered',
                                     'delivered','delivered','rejected','cancelled'])[1 + i % 10] AS status
                      FROM generate_series(1, $1) i WHERE $2 IS NOT NULL)
         INSERT INTO orders (id, number, business_id, location_id, provider_id, placed_by, status, requested_delivery_date,
                             delivery_address, rejection_reason, subtotal, vat_total, total, idempotency_key, created_at)
         SELECT larder_uuid_v7(), 'SC-' || lpad(s.i::text, 7, '0'), b.business_id, b.location_id, p.id, b.user_id, s.status,
                date '2026-01-05' + (s.i % 320)::int, 'Main kitchen, ' || b.postcode,
                CASE WHEN s.status = 'rejected' THEN 'Out of stock' END, 0, 0, 0, gen_random_uuid(),
                timestamptz '2026-01-01' + (s.i % 320) * interval '1 day' + (s.i % 86400) * interval '1 second'
           FROM s
           JOIN b ON b.rn = 1 + s.i % (SELECT count(*) FROM b)
           JOIN p ON p.rn = 1 + (s.i * 7) % (SELECT count(*) FROM p)".into()),
        ("order lines", "WITH pr AS (SELECT id, provider_id, sku, name, unit, pack_size, price, vat_rate, fractional,
                                       row_number() OVER (PARTITION BY provider_id ORDER BY id) AS rn,
                                       count(*) OVER (PARTITION BY provider_id) AS n
                                  FROM products)
         INSERT INTO order_lines (id, order_id, product_id, position, sku, product_name, unit, pack_size, unit_price,
                                  vat_rate, quantity, line_total, line_vat, fractional)
         SELECT larder_uuid_v7(), o.id, pr.id, k - 1, pr.sku, pr.name, pr.unit, pr.pack_size, pr.price, pr.vat_rate,
                1 + k % 4, round(pr.price * (1 + k % 4), 2), round(round(pr.price * (1 + k % 4), 2) * pr.vat_rate / 100, 2),
                pr.fractional
           FROM orders o
           CROSS JOIN generate_series(1, 5) k
           JOIN pr ON pr.provider_id = o.provider_id
                  AND pr.rn = 1 + (abs(hashtext(o.id::text)) + k * 17) % pr.n
          WHERE o.number LIKE 'SC-%' AND $1 > 0 AND $2 IS NOT NULL".into()),
        ("order totals", "UPDATE orders o SET subtotal = t.net, vat_total = t.vat, total = t.net + t.vat
           FROM (SELECT order_id, sum(line_total) AS net, sum(line_vat) AS vat FROM order_lines GROUP BY order_id) t
          WHERE t.order_id = o.id AND o.number LIKE 'SC-%' AND $1 > 0 AND $2 IS NOT NULL".into()),
        ("order events", "INSERT INTO order_events (id, order_id, status, created_at)
         SELECT larder_uuid_v7(), id, status, created_at FROM orders
          WHERE number LIKE 'SC-%' AND $1 > 0 AND $2 IS NOT NULL".into()),
        ("invoices", "WITH d AS (SELECT o.id, o.provider_id, o.business_id, o.total, o.subtotal, o.vat_total, o.created_at,
                                 row_number() OVER (PARTITION BY o.provider_id ORDER BY o.created_at, o.id) AS seq
                            FROM orders o
                           WHERE o.number LIKE 'SC-%' AND o.status = 'delivered' AND abs(hashtext(o.id::text)) % 10 < 8)
         INSERT INTO invoices (id, provider_id, business_id, order_id, status, sequence_number, number, issue_date, due_date,
                               seller_name, buyer_name, subtotal, vat_total, total, amount_paid, issued_at, paid_at, created_at)
         SELECT larder_uuid_v7(), d.provider_id, d.business_id, d.id,
                CASE WHEN d.seq % 10 < 7 THEN 'paid' ELSE 'issued' END, d.seq::int,
                pv.invoice_prefix || '-' || lpad(d.seq::text, 6, '0'),
                d.created_at::date + 2, d.created_at::date + 16, pv.name, bz.name,
                d.subtotal, d.vat_total, d.total,
                CASE WHEN d.seq % 10 < 7 THEN d.total ELSE 0 END,
                d.created_at + interval '2 days',
                CASE WHEN d.seq % 10 < 7 THEN d.created_at + interval '10 days' END,
                d.created_at + interval '2 days'
           FROM d
           JOIN providers pv ON pv.id = d.provider_id
           JOIN businesses bz ON bz.id = d.business_id
          WHERE $1 > 0 AND $2 IS NOT NULL".into()),
        ("invoice counters", "UPDATE provider_invoice_counters c SET last_number = m.n
           FROM (SELECT provider_id, max(sequence_number) AS n FROM invoices GROUP BY provider_id) m
          WHERE m.provider_id = c.provider_id AND $1 > 0 AND $2 IS NOT NULL".into()),
    ]
}

#[derive(Debug, Clone, Copy)]
pub struct ScaleSizes {
    pub providers: i64,
    pub products: i64,
    pub businesses: i64,
    /// Orders with five lines each; most delivered ones get an issued or paid invoice.
    pub orders: i64,
}

impl Default for ScaleSizes {
    fn default() -> Self {
        Self {
            providers: 2_000,
            products: 200_000,
            businesses: 20_000,
            orders: 0,
        }
    }
}

const CATEGORIES: &str = "(ARRAY['fruit_veg','meat_poultry','fish_seafood','dairy_eggs','bakery','dry_goods','drinks','frozen','cleaning_disposables'])";
const AREAS: &str = "(ARRAY['E','N','SE','SW','W','EC','WC','NW','E1','E2','E8','E14','N1','N7','N16','SE1','SE5','SE10','SE15','SW1','SW4','SW9','W1','W2','W11','EC1','EC2','WC1','WC2','NW1','NW5'])";
const OUTCODES: &str = "(ARRAY['E1','E2','E8','E14','N1','N7','N16','SE1','SE5','SE10','SE15','SW1A','SW4','SW9','W1D','W2','W11','EC1V','EC2A','WC1N','WC2H','NW1','NW5'])";
const ADJECTIVES: &str = "(ARRAY['Organic','Free-range','Smoked','Fresh','Aged','Wild','Heritage','Salted','Sweet','Spiced','Roasted','Classic','Premium','Seasonal','Artisan','Double','Whole','Sliced','Frozen','Chilled'])";
const NOUNS: &str = "(ARRAY['tomatoes','cream','mozzarella','flour','coffee','lager','salmon','chicken','sourdough','butter','olive oil','basil','beef mince','prawns','cheddar','spinach','potatoes','lemons','espresso','yoghurt','rice','pasta','eggs','bacon','napkins','gloves','cola','tea','chocolate','mushrooms'])";

pub fn is_loaded(conn: &mut PgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "EXISTS (SELECT 1 FROM providers WHERE slug = 'scale-provider-1')",
    ))
    .get_result(conn)
}

/// Generates the data; `password_hash` is shared by every generated account
/// (`buyerN@scale.test`, `providerN@scale.test`). Returns a line per step with its time.
pub fn generate(
    conn: &mut PgConnection,
    sizes: ScaleSizes,
    password_hash: &str,
) -> anyhow::Result<Vec<String>> {
    if is_loaded(conn)? {
        anyhow::bail!("scale data is already loaded; use a fresh database to generate it again");
    }
    let mut report: Vec<String> = Vec::new();
    let mut step =
        |conn: &mut PgConnection, name: &str, sql: String, n: i64| -> anyhow::Result<()> {
            let started = Instant::now();
            let rows = diesel::sql_query(sql)
                .bind::<BigInt, _>(n)
                .bind::<Text, _>(password_hash)
                .execute(conn)?;
            report.push(format!(
                "{name}: {rows} rows in {:.1} s",
                started.elapsed().as_secs_f64()
            ));
            Ok(())
        };
    step(conn, "providers", format!(
        "INSERT INTO providers (id, name, slug, description, categories, contact_email, min_order_value,
                                delivery_days, delivery_areas, invoice_prefix, status)
         SELECT larder_uuid_v7(),
                (ARRAY['Green','Market','Valley','Harbour','Old Mill','Riverside','Kings','Borough','Station','Fenland'])[1 + i % 10]
                  || ' ' || (ARRAY['Foods','Provisions','Larder','Supply','Wholesale','Farm','Traders','and Sons'])[1 + (i / 10) % 8]
                  || ' ' || i,
                'scale-provider-' || i,
                'Supplier of ' || {NOUNS}[1 + i % 30] || ' and ' || {NOUNS}[1 + (i * 7) % 30] || ' to London kitchens.',
                ARRAY[{CATEGORIES}[1 + i % 9], {CATEGORIES}[1 + (i * 4 + 1) % 9]],
                'orders+' || i || '@scale.test',
                ((i % 8) * 25)::numeric,
                (ARRAY['{{1,2,3,4,5}}','{{2,4}}','{{1,3,5}}','{{1,2,3,4,5,6}}'])[1 + i % 4]::smallint[],
                ARRAY[{AREAS}[1 + i % 31], {AREAS}[1 + (i * 3) % 31], {AREAS}[1 + (i * 7) % 31]],
                'S' || i,
                CASE WHEN i % 50 = 0 THEN 'suspended' ELSE 'active' END
           FROM generate_series(1, $1) i
          WHERE $2 IS NOT NULL"), sizes.providers)?;
    step(
        conn,
        "invoice counters",
        "INSERT INTO provider_invoice_counters (provider_id)
         SELECT id FROM providers WHERE slug LIKE 'scale-provider-%' AND $1 > 0 AND $2 IS NOT NULL"
            .into(),
        1,
    )?;
    // Each provider's areas and days become one zone, as the availability migration did:
    // same-day orders until noon.
    step(
        conn,
        "delivery zones",
        "INSERT INTO delivery_zones (provider_id, name, areas, days, min_order_value, lead_days, cutoff)
         SELECT id, 'Main delivery area', delivery_areas, delivery_days, min_order_value, 0, '12:00'
           FROM providers WHERE slug LIKE 'scale-provider-%' AND $1 > 0 AND $2 IS NOT NULL"
            .into(),
        1,
    )?;
    step(
        conn,
        "payout accounts",
        "INSERT INTO payout_accounts (provider_id, stripe_account_id, charges_enabled, payouts_enabled, details_submitted)
         SELECT id, 'acct_local_' || replace(id::text, '-', ''), true, true, true
           FROM providers WHERE slug LIKE 'scale-provider-%' AND $1 > 0 AND $2 IS NOT NULL"
            .into(),
        1,
    )?;
    step(
        conn,
        "products",
        format!(
            "WITH p AS (SELECT id, categories, row_number() OVER (ORDER BY id) AS rn
                      FROM providers WHERE slug LIKE 'scale-provider-%')
         INSERT INTO products (id, provider_id, sku, name, description, category, unit, pack_size,
                               fractional, price, vat_rate, in_stock, active)
         SELECT larder_uuid_v7(), p.id, 'SKU-' || j,
                {ADJECTIVES}[1 + j % 20] || ' ' || {NOUNS}[1 + (j / 20) % 30],
                'Generated product ' || j,
                p.categories[1 + j % 2],
                (ARRAY['kg','each','case','box'])[1 + j % 4],
                (ARRAY['','6 x 1 L','case of 12','500g'])[1 + j % 4],
                j % 4 = 0,
                round((1 + random() * 60)::numeric, 2),
                (ARRAY[0, 0, 5, 20])[1 + j % 4],
                j % 17 <> 0,
                j % 41 <> 0
           FROM generate_series(1, $1) j
           JOIN p ON p.rn = 1 + j % (SELECT count(*) FROM p)
          WHERE $2 IS NOT NULL"
        ),
        sizes.products,
    )?;
    step(conn, "businesses", "INSERT INTO businesses (id, name)
         SELECT larder_uuid_v7(), 'Scale Bistro ' || i FROM generate_series(1, $1) i WHERE $2 IS NOT NULL".into(), sizes.businesses)?;
    step(conn, "locations", format!(
        "INSERT INTO locations (id, business_id, label, address_line1, city, postcode, outcode, is_default)
         SELECT larder_uuid_v7(), b.id, 'Main kitchen', (b.rn % 200 + 1) || ' High Street', 'London',
                {OUTCODES}[1 + b.rn % 23] || ' ' || (b.rn % 10) || (ARRAY['AB','DE','FG','HJ','LN'])[1 + b.rn % 5],
                {OUTCODES}[1 + b.rn % 23], true
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM businesses WHERE name LIKE 'Scale Bistro %') b
          WHERE $1 > 0 AND $2 IS NOT NULL"), 1)?;
    step(conn, "buyer users", "WITH b AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM businesses WHERE name LIKE 'Scale Bistro %'),
              u AS (INSERT INTO users (id, email, password_hash, name, account_type, email_verified_at)
                    SELECT larder_uuid_v7(), 'buyer' || rn || '@scale.test', $2, 'Buyer ' || rn, 'buyer', now() FROM b
                    RETURNING id, email)
         INSERT INTO memberships (id, user_id, business_id, role)
         SELECT larder_uuid_v7(), u.id, b.id, 'owner' FROM u JOIN b ON u.email = 'buyer' || b.rn || '@scale.test'
          WHERE $1 > 0".into(), 1)?;
    step(conn, "provider users", "WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM providers WHERE slug LIKE 'scale-provider-%'),
              u AS (INSERT INTO users (id, email, password_hash, name, account_type, email_verified_at)
                    SELECT larder_uuid_v7(), 'provider' || rn || '@scale.test', $2, 'Provider ' || rn, 'provider', now() FROM p
                    RETURNING id, email)
         INSERT INTO memberships (id, user_id, provider_id, role)
         SELECT larder_uuid_v7(), u.id, p.id, 'owner' FROM u JOIN p ON u.email = 'provider' || p.rn || '@scale.test'
          WHERE $1 > 0".into(), 1)?;
    if sizes.orders > 0 {
        for (name, sql) in order_steps() {
            step(conn, name, sql, sizes.orders)?;
        }
    }
    let started = Instant::now();
    diesel::sql_query("ANALYZE").execute(conn)?;
    report.push(format!("analyze: {:.1} s", started.elapsed().as_secs_f64()));
    Ok(report)
}

/// Gives `count` scale businesses a standing order each, from a provider that delivers to
/// them on `date`'s weekday (with a minimum of £50 or less), three of its listed products,
/// 20 of each, every week on the provider's days from `date`: all due the same morning.
pub fn standing_orders(
    conn: &mut PgConnection,
    count: i64,
    date: time::Date,
) -> anyhow::Result<String> {
    let started = Instant::now();
    let weekday = i16::from(date.weekday().number_from_monday());
    let made = diesel::sql_query(
        "WITH b AS (
            SELECT b.id AS business_id, l.id AS location_id, l.outcode, m.user_id,
                   row_number() OVER (ORDER BY b.id) AS rn
              FROM businesses b
              JOIN locations l ON l.business_id = b.id AND l.is_default
              JOIN memberships m ON m.business_id = b.id AND m.role = 'owner'
             WHERE b.name LIKE 'Scale Bistro %'),
          pick AS (
            SELECT b.*, z.provider_id, z.days
              FROM b
              CROSS JOIN LATERAL (
                SELECT z.provider_id, z.days FROM delivery_zones z JOIN providers p ON p.id = z.provider_id
                 WHERE p.status = 'active' AND z.min_order_value <= 50
                   AND z.days @> ARRAY[$2::smallint]
                   AND z.areas && ARRAY[b.outcode, regexp_replace(b.outcode, '[0-9].*$', '')]
                   AND EXISTS (SELECT 1 FROM products pr WHERE pr.provider_id = z.provider_id
                                  AND pr.active AND pr.in_stock AND NOT pr.fractional)
                 ORDER BY md5(z.provider_id::text || b.rn::text) LIMIT 1) z
             WHERE b.rn <= $1),
          so AS (
            INSERT INTO standing_orders (business_id, provider_id, location_id, created_by, weekdays, starts_on)
            SELECT business_id, provider_id, location_id, user_id, days, $3 FROM pick
            RETURNING id, provider_id)
         INSERT INTO standing_order_lines (standing_order_id, product_id, quantity)
         SELECT so.id, pr.id, 20
           FROM so CROSS JOIN LATERAL (
             SELECT id FROM products
              WHERE provider_id = so.provider_id AND active AND in_stock AND NOT fractional
              ORDER BY id LIMIT 3) pr",
    )
    .bind::<BigInt, _>(count)
    .bind::<diesel::sql_types::SmallInt, _>(weekday)
    .bind::<diesel::sql_types::Date, _>(date)
    .execute(conn)?;
    let orders: i64 =
        diesel::dsl::sql::<BigInt>("SELECT count(*) FROM standing_orders").get_result(conn)?;
    Ok(format!(
        "standing orders: {orders} with {made} lines in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
}

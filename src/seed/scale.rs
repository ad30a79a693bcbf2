//! Generated data at marketplace scale for the benchmarks, made set-wise in SQL
//! (`generate_series`), so 200,000 products take seconds, not hours.
//! Orders join this when the ordering work lands (`ScaleSizes::orders` is their hook).

use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// The password of every generated account (the data is for benchmarks, never production).
pub const PASSWORD: &str = "scale-bench-password";

#[derive(Debug, Clone, Copy)]
pub struct ScaleSizes {
    pub providers: i64,
    pub products: i64,
    pub businesses: i64,
}

impl Default for ScaleSizes {
    fn default() -> Self {
        Self {
            providers: 2_000,
            products: 200_000,
            businesses: 20_000,
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
              u AS (INSERT INTO users (id, email, password_hash, name, account_type)
                    SELECT larder_uuid_v7(), 'buyer' || rn || '@scale.test', $2, 'Buyer ' || rn, 'buyer' FROM b
                    RETURNING id, email)
         INSERT INTO memberships (id, user_id, business_id, role)
         SELECT larder_uuid_v7(), u.id, b.id, 'owner' FROM u JOIN b ON u.email = 'buyer' || b.rn || '@scale.test'
          WHERE $1 > 0".into(), 1)?;
    step(conn, "provider users", "WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM providers WHERE slug LIKE 'scale-provider-%'),
              u AS (INSERT INTO users (id, email, password_hash, name, account_type)
                    SELECT larder_uuid_v7(), 'provider' || rn || '@scale.test', $2, 'Provider ' || rn, 'provider' FROM p
                    RETURNING id, email)
         INSERT INTO memberships (id, user_id, provider_id, role)
         SELECT larder_uuid_v7(), u.id, p.id, 'owner' FROM u JOIN p ON u.email = 'provider' || p.rn || '@scale.test'
          WHERE $1 > 0".into(), 1)?;
    let started = Instant::now();
    diesel::sql_query("ANALYZE").execute(conn)?;
    report.push(format!("analyze: {:.1} s", started.elapsed().as_secs_f64()));
    Ok(report)
}

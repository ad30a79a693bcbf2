//! Migrations round-trip, and the schema keeps the rules DESIGN.md sets for it.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use larder::db::MIGRATIONS;

use crate::helpers::db::TestDatabase;

#[derive(QueryableByName, Debug, PartialEq)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .expect("catalog query")
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Tables, columns, constraints, indexes, functions and sequences of the public schema.
fn snapshot(conn: &mut PgConnection) -> Vec<String> {
    lines(
        conn,
        r#"
        SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
               || is_nullable || ' ' || coalesce(column_default, '') AS line
          FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
        UNION ALL
        SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'public'::regnamespace
           AND conrelid <> 0 AND conrelid::regclass::text <> '__diesel_schema_migrations'
        UNION ALL
        SELECT 'index ' || indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
        UNION ALL
        SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'sequence ' || sequencename FROM pg_sequences WHERE schemaname = 'public'
        UNION ALL
        SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal
        ORDER BY 1
        "#,
    )
}

#[test]
fn migrations_run_down_and_up_again_to_the_same_schema() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    let before = snapshot(&mut conn);
    assert!(
        before
            .iter()
            .any(|l| l.starts_with("column orders.idempotency_key"))
    );

    let reverted = conn
        .revert_all_migrations(MIGRATIONS)
        .expect("every down.sql works");
    assert_eq!(reverted.len(), MIGRATIONS_COUNT);
    let empty = snapshot(&mut conn);
    assert!(empty.is_empty(), "down migrations left behind: {empty:?}");

    conn.run_pending_migrations(MIGRATIONS).expect("up again");
    assert_eq!(snapshot(&mut conn), before);
}

const MIGRATIONS_COUNT: usize = 54;

#[test]
fn every_foreign_key_is_indexed() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    // A foreign key is covered when some index starts with exactly its columns.
    let unindexed = lines(
        &mut conn,
        r#"
        SELECT c.conrelid::regclass || '(' || array_to_string(
                 ARRAY(SELECT attname FROM pg_attribute
                        WHERE attrelid = c.conrelid AND attnum = ANY (c.conkey)), ',') || ')' AS line
          FROM pg_constraint c
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
           AND NOT EXISTS (
                 SELECT 1 FROM pg_index i
                  WHERE i.indrelid = c.conrelid
                    AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
                    AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
        "#,
    );
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
}

#[test]
fn every_foreign_key_says_what_happens_on_delete() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    // 'a' is NO ACTION, the silent default: each key must choose cascade, restrict or set null.
    let implicit = lines(
        &mut conn,
        "SELECT conrelid::regclass || ' ' || conname AS line FROM pg_constraint
          WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND confdeltype = 'a'",
    );
    assert!(
        implicit.is_empty(),
        "foreign keys without ON DELETE: {implicit:?}"
    );
}

#[test]
fn money_is_numeric_pennies_and_times_carry_a_zone() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    let money_names = "('price','subtotal','vat_total','total','amount','amount_paid','unit_price',\
                       'line_total','line_vat','min_order_value')";
    let bad_money = lines(
        &mut conn,
        &format!(
            "SELECT table_name || '.' || column_name AS line FROM information_schema.columns
              WHERE table_schema = 'public' AND column_name IN {money_names}
                AND NOT (data_type = 'numeric' AND numeric_precision = 12 AND numeric_scale = 2)"
        ),
    );
    assert!(
        bad_money.is_empty(),
        "money columns not NUMERIC(12,2): {bad_money:?}"
    );
    let naive_times = lines(
        &mut conn,
        "SELECT table_name || '.' || column_name AS line FROM information_schema.columns
          WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'
            AND table_name <> '__diesel_schema_migrations'",
    );
    assert!(
        naive_times.is_empty(),
        "timestamps without time zone: {naive_times:?}"
    );
}

#[test]
fn ids_default_to_time_ordered_uuid_v7() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    let ids = lines(
        &mut conn,
        "SELECT larder_uuid_v7()::text AS line FROM generate_series(1, 3)",
    );
    for id in &ids {
        assert_eq!(&id[14..15], "7", "version nibble of {id}");
        assert!(
            matches!(&id[19..20], "8" | "9" | "a" | "b"),
            "variant of {id}"
        );
    }
    let missing_default = lines(
        &mut conn,
        "SELECT table_name AS line FROM information_schema.columns
          WHERE table_schema = 'public' AND column_name = 'id' AND data_type = 'uuid'
            AND coalesce(column_default, '') <> 'larder_uuid_v7()'",
    );
    assert!(
        missing_default.is_empty(),
        "uuid ids without the v7 default: {missing_default:?}"
    );
}

#[test]
fn an_order_idempotency_key_is_unique_per_business() {
    let db = TestDatabase::create();
    let mut conn = db.connect();
    let constraints = lines(
        &mut conn,
        "SELECT pg_get_constraintdef(oid) AS line FROM pg_constraint
          WHERE conrelid = 'orders'::regclass AND contype = 'u'",
    );
    assert!(
        constraints
            .iter()
            .any(|c| c == "UNIQUE (business_id, idempotency_key)"),
        "{constraints:?}"
    );
}

//! Database access: the r2d2 pool, embedded migrations, and the one helper that moves
//! blocking Diesel work off the async executor.

pub mod local;
pub mod prepared;
pub mod schema;
pub mod text_enum;

use std::time::Duration;

use diesel::PgConnection;
use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

diesel::define_sql_function! {
    /// SQL `lower(text)`, so lookups can use the `lower(email)` unique index.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

pub type DbPool = Pool<ConnectionManager<PgConnection>>;
pub type DbConn = PooledConnection<ConnectionManager<PgConnection>>;

/// Every pooled connection gets a statement timeout, so one runaway query cannot hold a
/// connection (and a worker thread) for ever.
#[derive(Debug)]
struct SessionSettings;

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute("SET statement_timeout = '15s'; SET TIME ZONE 'UTC'")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// How long a request waits for a connection before it answers 503: long enough to ride out
/// a burst, short enough that a person isn't left staring at a spinner.
pub const CHECKOUT_WAIT: Duration = Duration::from_secs(2);

pub fn build_pool(url: &str, max_size: u32) -> Result<DbPool, r2d2::Error> {
    Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(CHECKOUT_WAIT)
        .idle_timeout(Some(Duration::from_secs(300)))
        .connection_customizer(Box::new(SessionSettings))
        .build(ConnectionManager::new(url))
}

/// Applies pending migrations; returns how many ran.
pub fn run_migrations(
    conn: &mut impl MigrationHarness<Pg>,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    Ok(conn.run_pending_migrations(MIGRATIONS)?.len())
}

/// Is the database reachable and answering? Used by `/readyz`.
pub fn ping(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

//! Per-test databases cloned from a migrated template, so tests run in parallel in isolation.
//! The template's name carries a hash of the migrations, so editing one rebuilds it.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use larder::db::local::LocalPostgres;
use sha2::Digest;

struct Cluster {
    /// Connection URL without the database name, ending in '/'.
    base_url: String,
    template: String,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        let base_url = match std::env::var("TEST_DATABASE_URL") {
            Ok(url) => base_of(&url),
            Err(_) => {
                let root = Path::new(env!("CARGO_MANIFEST_DIR"));
                let port = std::env::var("LARDER_PG_PORT")
                    .ok()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(54329);
                let mut pg = LocalPostgres::ensure_running(root, port)
                    .unwrap_or_else(|e| panic!("local PostgreSQL for tests: {e}"));
                // Shared by every test process; `./test` stops it when it started it.
                pg.keep_running();
                base_of(&pg.url("postgres"))
            }
        };
        let template = format!("larder_tpl_{}", migrations_hash());
        let mut admin = connect(&base_url, "postgres");
        drop_abandoned_databases(&mut admin);
        ensure_template(&mut admin, &base_url, &template);
        Cluster { base_url, template }
    })
}

fn base_of(url: &str) -> String {
    let cut = url.rfind('/').expect("database URL has a path");
    url[..=cut].to_owned()
}

fn connect(base_url: &str, database: &str) -> PgConnection {
    PgConnection::establish(&format!("{base_url}{database}"))
        .unwrap_or_else(|e| panic!("connecting to test database {database}: {e}"))
}

fn migrations_hash() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = sha2::Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("migration readable"));
    }
    hex::encode(&hasher.finalize()[..6])
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<Text, _>(name)
        .get_result::<Exists>(conn)
        .expect("pg_database readable")
        .exists
}

/// Builds the template once per migrations hash; an advisory lock makes parallel test
/// processes wait for the first one instead of racing it.
fn ensure_template(admin: &mut PgConnection, base_url: &str, template: &str) {
    let key = i64::from_str_radix(&template["larder_tpl_".len()..], 16).expect("hex hash");
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(key)
        .execute(admin)
        .expect("advisory lock");
    if !database_exists(admin, template) {
        let building = format!("{template}_building");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {building}"))
            .execute(admin)
            .expect("drop half-built template");
        diesel::sql_query(format!("CREATE DATABASE {building}"))
            .execute(admin)
            .expect("create template");
        {
            let mut conn = connect(base_url, &building);
            larder::db::run_migrations(&mut conn).expect("migrations apply to the template");
        }
        diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
            .execute(admin)
            .expect("publish template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(key)
        .execute(admin)
        .expect("advisory unlock");
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// Test databases are named `larder_test_<pid>_<n>`; those of processes that died without
/// cleaning up are dropped here.
fn drop_abandoned_databases(admin: &mut PgConnection) {
    let names: Vec<Name> =
        diesel::sql_query("SELECT datname FROM pg_database WHERE datname LIKE 'larder\\_test\\_%'")
            .load(admin)
            .expect("list test databases");
    for Name { datname } in names {
        let pid = datname
            .split('_')
            .nth(2)
            .and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                .execute(admin);
        }
    }
}

/// A database of one's own for one test; dropped with the value.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    pub fn create() -> Self {
        let cluster = cluster();
        let name = format!(
            "larder_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = connect(&cluster.base_url, "postgres");
        diesel::sql_query(format!(
            "CREATE DATABASE {name} TEMPLATE {}",
            cluster.template
        ))
        .execute(&mut admin)
        .expect("clone test database");
        Self {
            url: format!("{}{name}", cluster.base_url),
            name,
        }
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to test database")
    }

    /// Drops the database now, cutting every connection (to prove what happens when it's gone).
    pub fn drop_now(&self) {
        let mut admin = connect(&cluster().base_url, "postgres");
        diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .expect("drop test database");
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&format!("{}postgres", cluster().base_url)) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

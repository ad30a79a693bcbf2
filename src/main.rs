//! `larder [serve|migrate|worker|create-admin|local-db …]`; see README.md.

use std::process::ExitCode;

use anyhow::Context;
use diesel::prelude::*;

use std::io::BufRead;
use std::sync::Arc;

use larder::accounts::{model::AccountType, password, queries as accounts};
use larder::config::Config;
use larder::db::{self, local::LocalPostgres};
use larder::jobs::worker::{self, JobContext};
use larder::seed::{demo, scale};
use larder::startup::Application;
use larder::telemetry;

const USAGE: &str = "usage: larder [serve | migrate | worker | create-admin EMAIL NAME | seed demo | seed scale [--providers N] [--products N] [--businesses N] [--orders N] | seed standing COUNT DATE | place-standing RFC3339-TIME | recompute-trust | issue-fee-invoices YYYY-MM | export RUN-ID | local-db start|stop|status]";

fn main() -> ExitCode {
    return_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let _traces = telemetry::init_logging(&config);
    let _sentry = telemetry::init_sentry(&config);

    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve(config),
        ["migrate"] => migrate(&config),
        ["worker"] => worker(&config),
        ["create-admin", email, name] => create_admin(&config, email, name),
        ["seed", "demo"] => seed_demo(&config),
        ["seed", "scale", flags @ ..] => seed_scale(&config, flags),
        ["seed", "standing", count, date] => seed_standing(&config, count, date),
        ["place-standing", at] => place_standing(&config, at),
        ["recompute-trust"] => recompute_trust(&config),
        ["issue-fee-invoices", month] => issue_fee_invoices(&config, month),
        ["export", run] => export(&config, run),
        ["local-db", action] => local_db(&config, action),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(anyhow::anyhow!("{USAGE}")),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// One clear line, not a stack trace: the outermost context plus its root cause.
fn fail(e: impl Into<anyhow::Error>) -> ExitCode {
    let e = e.into();
    let root = e.root_cause().to_string();
    let top = e.to_string();
    if top == root {
        eprintln!("larder: {top}");
    } else {
        eprintln!("larder: {top}: {root}");
    }
    ExitCode::FAILURE
}

/// The database to use: `DATABASE_URL`, or the private cluster (started here if needed).
fn database(config: &Config) -> anyhow::Result<(String, Option<LocalPostgres>)> {
    if let Some(url) = &config.database_url {
        return Ok((url.clone(), None));
    }
    let pg = LocalPostgres::ensure_running(&config.root_dir, config.local_pg_port)?;
    create_database_if_missing(&pg.url("postgres"), "larder")?;
    Ok((pg.url("larder"), Some(pg)))
}

fn create_database_if_missing(admin_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn =
        PgConnection::establish(admin_url).context("connecting to the local PostgreSQL")?;
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let found: Found =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(name)
            .get_result(&mut conn)?;
    if !found.exists {
        // Identifiers cannot be bound; `name` is a constant of ours, not input.
        diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut conn)?;
    }
    Ok(())
}

fn migrate_url(url: &str) -> anyhow::Result<usize> {
    let mut conn = PgConnection::establish(url).context("connecting to the database")?;
    db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("migrations failed: {e}"))
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let (url, _pg) = database(config)?;
    let applied = migrate_url(&url)?;
    println!("{applied} migration(s) applied");
    Ok(())
}

/// A separate worker process has no web app to share a clock with: the system clock, unless
/// the configuration allows setting it (never in production).
fn crate_clock(config: &Config) -> larder::clock::Clock {
    if config.test_clock {
        larder::clock::Clock::settable()
    } else {
        larder::clock::Clock::system()
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let (url, local_pg) = database(&config)?;
    // Locally the app keeps its own schema current; in production the release step migrates.
    if local_pg.is_some() {
        let applied = migrate_url(&url)?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        // A first local start gets a marketplace to click around in.
        let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
        if demo::has_no_users(&mut conn)? {
            if let Some(logins) = demo::load(&mut conn, config.argon2)? {
                print_logins(&logins);
            }
        }
    }
    let pool = db::build_pool(&url, config.db_pool_size).context("connecting to the database")?;
    // Live updates listen on their own connection to the same database, local or not.
    let config = Config {
        database_url: Some(url.clone()),
        ..config
    };
    let (host, port) = (config.host.clone(), config.port);
    let worker_ctx = if config.run_worker {
        Some(JobContext::new(&config, crate_clock(&config))?)
    } else {
        None
    };
    let app = Application::build(config, pool).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!(
                "port {port} is already in use: stop the other program or set PORT to a free port"
            )
        } else {
            anyhow::Error::new(e).context(format!("cannot listen on {host}:{port}"))
        }
    })?;
    // The worker reads the app's own clock (the browser suite sets it).
    let jobs = match worker_ctx {
        Some(ctx) => {
            let ctx = JobContext {
                clock: app.clock(),
                ..ctx
            };
            // Its own connection: a slow mail server holds it for the whole send, and the web
            // pool is sized to the database's cores (two per core), so it can't spare one.
            let jobs_pool = db::build_pool(&url, 1).context("connecting the job worker")?;
            Some(worker::spawn(jobs_pool, Arc::new(ctx)).context("starting the job worker")?)
        }
        None => None,
    };
    println!(
        "Larder is running on http://{host}:{} (Ctrl-C to stop)",
        app.port()
    );
    let result = actix_web::rt::System::new().block_on(app.run_until_stopped());
    // The worker first: its connection must close before the cluster stops, or the
    // database's shutdown shows up as errors from a job that was merely polling.
    if let Some(jobs) = jobs {
        jobs.stop();
    }
    // Dropping the handle stops a cluster this process started.
    drop(local_pg);
    result.context("the web server stopped with an error")
}

/// Runs jobs only (for a separate worker machine); the web process then sets RUN_WORKER=false.
fn worker(config: &Config) -> anyhow::Result<()> {
    let (url, _pg) = database(config)?;
    let pool = db::build_pool(&url, 2).context("connecting to the database")?;
    let ctx = Arc::new(JobContext::new(config, crate_clock(config))?);
    println!("Larder worker running (Ctrl-C to stop)");
    let jobs = worker::spawn(pool, ctx).context("starting the job worker")?;
    actix_web::rt::System::new().block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    jobs.stop();
    Ok(())
}

/// glibc keeps each thread's freed heap for reuse, so a burst of logins (19 MiB of argon2
/// memory each, on many blocking threads) left the process at gigabytes for good. Blocks of
/// 128 KiB and more are mapped on their own instead and go back to the system when freed
/// (bench/: peak RSS after 200 concurrent logins).
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called first, before other threads.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Creates an admin account. The password is read from ADMIN_PASSWORD or the first line of
/// standard input, never from the command line (it would sit in shell history).
fn create_admin(config: &Config, email: &str, name: &str) -> anyhow::Result<()> {
    let email = email.trim().to_lowercase();
    let mut errors = larder::web::forms::FieldErrors::new();
    larder::web::forms::email(&mut errors, "email", &email);
    if let Some(why) = errors.get("email") {
        anyhow::bail!("{why}");
    }
    let password = match std::env::var("ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Password for {email} (then Enter):");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if let Some(why) = password::policy_error(&password, &email) {
        anyhow::bail!("password refused: {why}");
    }
    let (url, _pg) = database(config)?;
    migrate_url(&url)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    if accounts::email_taken(&mut conn, &email, None)? {
        anyhow::bail!("an account with {email} already exists");
    }
    let hash = password::hash(&password, config.argon2)?;
    accounts::insert_user(&mut conn, &email, &hash, name.trim(), AccountType::Admin)?;
    // Without BASE_URL the address is only a guess at where the app runs.
    if std::env::var_os("BASE_URL").is_some() {
        println!("admin {email} created; log in at {}/login", config.base_url);
    } else {
        println!(
            "admin {email} created; log in at /login on the running app (locally {}/login unless it runs on another PORT)",
            config.base_url
        );
    }
    Ok(())
}

fn print_logins(logins: &[demo::Login]) {
    println!(
        "Demo data loaded. Log in with any of these (password: {}):",
        demo::PASSWORD
    );
    for l in logins {
        println!("  {:<9} {:<34} {}", l.role, l.email, l.detail);
    }
}

fn seed_demo(config: &Config) -> anyhow::Result<()> {
    let (url, _pg) = database(config)?;
    migrate_url(&url)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    match demo::load(&mut conn, config.argon2)? {
        Some(logins) => print_logins(&logins),
        None => println!(
            "Demo data is already loaded (password: {}).",
            demo::PASSWORD
        ),
    }
    Ok(())
}

fn seed_scale(config: &Config, flags: &[&str]) -> anyhow::Result<()> {
    let mut sizes = scale::ScaleSizes::default();
    let mut rest = flags.iter();
    while let Some(flag) = rest.next() {
        let value: i64 = rest
            .next()
            .and_then(|v| v.replace('_', "").parse().ok())
            .filter(|v| *v >= 0 && *v <= 10_000_000)
            .ok_or_else(|| anyhow::anyhow!("{flag} needs a number from 0 to 10,000,000"))?;
        match *flag {
            "--providers" => sizes.providers = value,
            "--products" => sizes.products = value,
            "--businesses" => sizes.businesses = value,
            "--orders" => sizes.orders = value,
            _ => anyhow::bail!("{USAGE}"),
        }
    }
    let (url, _pg) = database(config)?;
    migrate_url(&url)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    let hash = password::hash(scale::PASSWORD, config.argon2)?;
    for line in scale::generate(&mut conn, sizes, &hash)? {
        println!("{line}");
    }
    println!(
        "Scale accounts: buyerN@scale.test and providerN@scale.test, password {}",
        scale::PASSWORD
    );
    Ok(())
}

/// Benchmark data: standing orders for scale businesses, all due on `date`'s morning.
fn seed_standing(config: &Config, count: &str, date: &str) -> anyhow::Result<()> {
    let count: i64 = count
        .parse()
        .ok()
        .filter(|n| (1..=1_000_000).contains(n))
        .ok_or_else(|| anyhow::anyhow!("COUNT is a number from 1 to 1,000,000"))?;
    let date = time::Date::parse(date, &time::format_description::well_known::Iso8601::DATE)
        .map_err(|_| anyhow::anyhow!("DATE is like 2026-12-02"))?;
    let (url, _pg) = database(config)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    println!("{}", scale::standing_orders(&mut conn, count, date)?);
    Ok(())
}

/// One sweep of the standing-order worker at `at`, timed (the benchmark's measurement).
fn place_standing(config: &Config, at: &str) -> anyhow::Result<()> {
    let at = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_err(|_| anyhow::anyhow!("the time is RFC 3339, like 2026-12-02T10:30:00Z"))?;
    let (url, _pg) = database(config)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    let started = std::time::Instant::now();
    let tally = larder::standing::place::place_due(
        &mut conn,
        at,
        config.standing_place_before,
        &config.base_url,
    )
    .map_err(|e| anyhow::anyhow!("placing standing orders: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "placed {} ({} closed, {} refused) in {seconds:.1} s: {:.0} orders/s",
        tally.placed,
        tally.closed,
        tally.refused,
        tally.placed as f64 / seconds.max(0.001)
    );
    Ok(())
}

/// What the hourly job does, once, timed: every active provider's trust score.
fn recompute_trust(config: &Config) -> anyhow::Result<()> {
    let (url, _pg) = database(config)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    let started = std::time::Instant::now();
    let n = larder::trust::queries::recompute_all(&mut conn, time::OffsetDateTime::now_utc())
        .context("recomputing trust scores")?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "recomputed {n} providers in {seconds:.1} s: {:.1} ms each",
        seconds * 1000.0 / (n.max(1) as f64)
    );
    Ok(())
}

/// Issues a month's fee invoices now (the hourly job does last month's by itself).
fn issue_fee_invoices(config: &Config, month: &str) -> anyhow::Result<()> {
    let month = larder::statements::rules::StatementMonth::parse(month)
        .context("the month is YYYY-MM, e.g. 2026-11")?;
    let (url, _pg) = database(config)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    let started = std::time::Instant::now();
    let issued = larder::fee_invoices::queries::issue_month(
        &mut conn,
        month,
        &config.platform,
        &config.base_url,
    )
    .map_err(|e| anyhow::anyhow!("issuing fee invoices: {e}"))?;
    println!(
        "issued {} fee invoices in {:.1} s",
        issued.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Builds a queued export in this process (the worker does it by itself).
fn export(config: &Config, run: &str) -> anyhow::Result<()> {
    let run = uuid::Uuid::parse_str(run).context("the run id is a UUID")?;
    let (url, _pg) = database(config)?;
    let mut conn = PgConnection::establish(&url).context("connecting to the database")?;
    let started = std::time::Instant::now();
    larder::exports::job::build(&mut conn, run)?;
    println!("built in {:.2} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn local_db(config: &Config, action: &str) -> anyhow::Result<()> {
    match action {
        "start" => {
            let mut pg = LocalPostgres::ensure_running(&config.root_dir, config.local_pg_port)?;
            create_database_if_missing(&pg.url("postgres"), "larder")?;
            migrate_url(&pg.url("larder"))?;
            println!("{}", pg.url("larder"));
            // Leave it running for the caller.
            pg.keep_running();
            Ok(())
        }
        "stop" => {
            let pg = LocalPostgres::existing(&config.root_dir, config.local_pg_port)?;
            if pg.is_running() {
                pg.stop()?;
                println!("stopped");
            } else {
                println!("not running");
            }
            Ok(())
        }
        "status" => {
            let pg = LocalPostgres::existing(&config.root_dir, config.local_pg_port)?;
            if pg.is_running() {
                println!("running");
                Ok(())
            } else {
                Err(anyhow::anyhow!("not running"))
            }
        }
        _ => Err(anyhow::anyhow!("{USAGE}")),
    }
}

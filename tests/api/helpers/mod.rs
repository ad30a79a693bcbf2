//! Test harness: `spawn_app()` starts the app on a free port against its own database;
//! a `Browser` is one visitor with its own cookie jar.

pub mod browser;
pub mod db;
pub mod fixtures;
pub mod process;
pub mod smtp;
pub mod stripe;

use std::path::PathBuf;

use diesel::prelude::*;
use larder::config::Config;
use larder::jobs::worker::{JobContext, run_pending};
use larder::startup::Application;

pub use browser::Browser;

pub struct TestApp {
    pub address: String,
    pub db: db::TestDatabase,
    pub config: Config,
    /// The app's own pool, for tests that need to exhaust it.
    pub pool: larder::db::DbPool,
    /// The first visitor; `app.browser()` makes more.
    pub client: reqwest::Client,
    /// The app's clock: follows the system clock until a test sets it.
    pub clock: larder::clock::Clock,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request failed")
    }

    /// A new visitor with an empty cookie jar.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address)
    }

    pub fn conn(&self) -> PgConnection {
        self.db.connect()
    }

    /// Runs every due job now, as the worker would; returns how many ran.
    pub fn run_jobs(&self) -> usize {
        let ctx = JobContext::new(&self.config, self.clock.clone()).expect("job context");
        run_pending(&mut self.conn(), &ctx, "test-worker").expect("jobs run")
    }

    /// Every email "sent" so far, decoded: (recipient line, subject line, body).
    pub fn sent_emails(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(&self.config.mail_dir) else {
            return Vec::new();
        };
        let mut mails: Vec<(std::time::SystemTime, String)> = dir
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .map(|e| {
                let modified = e.metadata().and_then(|m| m.modified()).expect("mtime");
                let raw = std::fs::read_to_string(e.path()).expect("mail readable");
                (modified, decode_quoted_printable(&raw))
            })
            .collect();
        mails.sort_by_key(|(t, _)| *t);
        mails.into_iter().map(|(_, m)| m).collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.config.mail_dir);
        let _ = std::fs::remove_dir_all(&self.config.upload_dir);
    }
}

/// Enough of quoted-printable to read links: soft line breaks and `=XX` escapes.
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = Vec::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A test configuration: development defaults, overridden by `vars`.
pub fn test_config(vars: &[(&str, &str)]) -> Config {
    let root = env!("CARGO_MANIFEST_DIR");
    Config::from_lookup(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
            .or_else(|| match name {
                "APP_ENV" => Some("test".into()),
                "PORT" => Some("0".into()),
                "LARDER_ROOT" => Some(root.into()),
                _ => None,
            })
    })
    .expect("test config is valid")
}

/// Runs `app` once its live-update listener is up, so a change made next reaches its sockets.
async fn start(app: Application) -> larder::live::Hub {
    let hub = app.hub();
    tokio::spawn(app.run_until_stopped());
    tokio::time::timeout(std::time::Duration::from_secs(10), hub.until_listening(0))
        .await
        .expect("the live-update listener connects");
    hub
}

impl TestApp {
    /// A second instance of the app on the same database, as another machine behind the
    /// load balancer would run it: its address, and its end of the live-update channel.
    pub async fn another_instance(&self) -> (String, larder::live::Hub) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        let address = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("addr").port()
        );
        let pool = larder::db::build_pool(&self.db.url, 4).expect("second pool");
        let app = Application::from_listener(listener, self.config.clone(), pool)
            .expect("second instance builds");
        let hub = start(app).await;
        (address, hub)
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with the configuration adjusted first (e.g. an SMTP catcher's URL).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = db::TestDatabase::create();
    let pool = larder::db::build_pool(&db.url, 4).expect("test pool");
    let mut config = test_config(&[]);
    config.database_url = Some(db.url.clone());
    config.mail_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("mail-{}", db.name));
    config.upload_dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("uploads-{}", db.name));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let address = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    config.base_url = address.clone();
    adjust(&mut config);
    let app =
        Application::from_listener(listener, config.clone(), pool.clone()).expect("app builds");
    let clock = app.clock();
    start(app).await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds");
    TestApp {
        address,
        db,
        config,
        pool,
        client,
        clock,
    }
}

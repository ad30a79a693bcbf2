//! Test harness: `spawn_app()` starts the app on a free port against its own database.

pub mod db;

use larder::config::Config;
use larder::startup::Application;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: db::TestDatabase,
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

pub async fn spawn_app() -> TestApp {
    let db = db::TestDatabase::create();
    let pool = larder::db::build_pool(&db.url, 4).expect("test pool");
    let mut config = test_config(&[]);
    config.database_url = Some(db.url.clone());
    let app = Application::build(config, pool).expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds");
    TestApp {
        address,
        client,
        db,
    }
}

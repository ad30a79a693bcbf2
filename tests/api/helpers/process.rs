//! The real binary as a child process, for tests that must see the process from outside
//! (Sentry and trace receivers, signals).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls until `check` holds, for at most `limit`: waiting on a condition, not a guess.
pub async fn until<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// `larder serve` on a free port against `app`'s database, with `env` added; returns once
/// it answers `/healthz`, with its base URL. Stopped when the `Server` is dropped.
pub async fn serve(app: &super::TestApp, env: &[(&str, &str)]) -> (Server, String) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut command = Command::new(env!("CARGO_BIN_EXE_larder"));
    command
        .arg("serve")
        .env("APP_ENV", "development")
        .env("DATABASE_URL", app.config.database_url.clone().unwrap())
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .env("BASE_URL", &base)
        .env("RUN_WORKER", "false")
        .env(
            "MAIL_DIR",
            app.config.mail_dir.join(format!("serve-{port}")),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let server = Server(command.spawn().unwrap());
    let client = reqwest::Client::new();
    let up = until(Duration::from_secs(30), || async {
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;
    assert!(up, "the server never answered");
    (server, base)
}

//! The binary's own behaviour: clear one-line failures.

use crate::helpers::process::free_port;
use std::process::Command;

fn larder() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_larder"));
    for var in [
        "DATABASE_URL",
        "SESSION_KEY",
        "BASE_URL",
        "APP_ENV",
        "PORT",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "SMTP_URL",
        "CLIENT_IP_HEADER",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn production_refuses_to_start_without_its_secrets_and_says_which() {
    let out = larder().env("APP_ENV", "production").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "larder: production needs these environment variables set: SESSION_KEY, BASE_URL, \
         DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SMTP_URL, CLIENT_IP_HEADER"
    );
}

#[test]
fn production_names_only_what_is_missing() {
    let out = larder()
        .env("APP_ENV", "production")
        .env("SESSION_KEY", "ab".repeat(64))
        .env("BASE_URL", "https://larder.example")
        .env("DATABASE_URL", "postgres://u:p@127.0.0.1:1/larder")
        .env("STRIPE_SECRET_KEY", "sk_live_x")
        .env("SMTP_URL", "smtps://u:p@smtp.example:465")
        .env("CLIENT_IP_HEADER", "Fly-Client-IP")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.trim().ends_with("set: STRIPE_WEBHOOK_SECRET"),
        "a deploy that would take money and never record it: {stderr}"
    );
}

#[test]
fn missing_postgres_binaries_end_in_one_clear_line() {
    let out = larder().env("PG_BIN_DIR", "/nonexistent").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("apt-get install postgresql"), "{stderr}");
}

#[test]
fn unknown_commands_print_usage() {
    let out = larder().arg("frobnicate").output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("usage: larder")
    );
}

#[tokio::test]
async fn create_admin_makes_an_account_that_can_log_in_to_the_admin_area() {
    let app = crate::helpers::spawn_app().await;
    let run = |password: &str| {
        larder()
            .env("DATABASE_URL", &app.db.url)
            .env("APP_ENV", "test")
            .env("BASE_URL", "https://ops.larder.test")
            .env("ADMIN_PASSWORD", password)
            .args(["create-admin", "Ops@Larder.test", "Ops Team"])
            .output()
            .unwrap()
    };
    let weak = run("password123");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password refused"));

    let ok = run(crate::helpers::fixtures::PASSWORD);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("log in at https://ops.larder.test/login"),
        "the app's address, not a guessed port"
    );
    let again = run(crate::helpers::fixtures::PASSWORD);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let b = app.browser();
    let page =
        crate::helpers::fixtures::login(&b, "ops@larder.test", crate::helpers::fixtures::PASSWORD)
            .await;
    assert!(page.redirects_to("/admin"));
    assert_eq!(b.get("/admin/users").await.status, 200);
}

/// Ctrl-C stops the app cleanly: exit status 0, the job worker stopped before the private
/// PostgreSQL it started, and no ERROR lines on the way out.
#[test]
fn ctrl_c_stops_the_app_and_its_private_database_without_errors() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::CommandExt;
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ctrl-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::symlink(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static"),
        root.join("static"),
    )
    .unwrap();
    let (port, pg_port) = (free_port(), free_port());
    let mut child = larder()
        .arg("serve")
        .env("LARDER_ROOT", &root)
        .env("LARDER_PG_PORT", pg_port.to_string())
        .env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let running = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("Larder is running"));
    assert!(running, "the app started");
    // Ctrl-C comes from a person once the app answers, not mid-start.
    let answers = || {
        use std::io::{Read, Write};
        let Ok(mut tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            return false;
        };
        let mut reply = String::new();
        tcp.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").is_ok()
            && tcp.read_to_string(&mut reply).is_ok()
            && reply.starts_with("HTTP/1.0 200")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !answers() {
        assert!(
            std::time::Instant::now() < deadline,
            "the app never answered"
        );
        std::thread::yield_now();
    }
    // SAFETY: kill(2) with the child's own process group id; no memory is shared.
    let sent = unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) };
    assert_eq!(sent, 0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("ERROR"), "{stderr}");
    let status = larder()
        .args(["local-db", "status"])
        .env("LARDER_ROOT", &root)
        .output()
        .unwrap();
    assert!(
        !status.status.success(),
        "the private cluster was stopped: {} {stderr}",
        String::from_utf8_lossy(&status.stdout)
    );
    let _ = std::fs::remove_dir_all(&root);
}

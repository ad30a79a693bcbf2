//! The binary's own behaviour: clear one-line failures.

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
    let again = run(crate::helpers::fixtures::PASSWORD);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let b = app.browser();
    let page =
        crate::helpers::fixtures::login(&b, "ops@larder.test", crate::helpers::fixtures::PASSWORD)
            .await;
    assert!(page.redirects_to("/admin"));
    assert_eq!(b.get("/admin/users").await.status, 200);
}

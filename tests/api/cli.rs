//! The binary's own behaviour: clear one-line failures.

use std::process::Command;

fn larder() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_larder"));
    for var in ["DATABASE_URL", "SESSION_KEY", "BASE_URL", "APP_ENV", "PORT"] {
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
        "larder: production needs these environment variables set: SESSION_KEY, BASE_URL, DATABASE_URL"
    );
}

#[test]
fn production_names_only_what_is_missing() {
    let out = larder()
        .env("APP_ENV", "production")
        .env("SESSION_KEY", "ab".repeat(64))
        .env("BASE_URL", "https://larder.example")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.trim().ends_with("set: DATABASE_URL"), "{stderr}");
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

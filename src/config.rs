//! Typed settings read once from the environment at start-up.
//! Local runs need none of them; production refuses to start without its secrets.

use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Test,
    Production,
}

impl AppEnv {
    fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" | "local" => Some(Self::Development),
            "test" => Some(Self::Test),
            "production" | "prod" => Some(Self::Production),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct Config {
    pub env: AppEnv,
    pub host: String,
    pub port: u16,
    /// `None` means: start and use the private local cluster under `var/pg`.
    pub database_url: Option<String>,
    pub db_pool_size: u32,
    /// 64 bytes for signing and encrypting the session cookie.
    pub session_key: Vec<u8>,
    pub base_url: String,
    pub smtp_url: Option<String>,
    pub stripe_secret_key: Option<String>,
    pub stripe_webhook_secret: Option<String>,
    pub sentry_dsn: Option<String>,
    /// The bearer token `/metrics` asks for; without it `/metrics` doesn't exist.
    pub metrics_token: Option<String>,
    /// Where traces go over OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`); none are made without it.
    pub otlp_endpoint: Option<String>,
    /// Project directory holding `var/` (local database, mail files).
    pub root_dir: PathBuf,
    pub local_pg_port: u16,
    pub argon2: Argon2Cost,
    /// Where mail goes when no `SMTP_URL` is set (one .eml file per message).
    pub mail_dir: PathBuf,
    /// Where uploaded photos are kept, outside the web root (a volume in production).
    pub upload_dir: PathBuf,
    /// Run the job worker inside the web process (the default; off for tests and for
    /// deployments that run `larder worker` separately).
    pub run_worker: bool,
    /// A header set by a trusted proxy with the client's address (e.g. `Fly-Client-IP`);
    /// unset, the peer address is used, because any client can forge such headers.
    pub client_ip_header: Option<String>,
    /// Sender of every email, e.g. `Larder <orders@larder.example>`.
    pub mail_from: String,
    /// Stripe's API address; tests point it at a local mock server.
    pub stripe_api_base: String,
    /// Make provider owners, managers and finance, and admins, set up two-step verification
    /// before anything else. On in production; off by default elsewhere so the demo logins
    /// work without an authenticator app (`MFA_REQUIRED=true` turns it on).
    pub mfa_required: bool,
    /// The clock may be set (tests and the browser suite): `TEST_CLOCK`, on by default under
    /// `APP_ENV=test`, refused in production.
    pub test_clock: bool,
    /// How long before a zone's cut-off the worker places a standing order's delivery:
    /// `STANDING_PLACE_BEFORE_MINUTES`, 120 by default. Early enough to retry a failed
    /// sweep, late enough that the buyer can still skip the day before.
    pub standing_place_before: time::Duration,
    /// The platform as the seller on its own fee invoices.
    pub platform: PlatformSeller,
}

/// Who sells Larder's services: `PLATFORM_NAME`, `PLATFORM_ADDRESS` and `PLATFORM_VAT_NUMBER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSeller {
    pub name: String,
    pub address: String,
    pub vat_number: String,
}

/// Argon2id cost. Production follows OWASP's m=19 MiB, t=2; tests use the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    pub memory_kib: u32,
    pub iterations: u32,
}

// Secrets never reach logs through a derived Debug.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("env", &self.env)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database_url", &self.database_url.as_ref().map(|_| "<set>"))
            .field("base_url", &self.base_url)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<set>"))
            .field("stripe", &self.stripe_secret_key.is_some())
            .field("sentry", &self.sentry_dsn.is_some())
            .field("metrics", &self.metrics_token.is_some())
            .field("otlp", &self.otlp_endpoint)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("production needs these environment variables set: {}", .0.join(", "))]
    MissingInProduction(Vec<&'static str>),
    #[error("{name} is invalid: {why}")]
    Invalid { name: &'static str, why: String },
}

fn invalid(name: &'static str, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name,
        why: why.into(),
    }
}

/// What production refuses to start without, in the order the error names them.
const PRODUCTION_REQUIRED: [&str; 7] = [
    "SESSION_KEY",
    "BASE_URL",
    "DATABASE_URL",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "SMTP_URL",
    "CLIENT_IP_HEADER",
];

/// A development-only key: cookies signed with it are worthless outside a laptop.
const DEV_SESSION_KEY: &[u8; 64] =
    b"larder-development-session-key-not-for-production-use-0123456789";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the settings from any variable source, so tests need not touch the process env.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let env = match var("APP_ENV") {
            None => AppEnv::Development,
            Some(raw) => AppEnv::parse(&raw)
                .ok_or_else(|| invalid("APP_ENV", "use development, test or production"))?,
        };
        if env == AppEnv::Production {
            // Without Stripe's secrets production would fall back to the local test checkout,
            // on which anyone can mark an invoice paid; without the proxy's client-address
            // header every login shares one address, and 30 failures lock everyone out.
            let missing: Vec<&'static str> = PRODUCTION_REQUIRED
                .into_iter()
                .filter(|name| var(name).is_none())
                .collect();
            if !missing.is_empty() {
                return Err(ConfigError::MissingInProduction(missing));
            }
        }

        let port = match var("PORT") {
            None => 8080,
            Some(raw) => raw
                .parse()
                .map_err(|_| invalid("PORT", "expected a number from 0 to 65535"))?,
        };
        let local_pg_port = match var("LARDER_PG_PORT") {
            None => 54329,
            Some(raw) => raw
                .parse()
                .map_err(|_| invalid("LARDER_PG_PORT", "expected a port number"))?,
        };
        let db_pool_size = match var("DB_POOL_SIZE") {
            None => default_pool_size(),
            Some(raw) => raw
                .parse()
                .ok()
                .filter(|n| (1..=200).contains(n))
                .ok_or_else(|| invalid("DB_POOL_SIZE", "expected 1 to 200"))?,
        };
        let session_key = match var("SESSION_KEY") {
            None => DEV_SESSION_KEY.to_vec(),
            Some(raw) => parse_session_key(&raw)?,
        };
        let host = var("HOST").unwrap_or_else(|| {
            if env == AppEnv::Production {
                "0.0.0.0".into()
            } else {
                "127.0.0.1".into()
            }
        });
        let base_url = var("BASE_URL")
            .unwrap_or_else(|| format!("http://127.0.0.1:{port}"))
            .trim_end_matches('/')
            .to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid("BASE_URL", "must start with http:// or https://"));
        }
        let database_url = var("DATABASE_URL");
        if let Some(url) = &database_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(invalid("DATABASE_URL", "must be a postgres:// URL"));
            }
        }
        let argon2 = Argon2Cost {
            memory_kib: match var("ARGON2_MEMORY_KIB") {
                None if env == AppEnv::Test => 8,
                None => 19 * 1024,
                Some(raw) => raw
                    .parse()
                    .ok()
                    .filter(|n| (8..=1024 * 1024).contains(n))
                    .ok_or_else(|| invalid("ARGON2_MEMORY_KIB", "expected 8 to 1048576"))?,
            },
            iterations: match var("ARGON2_ITERATIONS") {
                None if env == AppEnv::Test => 1,
                None => 2,
                Some(raw) => raw
                    .parse()
                    .ok()
                    .filter(|n| (1..=20).contains(n))
                    .ok_or_else(|| invalid("ARGON2_ITERATIONS", "expected 1 to 20"))?,
            },
        };
        let run_worker = match var("RUN_WORKER").as_deref() {
            None => env != AppEnv::Test,
            Some("1" | "true" | "yes") => true,
            Some("0" | "false" | "no") => false,
            Some(_) => return Err(invalid("RUN_WORKER", "expected true or false")),
        };
        let mfa_required = match var("MFA_REQUIRED").as_deref() {
            None => env == AppEnv::Production,
            Some("1" | "true" | "yes") => true,
            Some("0" | "false" | "no") => false,
            Some(_) => return Err(invalid("MFA_REQUIRED", "expected true or false")),
        };
        let test_clock = match var("TEST_CLOCK").as_deref() {
            None => env == AppEnv::Test,
            Some("1" | "true" | "yes") if env == AppEnv::Production => {
                return Err(invalid(
                    "TEST_CLOCK",
                    "production always runs on the real clock",
                ));
            }
            Some("1" | "true" | "yes") => true,
            Some("0" | "false" | "no") => false,
            Some(_) => return Err(invalid("TEST_CLOCK", "expected true or false")),
        };
        let standing_place_before = match var("STANDING_PLACE_BEFORE_MINUTES") {
            None => time::Duration::minutes(120),
            Some(raw) => raw
                .parse::<i64>()
                .ok()
                .filter(|m| (10..=1440).contains(m))
                .map(time::Duration::minutes)
                .ok_or_else(|| invalid("STANDING_PLACE_BEFORE_MINUTES", "expected 10 to 1440"))?,
        };
        let root_dir = var("LARDER_ROOT")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));

        let mail_dir = var("MAIL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root_dir.join("var").join("mail"));
        let upload_dir = var("UPLOAD_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root_dir.join("var").join("uploads"));
        Ok(Self {
            env,
            host,
            port,
            database_url,
            db_pool_size,
            session_key,
            base_url,
            smtp_url: var("SMTP_URL"),
            stripe_secret_key: var("STRIPE_SECRET_KEY"),
            stripe_webhook_secret: var("STRIPE_WEBHOOK_SECRET"),
            sentry_dsn: var("SENTRY_DSN"),
            metrics_token: var("METRICS_TOKEN"),
            otlp_endpoint: var("OTEL_EXPORTER_OTLP_ENDPOINT"),
            root_dir,
            local_pg_port,
            argon2,
            mail_dir,
            upload_dir,
            run_worker,
            client_ip_header: var("CLIENT_IP_HEADER"),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| "Larder <no-reply@larder.local>".into()),
            stripe_api_base: var("STRIPE_API_BASE")
                .unwrap_or_else(|| "https://api.stripe.com".into())
                .trim_end_matches('/')
                .to_owned(),
            mfa_required,
            test_clock,
            standing_place_before,
            platform: PlatformSeller {
                name: var("PLATFORM_NAME").unwrap_or_else(|| "Larder Marketplace Ltd".into()),
                address: var("PLATFORM_ADDRESS")
                    .unwrap_or_else(|| "1 Market Row, London SE1 9AA".into()),
                vat_number: var("PLATFORM_VAT_NUMBER").unwrap_or_else(|| "GB 000 0000 00".into()),
            },
        })
    }

    pub fn is_production(&self) -> bool {
        self.env == AppEnv::Production
    }
}

/// Two connections per core. More connections than the database has cores to run them made
/// latency worse, not better: on 2 cores at 16 concurrent requests, 4 connections gave a p99
/// of 15 ms and 16 gave 400-700 ms for the same throughput (see bench/RESULTS.md), because
/// Postgres backends preempted while holding a lock make the others back off and sleep.
fn default_pool_size() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_mul(2))
        .unwrap_or(4)
        .clamp(2, 32) as u32
}

/// Accepts 128 hex characters (64 bytes), as `openssl rand -hex 64` prints.
fn parse_session_key(raw: &str) -> Result<Vec<u8>, ConfigError> {
    let bytes = hex::decode(raw).map_err(|_| {
        invalid(
            "SESSION_KEY",
            "expected 128 hex characters (openssl rand -hex 64)",
        )
    })?;
    if bytes.len() < 64 {
        return Err(invalid(
            "SESSION_KEY",
            "needs at least 64 bytes (128 hex characters)",
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_suit_local_development() {
        let c = config(&[]).unwrap();
        assert_eq!(c.env, AppEnv::Development);
        assert_eq!(c.port, 8080);
        assert_eq!(c.host, "127.0.0.1");
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert!(c.database_url.is_none());
        assert_eq!(c.session_key.len(), 64);
    }

    #[test]
    fn production_names_every_missing_secret() {
        let err = config(&[("APP_ENV", "production")]).unwrap_err();
        assert_eq!(
            err,
            ConfigError::MissingInProduction(PRODUCTION_REQUIRED.to_vec())
        );
        assert_eq!(
            err.to_string(),
            "production needs these environment variables set: SESSION_KEY, BASE_URL, \
             DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SMTP_URL, CLIENT_IP_HEADER"
        );
    }

    fn production_vars(key: &str) -> Vec<(&'static str, &str)> {
        vec![
            ("APP_ENV", "production"),
            ("SESSION_KEY", key),
            ("BASE_URL", "https://larder.example/"),
            ("DATABASE_URL", "postgres://u:p@db/larder"),
            ("STRIPE_SECRET_KEY", "sk_live_x"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_x"),
            ("SMTP_URL", "smtps://u:p@smtp.example:465"),
            ("CLIENT_IP_HEADER", "Fly-Client-IP"),
        ]
    }

    /// Each one alone missing is named, so no production deploy can serve the test
    /// checkout, drop webhooks, write mail to the container or share one login address.
    #[test]
    fn production_refuses_each_missing_payment_mail_and_proxy_setting() {
        let key = "ab".repeat(64);
        for name in [
            "STRIPE_SECRET_KEY",
            "STRIPE_WEBHOOK_SECRET",
            "SMTP_URL",
            "CLIENT_IP_HEADER",
        ] {
            let vars: Vec<_> = production_vars(&key)
                .into_iter()
                .filter(|(k, _)| *k != name)
                .collect();
            assert_eq!(
                config(&vars).unwrap_err(),
                ConfigError::MissingInProduction(vec![name]),
                "{name}"
            );
        }
    }

    #[test]
    fn production_starts_with_its_secrets() {
        let key = "ab".repeat(64);
        let c = config(&production_vars(&key)).unwrap();
        assert!(c.is_production());
        assert_eq!(c.client_ip_header.as_deref(), Some("Fly-Client-IP"));
        assert_eq!(c.host, "0.0.0.0");
        assert_eq!(c.base_url, "https://larder.example");
    }

    #[test]
    fn short_or_malformed_session_keys_are_refused() {
        for bad in ["abc", &"ab".repeat(32), &"zz".repeat(64)] {
            let err = config(&[("SESSION_KEY", bad)]).unwrap_err();
            assert!(matches!(
                err,
                ConfigError::Invalid {
                    name: "SESSION_KEY",
                    ..
                }
            ));
        }
    }

    #[test]
    fn production_refuses_a_settable_clock() {
        let key = "ab".repeat(64);
        let mut vars = production_vars(&key);
        vars.push(("TEST_CLOCK", "true"));
        assert!(
            config(&vars)
                .unwrap_err()
                .to_string()
                .contains("TEST_CLOCK")
        );
        assert!(!config(&production_vars(&key)).unwrap().test_clock);
        assert!(config(&[("APP_ENV", "test")]).unwrap().test_clock);
        assert!(!config(&[]).unwrap().test_clock);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases = [
            ("PORT", "eighty"),
            ("APP_ENV", "staging-ish"),
            ("DATABASE_URL", "mysql://x"),
            ("BASE_URL", "larder.example"),
            ("DB_POOL_SIZE", "0"),
        ];
        for (name, value) in cases {
            match config(&[(name, value)]) {
                Err(ConfigError::Invalid { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{name}={value} gave {other:?}"),
            }
        }
    }
}

//! Password rules and argon2id hashing. Hashing is slow on purpose; call it off the
//! async executor (inside `with_conn` or `web::block`).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::config::Argon2Cost;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Lower-cased passwords too common to allow, whatever their length.
const COMMON: &str = include_str!("common_passwords.txt");

/// Why a new password is refused, in words for the form.
pub fn policy_error(password: &str, email: &str) -> Option<&'static str> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Some("Use at least 10 characters.");
    }
    if chars > MAX_LEN {
        return Some("Use at most 128 characters.");
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|common| common == lower) {
        return Some("That password is too common. Choose something harder to guess.");
    }
    if !email.is_empty() && lower.contains(&email.to_lowercase()) {
        return Some("Don't use your email address in your password.");
    }
    None
}

fn hasher(cost: Argon2Cost) -> Argon2<'static> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .unwrap_or_else(|_| Params::default());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str, cost: Argon2Cost) -> anyhow::Result<String> {
    hasher(cost)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// True when `password` matches the stored PHC string (whatever cost it was made with).
pub fn verify(password: &str, stored: &str, cost: Argon2Cost) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => hasher(cost)
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same time as a real check, so a login for an unknown email can't be told
/// apart by how long it takes.
pub fn verify_against_dummy(password: &str, cost: Argon2Cost) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy-password-for-timing", cost).unwrap_or_default());
    let _ = verify(password, dummy, cost);
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: Argon2Cost = Argon2Cost {
        memory_kib: 8,
        iterations: 1,
    };

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash("correct horse battery", CHEAP).unwrap();
        let b = hash("correct horse battery", CHEAP).unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a, CHEAP));
        assert!(!verify("correct horse batterY", &a, CHEAP));
        assert!(!verify("anything", "not a hash", CHEAP));
    }

    #[test]
    fn short_common_or_email_passwords_are_refused() {
        assert!(policy_error("short", "a@b.co").is_some());
        assert!(policy_error("password123", "a@b.co").is_some());
        assert!(policy_error("Password123", "a@b.co").is_some());
        assert!(policy_error("1234567890", "a@b.co").is_some());
        assert!(policy_error("chef@bistro.co.uk!", "chef@bistro.co.uk").is_some());
        assert!(policy_error(&"x".repeat(129), "a@b.co").is_some());
        assert_eq!(policy_error("tomato-basil-42-oven", "a@b.co"), None);
    }
}

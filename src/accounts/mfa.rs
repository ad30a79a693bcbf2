//! Two-step verification as pure functions: TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s,
//! one step of clock drift either way) checked against the last step used so a code can't
//! be replayed, the enrolment URL and QR code, recovery codes, throttling, and which roles
//! must use it.

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use totp_rs::{Builder, Totp};

use super::model::AccountType;
use crate::tenancy::{Role, Side};

/// Wrong codes allowed per account in `FAILURE_WINDOW` before codes are refused outright.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
pub const RECOVERY_CODES: usize = 10;

/// A fresh 160-bit secret, as RFC 4226 recommends.
pub fn new_secret() -> [u8; 20] {
    rand::random()
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_secret(secret.to_vec())
        .with_skew(1)
        .build()
        .ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Good for this time step; record it as the last one used.
    Accepted(i64),
    /// A real code, but for a step already used: someone is replaying it.
    Replayed,
    Wrong,
}

/// Checks a six-digit code typed at `now` (spaces allowed) against `secret`, refusing any
/// step at or before `last_step`.
pub fn check_code(
    secret: &[u8],
    typed: &str,
    now: OffsetDateTime,
    last_step: Option<i64>,
) -> CodeCheck {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return CodeCheck::Wrong;
    }
    let (Some(totp), Ok(at)) = (totp(secret), u64::try_from(now.unix_timestamp())) else {
        return CodeCheck::Wrong;
    };
    match totp
        .check(&code, at)
        .and_then(|step| i64::try_from(step).ok())
    {
        Some(step) if last_step.is_some_and(|last| step <= last) => CodeCheck::Replayed,
        Some(step) => CodeCheck::Accepted(step),
        None => CodeCheck::Wrong,
    }
}

/// The code an authenticator shows at `now` (for tests and the demo).
pub fn code_at(secret: &[u8], now: OffsetDateTime) -> String {
    let at = u64::try_from(now.unix_timestamp()).unwrap_or(0);
    totp(secret)
        .map(|t| t.generate(at).to_string())
        .unwrap_or_default()
}

pub fn base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// The `otpauth://` link authenticator apps read from the QR code.
pub fn otpauth_url(secret: &[u8], email: &str) -> String {
    let label: String = email
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect();
    format!(
        "otpauth://totp/Larder:{label}?secret={}&issuer=Larder&algorithm=SHA1&digits=6&period=30",
        base32(secret)
    )
}

/// The link as an inline SVG QR code, drawn here (no outside service sees the secret).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
    )
}

/// Ten single-use recovery codes, "abcd-efgh" from an alphabet without look-alikes.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..8)
                .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &chars[..4], &chars[4..])
        })
        .collect()
}

/// How a recovery code is stored and looked up: case, spaces and dashes don't matter.
pub fn recovery_hash(code: &str) -> Vec<u8> {
    let plain: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(plain.as_bytes()).to_vec()
}

/// Does this person have to use two-step verification? Admins, and provider members who
/// handle money or the catalogue (owners, managers, finance).
pub fn required(kind: AccountType, side_role: Option<(Side, Role)>) -> bool {
    match kind {
        AccountType::Admin => true,
        AccountType::Provider => side_role.is_some_and(|(side, role)| {
            side == Side::Provider && matches!(role, Role::Owner | Role::Manager | Role::Finance)
        }),
        AccountType::Buyer => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SECRET: &[u8; 20] = b"12345678901234567890";

    #[test]
    fn codes_match_the_rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1 at T = 59 s: 94287082, of which 6 digits are 287082.
        let at = datetime!(1970-01-01 00:00:59 UTC);
        assert_eq!(code_at(SECRET, at), "287082");
        assert_eq!(
            check_code(SECRET, "287 082", at, None),
            CodeCheck::Accepted(1)
        );
    }

    #[test]
    fn a_code_works_one_step_either_side_and_never_twice() {
        let now = datetime!(2026-11-24 12:00:00 UTC);
        let code = code_at(SECRET, now);
        let step = now.unix_timestamp() / 30;
        assert_eq!(
            check_code(SECRET, &code, now, None),
            CodeCheck::Accepted(step)
        );
        assert_eq!(
            check_code(SECRET, &code, now, Some(step)),
            CodeCheck::Replayed
        );
        assert_eq!(
            check_code(SECRET, &code, now + Duration::seconds(30), None),
            CodeCheck::Accepted(step),
            "a step of drift is allowed"
        );
        assert_eq!(
            check_code(SECRET, &code, now + Duration::seconds(90), None),
            CodeCheck::Wrong
        );
        assert_eq!(check_code(SECRET, "12345", now, None), CodeCheck::Wrong);
        assert_eq!(check_code(SECRET, "abcdef", now, None), CodeCheck::Wrong);
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_forgiving_to_type() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert_eq!(recovery_hash("ABCD-efgh"), recovery_hash(" abcd efgh "));
    }

    #[test]
    fn the_enrolment_link_names_the_account_and_carries_the_secret() {
        let url = otpauth_url(SECRET, "chef+1@copperpot.demo");
        assert!(url.starts_with("otpauth://totp/Larder:chef%2B1%40copperpot.demo?secret="));
        assert!(url.contains(&base32(SECRET)));
        assert!(qr_svg(&url).is_some_and(|svg| svg.contains("<svg")));
    }

    #[test]
    fn admins_and_provider_money_roles_must_use_it() {
        assert!(required(AccountType::Admin, None));
        for role in [Role::Owner, Role::Manager, Role::Finance] {
            assert!(required(
                AccountType::Provider,
                Some((Side::Provider, role))
            ));
        }
        assert!(!required(
            AccountType::Provider,
            Some((Side::Provider, Role::Dispatcher))
        ));
        assert!(!required(
            AccountType::Buyer,
            Some((Side::Buyer, Role::Owner))
        ));
    }
}

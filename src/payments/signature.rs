//! Stripe webhook signatures: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`,
//! checked in constant time and refused outside a five-minute tolerance (replay window).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing or malformed Stripe-Signature header")]
    Malformed,
    #[error("signature timestamp outside the tolerance")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The header value Stripe would send for `payload` at `timestamp` (tests and the local gateway).
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let digest = mac(secret, timestamp, payload).finalize().into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

pub fn verify(header: &str, payload: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => {
                signatures.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    // Stripe may send several v1 signatures while a secret is being rolled.
    let matched = signatures
        .iter()
        .any(|sig| mac(secret, timestamp, payload).verify_slice(sig).is_ok());
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const NOW: i64 = 1_795_000_000;

    #[test]
    fn a_genuine_signature_verifies() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(SECRET, NOW, body);
        assert_eq!(verify(&header, body, SECRET, NOW + 10), Ok(()));
    }

    #[test]
    fn tampering_wrong_secret_and_old_timestamps_are_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(SECRET, NOW, body);
        assert_eq!(
            verify(&header, br#"{"id":"evt_2"}"#, SECRET, NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, body, "whsec_other", NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, body, SECRET, NOW + TOLERANCE_SECS + 1),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify("", body, SECRET, NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("t=abc,v1=00", body, SECRET, NOW),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(&format!("t={NOW},v1=zz"), body, SECRET, NOW),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let body = b"{}";
        let good = sign(SECRET, NOW, body);
        let v1 = good.split("v1=").nth(1).unwrap();
        let header = format!("t={NOW},v1={},v1={v1}", "00".repeat(32));
        assert_eq!(verify(&header, body, SECRET, NOW), Ok(()));
    }
}

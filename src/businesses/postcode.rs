//! UK postcodes: parsed from whatever people type ("se17pb", " SE1  7PB ") into the
//! normal form ("SE1 7PB") and its outward code ("SE1"), which delivery areas match on.

use std::sync::OnceLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postcode {
    normal: String,
    outcode_len: usize,
}

impl Postcode {
    pub fn parse(raw: &str) -> Option<Self> {
        static SHAPE: OnceLock<Regex> = OnceLock::new();
        // Outward code: area (1–2 letters), district (digit, then optional digit or letter);
        // inward code: sector digit and two unit letters (never C, I, K, M, O or V).
        let shape = SHAPE.get_or_init(|| {
            Regex::new(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
                .expect("postcode pattern compiles")
        });
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.len() > 7 {
            return None;
        }
        let caps = shape.captures(&compact)?;
        let outward = caps.get(1)?.as_str();
        let inward = caps.get(2)?.as_str();
        Some(Self {
            normal: format!("{outward} {inward}"),
            outcode_len: outward.len(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.normal
    }

    pub fn outcode(&self) -> &str {
        &self.normal[..self.outcode_len]
    }
}

/// Does a provider's delivery area prefix ("SE1", "E", "N1") cover this outcode?
/// "E" covers E1…E20 but not EC1; "N1" covers N1 but not N10.
pub fn area_covers(area: &str, outcode: &str) -> bool {
    let area = area.trim().to_ascii_uppercase();
    if area.is_empty() || !outcode.starts_with(&area) {
        return false;
    }
    let rest = &outcode[area.len()..];
    let area_is_letters_only = area.chars().all(|c| c.is_ascii_alphabetic());
    if area_is_letters_only {
        // The area letters must be the whole area part of the outcode.
        rest.starts_with(|c: char| c.is_ascii_digit())
    } else {
        // A district ("N1") matches itself, or a sub-district letter ("EC1A" under "EC1").
        rest.is_empty() || rest.chars().all(|c| c.is_ascii_alphabetic())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_postcodes_normalise() {
        for (raw, normal, out) in [
            ("se17pb", "SE1 7PB", "SE1"),
            ("  SE1   7PB ", "SE1 7PB", "SE1"),
            ("ec1a 1bb", "EC1A 1BB", "EC1A"),
            ("W1A 0AX", "W1A 0AX", "W1A"),
            ("m11ae", "M1 1AE", "M1"),
            ("N10 3PL", "N10 3PL", "N10"),
        ] {
            let p = Postcode::parse(raw).unwrap_or_else(|| panic!("{raw} rejected"));
            assert_eq!(p.as_str(), normal);
            assert_eq!(p.outcode(), out);
        }
    }

    #[test]
    fn nonsense_is_rejected() {
        for raw in [
            "",
            "SE1",
            "12345",
            "SE1 7P",
            "SE1 7PBB",
            "SE17 7CI",
            "<script>",
            "SE1 7PB; DROP",
        ] {
            assert!(Postcode::parse(raw).is_none(), "{raw:?} accepted");
        }
    }

    #[test]
    fn delivery_areas_match_whole_districts() {
        assert!(area_covers("SE1", "SE1"));
        assert!(area_covers("se1", "SE1"));
        assert!(!area_covers("SE1", "SE10"));
        assert!(area_covers("E", "E1"));
        assert!(area_covers("E", "E14"));
        assert!(!area_covers("E", "EC1A"));
        assert!(area_covers("EC1", "EC1A"));
        assert!(!area_covers("N1", "N10"));
        assert!(!area_covers("", "N1"));
    }
}

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

/// Every delivery-area value that covers `outcode`, so a query can ask
/// `delivery_areas && ARRAY[…]` (an indexable overlap) instead of testing prefixes row by row.
/// "EC1A" → ["EC", "EC1", "EC1A"]; "E14" → ["E", "E14"]; "SE1" → ["SE", "SE1"].
pub fn covering_areas(outcode: &str) -> Vec<String> {
    let outcode = outcode.trim().to_ascii_uppercase();
    let letters: String = outcode
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    let mut areas = Vec::new();
    if !letters.is_empty() && letters.len() < outcode.len() {
        areas.push(letters);
    }
    if outcode.ends_with(|c: char| c.is_ascii_alphabetic()) && outcode.len() > 2 {
        let district = &outcode[..outcode.len() - 1];
        if district.ends_with(|c: char| c.is_ascii_digit()) {
            areas.push(district.to_owned());
        }
    }
    if !outcode.is_empty() {
        areas.push(outcode);
    }
    areas
}

/// A delivery area as providers type it ("se1", " N ") normalised, or `None` if it is not an
/// area ("E"), district ("E14") or sub-district ("EC1A") prefix.
pub fn parse_area(raw: &str) -> Option<String> {
    static SHAPE: OnceLock<Regex> = OnceLock::new();
    let shape =
        SHAPE.get_or_init(|| Regex::new(r"^[A-Z]{1,2}(?:[0-9][A-Z0-9]?)?$").expect("area pattern"));
    let area = raw.trim().to_ascii_uppercase();
    shape.is_match(&area).then_some(area)
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
    fn covering_areas_agree_with_area_covers() {
        let areas = [
            "E", "E1", "E14", "EC", "EC1", "EC1A", "N", "N1", "N10", "SE", "SE1", "SE10", "W1",
            "W1A",
        ];
        for outcode in ["E1", "E14", "EC1A", "N1", "N10", "SE1", "SE10", "W1A", "W1"] {
            let covering = covering_areas(outcode);
            for area in areas {
                assert_eq!(
                    covering.contains(&area.to_owned()),
                    area_covers(area, outcode),
                    "{area} vs {outcode}: {covering:?}"
                );
            }
        }
    }

    #[test]
    fn areas_parse_from_what_providers_type() {
        assert_eq!(parse_area(" se1 "), Some("SE1".into()));
        assert_eq!(parse_area("n"), Some("N".into()));
        assert_eq!(parse_area("EC1A"), Some("EC1A".into()));
        assert_eq!(parse_area("SE1 7PB"), None);
        assert_eq!(parse_area("1SE"), None);
        assert_eq!(parse_area("ABC"), None);
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

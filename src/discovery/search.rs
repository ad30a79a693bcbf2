//! Turning what a buyer types into a PostgreSQL full-text query. Only letters and digits
//! survive, so quotes, `%`, `_`, tsquery operators or 10 KB of text can never break the
//! query; each word matches as a prefix ("mozz" finds "mozzarella").

pub const MAX_QUERY_CHARS: usize = 200;
const MAX_WORDS: usize = 8;
const MAX_WORD_CHARS: usize = 40;

/// The words searched for, and whether the input was cut short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    pub shown: String,
    pub words: Vec<String>,
    pub shortened: bool,
}

impl SearchText {
    pub fn parse(raw: &str) -> Self {
        let trimmed = raw.trim();
        let shortened = trimmed.chars().count() > MAX_QUERY_CHARS;
        let shown: String = trimmed.chars().take(MAX_QUERY_CHARS).collect();
        let words: Vec<String> = shown
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(|w| {
                w.chars()
                    .take(MAX_WORD_CHARS)
                    .collect::<String>()
                    .to_lowercase()
            })
            .collect();
        Self {
            shown,
            words,
            shortened,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// `to_tsquery('english', …)` input: "double cream" → "double:* & cream:*".
    pub fn tsquery(&self) -> Option<String> {
        (!self.words.is_empty()).then(|| {
            self.words
                .iter()
                .map(|w| format!("{w}:*"))
                .collect::<Vec<_>>()
                .join(" & ")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_prefix_terms() {
        let s = SearchText::parse("  Double CREAM ");
        assert_eq!(s.tsquery().as_deref(), Some("double:* & cream:*"));
        assert_eq!(s.shown, "Double CREAM");
    }

    #[test]
    fn operators_and_wildcards_are_just_separators() {
        for raw in [
            "san & | ! marzano",
            "san':* marzano",
            "san%_marzano",
            "(san) <-> marzano",
            "san\"marzano",
        ] {
            assert_eq!(
                SearchText::parse(raw).tsquery().as_deref(),
                Some("san:* & marzano:*"),
                "{raw}"
            );
        }
        assert_eq!(SearchText::parse("%%%'''!!!").tsquery(), None);
        assert_eq!(SearchText::parse("").tsquery(), None);
    }

    #[test]
    fn huge_input_is_cut_and_flagged() {
        let s = SearchText::parse(&"tomato ".repeat(2000));
        assert!(s.shortened);
        assert_eq!(s.shown.chars().count(), MAX_QUERY_CHARS);
        assert_eq!(s.words.len(), 8);
    }

    #[test]
    fn accents_and_digits_are_kept() {
        assert_eq!(
            SearchText::parse("crème fraîche 30%").tsquery().as_deref(),
            Some("crème:* & fraîche:* & 30:*")
        );
    }
}

//! The languages whose inflected forms a plain rule word matches, named by
//! their ISO 639-1 codes.

/// A language with inflection support, declared in code order (its
/// position is its index in [`Language::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    German,
    English,
    Spanish,
    French,
    Italian,
    Portuguese,
    Russian,
    Ukrainian,
}

impl Language {
    /// Every language with inflection support, in code order.
    pub const ALL: [Language; 8] = [
        Language::German,
        Language::English,
        Language::Spanish,
        Language::French,
        Language::Italian,
        Language::Portuguese,
        Language::Russian,
        Language::Ukrainian,
    ];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::French => "fr",
            Language::Spanish => "es",
            Language::Italian => "it",
            Language::Portuguese => "pt",
            Language::Russian => "ru",
            Language::Ukrainian => "uk",
        }
    }

    /// The language named by an ISO 639-1 code or a language tag
    /// (`en`, `en-GB`, `pt_BR`), when inflection supports it.
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = primary_subtag(code);
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Position in [`Language::ALL`], for tables kept per language.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The primary subtag of a language tag, lowercased: `en-GB` → `en`.
pub fn primary_subtag(tag: &str) -> String {
    tag.trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_is_at_its_index_in_all() {
        for (i, language) in Language::ALL.into_iter().enumerate() {
            assert_eq!(language.index(), i);
        }
        assert_eq!(Language::from_code("pt-BR"), Some(Language::Portuguese));
    }
}

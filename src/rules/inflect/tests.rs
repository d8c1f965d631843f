//! The shape every stem has (the search index relies on it) and the stems
//! of a few words per language; which forms meet is tested on whole rules
//! in `tests/inflection.rs`.

use super::*;
use crate::rules::normalize::{Canonical, Fold};

const WORDS: &[&str] = &[
    "ceasefires",
    "policies",
    "policy",
    "stopped",
    "agreeing",
    "needed",
    "tried",
    "negotiating",
    "перемириями",
    "россией",
    "мировой",
    "україною",
    "перемир'ям",
    "waffenstillstände",
    "friedens",
    "journaux",
    "nationales",
    "negociaciones",
    "países",
    "banche",
    "negociações",
    "nacionais",
    "a",
    "ab",
    "停火",
    "2024s",
    "verbesserern",
    "entwässerern",
    "aeppyyings",
    "aed",
    "ied",
    "oing",
    "ues",
    "don't",
];

#[test]
fn a_stem_is_the_word_less_a_few_characters_and_perhaps_an_i() {
    for language in Language::ALL {
        for word in WORDS {
            let word = Canonical::new(word, Fold::Folded).words().concat();
            let s = stem(language, &word);
            assert!(
                s.keep <= word.len() && word.is_char_boundary(s.keep),
                "{word}"
            );
            assert!(matches!(s.tail, "" | "e" | "i"), "{word}");
            let cut = word[s.keep..].chars().count();
            assert!(cut <= MAX_CUT, "{language:?} cut {cut} from {word}");
            // The scanner's openings test needs the first two bytes kept.
            assert!(
                s.keep >= word.len().min(2),
                "{language:?} cut into the opening of {word}"
            );
        }
    }
}

#[test]
fn every_cut_a_stemmer_makes_is_one_the_index_looks_for() {
    for language in Language::ALL {
        let more = [
            "hoping",
            "classes",
            "crisis",
            "journal",
            "tregue",
            "tried",
            "agreed",
            "stopping",
            "controlled",
            "eaux",
            "libérées",
            "nacional",
            "banchi",
            "laghi",
            "Bündnissen",
            "Straßen",
            "Kindern",
            "Spieler",
            "перемирием",
            "статьями",
            "переговорів",
        ];
        for word in WORDS.iter().chain(&more) {
            let word = Canonical::new(word, Fold::Folded).words().concat();
            let s = stem(language, &word);
            let (before, rest) = word.split_at(s.keep);
            assert!(
                rest.is_empty() || could_cut(before, rest),
                "{language:?} cut {rest:?} from {word}"
            );
        }
    }
}

#[test]
fn stems_in_each_language() {
    let cases = [
        (Language::English, "negotiating", "negotiat"),
        (Language::English, "policies", "polici"),
        (Language::English, "stopped", "stop"),
        (Language::English, "news", "news"),
        (Language::German, "friedens", "fried"),
        (Language::French, "journaux", "journa"),
        (Language::Spanish, "negociaciones", "negociacion"),
        (Language::Italian, "banche", "banc"),
        (Language::Portuguese, "negociacoes", "negociac"),
        (Language::Russian, "перемириями", "перемир"),
        (Language::Ukrainian, "україною", "україн"),
    ];
    for (language, word, expected) in cases {
        assert_eq!(stem_of(language, word), expected, "{language:?} {word}");
    }
}

#[test]
fn a_stemmed_text_keeps_where_each_word_came_from() {
    let text = Canonical::new("Talks on 停火 resumed", Fold::Folded);
    let stems = stemmed(&text, Language::English);
    assert_eq!(stems.words(), ["talk", "on", "停", "火", "resum"]);
    assert_eq!(stems.text, "talk on 停火 resum");
    assert_eq!(stems.tokens[4].orig_start, text.tokens[4].orig_start);
}

#[test]
fn a_word_has_forms_in_the_languages_of_its_script() {
    assert!(has_forms(Language::English, "truce"));
    assert!(has_forms(Language::English, "talks"));
    assert!(has_forms(Language::Russian, "перемирие"));
    assert!(!has_forms(Language::Russian, "ceasefire"));
    assert!(!has_forms(Language::English, "перемирие"));
    assert!(!has_forms(Language::English, "停火"));
}

proptest::proptest! {
    /// The shape holds for any word, not only the listed ones.
    #[test]
    fn every_stem_has_the_shape(word in "[a-z]{1,12}|[а-яіїєґ']{1,12}|[a-zäöüéèàñç]{1,10}") {
        let word = Canonical::new(&word, Fold::Folded).words().concat();
        for language in Language::ALL {
            let s = stem(language, &word);
            proptest::prop_assert!(s.keep <= word.len() && word.is_char_boundary(s.keep));
            proptest::prop_assert!(s.keep >= word.len().min(2), "{:?} {}", language, word);
            proptest::prop_assert!(matches!(s.tail, "" | "e" | "i"));
            proptest::prop_assert!(word[s.keep..].chars().count() <= MAX_CUT, "{:?} {}", language, word);
            let (before, rest) = word.split_at(s.keep);
            proptest::prop_assert!(rest.is_empty() || could_cut(before, rest), "{:?} {}", language, word);
        }
    }
}

//! Russian and Ukrainian: the case endings of nouns and adjectives, in the
//! manner of Savoy's light Russian stemmer. Canonical words have `й` as
//! `и` and `ё` as `е` (the marks are folded), so the endings are written
//! that way. Suffixes that make another word (`-ов-`, `-ск-`) stay:
//! `мир` does not meet `мировой`.

use super::{Stem, cut_longest};

/// Russian noun and adjective endings, longest first.
const RUSSIAN: &[&str] = &[
    "иями", "ьями", "ами", "ями", "иям", "иях", "ием", "иеи", "ьям", "ьях", "ьем", "ьеи", "ого",
    "его", "ому", "ему", "ыми", "ими", "ом", "ем", "ои", "еи", "ою", "ею", "ам", "ям", "ах", "ях",
    "ов", "ев", "ие", "ия", "ии", "ию", "ье", "ья", "ьи", "ью", "ыи", "ая", "яя", "ое", "ее", "ые",
    "ым", "им", "ых", "их", "ую", "юю", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь",
];

/// Ukrainian noun and adjective endings, longest first.
const UKRAINIAN: &[&str] = &[
    "ього", "ьому", "ами", "ями", "ові", "еві", "єві", "ого", "ому", "ими", "іми", "ьою", "ом",
    "ем", "єм", "ою", "ею", "єю", "ам", "ям", "ах", "ях", "ів", "еи", "іи", "ии", "им", "ім", "их",
    "іх", "а", "я", "о", "е", "є", "и", "і", "у", "ю", "ь",
];

/// The stem of a Russian canonical word.
pub fn russian(word: &str) -> Stem {
    slavic(word, RUSSIAN)
}

/// The stem of a Ukrainian canonical word.
pub fn ukrainian(word: &str) -> Stem {
    slavic(word, UKRAINIAN)
}

fn slavic(word: &str, endings: &[&str]) -> Stem {
    Stem {
        keep: cut_longest(word, endings, 2).unwrap_or(word.len()),
        tail: "",
    }
}

//! Russian and Ukrainian: the case endings of nouns and adjectives, in the
//! manner of Savoy's light Russian stemmer. Canonical words have `й` as
//! `и` and `ё` as `е` (the marks are folded), so the endings are written
//! that way. Suffixes that make another word (`-ов-`, `-ск-`) stay:
//! `мир` does not meet `мировой`.

use super::{Stem, cut_longest};

/// Russian noun and adjective endings, by their last letter, longest first.
fn russian_endings(last: char) -> &'static [&'static str] {
    match last {
        'а' => &["а"],
        'в' => &["ов", "ев"],
        'е' => &["ие", "ье", "ое", "ее", "ые", "е"],
        'и' => &[
            "иями", "ьями", "ами", "ями", "иеи", "ьеи", "ыми", "ими", "ои", "еи", "ии", "ьи", "ыи",
            "и",
        ],
        'м' => &[
            "иям", "ием", "ьям", "ьем", "ом", "ем", "ам", "ям", "ым", "им",
        ],
        'о' => &["ого", "его", "о"],
        'у' => &["ому", "ему", "у"],
        'х' => &["иях", "ьях", "ах", "ях", "ых", "их"],
        'ы' => &["ы"],
        'ь' => &["ь"],
        'ю' => &["ою", "ею", "ию", "ью", "ую", "юю", "ю"],
        'я' => &["ия", "ья", "ая", "яя", "я"],
        _ => &[],
    }
}

/// Ukrainian noun and adjective endings, by their last letter, longest first.
fn ukrainian_endings(last: char) -> &'static [&'static str] {
    match last {
        'а' => &["а"],
        'в' => &["ів"],
        'е' => &["е"],
        'и' => &["ами", "ями", "ими", "іми", "еи", "іи", "ии", "и"],
        'м' => &["ом", "ем", "єм", "ам", "ям", "им", "ім"],
        'о' => &["ього", "ого", "о"],
        'у' => &["ьому", "ому", "у"],
        'х' => &["ах", "ях", "их", "іх"],
        'ь' => &["ь"],
        'ю' => &["ьою", "ою", "ею", "єю", "ю"],
        'я' => &["я"],
        'є' => &["є"],
        'і' => &["ові", "еві", "єві", "і"],
        _ => &[],
    }
}

/// True when `rest` begins a Russian or Ukrainian ending.
pub fn begins_ending(rest: &str) -> bool {
    const LAST: &str = "авеимоухыьюяєі";
    LAST.chars()
        .flat_map(|c| russian_endings(c).iter().chain(ukrainian_endings(c)))
        .any(|e| e.starts_with(rest))
}

/// The stem of a Russian canonical word.
pub fn russian(word: &str) -> Stem {
    slavic(word, russian_endings)
}

/// The stem of a Ukrainian canonical word.
pub fn ukrainian(word: &str) -> Stem {
    slavic(word, ukrainian_endings)
}

fn slavic(word: &str, endings: fn(char) -> &'static [&'static str]) -> Stem {
    let keep = word
        .chars()
        .next_back()
        .and_then(|last| cut_longest(word, endings(last), 2));
    Stem {
        keep: keep.unwrap_or(word.len()),
        tail: "",
    }
}

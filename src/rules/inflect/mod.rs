//! Inflection: the stem a plain rule word and a text word share when one
//! is an inflected form of the other (plural, case, verb ending), so that
//! `ceasefire` matches "Ceasefires" and `перемирие` matches "перемирии".
//!
//! The stemmers are light: they take off inflectional endings only, never
//! derivational suffixes, because a derived word often means something else
//! (`organ` is not "organizations", `мир` is not "мировой", `universe` is
//! not "university"). They work on canonical words (case folded, accents
//! removed), in the manner of Savoy's light stemmers and of the
//! inflectional first steps of Porter's and Snowball's algorithms.
//!
//! A stem is always the word with at most [`MAX_CUT`] characters cut off
//! its end, sometimes followed by an `e` or an `i` (English `policy` and
//! `policies` both stem to `polici`, `hoping` and `hope` to `hope`), and it
//! keeps at least the word's first two bytes. The search index relies on that shape to find prefix queries
//! among stems, and the scanner to skip words no term can stem to.

mod english;
mod german;
mod romance;
mod slavic;

use super::normalize::{Canonical, Token};
use crate::model::Language;

/// The most characters a stemmer cuts off a word. German takes the most: `-ern`, then `-er`, then an `s` of `ss`
/// (Verbesserern → verbes).
pub const MAX_CUT: usize = 6;

/// A word's stem: its first `keep` bytes, then `tail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stem {
    pub keep: usize,
    pub tail: &'static str,
}

impl Stem {
    /// The whole word: nothing to cut.
    pub fn whole(word: &str) -> Stem {
        Stem {
            keep: word.len(),
            tail: "",
        }
    }

    /// Appends the stem of `word` to `out`.
    pub fn write(self, word: &str, out: &mut String) {
        out.push_str(&word[..self.keep]);
        out.push_str(self.tail);
    }

    /// The stem of `word` as a string.
    pub fn of(self, word: &str) -> String {
        let mut out = String::with_capacity(self.keep + self.tail.len());
        self.write(word, &mut out);
        out
    }
}

/// The stem of the canonical word `word` in `language`.
pub fn stem(language: Language, word: &str) -> Stem {
    // Numbers, codes and very short words have no inflection to cut.
    if word.len() < 3 || word.bytes().any(|b| b.is_ascii_digit()) {
        return Stem::whole(word);
    }
    match language {
        Language::English => english::stem(word),
        Language::German => german::stem(word),
        Language::French => romance::french(word),
        Language::Spanish => romance::spanish(word),
        Language::Italian => romance::italian(word),
        Language::Portuguese => romance::portuguese(word),
        Language::Russian => slavic::russian(word),
        Language::Ukrainian => slavic::ukrainian(word),
    }
}

/// True when `word` has other forms in `language` that a rule word meets:
/// its stem is not the word itself (`talks`), or one of the language's
/// common endings added to it leaves its stem unchanged (`truce` and
/// "truces", `перемирие` and "перемирия"). Endings count only on a word of
/// their own script.
pub fn has_forms(language: Language, word: &str) -> bool {
    let endings: &[&str] = match language {
        Language::English => &["s", "es", "ed", "ing"],
        Language::German => &["e", "en", "es", "s", "n"],
        Language::French => &["s", "x", "e", "es"],
        Language::Spanish | Language::Portuguese => &["s", "es"],
        Language::Italian => &["i", "e"],
        Language::Russian => &["а", "ы", "и", "е", "ом", "ами"],
        Language::Ukrainian => &["а", "и", "і", "ом", "ами"],
    };
    let own = stem_of(language, word);
    let cyrillic = |s: &str| {
        s.chars()
            .next_back()
            .is_some_and(|c| ('\u{400}'..='\u{4FF}').contains(&c))
    };
    own != word
        || endings.iter().any(|ending| {
            cyrillic(word) == cyrillic(ending)
                && stem_of(language, &format!("{word}{ending}")) == own
        })
}

/// The stem of `word` as a string, in `language`.
pub fn stem_of(language: Language, word: &str) -> String {
    stem(language, word).of(word)
}

/// `text` with every word replaced by its stem in `language`, each token
/// still pointing at the original text, and words of scripts written
/// without spaces still glued together.
pub fn stemmed(text: &Canonical, language: Language) -> Canonical {
    stemmed_where(text, language, |_| true)
}

/// [`stemmed`], stemming only the words `may_match` accepts and keeping the
/// others as they are (the scanner skips words no term can be).
pub fn stemmed_where(
    text: &Canonical,
    language: Language,
    may_match: impl Fn(&str) -> bool,
) -> Canonical {
    let mut out = Canonical {
        text: String::with_capacity(text.text.len()),
        tokens: Vec::with_capacity(text.tokens.len()),
    };
    let mut previous_end = None;
    for (i, token) in text.tokens.iter().enumerate() {
        let glued = previous_end == Some(token.canon_start);
        previous_end = Some(token.canon_end);
        if i > 0 && !glued {
            out.text.push(' ');
        }
        let start = out.text.len();
        let word = text.word(i);
        match may_match(word) {
            true => stem(language, word).write(word, &mut out.text),
            false => out.text.push_str(word),
        }
        out.tokens.push(Token {
            canon_start: start as u32,
            canon_end: out.text.len() as u32,
            ..*token
        });
    }
    out
}

/// Every ending a stemmer of a Latin-script language cuts, and the letters
/// English turns into a stem's tail (`y` as `i`): for [`could_cut`].
const LATIN_ENDINGS: &[&str] = &[
    "aes", "ais", "al", "ao", "aux", "ed", "eed", "em", "en", "er", "ern", "es", "he", "hi", "ies",
    "ing", "is", "oes", "sis", "ss", "sses", "ux", "a", "e", "i", "l", "o", "s", "x", "y",
];

/// True when `rest`, the end of a prefix, may be where some language's
/// stemmer cut a word that starts with the prefix: it begins a run of
/// endings (German cuts `-en` then `-s` off `Friedens`), or does so after
/// its first letter repeats the one before it (a doubled consonant undone,
/// `stopped` as `stop`). The index's prefix search looks only for the stems
/// such a cut leaves.
pub fn could_cut(before: &str, rest: &str) -> bool {
    if begins_endings(rest) {
        return true;
    }
    let mut letters = rest.chars();
    let doubled = letters.next().is_some_and(|c| before.ends_with(c));
    doubled && begins_endings(letters.as_str())
}

/// True when `rest` is endings one after another, the last perhaps only
/// begun.
fn begins_endings(rest: &str) -> bool {
    if LATIN_ENDINGS.iter().any(|e| e.starts_with(rest)) || slavic::begins_ending(rest) {
        return true;
    }
    LATIN_ENDINGS
        .iter()
        .filter(|e| !e.is_empty() && rest.starts_with(**e))
        .any(|e| begins_endings(&rest[e.len()..]))
}

/// Number of characters in `s`.
fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `word` without the longest of `endings` (listed longest first) whose
/// removal leaves at least `min` characters; None when none fits.
fn cut_longest(word: &str, endings: &[&str], min: usize) -> Option<usize> {
    endings
        .iter()
        .find(|e| word.ends_with(**e) && chars(&word[..word.len() - e.len()]) >= min)
        .map(|e| word.len() - e.len())
}

/// `word` without `ending`, when it ends so and at least `min` characters
/// remain.
fn cut(word: &str, ending: &str, min: usize) -> Option<usize> {
    cut_longest(word, &[ending], min)
}

#[cfg(test)]
mod tests;

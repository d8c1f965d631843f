//! Character tables for normalisation: how each character takes part in
//! word segmentation, which marks are diacritics, and case folding.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// How a character takes part in word segmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Letter,
    Digit,
    /// Joins letters only (`:` `·`).
    MidLetter,
    /// Joins letters or digits (`.` and apostrophes).
    MidNumLet,
    /// Joins digits only (`,` `;`).
    MidNum,
    /// Joins anything word-like (`_`).
    ExtendNumLet,
    /// Belongs to the character before it (combining marks, format characters).
    Extend,
    /// A word of its own, glued to its neighbours of the same kind.
    Unspaced,
    Separator,
}

const fn ascii_classes() -> [Class; 128] {
    let mut table = [Class::Separator; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() {
            Class::Letter
        } else if c.is_ascii_digit() {
            Class::Digit
        } else {
            match c {
                b':' => Class::MidLetter,
                b'.' | b'\'' => Class::MidNumLet,
                b',' | b';' => Class::MidNum,
                b'_' => Class::ExtendNumLet,
                _ => Class::Separator,
            }
        };
        b += 1;
    }
    table
}

pub static ASCII: [Class; 128] = ascii_classes();

pub fn class_of(c: char) -> Class {
    if c.is_ascii() {
        return ASCII[c as usize];
    }
    // Marks first: Arabic and Hebrew vowel points count as alphabetic too.
    if is_combining_mark(c) || is_format(c) {
        Class::Extend
    } else if is_unspaced_script(c) {
        Class::Unspaced
    } else if c.is_alphabetic() {
        Class::Letter
    } else if c.is_numeric() {
        Class::Digit
    } else {
        match c {
            '\u{00B7}' | '\u{0387}' | '\u{05F4}' | '\u{2027}' | '\u{FE13}' | '\u{FE55}'
            | '\u{FF1A}' => Class::MidLetter,
            '\u{2018}' | '\u{2019}' | '\u{2024}' | '\u{FE52}' | '\u{FF07}' | '\u{FF0E}' => {
                Class::MidNumLet
            }
            '\u{037E}' | '\u{0589}' | '\u{060C}' | '\u{060D}' | '\u{066C}' | '\u{07F8}'
            | '\u{2044}' | '\u{FE10}' | '\u{FE14}' | '\u{FE50}' | '\u{FE54}' | '\u{FF0C}'
            | '\u{FF1B}' => Class::MidNum,
            '\u{203F}'
            | '\u{2040}'
            | '\u{2054}'
            | '\u{FE33}'
            | '\u{FE34}'
            | '\u{FE4D}'..='\u{FE4F}'
            | '\u{FF3F}' => Class::ExtendNumLet,
            _ => Class::Separator,
        }
    }
}

/// True for characters of scripts that do not separate words with spaces.
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF      // Thai, Lao
        | 0x1000..=0x109F    // Myanmar
        | 0x1780..=0x17FF    // Khmer
        | 0x19E0..=0x19FF    // Khmer symbols
        | 0x3005..=0x3007    // ideographic iteration and zero
        | 0x3021..=0x3029    // Hangzhou numerals
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana extensions
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // Han compatibility
        | 0xFF66..=0xFF9F    // halfwidth Katakana
        | 0x20000..=0x3134F  // Han supplementary planes
    )
}

/// Marks that are diacritics to remove when matching is not exact: the
/// combining diacritical marks of Latin, Greek and Cyrillic, and the
/// vowel points of Arabic and Hebrew. Marks that make a different letter
/// (kana voicing, Indic vowel signs, Thai vowels and tones) are kept.
pub fn is_removable_diacritic(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
        | 0xFE20..=0xFE2F
        | 0x0591..=0x05BD | 0x05BF | 0x05C1 | 0x05C2 | 0x05C4 | 0x05C5 | 0x05C7
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4
        | 0x06E7 | 0x06E8 | 0x06EA..=0x06ED
    )
}

/// Symbols that compatibility normalisation would turn into letters or
/// digits but that are not part of a word: ™, ℠, superscript and subscript
/// digits (footnote marks, km²), circled and parenthesised numbers.
pub fn is_word_breaking_symbol(c: char) -> bool {
    matches!(c as u32,
        0x00B2 | 0x00B3 | 0x00B9 | 0x00BC..=0x00BE | 0x2070..=0x209F | 0x2120..=0x2122
        | 0x2460..=0x24FF | 0x2776..=0x2793 | 0x3248..=0x325F | 0x3280..=0x32BF | 0x1F100..=0x1F1FF
    )
}

/// True when `c` belongs to the character before it for normalisation:
/// a combining mark, or a character that decomposes into one (the
/// halfwidth kana voicing marks).
pub fn combines(c: char) -> bool {
    if is_combining_mark(c) {
        return true;
    }
    let mut first = None;
    decompose_compatible(c, |d| {
        first.get_or_insert(d);
    });
    first.is_some_and(|d| d != c && is_combining_mark(d))
}

/// Invisible formatting characters (general category Cf) that must not
/// split a word: soft hyphens, zero-width (non-)joiners, direction marks,
/// BOM. The zero-width space is not one of them: it separates words.
pub fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200C..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
    )
}

/// Full case folding of one letter: lowercase, with the folds that
/// lowercasing misses (ß → ss, final sigma → sigma).
pub fn fold_case(c: char) -> impl Iterator<Item = char> {
    let (first, second) = match c {
        'ß' | 'ẞ' => ('s', Some('s')),
        'ς' => ('σ', None),
        _ => {
            let mut lower = c.to_lowercase();
            let first = lower.next().unwrap_or(c);
            return FoldIter::Lower(Some(first), lower);
        }
    };
    FoldIter::Pair(Some(first), second)
}

enum FoldIter {
    Lower(Option<char>, std::char::ToLowercase),
    Pair(Option<char>, Option<char>),
}

impl Iterator for FoldIter {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            FoldIter::Lower(first, rest) => first.take().or_else(|| rest.next()),
            FoldIter::Pair(first, second) => first.take().or_else(|| second.take()),
        }
    }
}

//! Text to its canonical form for matching: words, normalised, one space
//! apart, each mapped back to where it stands in the original text.
//!
//! Normalisation is Unicode compatibility decomposition (NFKD, which
//! compares exactly as NFKC does), then — unless matching is exact — full
//! case folding and removal of diacritics (São → sao). Words follow Unicode
//! word segmentation (UAX #29: letters and digits, joined by an apostrophe,
//! period or colon between letters and by a comma or period between
//! digits), with three additions readers expect: a hyphen separates words
//! (it already does in UAX #29), an English possessive `'s` is cut off
//! (China's → china), and a French or Italian elision is its own word
//! (l'Europe → l europe). Characters of scripts written without spaces
//! (Han, kana, Thai, Lao, Khmer, Myanmar) are one word each and are not
//! separated from each other, so a term in those scripts matches inside
//! running text.
//!
//! ASCII takes a table-driven fast path; everything else goes through the
//! Unicode tables one character at a time.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Whether case and diacritics are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fold {
    /// Case folded, diacritics removed: the default.
    Folded,
    /// Case and diacritics kept (`exact = true`).
    Exact,
}

/// One word of the canonical text and its place in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte range in the canonical text.
    pub canon_start: u32,
    pub canon_end: u32,
    /// Byte range in the original text.
    pub orig_start: u32,
    pub orig_end: u32,
}

/// A text in canonical form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Canonical {
    /// The words, one space apart (no space between two adjacent characters
    /// of scripts written without spaces).
    pub text: String,
    /// The words in order; a word's index is its position.
    pub tokens: Vec<Token>,
}

impl Canonical {
    /// The canonical form of `text`.
    pub fn new(text: &str, fold: Fold) -> Canonical {
        let mut builder = Builder::new(fold, text.len());
        builder.run(text);
        builder.out
    }

    /// The canonical words, for tests and the reference evaluator.
    pub fn words(&self) -> Vec<&str> {
        self.tokens
            .iter()
            .map(|t| &self.text[t.canon_start as usize..t.canon_end as usize])
            .collect()
    }

    /// The canonical text of word `i`.
    pub fn word(&self, i: usize) -> &str {
        let t = self.tokens[i];
        &self.text[t.canon_start as usize..t.canon_end as usize]
    }

    /// The index of the token starting at canonical byte `at`.
    pub fn token_starting_at(&self, at: usize) -> Option<usize> {
        let i = self
            .tokens
            .partition_point(|t| (t.canon_start as usize) < at);
        (self.tokens.get(i)?.canon_start as usize == at).then_some(i)
    }

    /// The index of the token that holds canonical byte `at - 1`, i.e. the
    /// one a match ending at `at` ends in.
    pub fn token_ending_in(&self, at: usize) -> Option<usize> {
        let i = self.tokens.partition_point(|t| (t.canon_end as usize) < at);
        let token = self.tokens.get(i)?;
        ((token.canon_start as usize) < at).then_some(i)
    }
}

/// How a character takes part in word segmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
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

static ASCII: [Class; 128] = ascii_classes();

fn class_of(c: char) -> Class {
    if c.is_ascii() {
        return ASCII[c as usize];
    }
    if is_unspaced_script(c) {
        Class::Unspaced
    } else if c.is_alphabetic() {
        Class::Letter
    } else if c.is_numeric() {
        Class::Digit
    } else if is_combining_mark(c) || is_format(c) {
        Class::Extend
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

/// Invisible formatting characters (general category Cf) that must not
/// split a word: soft hyphens, zero-width joiners, direction marks, BOM.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
    )
}

/// The word currently being built.
#[derive(Debug, Clone, Copy)]
struct Word {
    canon_start: usize,
    orig_start: usize,
    orig_end: usize,
    /// Class of the last letter, digit or joiner (marks do not count).
    last: Class,
    /// The first apostrophe: canonical offset and original byte range, for elisions.
    first_apostrophe: Option<(usize, usize, usize)>,
    /// Original start of the last apostrophe, for possessives.
    last_apostrophe: usize,
}

/// A joiner seen after a word, kept until the next character says whether
/// it joins (`U.S`, `1,000`) or ends the word (`end.`).
#[derive(Debug, Clone, Copy)]
struct Pending {
    c: char,
    class: Class,
    orig_start: usize,
    orig_end: usize,
}

struct Builder {
    fold: Fold,
    out: Canonical,
    word: Option<Word>,
    pending: Option<Pending>,
    /// The last token was an unspaced-script character directly before this
    /// point, so the next such character is glued to it.
    glue_unspaced: bool,
}

impl Builder {
    fn new(fold: Fold, len: usize) -> Builder {
        Builder {
            fold,
            out: Canonical {
                text: String::with_capacity(len + len / 8),
                tokens: Vec::with_capacity(len / 6),
            },
            word: None,
            pending: None,
            glue_unspaced: false,
        }
    }

    fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b < 0x80 {
                let class = ASCII[b as usize];
                let c = match (self.fold, class) {
                    (Fold::Folded, Class::Letter) => b.to_ascii_lowercase() as char,
                    _ => b as char,
                };
                self.push(c, class, at, at + 1);
                at += 1;
            } else {
                let c = text[at..]
                    .chars()
                    .next()
                    .expect("a char at a char boundary");
                let end = at + c.len_utf8();
                self.push_unicode(c, at, end);
                at = end;
            }
        }
        self.end_word();
    }

    /// Decomposes, folds and pushes one non-ASCII character.
    fn push_unicode(&mut self, c: char, orig_start: usize, orig_end: usize) {
        let mut parts = [' '; 18];
        let mut n = 0;
        decompose_compatible(c, |d| {
            if n < parts.len() {
                parts[n] = d;
                n += 1;
            }
        });
        for &d in &parts[..n] {
            let class = class_of(d);
            match (self.fold, class) {
                (Fold::Folded, Class::Extend) => self.push(d, class, orig_start, orig_end),
                (Fold::Folded, Class::Letter) => {
                    for f in fold_case(d) {
                        self.push(f, class, orig_start, orig_end);
                    }
                }
                _ => self.push(d, class, orig_start, orig_end),
            }
        }
    }

    /// Feeds one normalised character through word segmentation.
    fn push(&mut self, c: char, class: Class, orig_start: usize, orig_end: usize) {
        if let Some(pending) = self.pending.take() {
            // UAX #29 WB6/7 and WB11/12: a joiner joins letters to letters
            // or digits to digits, never a letter to a digit.
            let before = self.word.map(|w| w.last);
            let joins = matches!(
                (pending.class, before, class),
                (
                    Class::MidLetter | Class::MidNumLet,
                    Some(Class::Letter),
                    Class::Letter
                ) | (
                    Class::MidNum | Class::MidNumLet,
                    Some(Class::Digit),
                    Class::Digit
                )
            );
            if joins {
                self.append(
                    canonical_joiner(pending.c),
                    pending.orig_start,
                    pending.orig_end,
                );
            } else {
                self.end_word();
            }
        }
        match class {
            Class::Letter | Class::Digit | Class::ExtendNumLet => match &mut self.word {
                Some(_) => {
                    self.append(c, orig_start, orig_end);
                    self.word.as_mut().expect("a word").last = class;
                }
                None => self.start_word(c, class, orig_start, orig_end),
            },
            Class::MidLetter | Class::MidNumLet | Class::MidNum => {
                // Punctuation between two characters of an unspaced script
                // separates them like a space would.
                self.glue_unspaced = false;
                let can_join = matches!(
                    (class, self.word.map(|w| w.last)),
                    (Class::MidLetter, Some(Class::Letter))
                        | (Class::MidNumLet, Some(Class::Letter | Class::Digit))
                        | (Class::MidNum, Some(Class::Digit))
                );
                if can_join {
                    self.pending = Some(Pending {
                        c,
                        class,
                        orig_start,
                        orig_end,
                    });
                } else {
                    self.end_word();
                }
            }
            Class::Extend => {
                // A mark belongs to the character before it: kept inside a
                // word when matching is exact, dropped otherwise; format
                // characters are always dropped.
                if let Some(word) = &mut self.word {
                    word.orig_end = orig_end;
                    if self.fold == Fold::Exact && is_combining_mark(c) {
                        self.out.text.push(c);
                    }
                }
            }
            Class::Unspaced => {
                let glue = self.glue_unspaced && self.word.is_none();
                self.end_word();
                if !glue && !self.out.text.is_empty() {
                    self.out.text.push(' ');
                }
                let canon_start = self.out.text.len();
                self.out.text.push(c);
                self.out.tokens.push(token(
                    canon_start,
                    self.out.text.len(),
                    orig_start,
                    orig_end,
                ));
                self.glue_unspaced = true;
            }
            Class::Separator => {
                self.end_word();
                self.glue_unspaced = false;
            }
        }
    }

    fn start_word(&mut self, c: char, class: Class, orig_start: usize, orig_end: usize) {
        if !self.out.text.is_empty() {
            self.out.text.push(' ');
        }
        self.glue_unspaced = false;
        let canon_start = self.out.text.len();
        self.out.text.push(c);
        self.word = Some(Word {
            canon_start,
            orig_start,
            orig_end,
            last: class,
            first_apostrophe: None,
            last_apostrophe: orig_start,
        });
    }

    fn append(&mut self, c: char, orig_start: usize, orig_end: usize) {
        let word = self.word.as_mut().expect("appending inside a word");
        if c == '\'' {
            if word.first_apostrophe.is_none() {
                word.first_apostrophe = Some((self.out.text.len(), orig_start, orig_end));
            }
            word.last_apostrophe = orig_start;
        }
        word.orig_end = orig_end;
        self.out.text.push(c);
    }

    /// Ends the current word: cuts a possessive, splits an elision, and
    /// records the token(s). A pending joiner is dropped with the word end.
    fn end_word(&mut self) {
        self.pending = None;
        let Some(word) = self.word.take() else {
            return;
        };
        let text = &mut self.out.text;
        let mut orig_end = word.orig_end;
        if text[word.canon_start..].len() > 2 && (text.ends_with("'s") || text.ends_with("'S")) {
            text.truncate(text.len() - 2);
            orig_end = word.last_apostrophe;
        }
        let mut start = word.canon_start;
        let mut orig_start = word.orig_start;
        if let Some((apostrophe, orig_apostrophe, orig_after)) = word.first_apostrophe {
            let elided = apostrophe + 1 < text.len() && is_elision(&text[start..apostrophe]);
            if elided {
                // l'Europe: "l" and "europe" are two words.
                text.replace_range(apostrophe..apostrophe + 1, " ");
                self.out
                    .tokens
                    .push(token(start, apostrophe, orig_start, orig_apostrophe));
                start = apostrophe + 1;
                orig_start = orig_after;
            }
        }
        let end = self.out.text.len();
        self.out
            .tokens
            .push(token(start, end, orig_start, orig_end));
    }
}

fn token(canon_start: usize, canon_end: usize, orig_start: usize, orig_end: usize) -> Token {
    Token {
        canon_start: canon_start as u32,
        canon_end: canon_end as u32,
        orig_start: orig_start as u32,
        orig_end: orig_end as u32,
    }
}

/// Apostrophes of every style compare as `'`.
fn canonical_joiner(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{FF07}' => '\'',
        other => other,
    }
}

/// A French or Italian elided article or pronoun: one or two letters before
/// an apostrophe (l', d', qu', j', s', n', c', m', t').
fn is_elision(prefix: &str) -> bool {
    let n = prefix.chars().count();
    (1..=2).contains(&n) && prefix.chars().all(char::is_alphabetic)
}

/// Full case folding of one letter: lowercase, with the folds that
/// lowercasing misses (ß → ss, final sigma → sigma).
fn fold_case(c: char) -> impl Iterator<Item = char> {
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

#[cfg(test)]
mod tests;

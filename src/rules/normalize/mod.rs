//! Text to its canonical form for matching: words, normalised, one space
//! apart, each mapped back to where it stands in the original text.
//!
//! Normalisation is Unicode NFKC, then — unless matching is exact — full
//! case folding and removal of diacritics (São → sao; Arabic and Hebrew
//! vowel points too, but not marks that make another letter, such as kana
//! voicing or Indic vowel signs). It works on clusters — a character and
//! the marks that combine with it — so every canonical character maps back
//! to the original bytes it came from. Symbols that NFKC would turn into
//! letters (™, superscript digits) separate words instead. Words follow Unicode
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
//! Unicode tables one cluster at a time. Texts longer than `MAX_TEXT` are
//! matched on their first `MAX_TEXT` bytes, which keeps every offset in
//! 32 bits.

mod chars;

#[cfg(test)]
pub(super) use chars::{is_format, is_unspaced_script};
pub(super) use chars::{is_removable_diacritic, is_word_breaking_symbol};

use chars::{ASCII, Class, class_of, combines, fold_case};
use unicode_normalization::UnicodeNormalization;
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

/// The most bytes of one text that are matched (64 MiB): normalisation can
/// grow text up to 18 times, and canonical offsets are 32-bit.
pub const MAX_TEXT: usize = 64 << 20;

impl Canonical {
    /// The canonical form of `text` (of its first `MAX_TEXT` bytes).
    pub fn new(text: &str, fold: Fold) -> Canonical {
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = &text[..end];
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
    /// Scratch space for one cluster's characters: decomposed, normalised.
    scratch: (Vec<char>, Vec<char>),
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
            scratch: (Vec::new(), Vec::new()),
        }
    }

    fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            // An ASCII letter followed by a combining mark (e + ́) is a
            // cluster for the slow path.
            let ascii = b < 0x80
                && !(bytes.get(at + 1).is_some_and(|&n| n >= 0x80)
                    && starts_with_mark(&text[at + 1..]));
            if ascii
                && self.pending.is_none()
                && matches!(ASCII[b as usize], Class::Letter | Class::Digit)
            {
                // A run of ASCII letters and digits goes in at once.
                let mut end = at + 1;
                while end < bytes.len() && bytes[end] < 0x80 && is_ascii_word_byte(bytes[end]) {
                    end += 1;
                }
                if end < bytes.len() && bytes[end] >= 0x80 && starts_with_mark(&text[end..]) {
                    end -= 1; // the last letter carries a mark: a cluster
                }
                if end > at {
                    self.push_ascii_run(&text[at..end], at);
                    at = end;
                    continue;
                }
            }
            if ascii {
                let class = ASCII[b as usize];
                let c = match (self.fold, class) {
                    (Fold::Folded, Class::Letter) => b.to_ascii_lowercase() as char,
                    _ => b as char,
                };
                self.push(c, class, at, at + 1);
                at += 1;
            } else {
                let end = cluster_end(text, at);
                self.push_cluster(&text[at..end], at, end);
                at = end;
            }
        }
        self.end_word();
    }

    /// Appends a run of ASCII letters and digits to the current word, or
    /// starts a word with it.
    fn push_ascii_run(&mut self, run: &str, at: usize) {
        let last = ASCII[run.as_bytes()[run.len() - 1] as usize];
        let end = at + run.len();
        let from = match &mut self.word {
            Some(word) => {
                word.orig_end = end;
                word.last = last;
                self.out.text.len()
            }
            None => {
                if !self.out.text.is_empty() {
                    self.out.text.push(' ');
                }
                self.glue_unspaced = false;
                let canon_start = self.out.text.len();
                self.word = Some(Word {
                    canon_start,
                    orig_start: at,
                    orig_end: end,
                    last,
                    first_apostrophe: None,
                    last_apostrophe: at,
                });
                canon_start
            }
        };
        self.out.text.push_str(run);
        if self.fold == Fold::Folded {
            self.out.text[from..].make_ascii_lowercase();
        }
    }

    /// Normalises one cluster (a character and the marks combining with
    /// it) and pushes what comes out.
    fn push_cluster(&mut self, cluster: &str, orig_start: usize, orig_end: usize) {
        let mut chars = cluster.chars();
        let first = chars.next().expect("a cluster is never empty");
        if is_word_breaking_symbol(first) {
            self.push(' ', Class::Separator, orig_start, orig_end);
            return;
        }
        let mut decomposed = std::mem::take(&mut self.scratch.0);
        let mut normalised = std::mem::take(&mut self.scratch.1);
        decomposed.clear();
        normalised.clear();
        for c in cluster.chars() {
            decompose_compatible(c, |d| decomposed.push(d));
        }
        if decomposed.len() == 1 && chars.next().is_none() && decomposed[0] == first {
            // Most characters (Cyrillic, Greek, CJK) stand for themselves.
            match (self.fold, class_of(first)) {
                (Fold::Folded, Class::Letter) => normalised.extend(fold_case(first)),
                _ => normalised.push(first),
            }
        } else {
            if self.fold == Fold::Folded {
                normalised.extend(
                    decomposed
                        .iter()
                        .filter(|&&d| !is_removable_diacritic(d))
                        .flat_map(|&d| fold_case(d)),
                );
                std::mem::swap(&mut decomposed, &mut normalised);
                normalised.clear();
            }
            normalised.extend(decomposed.iter().copied().nfc());
        }
        for &d in &normalised {
            self.push(d, class_of(d), orig_start, orig_end);
        }
        self.scratch = (decomposed, normalised);
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
                // A mark that survived normalisation changes its letter
                // (Thai vowels, Indic vowel signs) and stays with it; format
                // characters are dropped.
                let keep = is_combining_mark(c);
                if let Some(word) = &mut self.word {
                    word.orig_end = orig_end;
                    if keep {
                        self.out.text.push(c);
                    }
                } else if self.glue_unspaced && keep {
                    self.out.text.push(c);
                    let last = self
                        .out
                        .tokens
                        .last_mut()
                        .expect("an unspaced token before");
                    last.canon_end = self.out.text.len() as u32;
                    last.orig_end = orig_end as u32;
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

fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// True when `text` starts with a character that combines with the one
/// before it.
fn starts_with_mark(text: &str) -> bool {
    text.chars().next().is_some_and(combines)
}

/// The end of the cluster starting at `at`: the character there and every
/// combining character after it.
fn cluster_end(text: &str, at: usize) -> usize {
    let mut chars = text[at..].char_indices();
    let (_, first) = chars.next().expect("a character at `at`");
    let mut end = at + first.len_utf8();
    for (i, c) in chars {
        if !combines(c) {
            break;
        }
        end = at + i + c.len_utf8();
    }
    end
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

#[cfg(test)]
mod tests;

//! The word table: every term that starts with a whole word, found by that
//! word and, for longer terms, by their second word too, so that many
//! phrases starting with a common word ("the …") cost one lookup, not one
//! comparison each.

use rustc_hash::FxHashMap;

use super::filter::Filter;
use super::normalize::Canonical;
use super::term_use::TermUse;

/// A term of two or more words: the words after the first, each with
/// whether it is glued to the one before (two characters of a script
/// written without spaces), and the rule terms it stands for.
#[derive(Debug, Clone)]
struct Sequence {
    rest: Vec<(Box<str>, bool)>,
    /// The last word only has to start with its text.
    prefix: bool,
    uses: Vec<TermUse>,
}

/// The terms starting with one word.
#[derive(Debug, Clone, Default)]
struct Bucket {
    /// Terms that are exactly this word.
    whole: Vec<TermUse>,
    /// Longer terms, by their second word.
    by_second: FxHashMap<Box<str>, Vec<Sequence>>,
    /// Two-word terms whose second word is a prefix (`"peace talk*"`).
    prefixed_second: Vec<Sequence>,
}

/// Terms by their first word.
#[derive(Debug, Clone)]
pub struct WordTable {
    buckets: FxHashMap<Box<str>, Bucket>,
    /// The first words, for a quick "no".
    filter: Filter,
}

impl WordTable {
    /// An empty table.
    pub fn new() -> WordTable {
        WordTable {
            buckets: FxHashMap::default(),
            filter: Filter::with_capacity(0),
        }
    }

    /// True when the table holds no term.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Adds a term whose canonical form is `term`, standing for `u`.
    pub fn insert(&mut self, term: &Canonical, prefix: bool, u: TermUse) {
        let words = term.words();
        let bucket = self.buckets.entry(words[0].into()).or_default();
        if words.len() == 1 {
            bucket.whole.push(u);
            return;
        }
        let rest: Vec<(Box<str>, bool)> = (1..words.len())
            .map(|i| {
                let glued = term.tokens[i].canon_start == term.tokens[i - 1].canon_end;
                (words[i].into(), glued)
            })
            .collect();
        let sequences = if prefix && words.len() == 2 {
            &mut bucket.prefixed_second
        } else {
            bucket.by_second.entry(words[1].into()).or_default()
        };
        match sequences
            .iter_mut()
            .find(|s| s.rest == rest && s.prefix == prefix)
        {
            Some(sequence) => sequence.uses.push(u),
            None => sequences.push(Sequence {
                rest,
                prefix,
                uses: vec![u],
            }),
        }
    }

    /// Readies the filter once every term is in.
    pub fn seal(&mut self) {
        self.filter = Filter::with_capacity(self.buckets.len());
        for word in self.buckets.keys() {
            self.filter.insert(word.as_bytes());
        }
    }

    /// Calls `found(uses, last)` for each term that starts at word `first`
    /// of `text` and ends at word `last`.
    pub fn find_at(
        &self,
        text: &Canonical,
        first: usize,
        mut found: impl FnMut(&[TermUse], usize),
    ) {
        let word = text.word(first);
        if !self.filter.may_contain(word.as_bytes()) {
            return;
        }
        let Some(bucket) = self.buckets.get(word) else {
            return;
        };
        if !bucket.whole.is_empty() {
            found(&bucket.whole, first);
        }
        if first + 1 >= text.tokens.len() {
            return;
        }
        let longer = bucket
            .by_second
            .get(text.word(first + 1))
            .into_iter()
            .flatten();
        for sequence in longer.chain(&bucket.prefixed_second) {
            if let Some(last) = follows(text, first, sequence) {
                found(&sequence.uses, last);
            }
        }
    }

    /// Approximate heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        let sequence_bytes = |s: &Sequence| {
            std::mem::size_of::<Sequence>()
                + s.uses.capacity() * std::mem::size_of::<TermUse>()
                + s.rest.iter().map(|(w, _)| w.len() + 24).sum::<usize>()
        };
        let buckets: usize = self
            .buckets
            .iter()
            .map(|(word, b)| {
                word.len()
                    + std::mem::size_of::<(Box<str>, Bucket)>()
                    + b.whole.capacity() * std::mem::size_of::<TermUse>()
                    + b.by_second
                        .iter()
                        .map(|(w, list)| {
                            w.len() + 40 + list.iter().map(sequence_bytes).sum::<usize>()
                        })
                        .sum::<usize>()
                    + b.prefixed_second.iter().map(sequence_bytes).sum::<usize>()
            })
            .sum();
        buckets + self.filter.memory_bytes()
    }
}

/// The last word of `sequence` when it stands at word `first` of `text`.
fn follows(text: &Canonical, first: usize, sequence: &Sequence) -> Option<usize> {
    let tokens = &text.tokens;
    let n = sequence.rest.len();
    if first + n >= tokens.len() {
        return None;
    }
    for (k, (word, glued)) in sequence.rest.iter().enumerate() {
        let at = first + 1 + k;
        let is_glued = tokens[at].canon_start == tokens[at - 1].canon_end;
        let here = text.word(at);
        let same = if sequence.prefix && k + 1 == n {
            here.starts_with(&**word)
        } else {
            here == &**word
        };
        if !same || is_glued != *glued {
            return None;
        }
    }
    Some(first + n)
}

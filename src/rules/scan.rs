//! One scan per field: normalise the text, then look at each word once.
//!
//! A term is a sequence of canonical words, so matching is word by word: a
//! hash table keyed by each term's first word finds the candidates at a
//! word, and the following words are compared in place. Terms that are a
//! single prefix (`mediat*`) sit in a small anchored Aho-Corasick automaton
//! walked over the word's bytes. Either way a word costs one lookup, and
//! text inside words is never searched.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA as NFA;
use aho_corasick::{Anchored, MatchKind};
use rustc_hash::FxHashMap;

use super::RuleSpec;
use super::fields::FieldSet;
use super::normalize::{Canonical, Fold};
use crate::model::{ArticleText, Field};

/// One term of one rule that a pattern stands for.
#[derive(Debug, Clone, Copy)]
struct TermUse {
    rule: u32,
    term: u32,
    fields: FieldSet,
}

/// A term found in a field, by word positions and original bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TermHit {
    pub rule: u32,
    pub term: u32,
    pub field: Field,
    /// Word positions of the first and last word of the hit.
    pub first_word: u32,
    pub last_word: u32,
    /// Byte range in the field's original text.
    pub start: u32,
    pub end: u32,
}

/// A term that starts with a whole word: the words after the first, and
/// the rule terms it stands for.
#[derive(Debug, Clone)]
struct Sequence {
    /// The following words, each with whether it is glued to the word
    /// before it (two characters of an unspaced script).
    rest: Vec<(Box<str>, bool)>,
    /// The last word only has to start with its text.
    prefix: bool,
    uses: Vec<TermUse>,
}

/// Every rule term with one normalisation, ready to scan.
#[derive(Debug, Clone)]
pub struct Matcher {
    fold: Fold,
    by_first_word: FxHashMap<Box<str>, Vec<Sequence>>,
    /// A bit per hash bucket of the first words: most words of a text
    /// start no term, and this small table (it stays in the CPU's fastest
    /// cache) says so before the large one is touched.
    first_words: Bitmap,
    /// Single-word prefixes, and for each of its patterns the terms.
    prefixes: Option<(NFA, Vec<Vec<TermUse>>)>,
    /// The first `prefix_key_len` bytes of every prefix, hashed, likewise.
    prefix_starts: Bitmap,
    /// The byte length of the shortest prefix (at most 8).
    prefix_key_len: usize,
}

/// A set of hashes with false positives and no false negatives, sized at
/// about 32 bits per member so that under one lookup in thirty says yes
/// wrongly, and small enough to stay in the CPU's cache.
#[derive(Debug, Clone)]
struct Bitmap {
    bits: Vec<u64>,
    mask: u64,
}

impl Bitmap {
    fn with_capacity(members: usize) -> Bitmap {
        let bits = (members * 32).next_power_of_two().clamp(1 << 12, 1 << 23);
        Bitmap {
            bits: vec![0; bits / 64],
            mask: bits as u64 - 1,
        }
    }

    fn set(&mut self, hash: u64) {
        let bit = hash & self.mask;
        self.bits[(bit >> 6) as usize] |= 1 << (bit & 63);
    }

    fn get(&self, hash: u64) -> bool {
        let bit = hash & self.mask;
        self.bits[(bit >> 6) as usize] & (1 << (bit & 63)) != 0
    }
}

/// The bitmap key of some bytes: their hash, high bits first (FxHash
/// mixes them best).
fn key(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.finish().rotate_left(26)
}

impl Matcher {
    /// The matcher for the rules normalised with `fold`, if any has terms.
    pub fn build(rules: &[RuleSpec], fold: Fold) -> Option<Matcher> {
        let mut by_first_word: FxHashMap<Box<str>, Vec<Sequence>> = FxHashMap::default();
        let mut stems: FxHashMap<Box<str>, usize> = FxHashMap::default();
        let mut stem_uses: Vec<Vec<TermUse>> = Vec::new();
        let wanted = |spec: &RuleSpec| spec.exact == (fold == Fold::Exact);
        for (rule, spec) in rules.iter().enumerate().filter(|(_, s)| wanted(s)) {
            for (term, t) in spec.query.terms.iter().enumerate() {
                let canonical = Canonical::new(&t.text, fold);
                let words = canonical.words();
                let Some((&first, _)) = words.split_first() else {
                    continue;
                };
                let u = TermUse {
                    rule: rule as u32,
                    term: term as u32,
                    fields: t.fields,
                };
                if t.prefix && words.len() == 1 {
                    let id = *stems.entry(first.into()).or_insert_with(|| {
                        stem_uses.push(Vec::new());
                        stem_uses.len() - 1
                    });
                    stem_uses[id].push(u);
                    continue;
                }
                let rest: Vec<(Box<str>, bool)> = canonical.tokens[1..]
                    .iter()
                    .zip(&canonical.tokens)
                    .zip(&words[1..])
                    .map(|((token, before), word)| {
                        ((*word).into(), token.canon_start == before.canon_end)
                    })
                    .collect();
                let sequences = by_first_word.entry(first.into()).or_default();
                match sequences
                    .iter_mut()
                    .find(|s| s.rest == rest && s.prefix == t.prefix)
                {
                    Some(sequence) => sequence.uses.push(u),
                    None => sequences.push(Sequence {
                        rest,
                        prefix: t.prefix,
                        uses: vec![u],
                    }),
                }
            }
        }
        if by_first_word.is_empty() && stems.is_empty() {
            return None;
        }
        let mut first_words = Bitmap::with_capacity(by_first_word.len());
        by_first_word
            .keys()
            .for_each(|w| first_words.set(key(w.as_bytes())));
        let prefix_key_len = stems.keys().map(|s| s.len()).min().unwrap_or(1).min(8);
        let mut prefix_starts = Bitmap::with_capacity(stems.len());
        stems
            .keys()
            .for_each(|w| prefix_starts.set(key(&w.as_bytes()[..prefix_key_len])));
        Some(Matcher {
            fold,
            by_first_word,
            first_words,
            prefixes: prefix_automaton(stems, stem_uses),
            prefix_starts,
            prefix_key_len,
        })
    }

    /// Appends every hit in `text` of a term this matcher holds.
    pub fn scan(&self, text: &ArticleText, hits: &mut Vec<TermHit>) {
        for field in Field::ALL {
            let source = text.field(field);
            if source.is_empty() {
                continue;
            }
            let canonical = Canonical::new(source, self.fold);
            for first in 0..canonical.tokens.len() {
                let word = canonical.word(first);
                let sequences = self
                    .first_words
                    .get(key(word.as_bytes()))
                    .then(|| self.by_first_word.get(word))
                    .flatten();
                for sequence in sequences.into_iter().flatten() {
                    if let Some(last) = follows(&canonical, first, sequence) {
                        push_hits(hits, &sequence.uses, field, &canonical, first, last);
                    }
                }
                let start = word.as_bytes().get(..self.prefix_key_len);
                if !start.is_some_and(|s| self.prefix_starts.get(key(s))) {
                    continue;
                }
                if let Some((automaton, uses)) = &self.prefixes {
                    for_each_stem(automaton, word, |pattern| {
                        push_hits(hits, &uses[pattern], field, &canonical, first, first);
                    });
                }
            }
        }
    }

    /// Approximate heap memory of the tables and the automaton.
    pub fn memory_bytes(&self) -> usize {
        let uses = std::mem::size_of::<TermUse>();
        let words: usize = self
            .by_first_word
            .iter()
            .map(|(word, sequences)| {
                word.len()
                    + std::mem::size_of::<(Box<str>, Vec<Sequence>)>()
                    + sequences
                        .iter()
                        .map(|s| {
                            std::mem::size_of::<Sequence>()
                                + s.uses.capacity() * uses
                                + s.rest.iter().map(|(w, _)| w.len() + 24).sum::<usize>()
                        })
                        .sum::<usize>()
            })
            .sum();
        let prefixes = self.prefixes.as_ref().map_or(0, |(automaton, table)| {
            automaton.memory_usage()
                + table
                    .iter()
                    .map(|u| 24 + u.capacity() * uses)
                    .sum::<usize>()
        });
        words + prefixes
    }
}

/// The anchored automaton over single-word prefixes, if there are any.
fn prefix_automaton(
    stems: FxHashMap<Box<str>, usize>,
    uses: Vec<Vec<TermUse>>,
) -> Option<(NFA, Vec<Vec<TermUse>>)> {
    if stems.is_empty() {
        return None;
    }
    let mut ordered: Vec<(Box<str>, usize)> = stems.into_iter().collect();
    ordered.sort_by_key(|(_, id)| *id);
    let automaton = NFA::builder()
        .match_kind(MatchKind::Standard)
        .start_kind(aho_corasick::StartKind::Anchored)
        .build(ordered.iter().map(|(stem, _)| stem.as_bytes()))
        .expect("prefix stems are plain strings within the automaton's limits");
    Some((automaton, uses))
}

/// Calls `found` with each prefix pattern `word` starts with.
fn for_each_stem(automaton: &NFA, word: &str, mut found: impl FnMut(usize)) {
    let Ok(mut state) = automaton.start_state(Anchored::Yes) else {
        return;
    };
    for (at, byte) in word.bytes().enumerate() {
        state = automaton.next_state(Anchored::Yes, state, byte);
        if automaton.is_dead(state) {
            return;
        }
        if !automaton.is_match(state) {
            continue;
        }
        // Match lists also name stems that are suffixes of the bytes
        // walked; only those as long as the walk count.
        for i in 0..automaton.match_len(state) {
            let pattern = automaton.match_pattern(state, i);
            if automaton.pattern_len(pattern) == at + 1 {
                found(pattern.as_usize());
            }
        }
    }
}

/// The last word of `sequence` when it stands at word `first`.
fn follows(canonical: &Canonical, first: usize, sequence: &Sequence) -> Option<usize> {
    let tokens = &canonical.tokens;
    let n = sequence.rest.len();
    if first + n >= tokens.len() {
        return None;
    }
    for (k, (word, glued)) in sequence.rest.iter().enumerate() {
        let at = first + 1 + k;
        let is_glued = tokens[at].canon_start == tokens[at - 1].canon_end;
        let text = canonical.word(at);
        let last = k + 1 == n;
        let same = if last && sequence.prefix {
            text.starts_with(&**word)
        } else {
            text == &**word
        };
        if !same || is_glued != *glued {
            return None;
        }
    }
    Some(first + n)
}

fn push_hits(
    hits: &mut Vec<TermHit>,
    uses: &[TermUse],
    field: Field,
    canonical: &Canonical,
    first: usize,
    last: usize,
) {
    for u in uses.iter().filter(|u| u.fields.contains(field)) {
        hits.push(TermHit {
            rule: u.rule,
            term: u.term,
            field,
            first_word: first as u32,
            last_word: last as u32,
            start: canonical.tokens[first].orig_start,
            end: canonical.tokens[last].orig_end,
        });
    }
}

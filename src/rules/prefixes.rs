//! Terms that are a single prefix (`mediat*`): an anchored Aho-Corasick
//! automaton walked over a word's bytes, behind filters on the prefixes'
//! first bytes (one per prefix length, up to 8) so that most words are
//! never walked.

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};
use rustc_hash::FxHashMap;

use super::error::TooManyPrefixes;
use super::filter::{Filter, prefix_hashes};
use super::term_use::TermUse;

/// Single-word prefixes and the rule terms each stands for.
#[derive(Debug, Clone)]
pub struct Prefixes {
    automaton: DFA,
    uses: Vec<Vec<TermUse>>,
    /// For each key length 1 to 8, a filter of the first that many bytes
    /// of every prefix of that length (longer ones under 8), if any.
    starts: [Option<Filter>; KEY_MAX + 1],
}

/// The most leading bytes of a prefix its filter looks at.
const KEY_MAX: usize = 8;

/// Prefixes being collected.
#[derive(Debug, Default)]
pub struct PrefixesBuilder {
    ids: FxHashMap<Box<str>, usize>,
    stems: Vec<Box<str>>,
    uses: Vec<Vec<TermUse>>,
}

impl PrefixesBuilder {
    /// Adds the prefix `stem` (canonical), standing for `u`.
    pub fn insert(&mut self, stem: &str, u: TermUse) {
        let id = *self.ids.entry(stem.into()).or_insert_with(|| {
            self.stems.push(stem.into());
            self.uses.push(Vec::new());
            self.stems.len() - 1
        });
        self.uses[id].push(u);
    }

    /// The compiled prefixes, if any were added.
    pub fn build(self) -> Result<Option<Prefixes>, TooManyPrefixes> {
        if self.stems.is_empty() {
            return Ok(None);
        }
        let mut starts: [Option<Filter>; KEY_MAX + 1] = Default::default();
        for (k, slot) in starts.iter_mut().enumerate().skip(1) {
            let keyed: Vec<&str> = self
                .stems
                .iter()
                .filter(|s| s.len().min(KEY_MAX) == k)
                .map(|s| &**s)
                .collect();
            if keyed.is_empty() {
                continue;
            }
            let mut filter = Filter::with_capacity(keyed.len());
            for stem in keyed {
                let (_, hash) = prefix_hashes(stem.as_bytes(), k)
                    .last()
                    .expect("a stem is not empty");
                filter.insert_hash(hash);
            }
            *slot = Some(filter);
        }
        let automaton = DFA::builder()
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Anchored)
            .build(self.stems.iter().map(|s| s.as_bytes()))
            .map_err(|source| TooManyPrefixes {
                rule: self
                    .uses
                    .iter()
                    .flatten()
                    .map(|u| u.rule as usize)
                    .max()
                    .unwrap_or(0),
                stems: self.stems.len(),
                source,
            })?;
        Ok(Some(Prefixes {
            automaton,
            uses: self.uses,
            starts,
        }))
    }
}

impl Prefixes {
    /// Calls `found` with the rule terms of each prefix `word` starts with.
    pub fn find(&self, word: &str, mut found: impl FnMut(&[TermUse])) {
        let maybe = prefix_hashes(word.as_bytes(), KEY_MAX).any(|(k, hash)| {
            self.starts[k]
                .as_ref()
                .is_some_and(|f| f.may_contain_hash(hash))
        });
        if !maybe {
            return;
        }
        let dfa = &self.automaton;
        let Ok(mut state) = dfa.start_state(Anchored::Yes) else {
            return;
        };
        for (at, byte) in word.bytes().enumerate() {
            state = dfa.next_state(Anchored::Yes, state, byte);
            if dfa.is_dead(state) {
                return;
            }
            if !dfa.is_match(state) {
                continue;
            }
            // Match lists also name stems that are suffixes of the bytes
            // walked; only those as long as the walk count.
            for i in 0..dfa.match_len(state) {
                let pattern = dfa.match_pattern(state, i);
                if dfa.pattern_len(pattern) == at + 1 {
                    found(&self.uses[pattern.as_usize()]);
                }
            }
        }
    }

    /// Approximate heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        let uses: usize = self
            .uses
            .iter()
            .map(|u| 24 + u.capacity() * std::mem::size_of::<TermUse>())
            .sum();
        let starts: usize = self.starts.iter().flatten().map(Filter::memory_bytes).sum();
        self.automaton.memory_usage() + uses + starts
    }
}

//! One scan per field: normalise the text, then walk the automaton of
//! every rule's terms from each word start, keeping the hits that end on a
//! word boundary (or anywhere in the last word, for a prefix).
//!
//! The automaton is an anchored Aho-Corasick DFA: from a word start it is a
//! trie over canonical text, so a walk stops at the first byte no term can
//! continue with, and matches inside words are never even considered.

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA as DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

use super::RuleSpec;
use super::fields::FieldSet;
use super::normalize::{Canonical, Fold};
use crate::model::{ArticleText, Field};

/// One term of one rule that a pattern stands for.
#[derive(Debug, Clone, Copy)]
struct TermUse {
    rule: u32,
    term: u32,
    prefix: bool,
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

/// The automaton for the terms of every rule with one normalisation.
#[derive(Debug, Clone)]
pub struct Matcher {
    fold: Fold,
    automaton: DFA,
    /// For each pattern, the rule terms it stands for.
    uses: Vec<Vec<TermUse>>,
}

impl Matcher {
    /// The matcher for the rules normalised with `fold`, if any has terms.
    pub fn build(rules: &[RuleSpec], fold: Fold) -> Option<Matcher> {
        let mut patterns: Vec<String> = Vec::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        let mut uses: Vec<Vec<TermUse>> = Vec::new();
        let wanted = |spec: &RuleSpec| (spec.exact) == (fold == Fold::Exact);
        for (rule, spec) in rules.iter().enumerate().filter(|(_, s)| wanted(s)) {
            for (term, t) in spec.query.terms.iter().enumerate() {
                let pattern = Canonical::new(&t.text, fold).text;
                if pattern.is_empty() {
                    continue;
                }
                let id = *ids.entry(pattern.clone()).or_insert_with(|| {
                    patterns.push(pattern);
                    uses.push(Vec::new());
                    patterns.len() - 1
                });
                uses[id].push(TermUse {
                    rule: rule as u32,
                    term: term as u32,
                    prefix: t.prefix,
                    fields: t.fields,
                });
            }
        }
        if patterns.is_empty() {
            return None;
        }
        let automaton = DFA::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("term patterns are plain strings within the automaton's limits");
        Some(Matcher {
            fold,
            automaton,
            uses,
        })
    }

    /// Appends every hit in `text` of a term this matcher holds.
    pub fn scan(&self, text: &ArticleText, hits: &mut Vec<TermHit>) {
        for field in Field::ALL {
            let source = text.field(field);
            if !source.is_empty() {
                let canonical = Canonical::new(source, self.fold);
                for first in 0..canonical.tokens.len() {
                    self.walk(&canonical, first, field, hits);
                }
            }
        }
    }

    /// Walks the automaton from the start of word `first`.
    fn walk(&self, canonical: &Canonical, first: usize, field: Field, hits: &mut Vec<TermHit>) {
        let dfa = &self.automaton;
        let bytes = canonical.text.as_bytes();
        let tokens = &canonical.tokens;
        let start = tokens[first].canon_start as usize;
        let mut state = dfa.start_state(Anchored::Yes).expect("the automaton is anchored");
        // The word the walk is in: the last word of any match found now.
        let mut last = first;
        for (at, &byte) in bytes.iter().enumerate().skip(start) {
            state = dfa.next_state(Anchored::Yes, state, byte);
            if dfa.is_dead(state) {
                return;
            }
            while at >= tokens[last].canon_end as usize {
                last += 1;
            }
            if !dfa.is_match(state) {
                continue;
            }
            let end = at + 1;
            let whole_word = end == tokens[last].canon_end as usize;
            for i in 0..dfa.match_len(state) {
                let pattern = dfa.match_pattern(state, i);
                // A match list also names patterns that are suffixes of
                // the path walked; only those starting at `start` count.
                if dfa.pattern_len(pattern) != end - start {
                    continue;
                }
                for u in &self.uses[pattern.as_usize()] {
                    if (whole_word || u.prefix) && u.fields.contains(field) {
                        hits.push(TermHit {
                            rule: u.rule,
                            term: u.term,
                            field,
                            first_word: first as u32,
                            last_word: last as u32,
                            start: tokens[first].orig_start,
                            end: tokens[last].orig_end,
                        });
                    }
                }
            }
        }
    }

    /// Approximate heap memory of the automaton and the term table.
    pub fn memory_bytes(&self) -> usize {
        let uses: usize = self
            .uses
            .iter()
            .map(|u| {
                std::mem::size_of::<Vec<TermUse>>() + u.capacity() * std::mem::size_of::<TermUse>()
            })
            .sum();
        self.automaton.memory_usage() + uses
    }
}

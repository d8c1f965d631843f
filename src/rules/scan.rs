//! One scan per field: normalise the text, run the automaton of every
//! rule's terms over it, keep the hits that fall on word boundaries.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

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
    automaton: AhoCorasick,
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
        let automaton = AhoCorasick::builder()
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
            if source.is_empty() {
                continue;
            }
            let canonical = Canonical::new(source, self.fold);
            for found in self.automaton.find_overlapping_iter(&canonical.text) {
                let Some(first) = canonical.token_starting_at(found.start()) else {
                    continue;
                };
                let Some(last) = canonical.token_ending_in(found.end()) else {
                    continue;
                };
                let whole_word = canonical.tokens[last].canon_end as usize == found.end();
                let (start, end) = (
                    canonical.tokens[first].orig_start,
                    canonical.tokens[last].orig_end,
                );
                for u in &self.uses[found.pattern().as_usize()] {
                    if (whole_word || u.prefix) && u.fields.contains(field) {
                        hits.push(TermHit {
                            rule: u.rule,
                            term: u.term,
                            field,
                            first_word: first as u32,
                            last_word: last as u32,
                            start,
                            end,
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

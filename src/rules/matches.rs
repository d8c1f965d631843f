//! The rules that matched one article, stored compactly: one list of
//! matches, one of terms and one of hits for the whole article, so that
//! even thousands of matching rules cost three allocations.

use std::ops::Range;

use super::RuleSet;
use crate::model::{Hit, RuleMatch};

/// One matching rule: ranges into the article's term and hit lists.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub rule: u32,
    pub terms: Range<u32>,
    pub hits: Range<u32>,
}

/// Every rule that matched an article, in rule order.
#[derive(Debug, Clone)]
pub struct Matches<'s> {
    pub(super) set: &'s RuleSet,
    pub(super) found: Vec<Found>,
    /// Term indices (into each rule's query), grouped by match.
    pub(super) terms: Vec<u32>,
    pub(super) hits: Vec<Hit>,
}

/// One matching rule, borrowed from [`Matches`].
#[derive(Debug, Clone, Copy)]
pub struct MatchView<'a> {
    /// Index of the rule in its rule set.
    pub rule: usize,
    /// Every hit of the terms that count for the match, by field then offset.
    pub hits: &'a [Hit],
    terms: &'a [u32],
    set: &'a RuleSet,
}

impl<'s> Matches<'s> {
    /// Number of matching rules.
    pub fn len(&self) -> usize {
        self.found.len()
    }

    /// True when no rule matched.
    pub fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    /// The matching rules, in rule order.
    pub fn iter(&self) -> impl Iterator<Item = MatchView<'_>> {
        self.found.iter().map(|f| MatchView {
            rule: f.rule as usize,
            hits: &self.hits[f.hits.start as usize..f.hits.end as usize],
            terms: &self.terms[f.terms.start as usize..f.terms.end as usize],
            set: self.set,
        })
    }

    /// The matches as owned values.
    pub fn to_vec(&self) -> Vec<RuleMatch> {
        self.iter().map(|m| m.to_owned()).collect()
    }
}

impl<'a> MatchView<'a> {
    /// The query terms that hit, as written (a phrase with its quotes, a
    /// prefix with its `*`), in query order, each once.
    pub fn terms(&self) -> impl Iterator<Item = &'a str> + 'a {
        let query = &self.set.rules[self.rule].query;
        self.terms
            .iter()
            .map(move |&t| query.terms[t as usize].written.as_str())
    }

    /// The match as an owned value.
    pub fn to_owned(&self) -> RuleMatch {
        RuleMatch {
            rule: self.rule,
            terms: self.terms().map(String::from).collect(),
            hits: self.hits.to_vec(),
        }
    }
}

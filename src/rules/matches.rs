//! The rules that matched one article, kept as the term hits that made
//! them match: terms and highlight spans are derived when asked for, so
//! even thousands of matching rules cost a couple of allocations.

use std::ops::Range;

use super::RuleSet;
use super::normalize::{Canonical, Fold};
use super::scan::TermHit;
use crate::model::{ArticleText, Hit, RuleMatch};

/// The longest form shown beside a term, in characters.
const MAX_FORM: usize = 80;

/// Every rule that matched an article, in rule order.
#[derive(Debug, Clone)]
pub struct Matches<'s> {
    pub(super) set: &'s RuleSet,
    /// The article matched, for the forms its hits found.
    pub(super) text: ArticleText<'s>,
    /// Every term hit of the article, sorted by rule then term.
    pub(super) hits: Vec<TermHit>,
    /// Each matching rule and the range of its hits.
    pub(super) found: Vec<(u32, Range<u32>)>,
}

/// One matching rule, borrowed from [`Matches`].
#[derive(Debug, Clone, Copy)]
pub struct MatchView<'a> {
    /// Index of the rule in its rule set.
    pub rule: usize,
    /// The rule's term hits, sorted by term.
    hits: &'a [TermHit],
    set: &'a RuleSet,
    text: ArticleText<'a>,
}

impl Matches<'_> {
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
        self.found.iter().map(|(rule, range)| MatchView {
            rule: *rule as usize,
            hits: &self.hits[range.start as usize..range.end as usize],
            set: self.set,
            text: self.text,
        })
    }

    /// The matches as owned values.
    pub fn to_vec(&self) -> Vec<RuleMatch> {
        self.iter().map(|m| m.to_owned()).collect()
    }
}

impl<'a> MatchView<'a> {
    /// The terms that count for the match (those not under a NOT) that hit.
    fn counted(&self) -> impl Iterator<Item = u32> + 'a {
        let hits = self.hits;
        self.set.positive[self.rule]
            .iter()
            .copied()
            .filter(move |&t| hits.iter().any(|h| h.term == t))
    }

    /// The query terms that hit, as written (a phrase with its quotes, a
    /// prefix with its `*`), in query order, each once.
    pub fn terms(&self) -> impl Iterator<Item = &'a str> + 'a {
        let query = &self.set.rules[self.rule].query;
        let written = move |t: u32| query.terms[t as usize].written.as_str();
        let earlier = *self;
        self.counted()
            .enumerate()
            .filter(move |&(i, t)| !earlier.counted().take(i).any(|o| written(o) == written(t)))
            .map(move |(_, t)| written(t))
    }

    /// Where the counted terms hit: by field, then by offset, each once.
    pub fn hits(&self) -> Vec<Hit> {
        let counted: Vec<u32> = self.counted().collect();
        let mut hits: Vec<Hit> = self
            .hits
            .iter()
            .filter(|h| counted.contains(&h.term))
            .map(|h| Hit {
                field: h.field,
                start: h.start as usize,
                end: h.end as usize,
            })
            .collect();
        hits.sort_unstable_by_key(|h| (h.field, h.start, h.end));
        hits.dedup();
        hits
    }

    /// For each of [`MatchView::terms`], the text of its first hit when
    /// that is another form of the term (`ceasefire` found as "Ceasefires").
    pub fn forms(&self) -> Vec<Option<String>> {
        let spec = &self.set.rules[self.rule];
        let fold = if spec.exact {
            Fold::Exact
        } else {
            Fold::Folded
        };
        let query = &spec.query;
        self.terms()
            .map(|written| {
                let first = self
                    .hits
                    .iter()
                    .filter(|h| query.terms[h.term as usize].written == written)
                    .min_by_key(|h| (h.field, h.start))?;
                let found = self
                    .text
                    .field(first.field)
                    .get(first.start as usize..first.end as usize)?;
                let term = &query.terms[first.term as usize];
                let same =
                    Canonical::new(found, fold).words() == Canonical::new(&term.text, fold).words();
                (!same).then(|| shown(found))
            })
            .collect()
    }

    /// The match as an owned value.
    pub fn to_owned(&self) -> RuleMatch {
        RuleMatch {
            rule: self.rule,
            terms: self.terms().map(String::from).collect(),
            hits: self.hits(),
            forms: self.forms(),
        }
    }
}

/// A found form on one line, without control or direction-changing
/// characters (it comes from the article and goes into mail and webhooks),
/// cut to [`MAX_FORM`] characters.
fn shown(found: &str) -> String {
    let clean: String = found
        .chars()
        .filter(|&c| {
            !c.is_control() || c.is_whitespace()
        })
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'))
        .collect();
    let one_line: Vec<&str> = clean.split_whitespace().collect();
    let one_line = one_line.join(" ");
    match one_line.char_indices().nth(MAX_FORM) {
        Some((at, _)) => format!("{}…", &one_line[..at]),
        None => one_line,
    }
}

//! Evaluating rule expressions over the hits of one article. Only rules
//! with at least one hit get here: a rule that matches with no hit at all
//! is refused when its query is parsed.

use super::RuleSet;
use super::matches::{Found, Matches};
use super::query::Expr;
use super::scan::TermHit;
use crate::model::{Field, Hit};

/// The rules of `set` that match, given every term hit of an article.
pub fn matching_rules(set: &RuleSet, mut hits: Vec<TermHit>) -> Matches<'_> {
    // Grouping is all evaluation needs; each (rule, term, place) is pushed
    // once by the scan, so there is nothing to deduplicate.
    hits.sort_unstable_by_key(|h| (h.rule, h.term));
    let mut matches = Matches {
        set,
        found: Vec::new(),
        terms: Vec::new(),
        hits: Vec::new(),
    };
    let mut rest = &hits[..];
    while let Some(first) = rest.first() {
        let count = rest.partition_point(|h| h.rule == first.rule);
        let (rule_hits, tail) = rest.split_at(count);
        rest = tail;
        let rule = first.rule as usize;
        let hits = RuleHits(rule_hits);
        if hits.eval(&set.rules[rule].query.expr) {
            report(set, rule, &hits, &mut matches);
        }
    }
    matches
}

/// The hits of one rule, sorted by term, field and position.
struct RuleHits<'a>(&'a [TermHit]);

impl RuleHits<'_> {
    fn of(&self, term: usize) -> &[TermHit] {
        let term = term as u32;
        let hits = self.0;
        // A rule's hits are few; a forward scan beats two binary searches.
        let start = hits
            .iter()
            .position(|h| h.term >= term)
            .unwrap_or(hits.len());
        let len = hits[start..].iter().take_while(|h| h.term == term).count();
        &hits[start..start + len]
    }

    fn eval(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Term(t) => !self.of(*t).is_empty(),
            Expr::And(all) => all.iter().all(|e| self.eval(e)),
            Expr::Or(any) => any.iter().any(|e| self.eval(e)),
            Expr::Not(inner) => !self.eval(inner),
            Expr::Near { distance, terms } => Field::ALL
                .into_iter()
                .any(|f| self.near(f, *distance, terms)),
        }
    }

    /// True when, in `field`, one occurrence of each term can be chosen so
    /// that the latest first word is at most `distance` words after the
    /// earliest last word.
    fn near(&self, field: Field, distance: u32, terms: &[usize]) -> bool {
        let in_field = |t: usize| self.of(t).iter().filter(move |h| h.field == field);
        // The chosen occurrence that ends first is some `anchor`; every term
        // then needs an occurrence ending no earlier and starting in reach.
        terms.iter().flat_map(|&t| in_field(t)).any(|anchor| {
            let reach = anchor.last_word.saturating_add(distance);
            terms.iter().all(|&t| {
                in_field(t).any(|h| h.last_word >= anchor.last_word && h.first_word <= reach)
            })
        })
    }
}

/// Records a match: the terms that count (not under NOT) and their hits.
fn report(set: &RuleSet, rule: usize, hits: &RuleHits, out: &mut Matches) {
    let query = &set.rules[rule].query;
    let (terms_from, hits_from) = (out.terms.len(), out.hits.len());
    for &t in set.positive[rule].iter() {
        let term_hits = hits.of(t as usize);
        if term_hits.is_empty() {
            continue;
        }
        let written = &query.terms[t as usize].written;
        if !out.terms[terms_from..]
            .iter()
            .any(|&o| query.terms[o as usize].written == *written)
        {
            out.terms.push(t);
        }
        out.hits.extend(term_hits.iter().map(|h| Hit {
            field: h.field,
            start: h.start as usize,
            end: h.end as usize,
        }));
    }
    let own = &mut out.hits[hits_from..];
    own.sort_unstable_by_key(|h| (h.field, h.start, h.end));
    let mut kept = hits_from;
    for i in hits_from..out.hits.len() {
        if i == hits_from || out.hits[i] != out.hits[kept - 1] {
            out.hits[kept] = out.hits[i];
            kept += 1;
        }
    }
    out.hits.truncate(kept);
    out.found.push(Found {
        rule: rule as u32,
        terms: terms_from as u32..out.terms.len() as u32,
        hits: hits_from as u32..kept as u32,
    });
}

/// The terms of `expr` that are not under a NOT, each once, in order.
pub fn positive_terms(expr: &Expr) -> Box<[u32]> {
    fn collect(expr: &Expr, out: &mut Vec<u32>) {
        match expr {
            Expr::Term(t) => out.push(*t as u32),
            Expr::And(list) | Expr::Or(list) => list.iter().for_each(|e| collect(e, out)),
            Expr::Near { terms, .. } => out.extend(terms.iter().map(|&t| t as u32)),
            Expr::Not(_) => {}
        }
    }
    let mut out = Vec::new();
    collect(expr, &mut out);
    out.sort_unstable();
    out.dedup();
    out.into()
}

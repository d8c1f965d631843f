//! Evaluating rule expressions over the hits of one article. Only rules
//! with at least one hit get here: a rule that matches with no hit at all
//! is refused when its query is parsed.

use super::RuleSpec;
use super::query::Expr;
use super::scan::TermHit;
use crate::model::{Field, Hit, RuleMatch};

/// The rules that match, given every term hit of an article.
pub fn matching_rules(rules: &[RuleSpec], mut hits: Vec<TermHit>) -> Vec<RuleMatch> {
    hits.sort_unstable();
    hits.dedup();
    let mut matches = Vec::new();
    let mut rest = &hits[..];
    while let Some(first) = rest.first() {
        let count = rest.partition_point(|h| h.rule == first.rule);
        let (rule_hits, tail) = rest.split_at(count);
        rest = tail;
        let spec = &rules[first.rule as usize];
        let hits = RuleHits(rule_hits);
        if hits.eval(&spec.query.expr) {
            matches.push(report(first.rule as usize, spec, &hits));
        }
    }
    matches
}

/// The hits of one rule, sorted by term, field and position.
struct RuleHits<'a>(&'a [TermHit]);

impl RuleHits<'_> {
    fn of(&self, term: usize) -> &[TermHit] {
        let term = term as u32;
        let start = self.0.partition_point(|h| h.term < term);
        let end = self.0.partition_point(|h| h.term <= term);
        &self.0[start..end]
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

/// The terms that count for a match (not under NOT) and their hits.
fn report(rule: usize, spec: &RuleSpec, hits: &RuleHits) -> RuleMatch {
    let mut positive = Vec::new();
    collect_positive(&spec.query.expr, &mut positive);
    positive.sort_unstable();
    positive.dedup();
    let mut terms: Vec<String> = Vec::new();
    let mut found: Vec<Hit> = Vec::new();
    for t in positive {
        let term_hits = hits.of(t);
        if term_hits.is_empty() {
            continue;
        }
        let written = &spec.query.terms[t].written;
        if !terms.contains(written) {
            terms.push(written.clone());
        }
        found.extend(term_hits.iter().map(|h| Hit {
            field: h.field,
            start: h.start as usize,
            end: h.end as usize,
        }));
    }
    found.sort_by_key(|h| (h.field, h.start, h.end));
    found.dedup();
    RuleMatch {
        rule,
        terms,
        hits: found,
    }
}

fn collect_positive(expr: &Expr, out: &mut Vec<usize>) {
    match expr {
        Expr::Term(t) => out.push(*t),
        Expr::And(list) | Expr::Or(list) => list.iter().for_each(|e| collect_positive(e, out)),
        Expr::Near { terms, .. } => out.extend(terms),
        Expr::Not(_) => {}
    }
}

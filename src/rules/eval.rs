//! Evaluating rule expressions over the hits of one article. Only rules
//! with at least one hit get here: a rule that matches with no hit at all
//! is refused when its query is parsed.

use super::RuleSet;
use super::matches::Matches;
use super::query::Expr;
use super::scan::TermHit;
use crate::model::{ArticleText, Field};

/// The rules of `set` that match, given every term hit of an article.
pub fn matching_rules<'a>(
    set: &'a RuleSet,
    text: &ArticleText<'a>,
    mut hits: Vec<TermHit>,
) -> Matches<'a> {
    // Grouped by rule and term; the sort is stable, so each term's hits
    // stay in scan order (by field, then position), which NEAR relies on.
    // Each (rule, term, place) is pushed once, so nothing is duplicated.
    hits.sort_by_key(|h| (u64::from(h.rule) << 32) | u64::from(h.term));
    let mut found = Vec::new();
    let mut start = 0;
    while start < hits.len() {
        let rule = hits[start].rule;
        let len = hits[start..].iter().take_while(|h| h.rule == rule).count();
        let end = start + len;
        if RuleHits(&hits[start..end]).eval(&set.rules[rule as usize].query.expr) {
            found.push((rule, start as u32..end as u32));
        }
        start = end;
    }
    Matches {
        set,
        text: *text,
        hits,
        found,
    }
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
        // Each term's occurrences in `field`, in position order.
        let lists: Vec<&[TermHit]> = terms
            .iter()
            .map(|&t| {
                let hits = self.of(t);
                let start = hits.partition_point(|h| h.field < field);
                let end = hits.partition_point(|h| h.field <= field);
                &hits[start..end]
            })
            .collect();
        if lists.iter().any(|l| l.is_empty()) {
            return false;
        }
        // The chosen occurrence that ends first is some `anchor`; every term
        // then needs an occurrence ending no earlier and starting in reach,
        // and the first such occurrence is the one that starts earliest.
        lists.iter().flat_map(|l| l.iter()).any(|anchor| {
            let reach = anchor.last_word.saturating_add(distance);
            lists.iter().all(|l| {
                let i = l.partition_point(|h| h.last_word < anchor.last_word);
                l.get(i).is_some_and(|h| h.first_word <= reach)
            })
        })
    }
}

/// The terms of `expr` under an even number of NOTs (those that count for
/// a match), each once, in order.
pub fn positive_terms(expr: &Expr) -> Box<[u32]> {
    fn collect(expr: &Expr, positive: bool, out: &mut Vec<u32>) {
        match expr {
            Expr::Term(t) if positive => out.push(*t as u32),
            Expr::Near { terms, .. } if positive => out.extend(terms.iter().map(|&t| t as u32)),
            Expr::Term(_) | Expr::Near { .. } => {}
            Expr::And(list) | Expr::Or(list) => list.iter().for_each(|e| collect(e, positive, out)),
            Expr::Not(inner) => collect(inner, !positive, out),
        }
    }
    let mut out = Vec::new();
    collect(expr, true, &mut out);
    out.sort_unstable();
    out.dedup();
    out.into()
}

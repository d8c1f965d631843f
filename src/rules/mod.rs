//! Watch rules: parse a query, compile a set of rules, match article text.
//!
//! Pure: no I/O, no clock, no logging. A term matches whole words, whatever
//! their case; a phrase matches its words in order with only spaces or
//! punctuation between them; words in scripts written without spaces match
//! inside running text.

mod normalize;
mod query;
mod words;

pub use query::{Query, QueryError, Term};

use crate::model::{ArticleText, Field, Hit, RuleMatch};
use words::{Word, words};

/// Compiled rules, ready to match articles.
///
/// ```
/// use newshound::model::ArticleText;
/// use newshound::rules::{Query, RuleSet};
///
/// let rules = RuleSet::new(vec![Query::parse(r#"truce OR "cease fire""#).unwrap()]);
/// let article = ArticleText { title: "A cease-fire holds", ..Default::default() };
/// let found = rules.evaluate(&article);
/// assert_eq!(found[0].terms, [r#""cease fire""#]);
/// assert_eq!(&article.title[found[0].hits[0].start..found[0].hits[0].end], "cease-fire");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    queries: Vec<Query>,
}

impl RuleSet {
    /// Builds a rule set from parsed queries; rule `i` is `queries[i]`.
    pub fn new(queries: Vec<Query>) -> RuleSet {
        RuleSet { queries }
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// True when the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// Every rule that matches `text`, in rule order, with its hits.
    pub fn evaluate(&self, text: &ArticleText) -> Vec<RuleMatch> {
        let fields: Vec<(Field, Vec<Word>)> = Field::ALL
            .iter()
            .map(|&f| (f, words(text.field(f))))
            .collect();
        let mut matches = Vec::new();
        for (rule, query) in self.queries.iter().enumerate() {
            let mut terms = Vec::new();
            let mut hits = Vec::new();
            for term in &query.terms {
                let before = hits.len();
                for (field, field_words) in &fields {
                    find_term(term, *field, field_words, &mut hits);
                }
                if hits.len() > before && !terms.contains(&term.written) {
                    terms.push(term.written.clone());
                }
            }
            if !terms.is_empty() {
                hits.sort_by_key(|h| (h.field, h.start));
                matches.push(RuleMatch { rule, terms, hits });
            }
        }
        matches
    }
}

/// Appends every place where `term`'s words stand next to each other.
fn find_term(term: &Term, field: Field, text: &[Word], hits: &mut Vec<Hit>) {
    let n = term.words.len();
    if text.len() < n {
        return;
    }
    for window in text.windows(n) {
        if window.iter().zip(&term.words).all(|(w, t)| &w.norm == t) {
            hits.push(Hit {
                field,
                start: window[0].start,
                end: window[n - 1].end,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(queries: &[&str]) -> RuleSet {
        RuleSet::new(queries.iter().map(|q| Query::parse(q).unwrap()).collect())
    }

    fn body(text: &str) -> ArticleText<'_> {
        ArticleText {
            body: text,
            ..Default::default()
        }
    }

    #[test]
    fn whole_words_any_case() {
        let set = rules(&["ceasefire"]);
        assert_eq!(set.evaluate(&body("A CEASEFIRE was agreed")).len(), 1);
        assert!(set.evaluate(&body("ceasefires were agreed")).is_empty());
        assert!(set.evaluate(&body("preceasefire talks")).is_empty());
    }

    #[test]
    fn phrases_across_hyphens_and_line_breaks() {
        let set = rules(&["\"cease fire\""]);
        for text in ["a cease-fire now", "Cease  fire", "cease\nfire"] {
            assert_eq!(set.evaluate(&body(text)).len(), 1, "{text:?}");
        }
        assert!(set.evaluate(&body("cease the fire")).is_empty());
    }

    #[test]
    fn possessive_still_matches() {
        let set = rules(&["china"]);
        assert_eq!(set.evaluate(&body("China's envoy")).len(), 1);
    }

    #[test]
    fn han_matches_inside_running_text_cyrillic_as_words() {
        let set = rules(&["停火", "перемирие"]);
        let found = set.evaluate(&body("俄乌双方同意停火三天。Перемирие вступило в силу"));
        assert_eq!(found.len(), 2);
        assert!(set.evaluate(&body("перемирием")).is_empty());
    }

    #[test]
    fn reports_terms_as_written_and_hit_offsets() {
        let set = rules(&["truce OR \"cease fire\" OR ceasefire"]);
        let text = ArticleText {
            title: "Ceasefire holds",
            summary: "",
            body: "The cease-fire began.",
        };
        let found = set.evaluate(&text);
        assert_eq!(found[0].terms, ["\"cease fire\"", "ceasefire"]);
        let spans: Vec<_> = found[0]
            .hits
            .iter()
            .map(|h| (h.field, h.start, h.end))
            .collect();
        assert_eq!(spans, [(Field::Title, 0, 9), (Field::Body, 4, 14)]);
    }

    #[test]
    fn only_matching_rules_are_returned() {
        let set = rules(&["mediation", "ceasefire"]);
        let found = set.evaluate(&body("ceasefire"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, 1);
    }
}

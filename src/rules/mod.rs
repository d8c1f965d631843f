//! Watch rules: parse a query, compile every rule into one matcher, match
//! article text.
//!
//! Every rule's terms go into one matcher per normalisation (folded, and
//! exact when a rule asks for it), built once at config load: a table of
//! terms by their words, and an anchored Aho-Corasick automaton for
//! prefixes. Each field of an article is normalised once and each of its
//! words looked up once; only the rules whose terms hit have their
//! expressions evaluated, so rules that did not hit cost nothing. In an
//! article of a language with inflection support, plain words are matched
//! by their stems in it (`inflect`), so `ceasefire` finds "Ceasefires".
//! Pure: no I/O, no clock, no logging.

mod error;
mod eval;
mod fields;
mod filter;
mod inflect;
mod lex;
mod matches;
mod normalize;
mod openings;
mod prefixes;
mod query;
mod scan;
mod table;
mod term_use;

pub use error::{QueryError, TooManyPrefixes};
pub use fields::FieldSet;
pub use inflect::{MAX_CUT, Stem, could_cut, stem, stem_of, stemmed};
pub use matches::{MatchView, Matches};
pub use normalize::{Canonical, Fold};
pub use query::{Expr, Query, Term};

use crate::model::{ArticleText, Language, RuleMatch};
use scan::Matcher;

/// A rule to compile: its parsed query and whether case and accents matter.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub query: Query,
    pub exact: bool,
}

/// Compiled rules, ready to match articles.
///
/// ```
/// use newshound::model::ArticleText;
/// use newshound::rules::{Query, RuleSet, RuleSpec};
///
/// let query = Query::parse(r#"truce OR "cease fire""#).unwrap();
/// let rules = RuleSet::new(vec![RuleSpec { query, exact: false }]).unwrap();
/// let article = ArticleText { title: "A Cease-Fire holds", ..Default::default() };
/// let found = rules.evaluate(&article);
/// assert_eq!(found[0].terms, [r#""cease fire""#]);
/// assert_eq!(&article.title[found[0].hits[0].start..found[0].hits[0].end], "Cease-Fire");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<RuleSpec>,
    /// For each rule, its terms that are not under a NOT.
    positive: Vec<Box<[u32]>>,
    folded: Option<Matcher>,
    exact: Option<Matcher>,
}

impl RuleSet {
    /// Compiles `rules`; rule `i` of the set is `rules[i]`.
    pub fn new(rules: Vec<RuleSpec>) -> Result<RuleSet, TooManyPrefixes> {
        let folded = Matcher::build(&rules, Fold::Folded)?;
        let exact = Matcher::build(&rules, Fold::Exact)?;
        let positive = rules
            .iter()
            .map(|r| eval::positive_terms(&r.query.expr))
            .collect();
        Ok(RuleSet {
            rules,
            positive,
            folded,
            exact,
        })
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Every rule that matches `text`, in rule order, with the terms that
    /// hit and where.
    pub fn matches<'a>(&'a self, text: &ArticleText<'a>) -> Matches<'a> {
        let mut hits = Vec::with_capacity(64);
        for matcher in [&self.folded, &self.exact].into_iter().flatten() {
            matcher.scan(text, &mut hits);
        }
        eval::matching_rules(self, text, hits)
    }

    /// [`RuleSet::matches`] as owned values.
    pub fn evaluate(&self, text: &ArticleText) -> Vec<RuleMatch> {
        self.matches(text).to_vec()
    }

    /// The terms of rule `rule` that match inflected forms, each with the
    /// languages in which it has forms other than itself, in query order.
    pub fn inflections(&self, rule: usize) -> Vec<(&str, Vec<Language>)> {
        let spec = &self.rules[rule];
        if spec.exact {
            return Vec::new();
        }
        let mut out: Vec<(&str, Vec<Language>)> = Vec::new();
        for term in &spec.query.terms {
            let canonical = Canonical::new(&term.text, Fold::Folded);
            let words = canonical.words();
            if words.is_empty() || term.literal(words.len()) {
                continue;
            }
            let languages = Language::ALL
                .into_iter()
                .filter(|&l| words.iter().any(|w| inflect::has_forms(l, w)))
                .collect();
            if !out.iter().any(|(w, _)| *w == term.written) {
                out.push((&term.written, languages));
            }
        }
        out
    }

    /// Approximate heap memory of the compiled automata and tables.
    pub fn memory_bytes(&self) -> usize {
        [&self.folded, &self.exact]
            .into_iter()
            .flatten()
            .map(Matcher::memory_bytes)
            .sum()
    }
}

#[cfg(test)]
mod property;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

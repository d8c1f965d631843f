//! Full-text search over the archive: the text the index holds, and a rule
//! query turned into an SQLite FTS5 query.
//!
//! The index holds each field in the canonical words the rules match on
//! (case folded, accents removed), one space apart, with every character
//! of scripts written without spaces a word of its own. So `停火` is found
//! inside unbroken Chinese text as the phrase "停 火" — which neither
//! FTS5's unicode61 tokenizer (it sees the whole run as one word) nor its
//! trigram tokenizer (it needs three characters) can do — and `перемирие`,
//! `Cease-Fire` or `l'Europe` are found the way a rule finds them. FTS5
//! finds and ranks candidates; the rule matcher then confirms each one and
//! marks its hits, so a search finds what the same rule would have.

use crate::model::Field;
use crate::rules::{Canonical, Expr, Fold, Query, Term};

/// A field's text as the index holds it.
pub fn index_text(text: &str) -> String {
    Canonical::new(text, Fold::Folded).words().join(" ")
}

/// The FTS5 query that finds candidates for `query`, or why FTS5 cannot
/// express it. It may find more than the rule would: exclusions and NEAR
/// distances are left to the rule matcher, which confirms every candidate,
/// since FTS5 splits some canonical words ("u.s.", "1,000") in two and would
/// A query the index cannot search for (a term with no word in it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FtsError(String);

/// count or exclude differently.
pub fn fts_query(query: &Query) -> Result<String, FtsError> {
    translate(&query.expr, &query.terms)?.ok_or_else(|| {
        FtsError("a search needs a term to look for, not only ones to leave out".to_string())
    })
}

/// `expr` as FTS5; None when it only leaves things out (anything matches).
fn translate(expr: &Expr, terms: &[Term]) -> Result<Option<String>, FtsError> {
    Ok(match expr {
        Expr::Term(i) => Some(term(&terms[*i])?),
        Expr::Not(_) => None,
        Expr::Near { terms: near, .. } => {
            let phrases = near
                .iter()
                .map(|i| phrase(&terms[*i]))
                .collect::<Result<Vec<_>, _>>()?;
            Some(format!("({})", phrases.join(" AND ")))
        }
        Expr::And(parts) => {
            let wanted: Vec<String> = parts
                .iter()
                .map(|p| translate(p, terms))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect();
            (!wanted.is_empty()).then(|| format!("({})", wanted.join(" AND ")))
        }
        Expr::Or(parts) => {
            let parts = parts
                .iter()
                .map(|p| translate(p, terms))
                .collect::<Result<Option<Vec<_>>, _>>()?;
            // One branch that matches anything makes the whole OR do so.
            parts.map(|p| format!("({})", p.join(" OR ")))
        }
    })
}

/// One term with its field scope: `{title summary} : "cease fire"`.
fn term(term: &Term) -> Result<String, FtsError> {
    let phrase = phrase(term)?;
    let fields: Vec<&str> = Field::ALL
        .into_iter()
        .filter(|f| term.fields.contains(*f))
        .map(Field::name)
        .collect();
    Ok(match fields.len() {
        3 => phrase,
        _ => format!("{{{}}} : {phrase}", fields.join(" ")),
    })
}

/// A term's words as an FTS5 phrase, with `*` for a prefix.
fn phrase(term: &Term) -> Result<String, FtsError> {
    let words = Canonical::new(&term.text, Fold::Folded).words().join(" ");
    if words.is_empty() {
        return Err(FtsError(format!(
            "{} holds no word to search for",
            term.written
        )));
    }
    // FTS5 strings escape a quote by doubling it.
    let quoted = format!("\"{}\"", words.replace('"', "\"\""));
    Ok(match term.prefix {
        true => format!("{quoted} *"),
        false => quoted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(query: &str) -> Result<String, FtsError> {
        fts_query(&Query::parse(query).unwrap())
    }

    #[test]
    fn unspaced_scripts_are_indexed_one_character_a_word() {
        assert_eq!(index_text("俄乌双方同意停火"), "俄 乌 双 方 同 意 停 火");
        assert_eq!(index_text("Перемирие, Cease-Fire"), "перемирие cease fire");
        assert_eq!(fts("停火").unwrap(), "\"停 火\"");
    }

    #[test]
    fn queries_become_fts5_expressions() {
        assert_eq!(
            fts("ceasefire OR \"cease fire\"").unwrap(),
            "(\"ceasefire\" OR \"cease fire\")"
        );
        assert_eq!(fts("mediat* -football").unwrap(), "(\"mediat\" *)");
        assert_eq!(fts("title:truce").unwrap(), "{title} : \"truce\"");
        assert_eq!(
            fts("NEAR/5(envoy, talks)").unwrap(),
            "(\"envoy\" AND \"talks\")"
        );
    }

    #[test]
    fn exclusions_are_left_to_the_matcher() {
        assert_eq!(
            fts("(talks -football) OR truce").unwrap(),
            "((\"talks\") OR \"truce\")"
        );
        assert_eq!(fts("truce (-a -b)").unwrap(), "(\"truce\")");
        assert_eq!(fts("truce (x OR -y)").unwrap(), "(\"truce\")");
    }
}

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
/// express it. (The query parser already refuses queries of NOT terms
/// alone, the one shape FTS5 has no words for.)
pub fn fts_query(query: &Query) -> Result<String, String> {
    translate(&query.expr, &query.terms)
}

fn translate(expr: &Expr, terms: &[Term]) -> Result<String, String> {
    match expr {
        Expr::Term(i) => term(&terms[*i]),
        Expr::Near {
            distance,
            terms: near,
        } => {
            let phrases = near
                .iter()
                .map(|i| phrase(&terms[*i]))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(format!("NEAR({}, {distance})", phrases.join(" ")))
        }
        Expr::And(parts) => {
            // FTS5's NOT is binary: what is wanted, then NOT each exclusion.
            let (wanted, excluded): (Vec<&Expr>, Vec<&Expr>) =
                parts.iter().partition(|p| !matches!(p, Expr::Not(_)));
            let wanted = wanted
                .iter()
                .map(|p| translate(p, terms))
                .collect::<Result<Vec<_>, _>>()?;
            let mut out = format!("({})", wanted.join(" AND "));
            for part in &excluded {
                let Expr::Not(inner) = part else {
                    unreachable!()
                };
                out = format!("{out} NOT ({})", translate(inner, terms)?);
            }
            Ok(match excluded.is_empty() {
                true => out,
                false => format!("({out})"),
            })
        }
        Expr::Or(parts) => {
            let parts = parts
                .iter()
                .map(|p| translate(p, terms))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(format!("({})", parts.join(" OR ")))
        }
        Expr::Not(_) => Err("a search cannot look for what is absent alone".to_string()),
    }
}

/// One term with its field scope: `{title summary} : "cease fire"`.
fn term(term: &Term) -> Result<String, String> {
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
fn phrase(term: &Term) -> Result<String, String> {
    let words = Canonical::new(&term.text, Fold::Folded).words().join(" ");
    if words.is_empty() {
        return Err(format!("{} holds no word to search for", term.written));
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

    fn fts(query: &str) -> Result<String, String> {
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
        assert_eq!(
            fts("mediat* -football").unwrap(),
            "((\"mediat\" *) NOT (\"football\"))"
        );
        assert_eq!(fts("title:truce").unwrap(), "{title} : \"truce\"");
        assert_eq!(
            fts("NEAR/5(envoy, talks)").unwrap(),
            "NEAR(\"envoy\" \"talks\", 5)"
        );
    }

    #[test]
    fn exclusions_nest_inside_alternatives() {
        assert_eq!(
            fts("(talks -football) OR truce").unwrap(),
            "(((\"talks\") NOT (\"football\")) OR \"truce\")"
        );
    }
}

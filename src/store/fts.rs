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
//!
//! Words are indexed by their stems in the entry's language, as rules match
//! them (`ceasefires` as `ceasefir`). A term is looked for as every form it
//! can take: its words as written and their stems in each language with
//! inflection support. A prefix (`mediat*`) is looked for as itself and as
//! each stem it could have been cut to.

use crate::language::stored_language;
use crate::model::{Field, Language};
use crate::rules::{Canonical, Expr, Fold, MAX_CUT, Query, Term, could_cut, stem_of, stemmed};

/// An entry's title, summary and body as the index holds them, in the
/// language it was matched in (`language`, a stored code) or, for entries
/// stored before languages were kept, the one detection finds.
pub fn index_text(language: Option<&str>, [title, summary, body]: [&str; 3]) -> [String; 3] {
    let language = stored_language(language, title, summary, body);
    [title, summary, body].map(|field| {
        let canonical = Canonical::new(field, Fold::Folded);
        match language {
            Some(l) => stemmed(&canonical, l).words().join(" "),
            None => canonical.words().join(" "),
        }
    })
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

/// Every form a term's words can have in the index, as FTS5 phrases
/// (with `*` for a prefix), joined by OR.
fn phrase(term: &Term) -> Result<String, FtsError> {
    let canonical = Canonical::new(&term.text, Fold::Folded);
    let words = canonical.words();
    let Some((last, head)) = words.split_last() else {
        return Err(FtsError(format!(
            "{} holds no word to search for",
            term.written
        )));
    };
    // The same in every language: a prefix's last word is never stemmed.
    let cuts = match term.prefix {
        true => stems_a_prefix_may_have(last),
        false => Vec::new(),
    };
    let mut forms: Vec<String> = Vec::new();
    let mut add = |form: String| {
        if !forms.contains(&form) {
            forms.push(form);
        }
    };
    for language in std::iter::once(None).chain(Language::ALL.map(Some)) {
        let stem = |w: &str| language.map_or_else(|| w.to_string(), |l| stem_of(l, w));
        let head: Vec<String> = head.iter().map(|w| stem(w)).collect();
        let with_last = |last: &str| {
            let mut words = head.clone();
            words.push(last.to_string());
            quoted(&words.join(" "))
        };
        if term.prefix {
            add(format!("{} *", with_last(last)));
            for cut in &cuts {
                add(with_last(cut));
            }
        } else {
            add(with_last(&stem(last)));
        }
    }
    Ok(match forms.len() {
        1 => forms.remove(0),
        _ => format!("({})", forms.join(" OR ")),
    })
}

/// The stems shorter than `prefix` that a word starting with it may be
/// indexed as: `prefix` less up to [`MAX_CUT`] characters where a stemmer
/// could have cut (the rest begins an ending), with or without the `e` or
/// `i` an English stem may end in, two characters at least.
fn stems_a_prefix_may_have(prefix: &str) -> Vec<String> {
    let ends: Vec<usize> = prefix.char_indices().map(|(i, _)| i).skip(2).collect();
    ends.iter()
        .rev()
        .take(MAX_CUT)
        .filter(|&&end| could_cut(&prefix[..end], &prefix[end..]))
        .flat_map(|&end| {
            let cut = &prefix[..end];
            [cut.to_string(), format!("{cut}e"), format!("{cut}i")]
        })
        .collect()
}

/// `words` as an FTS5 string, which escapes a quote by doubling it.
fn quoted(words: &str) -> String {
    format!("\"{}\"", words.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fts(query: &str) -> Result<String, FtsError> {
        fts_query(&Query::parse(query).unwrap())
    }

    /// The index text of a body in `language`.
    fn indexed(language: Option<&str>, body: &str) -> String {
        let [_, _, body] = index_text(language.or(Some("none")), ["", "", body]);
        body
    }

    #[test]
    fn unspaced_scripts_are_indexed_one_character_a_word() {
        assert_eq!(indexed(None, "俄乌双方同意停火"), "俄 乌 双 方 同 意 停 火");
        assert_eq!(
            indexed(None, "Перемирие, Cease-Fire"),
            "перемирие cease fire"
        );
        assert_eq!(fts("停火").unwrap(), "\"停 火\"");
    }

    #[test]
    fn words_are_indexed_by_their_stems_in_the_entry_language() {
        assert_eq!(indexed(Some("ru"), "о перемирии"), "о перемир");
        assert_eq!(
            indexed(Some("en"), "Ceasefires collapse"),
            "ceasefir collaps"
        );
        // An entry stored before languages were kept: detected.
        let [_, _, body] = index_text(
            None,
            [
                "",
                "",
                "Die Gespräche über den Waffenstillstand wurden am Montag in Kairo fortgesetzt",
            ],
        );
        assert!(
            body.contains("waffenstillstand gesprach") || body.contains("gesprach"),
            "{body}"
        );
    }

    #[test]
    fn a_term_is_searched_for_in_every_form_it_can_take() {
        // As written, as Russian stems it, as Ukrainian does.
        assert_eq!(
            fts("перемирие").unwrap(),
            "(\"перемирие\" OR \"перемир\" OR \"перемири\")"
        );
        assert_eq!(
            fts("\"peace talks\"").unwrap(),
            "(\"peace talks\" OR \"peac talk\" OR \"peac talks\")"
        );
        // A stem a word starting with the prefix may be indexed as.
        let prefix = fts("перемири*").unwrap();
        assert!(
            prefix.contains("\"перемири\" *") && prefix.contains("\"перемир\""),
            "{prefix}"
        );
    }

    #[test]
    fn queries_become_fts5_expressions() {
        assert_eq!(
            fts("ceasefire OR \"cease fire\"").unwrap(),
            "((\"ceasefire\" OR \"ceasefir\") OR (\"cease fire\" OR \"ceas fir\" OR \"ceas fire\"))"
        );
        let prefix = fts("mediat* -football").unwrap();
        // No stemmer cuts a word starting "mediat" shorter than that.
        assert_eq!(prefix, "(\"mediat\" *)");
        assert_eq!(
            fts("stopp*").unwrap(),
            "(\"stopp\" * OR \"stop\" OR \"stope\" OR \"stopi\")"
        );
        assert_eq!(
            fts("title:\"truce\"").unwrap(),
            "{title} : (\"truce\" OR \"truc\")"
        );
        assert_eq!(
            fts("NEAR/5(envoy, talks)").unwrap(),
            "(\"envoy\" AND (\"talks\" OR \"talk\"))"
        );
    }

    proptest::proptest! {
        /// Whatever a word starting with a prefix is indexed as, the
        /// prefix's search finds it.
        #[test]
        fn a_prefix_search_finds_every_stem_of_its_words(
            root in "[a-z]{2,8}|[а-я]{2,8}|[іїєґ]{1}[а-я]{2,6}",
            ending in proptest::sample::select(&["", "s", "es", "ies", "ed", "ing", "ped", "ping", "e", "en", "ens", "ern", "aux", "oes", "ao", "che", "ями", "иям", "ові", "ого", "ах"][..]),
            cut in 2usize..12,
        ) {
            let word = format!("{root}{ending}");
            let prefix: String = word.chars().take(cut).collect();
            let candidates = stems_a_prefix_may_have(&prefix);
            for language in Language::ALL {
                let stem = stem_of(language, &word);
                proptest::prop_assert!(
                    stem.starts_with(&prefix) || candidates.contains(&stem),
                    "{:?}: {} stems to {}, not found by {}*", language, word, stem, prefix
                );
            }
        }
    }

    #[test]
    fn exclusions_are_left_to_the_matcher() {
        assert_eq!(
            fts("(talks -football) OR 停火").unwrap(),
            "(((\"talks\" OR \"talk\")) OR \"停 火\")"
        );
        assert_eq!(fts("停火 (-a -b)").unwrap(), "(\"停 火\")");
        assert_eq!(fts("停火 (x OR -y)").unwrap(), "(\"停 火\")");
    }
}

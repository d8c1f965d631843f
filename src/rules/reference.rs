//! A naive evaluator written straight from the matching semantics, for the
//! property test that the compiled matcher agrees with it.
//!
//! It shares nothing with the engine but the parsed query: text is
//! normalised with the `unicode-normalization` iterators and `caseless`,
//! split with `unicode-segmentation`, and terms are found by comparing word
//! sequences at every position; NEAR tries every combination. In a text
//! of a language with inflection support, two words of a term that
//! inflects are the same when their stems are.

use caseless::default_case_fold_str;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

use super::inflect::stem_of;
use super::normalize::{
    is_format, is_removable_diacritic, is_unspaced_script, is_word_breaking_symbol,
};
use super::query::{Expr, Query};
use crate::model::{ArticleText, Field, Language};

/// A word and whether it is glued to the one before (two characters of a
/// script written without spaces, with nothing between them).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    glued: bool,
}

/// The words of `text` by the rules, from scratch: the whole text is
/// normalised first, then segmented.
fn words(text: &str, exact: bool) -> Vec<Word> {
    let spaced: String = text
        .chars()
        .map(|c| if is_word_breaking_symbol(c) { ' ' } else { c })
        .collect();
    let mut decomposed: String = spaced.nfkd().collect();
    if !exact {
        let stripped: String = decomposed
            .chars()
            .filter(|c| !is_removable_diacritic(*c))
            .collect();
        decomposed = default_case_fold_str(&stripped);
    }
    let normalised: String = decomposed.nfc().collect();
    let mut out: Vec<Word> = Vec::new();
    let mut last_unspaced_end: Option<usize> = None;
    for (at, segment) in normalised.split_word_bound_indices() {
        if !segment.chars().any(char::is_alphanumeric) {
            continue;
        }
        if segment.chars().any(is_unspaced_script) {
            // Each character with the marks after it is a word, glued to
            // the one before when nothing stands between them.
            for (i, c) in segment.char_indices() {
                if is_combining_mark(c) {
                    if let Some(word) = out.last_mut() {
                        word.text.push(c);
                        last_unspaced_end = Some(at + i + c.len_utf8());
                    }
                } else if is_unspaced_script(c) {
                    out.push(Word {
                        text: c.to_string(),
                        glued: last_unspaced_end == Some(at + i),
                    });
                    last_unspaced_end = Some(at + i + c.len_utf8());
                }
            }
            continue;
        }
        let mut word: String = segment
            .chars()
            .filter(|c| !is_format(*c))
            .map(|c| {
                if matches!(c, '\u{2018}' | '\u{2019}' | '\u{FF07}') {
                    '\''
                } else {
                    c
                }
            })
            .collect();
        // UAX #29 keeps an apostrophe after a Hebrew letter (a geresh);
        // a trailing apostrophe is never part of a word here.
        while word.ends_with('\'') {
            word.pop();
        }
        if word.chars().count() > 2 && (word.ends_with("'s") || word.ends_with("'S")) {
            word.truncate(word.len() - 2);
        }
        if let Some((prefix, rest)) = word.split_once('\'') {
            let n = prefix.chars().count();
            if (1..=2).contains(&n) && prefix.chars().all(char::is_alphabetic) && !rest.is_empty() {
                out.push(Word {
                    text: prefix.to_string(),
                    glued: false,
                });
                word = rest.to_string();
            }
        }
        out.push(Word {
            text: word,
            glued: false,
        });
    }
    out
}

/// Where a term occurs: field and first and last word positions.
type Occurrence = (Field, usize, usize);

/// True when the query matches, and the positive terms that hit, as written.
pub fn evaluate(query: &Query, exact: bool, article: &ArticleText) -> Option<Vec<String>> {
    let fields: Vec<(Field, Vec<Word>)> = Field::ALL
        .into_iter()
        .map(|f| (f, words(article.field(f), exact)))
        .collect();
    let occurrences: Vec<Vec<Occurrence>> = query
        .terms
        .iter()
        .map(|term| {
            let pattern = words(&term.text, exact);
            let inflected = article
                .language
                .filter(|_| !exact && !term.literal(pattern.len()));
            let mut found = Vec::new();
            for (field, text) in &fields {
                if term.fields.contains(*field) {
                    found.extend(
                        find(&pattern, term.prefix, inflected, text).map(|(a, b)| (*field, a, b)),
                    );
                }
            }
            found
        })
        .collect();
    if !eval(&query.expr, &occurrences) {
        return None;
    }
    let mut positive = Vec::new();
    collect_positive(&query.expr, &mut positive);
    positive.sort_unstable();
    let mut terms: Vec<String> = Vec::new();
    for t in positive {
        let written = &query.terms[t].written;
        if !occurrences[t].is_empty() && !terms.contains(written) {
            terms.push(written.clone());
        }
    }
    Some(terms)
}

/// Every place `pattern` stands in `text`, word by word; by stems in
/// `inflected` when given.
fn find<'a>(
    pattern: &'a [Word],
    prefix: bool,
    inflected: Option<Language>,
    text: &'a [Word],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let n = pattern.len();
    (0..text.len().saturating_sub(n.saturating_sub(1)))
        .filter(move |&i| n > 0 && i + n <= text.len())
        .filter(move |&i| {
            pattern.iter().enumerate().all(|(k, p)| {
                let w = &text[i + k];
                let same = if prefix && k == n - 1 {
                    w.text.starts_with(&p.text)
                } else if let Some(language) = inflected {
                    stem_of(language, &w.text) == stem_of(language, &p.text)
                } else {
                    w.text == p.text
                };
                same && (k == 0 || w.glued == p.glued)
            })
        })
        .map(move |i| (i, i + n - 1))
}

fn eval(expr: &Expr, occurrences: &[Vec<Occurrence>]) -> bool {
    match expr {
        Expr::Term(t) => !occurrences[*t].is_empty(),
        Expr::And(all) => all.iter().all(|e| eval(e, occurrences)),
        Expr::Or(any) => any.iter().any(|e| eval(e, occurrences)),
        Expr::Not(inner) => !eval(inner, occurrences),
        Expr::Near { distance, terms } => Field::ALL.into_iter().any(|field| {
            let choices: Vec<Vec<(usize, usize)>> = terms
                .iter()
                .map(|&t| {
                    occurrences[t]
                        .iter()
                        .filter(|o| o.0 == field)
                        .map(|o| (o.1, o.2))
                        .collect()
                })
                .collect();
            any_combination(&choices, &mut Vec::new(), *distance as usize)
        }),
    }
}

/// Tries every way of picking one occurrence per term.
fn any_combination(
    choices: &[Vec<(usize, usize)>],
    picked: &mut Vec<(usize, usize)>,
    distance: usize,
) -> bool {
    let Some((first, rest)) = choices.split_first() else {
        let latest_start = picked.iter().map(|p| p.0).max().unwrap_or(0);
        let earliest_end = picked.iter().map(|p| p.1).min().unwrap_or(0);
        return latest_start <= earliest_end + distance;
    };
    first.iter().any(|&o| {
        picked.push(o);
        let ok = any_combination(rest, picked, distance);
        picked.pop();
        ok
    })
}

fn collect_positive(expr: &Expr, out: &mut Vec<usize>) {
    fn walk(expr: &Expr, even: bool, out: &mut Vec<usize>) {
        match expr {
            Expr::Term(t) => {
                if even {
                    out.push(*t)
                }
            }
            Expr::Near { terms, .. } => {
                if even {
                    out.extend(terms)
                }
            }
            Expr::And(list) | Expr::Or(list) => list.iter().for_each(|e| walk(e, even, out)),
            Expr::Not(inner) => walk(inner, !even, out),
        }
    }
    walk(expr, true, out);
}

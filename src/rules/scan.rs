//! One scan per field: normalise the text, then look at each word once.
//!
//! A term is a sequence of canonical words, so matching is word by word:
//! the word table finds the terms starting at a word, and single-word
//! prefixes are walked in a small automaton. Either way a word costs about
//! one lookup, whatever the number of rules, and text inside words is
//! never searched.
//!
//! In a text whose language has inflection support, terms that inflect are
//! looked up by stems: the field's words are stemmed once, and the terms'
//! words were stemmed in every language when the rules were compiled.

use super::RuleSpec;
use super::error::TooManyPrefixes;
use super::inflect::{stemmed, stemmed_where};
use super::normalize::{Canonical, Fold};
use super::openings::Openings;
use super::prefixes::{Prefixes, PrefixesBuilder};
use super::table::WordTable;
use super::term_use::TermUse;
use crate::model::{ArticleText, Field, Language};

/// A term found in a field, by word positions and original bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TermHit {
    pub rule: u32,
    pub term: u32,
    pub field: Field,
    /// Word positions of the first and last word of the hit.
    pub first_word: u32,
    pub last_word: u32,
    /// Byte range in the field's original text.
    pub start: u32,
    pub end: u32,
}

/// Every rule term with one normalisation, ready to scan.
#[derive(Debug, Clone)]
pub struct Matcher {
    fold: Fold,
    /// Terms that match as written in every text (exact rules, quoted
    /// words, phrases ending in `*`).
    verbatim: WordTable,
    /// Terms that inflect, by their words as written: for texts of no
    /// language with inflection support.
    plain: WordTable,
    /// The same terms by their stems, per language (by [`Language::index`]),
    /// with the openings of those stems' words.
    stemmed: Vec<(WordTable, Openings)>,
    prefixes: Option<Prefixes>,
}

impl Matcher {
    /// The matcher for the rules normalised with `fold`, if any has terms.
    pub fn build(rules: &[RuleSpec], fold: Fold) -> Result<Option<Matcher>, TooManyPrefixes> {
        let mut verbatim = WordTable::new();
        let mut plain = WordTable::new();
        let mut by_stem: Vec<(WordTable, Openings)> = Language::ALL
            .iter()
            .map(|_| (WordTable::new(), Openings::default()))
            .collect();
        let mut prefixes = PrefixesBuilder::default();
        let wanted = |spec: &RuleSpec| spec.exact == (fold == Fold::Exact);
        for (rule, spec) in rules.iter().enumerate().filter(|(_, s)| wanted(s)) {
            for (term, t) in spec.query.terms.iter().enumerate() {
                let canonical = Canonical::new(&t.text, fold);
                let u = TermUse {
                    rule: rule as u32,
                    term: term as u32,
                    fields: t.fields,
                };
                let words = canonical.tokens.len();
                match words {
                    0 => {}
                    1 if t.prefix => prefixes.insert(canonical.word(0), u),
                    _ if spec.exact || t.literal(words) => verbatim.insert(&canonical, t.prefix, u),
                    _ => {
                        plain.insert(&canonical, false, u);
                        for (language, (table, openings)) in
                            Language::ALL.into_iter().zip(&mut by_stem)
                        {
                            let stems = stemmed(&canonical, language);
                            stems.words().into_iter().for_each(|w| openings.insert(w));
                            table.insert(&stems, false, u);
                        }
                    }
                }
            }
        }
        for table in std::iter::once(&mut verbatim)
            .chain(std::iter::once(&mut plain))
            .chain(by_stem.iter_mut().map(|(table, _)| table))
        {
            table.seal();
        }
        let prefixes = prefixes.build()?;
        if verbatim.is_empty() && plain.is_empty() && prefixes.is_none() {
            return Ok(None);
        }
        Ok(Some(Matcher {
            fold,
            verbatim,
            plain,
            stemmed: by_stem,
            prefixes,
        }))
    }

    /// Appends every hit in `text` of a term this matcher holds.
    pub fn scan(&self, text: &ArticleText, hits: &mut Vec<TermHit>) {
        let language = text.language.filter(|_| !self.plain.is_empty());
        for field in Field::ALL {
            let source = text.field(field);
            if source.is_empty() {
                continue;
            }
            let canonical = Canonical::new(source, self.fold);
            let stems = language.map(|l| {
                let (table, openings) = &self.stemmed[l.index()];
                let stems = stemmed_where(&canonical, l, |w| openings.may_hold(w));
                (stems, table)
            });
            let (inflecting, by) = match &stems {
                Some((stems, table)) => (stems, *table),
                None => (&canonical, &self.plain),
            };
            for first in 0..canonical.tokens.len() {
                for (table, words) in [(&self.verbatim, &canonical), (by, inflecting)] {
                    if !table.is_empty() {
                        table.find_at(words, first, |uses, last| {
                            push_hits(hits, uses, field, words, first, last)
                        });
                    }
                }
                if let Some(prefixes) = &self.prefixes {
                    prefixes.find(canonical.word(first), |uses| {
                        push_hits(hits, uses, field, &canonical, first, first)
                    });
                }
            }
        }
    }

    /// Approximate heap memory of the tables and the automaton.
    pub fn memory_bytes(&self) -> usize {
        let tables: usize = [&self.verbatim, &self.plain]
            .into_iter()
            .map(WordTable::memory_bytes)
            .chain(
                self.stemmed
                    .iter()
                    .map(|(table, openings)| table.memory_bytes() + openings.memory_bytes()),
            )
            .sum();
        tables + self.prefixes.as_ref().map_or(0, Prefixes::memory_bytes)
    }
}

fn push_hits(
    hits: &mut Vec<TermHit>,
    uses: &[TermUse],
    field: Field,
    text: &Canonical,
    first: usize,
    last: usize,
) {
    for u in uses.iter().filter(|u| u.fields.contains(field)) {
        hits.push(TermHit {
            rule: u.rule,
            term: u.term,
            field,
            first_word: first as u32,
            last_word: last as u32,
            start: text.tokens[first].orig_start,
            end: text.tokens[last].orig_end,
        });
    }
}

//! The archive read the way a rule reads it, for `search` and the web
//! pages: FTS5 finds and ranks candidates, the rule matcher confirms each
//! and marks its hits, and a story in several outlets is one result.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use crate::language::stored_language;
use crate::model::ArticleText;
use crate::pipeline::snippet_for;
use crate::rules::{Query, RuleSet, RuleSpec};
use crate::store::{SearchHit, Store, StoreError, fts_query};

/// Candidates read from the index at a time, per result asked for: the
/// rule matcher confirms each, and drops those FTS5 finds but the rule
/// would not (an excluded word, terms too far apart for NEAR).
const CANDIDATES_PER_RESULT: usize = 4;

/// Candidates the rule tester confirms at most, so that a query matching
/// half the archive still answers in a moment; its counts then say so.
pub const TESTER_CANDIDATES: usize = 20_000;

/// Results the rule tester lists.
const TESTER_SHOWN: usize = 50;

/// Why a query cannot be searched for.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query does not parse, or has nothing to look for; the message
    /// says where.
    #[error("{0}")]
    Query(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A query, checked and ready to run.
pub struct Search {
    fts: String,
    rules: RuleSet,
}

/// A confirmed result.
#[derive(Debug, Clone)]
pub struct Found {
    pub hit: SearchHit,
    /// The words around its hits, with the highlight markers.
    pub snippet: String,
    /// The terms that hit, with the form found (`ceasefire (as "Ceasefires")`).
    pub terms: Vec<String>,
}

/// What the rule tester saw.
#[derive(Debug, Clone)]
pub struct Tested {
    /// Confirmed entries per UTC day, oldest first, the last one today.
    pub per_day: Vec<u64>,
    pub matched: u64,
    /// The newest results (by when they were stored).
    pub shown: Vec<Found>,
    /// True when the candidates ran past [`TESTER_CANDIDATES`]: the counts
    /// are a floor.
    pub capped: bool,
}

impl Search {
    /// `query` in the rules' syntax; the error says what is wrong and
    /// points at it.
    pub fn new(query: &str) -> Result<Search, SearchError> {
        let parsed = Query::parse(query).map_err(|e| {
            let column = query[..e.offset.min(query.len())].chars().count();
            SearchError::Query(format!(
                "{}\n  {query}\n  {}^",
                e.message,
                " ".repeat(column)
            ))
        })?;
        let fts = fts_query(&parsed).map_err(|e| SearchError::Query(e.to_string()))?;
        let rules = RuleSet::new(vec![RuleSpec {
            query: parsed,
            exact: false,
        }])
        .map_err(|e| SearchError::Query(e.to_string()))?;
        Ok(Search { fts, rules })
    }

    /// Results `skip` to `skip + limit` (one per story, best first) among
    /// entries of `feeds` (all when None) dated `since` or later; and
    /// whether more follow.
    pub fn run(
        &self,
        store: &Store,
        feeds: Option<&[String]>,
        since: Option<DateTime<Utc>>,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<Found>, bool), StoreError> {
        let wanted = skip + limit + 1;
        let page = wanted.saturating_mul(CANDIDATES_PER_RESULT).max(1);
        let (mut found, mut offset) = (Vec::new(), 0);
        let mut stories = HashSet::new();
        // Pages of candidates until enough are confirmed or none is left.
        while found.len() < wanted {
            let candidates = store.search(&self.fts, feeds, since, page, offset)?;
            let read = candidates.len();
            offset += read;
            for hit in candidates {
                if found.len() < wanted
                    && !stories.contains(&hit.story)
                    && let Some(confirmed) = self.confirm(hit)
                {
                    stories.insert(confirmed.hit.story);
                    found.push(confirmed);
                }
            }
            if read < page {
                break;
            }
        }
        let more = found.len() > skip + limit;
        let shown = found.into_iter().skip(skip).take(limit).collect();
        Ok((with_sources(store, shown)?, more))
    }

    /// What the query would have caught in the `days` UTC days up to
    /// `now`: every matching entry (copies too), counted per day.
    pub fn test(
        &self,
        store: &Store,
        days: usize,
        now: DateTime<Utc>,
    ) -> Result<Tested, StoreError> {
        let today = now.timestamp().div_euclid(86_400);
        let first_day = today - days as i64 + 1;
        let since = DateTime::from_timestamp(first_day * 86_400, 0).unwrap_or(now);
        let candidates = store.search_newest(&self.fts, since, TESTER_CANDIDATES + 1)?;
        let capped = candidates.len() > TESTER_CANDIDATES;
        let mut tested = Tested {
            per_day: vec![0; days],
            matched: 0,
            shown: Vec::new(),
            capped,
        };
        for hit in candidates.into_iter().take(TESTER_CANDIDATES) {
            let day = hit.when.timestamp().div_euclid(86_400) - first_day;
            let Some(found) = self.confirm(hit) else {
                continue;
            };
            if let Some(count) = usize::try_from(day)
                .ok()
                .and_then(|d| tested.per_day.get_mut(d))
            {
                *count += 1;
            }
            tested.matched += 1;
            if tested.shown.len() < TESTER_SHOWN {
                tested.shown.push(found);
            }
        }
        tested.shown = with_sources(store, tested.shown)?;
        Ok(tested)
    }

    /// `hit` with its snippet and terms when the rule matcher confirms it.
    fn confirm(&self, hit: SearchHit) -> Option<Found> {
        let text = ArticleText {
            title: &hit.title,
            summary: &hit.summary,
            body: &hit.body,
            language: stored_language(hit.language.as_deref(), &hit.title, &hit.summary, &hit.body),
        };
        let m = self.rules.evaluate(&text).into_iter().next()?;
        let snippet = snippet_for(&text, &m);
        let terms = m.described_terms();
        Some(Found {
            hit,
            snippet,
            terms,
        })
    }
}

/// `found` with the outlets of each result's story.
fn with_sources(store: &Store, mut found: Vec<Found>) -> Result<Vec<Found>, StoreError> {
    for f in &mut found {
        f.hit.sources = store.story_sources(f.hit.id)?;
    }
    Ok(found)
}

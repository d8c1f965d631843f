//! `newshound search QUERY [--feed NAME] [--since 7d] [--limit N]`: the
//! archive's entries that match a query in the rules' syntax, best first,
//! each with its date, feed, title, link and the words around its hits.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use crate::alert::{MARK_CLOSE, MARK_OPEN, header_safe, snippet_text};
use crate::config::Config;
use crate::language::stored_language;
use crate::model::ArticleText;
use crate::pipeline::{earlier, index_archive_now, snippet_for};
use crate::rules::{Query, RuleSet, RuleSpec};
use crate::store::fts_query;
use crate::store::{SearchHit, Store};

/// What to search for and where.
pub struct Search<'a> {
    pub query: &'a str,
    /// A feed name or tag.
    pub feed: Option<&'a str>,
    pub since: Option<Duration>,
    pub limit: usize,
}

/// Candidates read from the index at a time, per result asked for: the
/// rule matcher confirms each, and drops those FTS5 finds but the rule
/// would not (an excluded word, terms too far apart for NEAR).
const CANDIDATES_PER_RESULT: usize = 4;

/// Runs the search; returns the exit code.
pub fn search(config: &Config, state_dir: &Path, search: &Search) -> super::Outcome {
    let query = match Query::parse(search.query) {
        Ok(query) => query,
        Err(e) => {
            let column = search.query[..e.offset.min(search.query.len())]
                .chars()
                .count();
            return Err(super::invalid(format!(
                "query: {}\n  {}\n  {}^",
                e.message,
                search.query,
                " ".repeat(column)
            )));
        }
    };
    let fts = match fts_query(&query) {
        Ok(fts) => fts,
        Err(message) => return Err(super::invalid(format!("query: {message}"))),
    };
    let feeds: Option<Vec<String>> = match search.feed {
        None => None,
        Some(wanted) => {
            let names: Vec<String> = config
                .feeds
                .iter()
                .filter(|f| f.name == wanted || f.tags.iter().any(|t| t == wanted))
                .map(|f| f.name.clone())
                .collect();
            if names.is_empty() {
                return Err(super::invalid(format!(
                    "no feed is named or tagged \"{wanted}\""
                )));
            }
            Some(names)
        }
    };
    let db = super::database_path(state_dir);
    // Entries not indexed yet are indexed first; where the database cannot
    // be written, what is indexed is searched.
    let opened = match Store::open(&db) {
        Ok(mut store) => index_archive_now(&mut store).map(|_| store),
        Err(_) => Store::open_for_reading(&db),
    };
    let store = opened.with_context(|| db.display().to_string())?;
    let since = search.since.map(|s| earlier(Utc::now(), s));
    let rules = RuleSet::new(vec![RuleSpec {
        query,
        exact: false,
    }])
    .map_err(|e| super::invalid(e.to_string()))?;
    let colour = std::io::stdout().is_terminal();
    let page = search.limit.saturating_mul(CANDIDATES_PER_RESULT).max(1);
    let (mut shown, mut offset) = (0, 0);
    // One result per story: its best-ranked copy, naming the others.
    let mut stories_shown = std::collections::HashSet::new();
    // Pages of candidates until enough are confirmed or none is left.
    while shown < search.limit {
        let candidates = store
            .search(&fts, feeds.as_deref(), since, page, offset)
            .with_context(|| db.display().to_string())?;
        offset += candidates.len();
        for hit in &candidates {
            if shown < search.limit
                && !stories_shown.contains(&hit.story)
                && print_if_confirmed(hit, &rules, colour)
            {
                stories_shown.insert(hit.story);
                shown += 1;
            }
        }
        if candidates.len() < page {
            break;
        }
    }
    match shown {
        0 => println!("no entry matches"),
        n => println!("{n} result(s), best first (times in UTC)"),
    }
    Ok(0)
}

/// Prints `hit` when the rule matcher confirms it; true when printed.
fn print_if_confirmed(hit: &SearchHit, rules: &RuleSet, colour: bool) -> bool {
    let text = ArticleText {
        title: &hit.title,
        summary: &hit.summary,
        body: &hit.body,
        language: stored_language(hit.language.as_deref(), &hit.title, &hit.summary, &hit.body),
    };
    let Some(m) = rules.evaluate(&text).into_iter().next() else {
        return false;
    };
    let snippet = snippet_for(&text, &m);
    println!(
        "{}  #{}  {}  {}",
        hit.when.format("%Y-%m-%d %H:%M"),
        hit.id,
        hit.feed,
        header_safe(&hit.title, 200)
    );
    if let Some(link) = &hit.link {
        println!("  {link}");
    }
    if !snippet.is_empty() {
        println!("  {}", highlighted(&snippet, colour));
    }
    println!(
        "  matched: {}",
        header_safe(&m.described_terms().join(", "), 300)
    );
    if hit.sources.len() > 1 {
        println!(
            "  story #{}, in {} outlets: {} (newshound story {})",
            hit.story,
            hit.sources.len(),
            header_safe(&hit.sources.join(", "), 300),
            hit.id
        );
    }
    println!();
    true
}

/// The snippet with its hits in bold yellow on a terminal, else between
/// asterisks.
fn highlighted(snippet: &str, colour: bool) -> String {
    match colour {
        true => snippet
            .replace(MARK_OPEN, "\x1b[1;33m")
            .replace(MARK_CLOSE, "\x1b[0m"),
        false => snippet_text(snippet),
    }
}

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
use crate::pipeline::{earlier, index_archive_now};
use crate::search::{Found, Search as ArchiveSearch};
use crate::store::Store;

/// What to search for and where.
pub struct Search<'a> {
    pub query: &'a str,
    /// A feed name or tag.
    pub feed: Option<&'a str>,
    pub since: Option<Duration>,
    pub limit: usize,
}

/// Runs the search; returns the exit code.
pub fn search(config: &Config, state_dir: &Path, search: &Search) -> super::Outcome {
    let query = match ArchiveSearch::new(search.query) {
        Ok(query) => query,
        Err(e) => return Err(super::invalid(format!("query: {e}"))),
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
    let colour = std::io::stdout().is_terminal();
    let (found, _) = query
        .run(&store, feeds.as_deref(), since, 0, search.limit)
        .with_context(|| db.display().to_string())?;
    for result in &found {
        print_found(result, colour);
    }
    let shown = found.len();
    match shown {
        0 => println!("no entry matches"),
        n => println!("{n} result(s), best first (times in UTC)"),
    }
    Ok(0)
}

/// Prints one result.
fn print_found(found: &Found, colour: bool) {
    let hit = &found.hit;
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
    if !found.snippet.is_empty() {
        println!("  {}", highlighted(&found.snippet, colour));
    }
    println!("  matched: {}", header_safe(&found.terms.join(", "), 300));
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

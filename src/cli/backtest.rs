//! `newshound backtest RULE`: what a rule would have caught in the archive,
//! so a rule can be tuned before it goes live.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::language::stored_language;
use crate::model::ArticleText;
use crate::pipeline::earlier;
use crate::rules::{Query, RuleSet, RuleSpec};
use crate::store::{Store, StoreError};

/// Entries read from the database at a time.
const PAGE: usize = 500;

/// Runs rule `name` over the entries since `since`; returns the exit code.
pub fn backtest(config: &Config, state_dir: &Path, name: &str, since: Duration) -> super::Outcome {
    let Some(rule) = config.rules.iter().find(|r| r.name == name) else {
        return Err(super::invalid(format!(
            "no rule named \"{name}\" in {}",
            config.path.display()
        )));
    };
    let set = RuleSet::new(vec![RuleSpec {
        query: Query::parse(&rule.query).expect("the config's queries were validated"),
        exact: rule.exact,
    }])?;
    let in_scope = |feed: &str| {
        rule.feeds.is_empty()
            || config
                .feeds
                .iter()
                .any(|f| f.name == feed && rule.applies_to(f))
    };
    let db = super::database_path(state_dir);
    let store = Store::open_for_reading(&db).with_context(|| db.display().to_string())?;
    let from = earlier(Utc::now(), since);
    match scan(&store, &set, from, &in_scope) {
        Ok((matched, total)) => {
            println!(
                "{matched} of {total} entries since {} matched rule \"{name}\"",
                from.format("%Y-%m-%d %H:%M UTC")
            );
            Ok(0)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("{}", db.display()))),
    }
}

/// Prints each matching entry; returns (matched, scanned).
fn scan(
    store: &Store,
    set: &RuleSet,
    from: chrono::DateTime<Utc>,
    in_scope: &dyn Fn(&str) -> bool,
) -> Result<(u64, u64), StoreError> {
    let total = store.count_entries_since(from)?;
    // Drawn only when stderr is a terminal.
    let progress = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} entries {eta}")
            .expect("a valid template"),
    );
    let (mut matched, mut after) = (0, 0);
    loop {
        let page = store.entries_since(from, after, PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for entry in &page {
            let text = ArticleText {
                title: &entry.title,
                summary: &entry.summary,
                body: &entry.content,
                language: stored_language(
                    entry.language.as_deref(),
                    &entry.title,
                    &entry.summary,
                    &entry.content,
                ),
            };
            if let Some(m) = set
                .evaluate(&text)
                .into_iter()
                .next()
                .filter(|_| in_scope(&entry.feed))
            {
                matched += 1;
                progress.suspend(|| {
                    println!(
                        "{}  {}  {}  [{}]  {}",
                        entry.when.format("%Y-%m-%d %H:%M"),
                        entry.feed,
                        entry.title,
                        m.described_terms().join(", "),
                        entry.link.as_deref().unwrap_or("")
                    )
                });
            }
        }
        progress.inc(page.len() as u64);
    }
    progress.finish_and_clear();
    Ok((matched, total))
}

//! `newshound story ID`: the outlets and times of one story, the entry
//! `ID` (as `search` shows it) and every copy of it.
//!
//! `newshound story --batch FILE`: clusters the entries of a JSON-lines
//! file into stories, in the file's order, as the daemon would; for
//! evaluation (`bench/stories.py`).

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::alert::header_safe;
use crate::model::{Entry, Validators};
use crate::pipeline::plan_deliveries;
use crate::store::{Joined, NewEntry, PollRecord, Store, StoryRules};
use crate::stories::sketch;

/// Prints the story of entry `id`; returns the exit code.
pub fn story(state_dir: &Path, id: i64) -> super::Outcome {
    let db = crate::daemon::database_path(state_dir);
    let store = Store::open_for_reading(&db).with_context(|| db.display().to_string())?;
    let Some(copies) = store.story(id).with_context(|| db.display().to_string())? else {
        return Err(super::invalid(format!(
            "no entry {id} (search shows each entry's number)"
        )));
    };
    let mut outlets: Vec<&str> = copies.iter().map(|c| c.feed.as_str()).collect();
    outlets.sort_unstable();
    outlets.dedup();
    println!(
        "story {}: {} entr{} in {} outlet{} (times in UTC)",
        copies[0].entry_id,
        copies.len(),
        if copies.len() == 1 { "y" } else { "ies" },
        outlets.len(),
        if outlets.len() == 1 { "" } else { "s" },
    );
    for copy in &copies {
        let how = match copy.joined {
            None => "first".to_string(),
            Some(Joined::Text(share)) => {
                format!("copy, {:.0}% of its text in an earlier one", share * 100.0)
            }
            Some(Joined::SameLink) => "copy, same link".to_string(),
            Some(Joined::Forgotten) => "copy".to_string(),
        };
        println!(
            "{}  #{}  {}  {}  ({how})",
            copy.seen.format("%Y-%m-%d %H:%M"),
            copy.entry_id,
            copy.feed,
            header_safe(&copy.title, 200),
        );
        if let Some(link) = &copy.link {
            println!("  {link}");
        }
    }
    Ok(0)
}

/// One line of a `--batch` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchEntry {
    id: String,
    feed: String,
    #[serde(default)]
    title: String,
    text: String,
    published: Option<DateTime<Utc>>,
}

/// Stores each entry of `file` in a new database in `state_dir`, one poll
/// of its feed each, in the file's order, and prints each entry's story
/// (the id of the story's first entry) and the share of its text the
/// closest earlier entry held: `{"id", "story", "similarity"}` per line.
pub fn batch(state_dir: &Path, file: &Path, stories: StoryRules) -> super::Outcome {
    let db = crate::daemon::database_path(state_dir);
    if db.exists() {
        return Err(super::invalid(format!(
            "{} exists: --batch needs a state directory of its own",
            db.display()
        )));
    }
    let mut store = Store::open(&db).with_context(|| db.display().to_string())?;
    let input = std::fs::File::open(file).with_context(|| file.display().to_string())?;
    let mut ids: Vec<(String, i64)> = Vec::new();
    let mut out = std::io::stdout().lock();
    for (number, line) in std::io::BufReader::new(input).lines().enumerate() {
        let line = line.with_context(|| file.display().to_string())?;
        if line.trim().is_empty() {
            continue;
        }
        let read: BatchEntry = serde_json::from_str(&line)
            .map_err(|e| super::invalid(format!("{}:{}: {e}", file.display(), number + 1)))?;
        let entry_id = store_one(&mut store, &read, stories)
            .with_context(|| format!("{}:{}", file.display(), number + 1))?;
        let (story, share) = store.story_of(entry_id)?.unwrap_or((entry_id, None));
        let story_name = ids
            .iter()
            .find(|(_, row)| *row == story)
            .map_or(read.id.as_str(), |(name, _)| name.as_str());
        let line = serde_json::json!({"id": read.id, "story": story_name, "similarity": share});
        writeln!(out, "{line}")?;
        ids.push((read.id, entry_id));
    }
    Ok(0)
}

/// Stores `read` as a new entry of its feed, matched by no rule; its row id.
fn store_one(store: &mut Store, read: &BatchEntry, stories: StoryRules) -> anyhow::Result<i64> {
    store.ensure_feed(&read.feed, &format!("batch:{}", read.feed))?;
    let entry = Entry {
        id: read.id.clone(),
        title: read.title.clone(),
        link: None,
        canonical_link: None,
        published: read.published,
        author: None,
        summary: String::new(),
        content: read.text.clone(),
        language: None,
    };
    let hash = entry.text_hash();
    let poll = PollRecord {
        validators: Validators::default(),
        warning: None,
        entries: vec![NewEntry {
            sketch: sketch(&entry.title, &entry.content),
            entry,
            matches: Vec::new(),
            deliveries: Vec::new(),
            processed: true,
        }],
        updated: Vec::new(),
        at: read.published.unwrap_or_else(Utc::now),
        next_poll: Utc::now(),
    };
    store.record_poll(&read.feed, &poll, plan_deliveries, stories)?;
    let known = store.known_entries(&read.feed, &[(read.id.as_str(), hash.as_str())])?;
    known
        .get(&read.id)
        .map(|k| k.entry_id)
        .ok_or_else(|| anyhow::anyhow!("entry {} was not stored (a repeated id?)", read.id))
}

//! `newshound status [--json]`: each feed's health, failing first, then the
//! outbox.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::config::{Config, FeedConfig};
use crate::store::{FeedSummary, OutboxSummary, Store, StoreError};

/// One feed's line: its config, what the store knows, and its state.
struct Row<'a> {
    feed: &'a FeedConfig,
    summary: Option<FeedSummary>,
    state: &'static str,
}

/// Prints the status; returns the exit code.
pub fn status(config: &Config, state_dir: &Path, as_json: bool) -> u8 {
    let db = super::database_path(state_dir);
    let read = |store: &Store| -> Result<(Vec<FeedSummary>, OutboxSummary), StoreError> {
        Ok((store.feed_summaries()?, store.outbox_summary()?))
    };
    let (summaries, outbox) = match Store::open(&db).and_then(|s| read(&s)) {
        Ok(read) => read,
        Err(e) => {
            eprintln!("error: {}: {e}", db.display());
            return super::FAILED;
        }
    };
    let mut rows: Vec<Row> = config
        .feeds
        .iter()
        .map(|feed| {
            let summary = summaries.iter().find(|s| s.name == feed.name).cloned();
            let state = match &summary {
                _ if !feed.enabled => "paused",
                Some(s) if s.disabled_at.is_some() => "disabled",
                Some(s) if s.error_count > 0 => "failing",
                _ => "ok",
            };
            Row {
                feed,
                summary,
                state,
            }
        })
        .collect();
    // Failing feeds first: they are what a person opens `status` for.
    rows.sort_by_key(|r| {
        (
            r.state != "failing",
            r.state != "paused",
            r.feed.name.clone(),
        )
    });
    if as_json {
        println!("{}", to_json(&rows, &outbox));
    } else {
        print_table(&rows, &outbox);
    }
    0
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| {
        json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

fn to_json(rows: &[Row], outbox: &OutboxSummary) -> Value {
    let feeds: Vec<Value> = rows
        .iter()
        .map(|r| {
            let s = r.summary.as_ref();
            json!({
                "name": r.feed.name,
                "url": s.map_or(r.feed.url.as_str(), |s| s.url.as_str()),
                "state": r.state,
                "last_success": time(s.and_then(|s| s.last_success_at)),
                "last_error": s.and_then(|s| s.last_error.as_ref())
                    .map(|(class, message)| json!({"class": class, "message": message})),
                "error_count": s.map_or(0, |s| s.error_count),
                "next_poll": time(s.and_then(|s| s.next_poll_at)),
                "entries": s.map_or(0, |s| s.entries),
                "matches": s.map_or(0, |s| s.matches),
            })
        })
        .collect();
    json!({
        "feeds": feeds,
        "deliveries": {
            "pending": outbox.pending,
            "dead": outbox.dead,
            "oldest_pending": time(outbox.oldest_pending),
        },
        "digests": [],
    })
}

fn short(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "-".to_string(),
        |t| t.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn print_table(rows: &[Row], outbox: &OutboxSummary) {
    let width = rows
        .iter()
        .map(|r| r.feed.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:width$}  {:7}  {:16}  {:16}  {:>7}  {:>7}  LAST ERROR",
        "FEED", "STATE", "LAST SUCCESS", "NEXT POLL", "ENTRIES", "MATCHES"
    );
    for r in rows {
        let s = r.summary.as_ref();
        let error = s
            .and_then(|s| s.last_error.as_ref())
            .map(|(class, message)| {
                format!("{class} ×{}: {message}", s.map_or(0, |s| s.error_count))
            })
            .unwrap_or_default();
        println!(
            "{:width$}  {:7}  {:16}  {:16}  {:>7}  {:>7}  {error}",
            r.feed.name,
            r.state,
            short(s.and_then(|s| s.last_success_at)),
            short(s.and_then(|s| s.next_poll_at)),
            s.map_or(0, |s| s.entries),
            s.map_or(0, |s| s.matches),
        );
    }
    let oldest = outbox
        .oldest_pending
        .map(|t| format!(" (oldest queued {} UTC)", short(Some(t))))
        .unwrap_or_default();
    println!(
        "\ndeliveries: {} pending{oldest}, {} dead\n(times in UTC)",
        outbox.pending, outbox.dead
    );
}

//! `newshound status [--json]`: each feed's health, failing first, then the
//! outbox and the digests.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::config::{Config, FeedConfig};
use crate::pipeline::{DigestPlan, digest_plans};
use crate::store::{FeedSummary, OutboxSummary, Store, StoreError};

/// One feed's line: its config, what the store knows, and its state.
struct Row<'a> {
    feed: &'a FeedConfig,
    summary: Option<FeedSummary>,
    state: &'static str,
}

/// A digest's line: when it goes next and what waits for it.
struct DigestRow<'a> {
    plan: &'a DigestPlan,
    next: Option<DateTime<Utc>>,
    waiting: u64,
}

/// What the store says about the feeds, the outbox and the digests, and
/// the matches waiting for digests the config no longer names.
type Read<'a> = (
    Vec<FeedSummary>,
    OutboxSummary,
    Vec<DigestRow<'a>>,
    Vec<(String, u64)>,
);

/// Prints the status; returns the exit code.
pub fn status(config: &Config, state_dir: &Path, as_json: bool) -> super::Outcome {
    let db = super::database_path(state_dir);
    let plans = digest_plans(config);
    let read = |store: &Store| -> Result<Read, StoreError> {
        let now = Utc::now();
        let mut waiting: std::collections::HashMap<crate::model::DigestKey, u64> =
            store.digest_keys_waiting()?.into_iter().collect();
        let digests = plans
            .iter()
            .map(|plan| {
                let from = store.digest_handled(&plan.key)?.unwrap_or(now);
                Ok(DigestRow {
                    plan,
                    next: plan.schedule.next_after(plan.timezone, from),
                    waiting: waiting.remove(&plan.key).unwrap_or(0),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        // What is left waits for digests the config no longer names.
        let mut orphaned: Vec<(String, u64)> = waiting
            .into_iter()
            .map(|(key, n)| (key.to_string(), n))
            .collect();
        orphaned.sort();
        Ok((
            store.feed_summaries()?,
            store.outbox_summary()?,
            digests,
            orphaned,
        ))
    };
    let (summaries, outbox, digests, orphaned) =
        match Store::open_for_reading(&db).and_then(|s| read(&s)) {
            Ok(read) => read,
            Err(e) => {
                let e = anyhow::Error::new(e).context(db.display().to_string());
                return Err(match storage_problem(state_dir) {
                    Some(problem) => e.context(problem),
                    None => e,
                });
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
        println!("{}", to_json(&rows, &outbox, &digests, &orphaned));
    } else {
        print_table(&rows, &outbox);
        print_digests(&digests);
        print_orphaned(&orphaned);
        if let Some(problem) = storage_problem(state_dir) {
            println!("warning: {problem}");
        }
    }
    Ok(0)
}

fn time(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| {
        json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

fn to_json(
    rows: &[Row],
    outbox: &OutboxSummary,
    digests: &[DigestRow],
    orphaned: &[(String, u64)],
) -> Value {
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
                "warning": s.and_then(|s| s.last_warning.as_deref()),
                "next_poll": time(s.and_then(|s| s.next_poll_at)),
                "entries": s.map_or(0, |s| s.entries),
                "matches": s.map_or(0, |s| s.matches),
                "copies": s.map_or(0, |s| s.copies),
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
        "digests": digests.iter().map(|d| json!({
            "name": d.plan.key.name(),
            "kind": if d.plan.key.is_overflow() { "more matches" } else { "digest" },
            "schedule": d.plan.schedule.to_string(),
            "timezone": d.plan.timezone.name(),
            "next": time(d.next),
            "waiting": d.waiting,
        })).collect::<Vec<_>>(),
        "waiting_for_unconfigured": orphaned.iter()
            .map(|(key, n)| json!({"key": key, "waiting": n}))
            .collect::<Vec<_>>(),
    })
}

/// Matches held for a digest (or a rule's "more matches" mail) the config
/// no longer names: kept, and said, never silently dropped.
fn print_orphaned(orphaned: &[(String, u64)]) {
    for (key, n) in orphaned {
        let what = match key.split_once(':') {
            Some(("overflow", rule)) => format!("the \"more matches\" mail of rule \"{rule}\""),
            Some((_, name)) => format!("the digest \"{name}\""),
            None => key.clone(),
        };
        println!(
            "warning: {n} match(es) wait for {what}, which the config no longer names \
             (or no longer mails at once); they go out once it does again"
        );
    }
}

/// Less free space than this in the state directory is worth a warning.
const LOW_SPACE: u64 = 4 << 20;

/// Why newshound may not be able to write its database: a read-only or
/// (nearly) full file system under the state directory.
fn storage_problem(state_dir: &Path) -> Option<String> {
    let stats = rustix::fs::statvfs(state_dir).ok()?;
    if stats.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
        return Some(format!(
            "{} is on a read-only file system: newshound cannot store what it reads",
            state_dir.display()
        ));
    }
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    (free < LOW_SPACE).then(|| {
        format!(
            "{} has {} KiB free: newshound cannot store what it reads once it is full",
            state_dir.display(),
            free / 1024
        )
    })
}

/// One line per configured digest: when it goes next, in its own zone.
fn print_digests(digests: &[DigestRow]) {
    for d in digests {
        if d.plan.key.is_overflow() {
            if d.waiting > 0 {
                println!(
                    "rule {}: {} match(es) past its hourly limit, mailed at the end of the hour",
                    d.plan.key.name(),
                    d.waiting
                );
            }
            continue;
        }
        let next = d.next.map_or_else(
            || "never".to_string(),
            |t| {
                t.with_timezone(&d.plan.timezone)
                    .format("%Y-%m-%d %H:%M %Z")
                    .to_string()
            },
        );
        println!(
            "digest {}: next {next} ({}), {} match(es) waiting",
            d.plan.key.name(),
            d.plan.schedule,
            d.waiting
        );
    }
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
        "{:width$}  {:7}  {:16}  {:16}  {:>7}  {:>7}  {:>6}  LAST ERROR",
        "FEED", "STATE", "LAST SUCCESS", "NEXT POLL", "ENTRIES", "MATCHES", "COPIES"
    );
    for r in rows {
        let s = r.summary.as_ref();
        let error = s
            .and_then(|s| s.last_error.as_ref())
            .map(|(class, message)| {
                format!("{class} ×{}: {message}", s.map_or(0, |s| s.error_count))
            })
            .or_else(|| {
                let warning = s?.last_warning.as_ref()?;
                Some(format!("warning: {warning}"))
            })
            .unwrap_or_default();
        println!(
            "{:width$}  {:7}  {:16}  {:16}  {:>7}  {:>7}  {:>6}  {error}",
            r.feed.name,
            r.state,
            short(s.and_then(|s| s.last_success_at)),
            short(s.and_then(|s| s.next_poll_at)),
            s.map_or(0, |s| s.entries),
            s.map_or(0, |s| s.matches),
            s.map_or(0, |s| s.copies),
        );
    }
    let oldest = outbox
        .oldest_pending
        .map(|t| format!(" (oldest queued {} UTC)", short(Some(t))))
        .unwrap_or_default();
    println!(
        "\ndeliveries: {} pending{oldest}, {} dead\n\
         (times in UTC; COPIES: entries that joined a story another entry brought first, \
         listed by `newshound story ID`)",
        outbox.pending, outbox.dead
    );
}

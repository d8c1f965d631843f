//! Article pages: each new entry's page fetched (guarded, polite, within
//! robots.txt), its main text extracted, and the entry matched against it
//! and marked processed in one commit. Pages are fetched outside any
//! transaction; an entry a crash left unprocessed is picked up again by
//! its feed's next poll.

use std::sync::Arc;

use chrono::Utc;
use futures_util::{StreamExt, stream};
use tokio::sync::Notify;
use url::Url;

use super::Context;
use super::matching::consider;
use super::policy::plan_deliveries;
use crate::config::{Config, FeedConfig};
use crate::extract::{Guide, Hint, extract_text};
use crate::fetch::{Access, FetchOutcome};
use crate::model::{Entry, FailureClass};
use crate::store::{Body, StoreError, Stored};

/// Unprocessed entries read from the store at a time.
const BATCH: usize = 100;

/// Pages of one feed fetched at once; the per-host limits still apply.
const PARALLEL_PAGES: usize = 4;

/// A page yielding less text than this (and less than the feed's own
/// summary or content) is taken for a failed extraction: a paywall, a consent wall,
/// a page of links.
const MIN_BODY_CHARS: usize = 150;

/// True when `entry`'s page is to be fetched before it is matched: the
/// feed scrapes, the entry links to a page, and some rule could match it.
pub fn reads_page(config: &Config, feed: &FeedConfig, entry: &Entry) -> bool {
    feed.scrape && page_url(entry).is_some() && config.rules.iter().any(|r| r.applies_to(feed))
}

fn page_url(entry: &Entry) -> Option<Url> {
    let url = Url::parse(entry.link.as_deref()?).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Processes every entry of `feed` stored before its page was read: the
/// ones this poll stored, and any a crash left behind. `wake` is told each
/// time an entry's mails are queued.
pub async fn process_pending(
    ctx: &Context,
    feed: &FeedConfig,
    wake: Option<&Notify>,
) -> Result<Stored, StoreError> {
    let mut total = Stored::default();
    // Entries this call has taken up: past max_pages_per_poll, a feed that
    // lists thousands of links gets no more page fetches.
    let mut pages_read = 0;
    loop {
        let name = feed.name.clone();
        let pending = ctx
            .store
            .call(move |s| s.unprocessed_entries(&name, BATCH))
            .await?;
        let count = pending.len();
        // Only entries with a page to read count towards the cap.
        let allowed: Vec<bool> = pending
            .iter()
            .map(|(_, entry)| {
                let reads = feed.scrape && page_url(entry).is_some();
                pages_read += usize::from(reads);
                !reads || pages_read <= ctx.config.daemon.max_pages_per_poll
            })
            .collect();
        let results: Vec<Result<Stored, StoreError>> =
            stream::iter(pending.into_iter().zip(allowed))
                .map(|((id, entry), page_allowed)| async move {
                    let stored = process(ctx, feed, id, entry, page_allowed).await?;
                    if let (Some(wake), true) = (wake, stored.deliveries > 0) {
                        wake.notify_one();
                    }
                    Ok(stored)
                })
                .buffer_unordered(PARALLEL_PAGES)
                .collect()
                .await;
        for stored in results {
            let stored = stored?;
            total.matches += stored.matches;
            total.deliveries += stored.deliveries;
        }
        if count < BATCH {
            return Ok(total);
        }
    }
}

/// Reads one entry's page, matches the entry against its text, and commits
/// body, matches, deliveries and the processed mark together.
async fn process(
    ctx: &Context,
    feed: &FeedConfig,
    id: i64,
    entry: Entry,
    page_allowed: bool,
) -> Result<Stored, StoreError> {
    let body = match page_allowed {
        true => {
            // Pages of every feed together stay within the global concurrency.
            let _slot = ctx.page_slots.acquire().await.expect("never closed");
            page_body(ctx, feed, &entry).await
        }
        false => feed_text(
            &entry,
            format!(
                "this poll has fetched {} pages already (page_limit; [daemon] max_pages_per_poll)",
                ctx.config.daemon.max_pages_per_poll
            ),
        ),
    };
    if let Some(note) = &body.note {
        tracing::info!(feed = %feed.name, link = entry.link.as_deref().unwrap_or(""), "feed text used: {note}");
    }
    let outcome = consider(&ctx.config, feed, entry, Some(&body.text), true, &[]);
    let stories = super::story_rules(&ctx.config.daemon);
    ctx.store
        .call(move |s| {
            s.record_processed(id, &body, &outcome, Utc::now(), plan_deliveries, stories)
        })
        .await
}

/// The text to match `entry` against: its page's main text, or the feed's
/// own content with the reason the page was not used.
async fn page_body(ctx: &Context, feed: &FeedConfig, entry: &Entry) -> Body {
    let from_feed = |note: String| feed_text(entry, note);
    if !feed.scrape {
        return from_feed("page fetching is off for this feed (scrape = false)".into());
    }
    let Some(url) = page_url(entry) else {
        return from_feed("the entry has no http(s) link".into());
    };
    let access = Access::page(feed.allow_private_network);
    let max_bytes = ctx.config.daemon.page_max_bytes;
    let fetched = match ctx
        .fetcher
        .get_page(&url, &access, feed.respect_robots, max_bytes)
        .await
    {
        Ok(FetchOutcome::Fetched(fetched)) => fetched,
        Ok(FetchOutcome::NotModified { .. }) => {
            return from_feed("the page answered 304 to an unconditional request".into());
        }
        Err(e) if e.class == FailureClass::Robots => return from_feed(e.message),
        Err(e) => {
            return from_feed(format!(
                "the page could not be fetched ({}): {}",
                e.class.name(),
                e.message
            ));
        }
    };
    let content_type = fetched.content_type.clone().unwrap_or_default();
    if !is_html(&content_type) {
        return from_feed(format!("the page is {content_type}, not HTML"));
    }
    let rule = feed.extract.clone();
    // The feed's own words about the article point at it in the page.
    let hint = Hint {
        summary: entry.summary.clone(),
    };
    let source = if rule.is_some() { "selector" } else { "page" };
    // Parsing a large page takes milliseconds of CPU: off the async
    // threads, and no more at once than there are cores. Past its deadline
    // (waiting for a core included) the page is given up, but its core
    // stays taken until the thread is done, so that pages given up can
    // never pile up on the CPU.
    let deadline = ctx.config.daemon.extract_timeout;
    let extraction = async {
        let core = Arc::clone(&ctx.extractions)
            .acquire_owned()
            .await
            .expect("never closed");
        tokio::task::spawn_blocking(move || {
            let guide = Guide {
                rule: rule.as_ref(),
                hint: Some(&hint),
                ..Guide::default()
            };
            let text = extract_text(&fetched.body, Some(&content_type), &guide);
            drop(core);
            text
        })
        .await
    };
    let text = match tokio::time::timeout(deadline, extraction).await {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => return from_feed(format!("the extractor failed: {e}")),
        Err(_) => {
            return from_feed(format!(
                "the extractor ran past its deadline of {} (timeout; [daemon] extract_timeout)",
                humantime::format_duration(deadline)
            ));
        }
    };
    let chars = text.chars().count();
    let feed_chars = entry
        .content
        .chars()
        .count()
        .max(entry.summary.chars().count());
    if chars < MIN_BODY_CHARS && chars < feed_chars {
        return from_feed(format!("the page yielded only {chars} characters of text"));
    }
    Body {
        text,
        source,
        note: None,
    }
}

/// The feed's own text of `entry`, with why its page was not used.
fn feed_text(entry: &Entry, note: String) -> Body {
    Body {
        text: entry.content.clone(),
        source: "feed",
        note: Some(note),
    }
}

/// HTML and XHTML are extracted; a missing type is taken for HTML, as
/// browsers sniff it.
fn is_html(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(essence.as_str(), "" | "text/html" | "application/xhtml+xml")
}

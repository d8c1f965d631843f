//! Refreshing one feed: the whole life of a poll.

use chrono::{DateTime, Utc};
use url::Url;

use super::Context;
use super::matching::consider;
use super::pages::{process_pending, reads_page};
use super::policy::plan_deliveries;
use super::schedule::{adaptive_interval, backoff, jittered, stretched};
use crate::config::FeedConfig;
use crate::feed::{self, FeedError, ParsedFeed};
use crate::fetch::{
    Access, FetchError, FetchOutcome, Fetched, OwnHeaders, Redirect, permanent_target,
};
use crate::model::{Entry, FailureClass};
use crate::store::{FeedState, KnownEntry, NewEntry, PollRecord, StoreError, UpdatedEntry};

/// How a feed's poll ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOutcome {
    /// The feed was read; counts of what was new.
    Updated {
        entries: usize,
        /// Entries whose text changed, matched again.
        changed: usize,
        matches: usize,
        deliveries: usize,
        /// What had to be mended to read it (stored on the feed too).
        warning: Option<String>,
    },
    /// The server said nothing changed (304).
    NotModified,
    /// The poll failed; the failure is stored on the feed.
    Failed {
        class: FailureClass,
        message: String,
    },
    /// Not polled: the server said the feed is gone (410), and only a
    /// person asking for this feed polls it again.
    Disabled {
        since: DateTime<Utc>,
        reason: String,
    },
}

impl FeedOutcome {
    /// The result class metrics count it under: `ok`, `not_modified`,
    /// `disabled`, or the failure's class.
    pub fn class(&self) -> &'static str {
        match self {
            FeedOutcome::Updated { .. } => "ok",
            FeedOutcome::NotModified => "not_modified",
            FeedOutcome::Failed { class, .. } => class.name(),
            FeedOutcome::Disabled { .. } => "disabled",
        }
    }
}

/// Who asked for a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The schedule, or a poll of every feed: disabled feeds are skipped.
    Schedule,
    /// A person naming this feed: it is polled even when disabled.
    Person,
}

/// The outcome of one feed's poll, for logs and the CLI.
#[derive(Debug, Clone)]
pub struct FeedReport {
    pub feed: String,
    pub outcome: FeedOutcome,
    /// When the feed is due again (stored with the outcome).
    pub next_poll: DateTime<Utc>,
    /// New entries this poll stored to be matched once their page is read.
    pub pages_pending: bool,
}

/// Polls `feed` once and stores what it brought, then reads the pages of
/// its entries that wait for one and matches them. Feed failures are
/// stored and reported in the outcome; only a database failure is an `Err`.
pub async fn refresh_feed(
    ctx: &Context,
    feed: &FeedConfig,
    trigger: Trigger,
) -> Result<FeedReport, StoreError> {
    let mut report = poll_feed(ctx, feed, trigger).await?;
    if matches!(report.outcome, FeedOutcome::Disabled { .. }) {
        return Ok(report);
    }
    // `poll` waits for the pages, to print what they caused; the daemon
    // polls with `poll_feed` and reads pages in tasks of their own.
    // Also after a 304 or a failure: entries a crash left unprocessed.
    if !report.pages_pending && !ctx.take_leftovers(&feed.name).await? {
        return Ok(report);
    }
    let processed = match process_pending(ctx, feed, None).await {
        Ok(processed) => processed,
        Err(e) => {
            // Tried again at the feed's next poll.
            ctx.keep_leftovers(&feed.name);
            return Err(e);
        }
    };
    match &mut report.outcome {
        FeedOutcome::Updated {
            matches,
            deliveries,
            ..
        } => {
            *matches += processed.matches;
            *deliveries += processed.deliveries;
        }
        _ if processed.matches > 0 => tracing::info!(
            feed = %feed.name,
            matches = processed.matches,
            deliveries = processed.deliveries,
            "entries left unprocessed earlier were matched"
        ),
        _ => {}
    }
    Ok(report)
}

/// Polls `feed` once and stores what it brought; entries that wait for
/// their page are left to [`process_pending`] (the report says so).
pub async fn poll_feed(
    ctx: &Context,
    feed: &FeedConfig,
    trigger: Trigger,
) -> Result<FeedReport, StoreError> {
    let now = Utc::now();
    let (name, url) = (feed.name.clone(), feed.url.to_string());
    let state = ctx.store.call(move |s| s.ensure_feed(&name, &url)).await?;
    if let (Some((since, reason)), Trigger::Schedule) = (&state.disabled, trigger) {
        let outcome = FeedOutcome::Disabled {
            since: *since,
            reason: reason.clone(),
        };
        return Ok(report(feed, outcome, DateTime::<Utc>::MAX_UTC));
    }
    let failures = u32::try_from(state.error_count + 1).unwrap_or(u32::MAX);

    let url = Url::parse(state.poll_url()).unwrap_or_else(|_| feed.url.clone());
    let access = Access::feed(&feed.url, feed.allow_private_network);
    let own = OwnHeaders {
        headers: ctx.headers_of(&feed.name),
        origin: &feed.url,
    };
    match ctx
        .fetcher
        .get(&url, &state.validators, &access, Some(own))
        .await
    {
        Ok(FetchOutcome::Fetched(fetched)) => {
            store_fetched(ctx, feed, &state, fetched, now, failures).await
        }
        Ok(FetchOutcome::NotModified {
            redirects,
            fresh_for,
        }) => {
            note_redirects(ctx, feed, &redirects).await?;
            let next_poll = next_poll(ctx, feed, now, &[fresh_for]).await?;
            let name = feed.name.clone();
            ctx.store
                .call(move |s| s.record_not_modified(&name, now, next_poll))
                .await?;
            Ok(report(feed, FeedOutcome::NotModified, next_poll))
        }
        Err(e) if e.class == FailureClass::Http(410) => gone(ctx, feed, e, now).await,
        Err(e) => fail(ctx, feed, e, now, failures).await,
    }
}

/// Reads a fetched feed and stores its new and changed entries with what
/// they caused, in one transaction.
async fn store_fetched(
    ctx: &Context,
    feed: &FeedConfig,
    state: &FeedState,
    mut fetched: Fetched,
    now: DateTime<Utc>,
    failures: u32,
) -> Result<FeedReport, StoreError> {
    let parsed = match parse_off_the_runtime(&mut fetched).await {
        Ok(parsed) => parsed,
        Err(e) => return fail(ctx, feed, not_a_feed(feed, e), now, failures).await,
    };
    // A permanent redirect counts towards moving the feed only when it led
    // to a feed (not to a parked domain's page).
    note_redirects(ctx, feed, &fetched.redirects).await?;
    let warning = join_warnings(parsed.warning, headers_left_behind(ctx, feed, state));
    if let Some(warning) = &warning {
        tracing::warn!(feed = %feed.name, "{warning}");
    }
    let (new_entries, changed) = sort_entries(ctx, &feed.name, parsed.entries).await?;
    // On a feed's first poll, old entries are stored without alerting.
    let alert_from = state
        .first_polled_at
        .is_none()
        .then(|| earlier(now, ctx.config.daemon.backfill));
    let alerts =
        |entry: &Entry| alert_from.is_none_or(|from| entry.published.is_none_or(|p| p >= from));
    let next_poll = next_poll(ctx, feed, now, &[fetched.fresh_for, parsed.ttl]).await?;
    let record = PollRecord {
        validators: fetched.validators,
        warning: warning.clone(),
        entries: new_entries
            .into_iter()
            .map(|entry| {
                let alerts = alerts(&entry);
                match alerts && reads_page(&ctx.config, feed, &entry) {
                    // Matched once its page is read, after this commit.
                    true => NewEntry {
                        entry,
                        matches: Vec::new(),
                        deliveries: Vec::new(),
                        processed: false,
                        sketch: None,
                    },
                    false => consider(&ctx.config, feed, entry, None, alerts, &[]),
                }
            })
            .collect(),
        // A developing story is matched again; only rules that did not
        // match it before can alert now.
        updated: changed
            .into_iter()
            .map(|(entry, known)| {
                // An old story (older than backfill) edited now stays quiet,
                // as it did when it was first stored.
                let recent = entry
                    .published
                    .is_none_or(|p| p >= earlier(now, ctx.config.daemon.backfill));
                UpdatedEntry {
                    entry_id: known.entry_id,
                    update: consider(&ctx.config, feed, entry, None, recent, &known.matched_rules),
                }
            })
            .collect(),
        at: now,
        next_poll,
    };
    let name = feed.name.clone();
    let stories = super::story_rules(&ctx.config.daemon);
    let stored = ctx
        .store
        .call(move |s| s.record_poll(&name, &record, plan_deliveries, stories))
        .await?;
    tracing::info!(
        feed = %feed.name,
        new = stored.entries,
        changed = stored.updated,
        matches = stored.matches,
        deliveries = stored.deliveries,
        "feed polled"
    );
    let outcome = FeedOutcome::Updated {
        entries: stored.entries,
        changed: stored.updated,
        matches: stored.matches,
        deliveries: stored.deliveries,
        warning,
    };
    Ok(FeedReport {
        pages_pending: stored.unprocessed > 0,
        ..report(feed, outcome, next_poll)
    })
}

/// Why a feed that moved to another origin is polled without its headers:
/// its tokens were given for the configured origin, not for wherever a
/// redirect leads.
fn headers_left_behind(ctx: &Context, feed: &FeedConfig, state: &FeedState) -> Option<String> {
    let moved = Url::parse(state.moved_to.as_deref()?).ok()?;
    let left_behind = moved.origin() != feed.url.origin() && !ctx.headers_of(&feed.name).is_empty();
    left_behind.then(|| {
        format!(
            "the feed moved to {moved}, another origin: its headers are not sent there \
             (put the new URL in the config if they are meant for it)"
        )
    })
}

fn join_warnings(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

/// Reads a fetched feed on a blocking thread: a large or hostile document
/// takes CPU that the async workers (other feeds, `/healthz`, the
/// watchdog) must not wait for. The body is moved out of `fetched`.
async fn parse_off_the_runtime(fetched: &mut Fetched) -> Result<ParsedFeed, FeedError> {
    let body = std::mem::take(&mut fetched.body);
    let content_type = fetched.content_type.clone();
    let base = fetched.final_url.clone();
    tokio::task::spawn_blocking(move || feed::parse(&body, content_type.as_deref(), Some(&base)))
        .await
        .unwrap_or_else(|e| Err(FeedError::NotAFeed(format!("the feed reader failed: {e}"))))
}

/// When a feed that answered is due again: its interval (or, adaptive, its
/// publishing rhythm), stretched by the server's and the feed's own hints
/// up to `max_interval`, with jitter.
async fn next_poll(
    ctx: &Context,
    feed: &FeedConfig,
    now: DateTime<Utc>,
    hints: &[Option<std::time::Duration>],
) -> Result<DateTime<Utc>, StoreError> {
    let max = ctx.config.daemon.max_interval;
    let base = match feed.adaptive {
        false => feed.interval,
        true => {
            let name = feed.name.clone();
            let times = ctx
                .store
                .call(move |s| s.recent_publications(&name, 20))
                .await?;
            adaptive_interval(&times, now, feed.interval, max)
        }
    };
    Ok(later(now, jittered(stretched(base, hints, max))))
}

/// `now + span`, saturating far in the future instead of overflowing.
pub fn later(now: DateTime<Utc>, span: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `now - span`, saturating far in the past instead of overflowing.
pub fn earlier(now: DateTime<Utc>, span: std::time::Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn not_a_feed(feed: &FeedConfig, error: FeedError) -> FetchError {
    let message = match error {
        FeedError::NotAFeed(why) => format!(
            "{why} (is {} the feed's address, not its web page?)",
            feed.url
        ),
        FeedError::Empty => "the feed holds no items".to_string(),
    };
    FetchError::new(FailureClass::NotAFeed, message)
}

fn report(feed: &FeedConfig, outcome: FeedOutcome, next_poll: DateTime<Utc>) -> FeedReport {
    FeedReport {
        feed: feed.name.clone(),
        outcome,
        next_poll,
        pages_pending: false,
    }
}

/// Counts a permanent redirect towards moving the feed (three in a row).
async fn note_redirects(
    ctx: &Context,
    feed: &FeedConfig,
    redirects: &[Redirect],
) -> Result<(), StoreError> {
    let target = permanent_target(redirects).map(Url::to_string);
    let name = feed.name.clone();
    let moved = ctx
        .store
        .call(move |s| s.note_redirect(&name, target.as_deref()))
        .await?;
    if let Some(to) = moved {
        tracing::warn!(feed = %feed.name, "the feed moved permanently to {to}; polling it there (update the config's url)");
    }
    Ok(())
}

/// Disables a feed the server says is gone for good (410); it stays in
/// `status` until a person retries it with `poll --feed`.
async fn gone(
    ctx: &Context,
    feed: &FeedConfig,
    error: FetchError,
    now: DateTime<Utc>,
) -> Result<FeedReport, StoreError> {
    let message = format!(
        "{}: the feed is gone; it is disabled until `poll --feed {}` succeeds",
        error.message, feed.name
    );
    tracing::warn!(feed = %feed.name, "{message}");
    let (name, stored) = (feed.name.clone(), message.clone());
    ctx.store
        .call(move |s| s.record_gone(&name, &stored, now))
        .await?;
    let outcome = FeedOutcome::Failed {
        class: error.class,
        message,
    };
    Ok(report(feed, outcome, DateTime::<Utc>::MAX_UTC))
}

/// Stores a failed poll, the `failures`-th in a row, and backs off.
async fn fail(
    ctx: &Context,
    feed: &FeedConfig,
    error: FetchError,
    now: DateTime<Utc>,
    failures: u32,
) -> Result<FeedReport, StoreError> {
    let next_poll = later(now, backoff(feed.interval, failures, error.retry_after));
    tracing::warn!(feed = %feed.name, class = error.class.name(), "poll failed: {}", error.message);
    let name = feed.name.clone();
    let stored = error.clone();
    ctx.store
        .call(move |s| s.record_failure(&name, stored.class, &stored.message, now, next_poll))
        .await?;
    let outcome = FeedOutcome::Failed {
        class: error.class,
        message: error.message,
    };
    Ok(report(feed, outcome, next_poll))
}

/// The feed's entries, each once, sorted into those the store has not
/// seen and those whose text changed since (with what they are known as).
async fn sort_entries(
    ctx: &Context,
    feed: &str,
    entries: Vec<Entry>,
) -> Result<(Vec<Entry>, Vec<(Entry, KnownEntry)>), StoreError> {
    let mut seen = std::collections::HashSet::new();
    let entries: Vec<Entry> = entries
        .into_iter()
        .filter(|e| seen.insert(e.id.clone()))
        .collect();
    let keys: Vec<(String, String)> = entries
        .iter()
        .map(|e| (e.id.clone(), e.text_hash()))
        .collect();
    let feed = feed.to_string();
    let mut known = ctx
        .store
        .call(move |s| {
            let keys: Vec<(&str, &str)> =
                keys.iter().map(|(i, h)| (i.as_str(), h.as_str())).collect();
            s.known_entries(&feed, &keys)
        })
        .await?;
    let (mut new, mut changed) = (Vec::new(), Vec::new());
    for entry in entries {
        match known.remove(&entry.id) {
            None => new.push(entry),
            Some(k) if k.changed => changed.push((entry, k)),
            Some(_) => {}
        }
    }
    Ok((new, changed))
}

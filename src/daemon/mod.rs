//! The daemon: polls each feed when it is due, within the concurrency
//! limit, closes digests on their schedules, and drains the outbox after
//! every poll and once a minute, until told to shut down.
//!
//! Shutdown is injected as a future, so tests drive it like a signal does.
//! On shutdown no new poll starts; polls in flight finish (each within the
//! fetch deadline), one last delivery pass runs, and `run` returns.

mod http;
mod metrics;
mod notify;
mod pages;
mod schedule;

pub use notify::Notifier;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::alert::Outbound;
use crate::pipeline::{
    Context, FeedReport, HandledUntil, Queue, Trigger, close_due_digests, deliver_pending,
    digest_plans, earlier, index_archive, later, poll_feed,
};
use crate::store::{PRUNE_BATCH, StoreError};
use metrics::PollStats;
use pages::PageWork;
use schedule::{MAX_SLEEP, Schedule};

/// How often pending deliveries are retried when nothing else wakes the sender.
const DELIVERY_RETRY: Duration = Duration::from_secs(60);

/// Runs until `shutdown` completes. Errors only when the schedule cannot
/// be read at start; later database failures are logged and retried.
pub async fn run(
    ctx: Context,
    mailer: Outbound,
    notifier: &Notifier,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StoreError> {
    let next_poll = load_schedule(&ctx).await?;
    let wake_sender = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let sender = tokio::spawn(delivery_loop(
        ctx.clone(),
        mailer,
        Arc::clone(&wake_sender),
        stop_rx.clone(),
    ));
    let keeper = tokio::spawn(upkeep_loop(ctx.clone(), stop_rx));
    let stats = Arc::new(PollStats::default());
    let metrics_server = match ctx.config.metrics {
        Some(addr) => {
            let served = metrics::serve(
                addr,
                Arc::clone(&ctx.config),
                ctx.store.clone(),
                Arc::clone(&stats),
            );
            served
                .await
                .inspect_err(|e| tracing::error!("no metrics: cannot listen on {addr}: {e}"))
                .ok()
        }
        None => None,
    };
    let trouble = Trouble::default();
    // The config is loaded and the database answered: systemd may go on.
    notifier.ready(&health(&ctx, &trouble).await.unwrap_or_default());
    let mut heartbeat = tokio::time::interval(notifier.watchdog_interval().unwrap_or(HEARTBEAT));
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    // Entries a crash left between storing and processing are matched now,
    // not at their feed's next poll.
    let mut pages = PageWork::default();
    for (i, feed) in ctx.config.feeds.iter().enumerate() {
        if feed.enabled && ctx.take_leftovers(&feed.name).await? {
            pages.start(&ctx, i, &wake_sender);
        }
    }

    let mut schedule = Schedule::new(&ctx.config, next_poll);
    let mut in_flight: JoinSet<Result<FeedReport, StoreError>> = JoinSet::new();
    // Which feed each running task polls.
    let mut task_feed: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut revived_at = Utc::now();
    tokio::pin!(shutdown);
    loop {
        let now = Utc::now();
        if now - revived_at > chrono::Duration::from_std(MAX_SLEEP).unwrap_or_default() {
            revive_reenabled(&ctx, &mut schedule).await;
            revived_at = now;
        }
        stats.alive();
        for i in schedule.start_due(now) {
            let (ctx, feed, stats) = (ctx.clone(), ctx.config.feeds[i].clone(), Arc::clone(&stats));
            let task = in_flight.spawn(async move {
                let started = std::time::Instant::now();
                let report = poll_feed(&ctx, &feed, Trigger::Schedule).await;
                if let Ok(report) = &report {
                    stats.poll(report.outcome.class(), started.elapsed());
                }
                report
            });
            task_feed.insert(task.id(), i);
        }
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                let i = finished_feed(&done, &mut task_feed);
                if finish_poll(&ctx, i, done.map(|(_, r)| r), &mut schedule, &wake_sender, &trouble) {
                    pages.start(&ctx, i, &wake_sender);
                }
            }
            () = pages.next(&ctx, &wake_sender) => {}
            _ = heartbeat.tick() => match health(&ctx, &trouble).await {
                // Only while the database answers: a daemon whose database
                // hangs is one for systemd's watchdog to restart.
                Ok(status) => notifier.alive(&status),
                Err(e @ StoreError::Replaced(_)) => tracing::error!("{e}"),
                Err(e) => tracing::error!("the database does not answer: {e}"),
            },
            () = tokio::time::sleep(schedule.sleep(now)) => {}
        }
    }

    tracing::info!(
        in_flight = in_flight.len(),
        "shutting down: finishing polls in flight"
    );
    pages.stop().await;
    while let Some(done) = in_flight.join_next_with_id().await {
        let i = finished_feed(&done, &mut task_feed);
        finish_poll(
            &ctx,
            i,
            done.map(|(_, r)| r),
            &mut schedule,
            &wake_sender,
            &trouble,
        );
    }
    let _ = stop_tx.send(true);
    let _ = sender.await;
    let _ = keeper.await;
    if let Some(server) = metrics_server {
        // Awaited, so the port is free again for the next generation.
        server.abort();
        let _ = server.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// How often new entries are added to the search index.
const INDEX_EVERY: Duration = Duration::from_secs(30);

/// How often old entries' text is pruned and the file tidied.
const PRUNE_EVERY: Duration = Duration::from_secs(6 * 3600);

/// Keeps the archive searchable and its size bounded: indexes new and
/// changed entries every [`INDEX_EVERY`], prunes text older than
/// `keep_days` at start and every [`PRUNE_EVERY`], until `stop`.
async fn upkeep_loop(ctx: Context, mut stop: watch::Receiver<bool>) {
    let mut pruned_at: Option<std::time::Instant> = None;
    loop {
        if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            pruned_at = Some(std::time::Instant::now());
            if !prune(&ctx, &stop).await {
                return;
            }
        }
        match index_archive(&ctx.store, || !*stop.borrow()).await {
            Ok(0) => {}
            Ok(indexed) => tracing::debug!(indexed, "search index updated"),
            Err(e) => tracing::error!("cannot update the search index: {e}"),
        }
        tokio::select! {
            () = tokio::time::sleep(INDEX_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Prunes text older than `keep_days`, a batch per store call so polls
/// are not held up, then tidies the file. False when told to stop midway.
async fn prune(ctx: &Context, stop: &watch::Receiver<bool>) -> bool {
    let keep = Duration::from_secs(ctx.config.daemon.keep_days.saturating_mul(24 * 3600));
    let (now, cutoff) = (Utc::now(), earlier(Utc::now(), keep));
    let mut pruned = 0;
    loop {
        if *stop.borrow() {
            return false;
        }
        match ctx.store.call(move |s| s.prune_batch(cutoff, now)).await {
            Ok(n) => {
                pruned += n;
                if n < PRUNE_BATCH {
                    break;
                }
            }
            Err(e) => {
                tracing::error!("cannot prune old entries: {e}");
                return true;
            }
        }
    }
    if pruned > 0 {
        tracing::info!(pruned, "old entries' text pruned");
    }
    if let Err(e) = ctx.store.call(|s| s.tidy()).await {
        tracing::error!("cannot tidy the database: {e}");
    }
    true
}

/// A poll the database could not store (disk full, read-only) is tried
/// again this soon, then twice as late each time up to the feed's
/// interval, so the daemon recovers by itself once it can write.
const STORE_RETRY: Duration = Duration::from_secs(10);

/// Feeds whose last polls the database could not store: how many in a
/// row, and the last error. A feed leaves it once a poll of it is stored.
type Trouble = std::sync::Mutex<std::collections::BTreeMap<String, (u32, String)>>;

/// How often the status line is refreshed without a watchdog asking.
const HEARTBEAT: Duration = Duration::from_secs(60);

/// The one-line status systemd shows: "212 feeds, 3 failing, 4 mails
/// queued, next digest 07:00 CET"; an error when the database does not
/// answer.
async fn health(ctx: &Context, trouble: &Trouble) -> Result<String, StoreError> {
    let (failing, outbox) = ctx
        .store
        .call(|s| {
            s.check_file()?;
            Ok((s.failing_feed_count()?, s.outbox_summary()?))
        })
        .await?;
    let mut status = format!(
        "{} feeds, {failing} failing, {} mails queued",
        ctx.config.feeds.len(),
        outbox.pending
    );
    if outbox.dead > 0 {
        status += &format!(", {} dead", outbox.dead);
    }
    let trouble = trouble.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, error)) = trouble.values().next() {
        status += &format!(", {} feeds not stored: {error}", trouble.len());
    }
    let now = Utc::now();
    let next_digest = ctx
        .config
        .digests
        .iter()
        .filter_map(|d| Some((d.schedule.next_after(d.timezone, now)?, d.timezone)))
        .min_by_key(|(at, _)| *at);
    if let Some((at, tz)) = next_digest {
        status += &format!(", next digest {}", at.with_timezone(&tz).format("%H:%M %Z"));
    }
    Ok(status)
}

/// When each feed is next due, as stored. A time further ahead than the
/// feed's longest interval was written while the clock was wrong (a poll
/// at +365 days): it is pulled back to that interval from now, and so are
/// digests handled past now, or they would wait for the clock to catch up.
async fn load_schedule(ctx: &Context) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let known: HashMap<String, Option<DateTime<Utc>>> = ctx
        .store
        .call(|s| s.next_polls())
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let mut pulled_back = Vec::new();
    let next_polls: Vec<DateTime<Utc>> = ctx
        .config
        .feeds
        .iter()
        .map(|f| match f.enabled {
            true => {
                let at = known.get(&f.name).copied().flatten().unwrap_or(now);
                let latest = later(
                    now,
                    latest_schedule(f.interval, ctx.config.daemon.max_interval),
                );
                if at > latest {
                    pulled_back.push((f.name.clone(), latest));
                }
                at.min(latest)
            }
            // A paused feed is never due.
            false => DateTime::<Utc>::MAX_UTC,
        })
        .collect();
    let feeds = pulled_back.len();
    let digests = ctx
        .store
        .call(move |s| {
            for (name, at) in &pulled_back {
                s.pull_back_next_poll(name, *at)?;
            }
            s.pull_back_digests(now)
        })
        .await?;
    if feeds + digests > 0 {
        tracing::warn!(
            "the clock moved back: {feeds} feed(s) were due and {digests} digest(s) handled \
             later than they can be; they are scheduled from now"
        );
    }
    Ok(next_polls)
}

/// The furthest ahead a feed can be scheduled with the clock right: its
/// interval, max_interval or the longest backoff, whichever is longest,
/// with the 10% jitter and a minute to spare.
fn latest_schedule(interval: Duration, max_interval: Duration) -> Duration {
    let longest = interval.max(max_interval).max(crate::pipeline::MAX_BACKOFF);
    longest + longest / 10 + Duration::from_secs(60)
}

type Finished = Result<(tokio::task::Id, Result<FeedReport, StoreError>), tokio::task::JoinError>;

/// The feed whose poll task just ended.
fn finished_feed(done: &Finished, task_feed: &mut HashMap<tokio::task::Id, usize>) -> usize {
    let id = match done {
        Ok((id, _)) => *id,
        Err(e) => e.id(),
    };
    task_feed
        .remove(&id)
        .expect("every poll task is registered")
}

/// Books a finished poll: the feed is free again and due when its report
/// says (after its interval, or a backoff). True when the poll stored
/// entries that wait for their page.
fn finish_poll(
    ctx: &Context,
    i: usize,
    report: Result<Result<FeedReport, StoreError>, tokio::task::JoinError>,
    schedule: &mut Schedule,
    wake_sender: &Notify,
    trouble: &Trouble,
) -> bool {
    let feed = &ctx.config.feeds[i];
    let mut pages_pending = false;
    let next = match report {
        Ok(Ok(report)) => {
            trouble
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&feed.name);
            wake_sender.notify_one();
            pages_pending = report.pages_pending;
            report.next_poll
        }
        // The database may recover (disk space, a lock); the feed is tried
        // again at its next interval and nothing it fetched was committed.
        Ok(Err(e)) => {
            tracing::error!(
                feed = %feed.name,
                "database error, nothing of this poll was stored; trying again soon: {e}"
            );
            let mut trouble = trouble.lock().unwrap_or_else(|p| p.into_inner());
            let failures = trouble
                .entry(feed.name.clone())
                .and_modify(|(n, error)| {
                    *n += 1;
                    *error = e.to_string();
                })
                .or_insert((1, e.to_string()))
                .0;
            // Soon at first, then backing off to the feed's own interval.
            let wait = STORE_RETRY.saturating_mul(1 << (failures - 1).min(16));
            later(Utc::now(), wait.min(feed.interval))
        }
        Err(e) => {
            tracing::error!(feed = %feed.name, "the poll task failed: {e}");
            later(Utc::now(), feed.interval)
        }
    };
    schedule.finished(i, next);
    pages_pending
}

/// Feeds a person re-enabled with `poll --feed` (after a 410) while the
/// daemon ran: the store has a next poll time for them again.
async fn revive_reenabled(ctx: &Context, schedule: &mut Schedule) {
    match ctx.store.call(|s| s.next_polls()).await {
        Ok(known) => {
            let known: HashMap<String, Option<DateTime<Utc>>> = known.into_iter().collect();
            for (i, feed) in ctx.config.feeds.iter().enumerate() {
                if let (true, Some(Some(at))) = (feed.enabled, known.get(&feed.name)) {
                    schedule.revive(i, *at);
                }
            }
        }
        Err(e) => tracing::error!("cannot read the schedule: {e}"),
    }
}

/// Closes digests when they are due and sends pending alerts and digests
/// at start, whenever woken, when the next digest is due, and at least once
/// a minute; after `stop`, makes one last pass and returns.
async fn delivery_loop(
    ctx: Context,
    mailer: Outbound,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let plans = digest_plans(&ctx.config);
    let mut handled = HandledUntil::new();
    let mut stopping = false;
    loop {
        let now = Utc::now();
        let next_digest = match close_due_digests(&ctx.store, &plans, &mut handled, now).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!("cannot close the digests that are due: {e}");
                None
            }
        };
        let queue = Queue {
            honour_backoff: true,
            max_age: ctx.config.daemon.delivery_max_age,
        };
        match deliver_pending(&ctx.store, &mailer, queue).await {
            Ok(report) if report.pending > 0 => {
                tracing::warn!(
                    pending = report.pending,
                    "alerts still pending; retrying in a minute"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!("cannot read the outbox: {e}"),
        }
        if stopping {
            return;
        }
        let until_digest = next_digest
            .map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(DELIVERY_RETRY);
        stopping = tokio::select! {
            () = wake.notified() => false,
            () = tokio::time::sleep(DELIVERY_RETRY.min(until_digest)) => false,
            _ = stop.changed() => true,
        };
    }
}

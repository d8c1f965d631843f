//! The poll loop's state: when each feed is due, the polls in flight, the
//! article pages being read, and the feeds whose polls the database could
//! not store. [`run`](super::run) drives it; each step is a method here.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::Notifier;
use super::metrics::PollStats;
use super::pages::PageWork;
use super::schedule::{MAX_SLEEP, Schedule};
use crate::pipeline::{Context, FeedReport, Trigger, later, poll_feed};
use crate::store::StoreError;

/// Everything the poll loop keeps between its steps.
pub(super) struct Scheduler {
    ctx: Context,
    schedule: Schedule,
    /// The polls running now.
    pub in_flight: JoinSet<Result<FeedReport, StoreError>>,
    /// Which feed each running task polls.
    task_feed: HashMap<tokio::task::Id, usize>,
    /// Article pages being read, per feed.
    pub pages: PageWork,
    /// Woken when a poll stored something to send.
    pub wake_sender: Arc<Notify>,
    trouble: Trouble,
    stats: Arc<PollStats>,
    /// When re-enabled feeds were last looked for.
    revived_at: DateTime<Utc>,
}

impl Scheduler {
    /// A scheduler for `ctx`'s feeds, each next due at `next_poll[i]`.
    pub fn new(ctx: Context, next_poll: Vec<DateTime<Utc>>, stats: Arc<PollStats>) -> Scheduler {
        Scheduler {
            schedule: Schedule::new(&ctx.config, next_poll),
            ctx,
            in_flight: JoinSet::new(),
            task_feed: HashMap::new(),
            pages: PageWork::default(),
            wake_sender: Arc::new(Notify::new()),
            trouble: Trouble::default(),
            stats,
            revived_at: Utc::now(),
        }
    }

    /// Entries a crash left between storing and processing are matched
    /// now, not at their feed's next poll.
    pub async fn resume_leftovers(&mut self) -> Result<(), StoreError> {
        for (i, feed) in self.ctx.config.feeds.iter().enumerate() {
            if feed.enabled && self.ctx.take_leftovers(&feed.name).await? {
                self.pages.start(&self.ctx, i, &self.wake_sender);
            }
        }
        Ok(())
    }

    /// Starts every poll that is due at `now`; now and then, first takes
    /// back feeds a person re-enabled meanwhile.
    pub async fn start_due(&mut self, now: DateTime<Utc>) {
        if now - self.revived_at > chrono::Duration::from_std(MAX_SLEEP).unwrap_or_default() {
            revive_reenabled(&self.ctx, &mut self.schedule).await;
            self.revived_at = now;
        }
        self.stats.alive();
        for i in self.schedule.start_due(now) {
            let (ctx, feed) = (self.ctx.clone(), self.ctx.config.feeds[i].clone());
            let stats = Arc::clone(&self.stats);
            let task = self.in_flight.spawn(async move {
                let started = std::time::Instant::now();
                let report = poll_feed(&ctx, &feed, Trigger::Schedule).await;
                if let Ok(report) = &report {
                    stats.poll(report.outcome.class(), started.elapsed());
                }
                report
            });
            self.task_feed.insert(task.id(), i);
        }
    }

    /// How long to sleep from `now` until the next poll is due.
    pub fn sleep(&self, now: DateTime<Utc>) -> Duration {
        self.schedule.sleep(now)
    }

    /// Books a poll that ended, and starts reading its pages if it stored
    /// entries that wait for them.
    pub fn finish(&mut self, done: Finished) {
        let i = finished_feed(&done, &mut self.task_feed);
        let report = done.map(|(_, r)| r);
        if finish_poll(
            &self.ctx,
            i,
            report,
            &mut self.schedule,
            &self.wake_sender,
            &self.trouble,
        ) {
            self.pages.start(&self.ctx, i, &self.wake_sender);
        }
    }

    /// Tells systemd the daemon is alive, with its status line, only while
    /// the database answers: a daemon whose database hangs is one for
    /// systemd's watchdog to restart.
    pub async fn heartbeat(&self, notifier: &Notifier) {
        match health(&self.ctx, &self.trouble).await {
            Ok(status) => notifier.alive(&status),
            Err(e @ StoreError::Replaced(_)) => tracing::error!("{e}"),
            Err(e) => tracing::error!("the database does not answer: {e}"),
        }
    }

    /// The status line for systemd's READY=1; empty when the database
    /// does not answer.
    pub async fn status(&self) -> String {
        health(&self.ctx, &self.trouble).await.unwrap_or_default()
    }

    /// Lets the polls and page reads in flight finish, and books them.
    pub async fn drain(&mut self) {
        tracing::info!(
            in_flight = self.in_flight.len(),
            "shutting down: finishing polls in flight"
        );
        self.pages.stop().await;
        while let Some(done) = self.in_flight.join_next_with_id().await {
            let i = finished_feed(&done, &mut self.task_feed);
            finish_poll(
                &self.ctx,
                i,
                done.map(|(_, r)| r),
                &mut self.schedule,
                &self.wake_sender,
                &self.trouble,
            );
        }
    }
}

/// A poll the database could not store (disk full, read-only) is tried
/// again this soon, then twice as late each time up to the feed's
/// interval, so the daemon recovers by itself once it can write.
const STORE_RETRY: Duration = Duration::from_secs(10);

/// Feeds whose last polls the database could not store: how many in a
/// row, and the last error. A feed leaves it once a poll of it is stored.
type Trouble = std::sync::Mutex<std::collections::BTreeMap<String, (u32, String)>>;

/// How often the status line is refreshed without a watchdog asking.
pub(super) const HEARTBEAT: Duration = Duration::from_secs(60);

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

pub(super) type Finished =
    Result<(tokio::task::Id, Result<FeedReport, StoreError>), tokio::task::JoinError>;

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

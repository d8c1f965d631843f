//! The daemon: polls each feed when it is due, within the concurrency
//! limit, closes digests on their schedules, and drains the outbox after
//! every poll and once a minute, until told to shut down.
//!
//! Shutdown is injected as a future, so tests drive it like a signal does.
//! On shutdown no new poll starts; polls in flight finish (each within the
//! fetch deadline), one last delivery pass runs, and `run` returns.

mod http;
mod lifecycle;
mod metrics;
mod notify;
mod open;
mod pages;
mod schedule;
mod scheduler;
mod upkeep;

pub use lifecycle::{DaemonError, serve};
pub use notify::Notifier;
pub use open::{OpenError, database_path, open};

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::alert::Outbound;
use crate::pipeline::{
    Context, HandledUntil, Queue, check_surges_in, close_due_digests, deliver_pending,
    digest_plans, later,
};
use crate::store::StoreError;
use metrics::PollStats;
use scheduler::{HEARTBEAT, Scheduler};
use upkeep::upkeep_loop;

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
    let stats = Arc::new(PollStats::default());
    let mut scheduler = Scheduler::new(ctx.clone(), next_poll, Arc::clone(&stats));
    let workers = Workers::start(&ctx, mailer, &scheduler.wake_sender, stats).await;
    // The config is loaded and the database answered: systemd may go on.
    notifier.ready(&scheduler.status().await);
    let mut heartbeat = tokio::time::interval(notifier.watchdog_interval().unwrap_or(HEARTBEAT));
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    scheduler.resume_leftovers().await?;
    tokio::pin!(shutdown);
    loop {
        let now = Utc::now();
        scheduler.start_due(now).await;
        let idle = scheduler.sleep(now);
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = scheduler.in_flight.join_next_with_id(),
                if !scheduler.in_flight.is_empty() => scheduler.finish(done),
            () = scheduler.pages.next(&ctx, &scheduler.wake_sender) => {}
            _ = heartbeat.tick() => scheduler.heartbeat(notifier).await,
            () = tokio::time::sleep(idle) => {}
        }
    }
    scheduler.drain().await;
    workers.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// The tasks beside the poll loop: the sender, the archive's upkeep, the
/// metrics server and the web interface.
struct Workers {
    stop: watch::Sender<bool>,
    sender: JoinHandle<()>,
    keeper: JoinHandle<()>,
    metrics: Option<JoinHandle<()>>,
    web: Option<JoinHandle<()>>,
}

impl Workers {
    async fn start(
        ctx: &Context,
        mailer: Outbound,
        wake_sender: &Arc<Notify>,
        stats: Arc<PollStats>,
    ) -> Workers {
        let (stop, stop_rx) = watch::channel(false);
        let sender = tokio::spawn(delivery_loop(
            ctx.clone(),
            mailer,
            Arc::clone(wake_sender),
            stop_rx.clone(),
        ));
        let keeper = tokio::spawn(upkeep_loop(ctx.clone(), stop_rx));
        let metrics = match ctx.config.metrics {
            Some(addr) => {
                let served =
                    metrics::serve(addr, Arc::clone(&ctx.config), ctx.store.clone(), stats);
                served
                    .await
                    .inspect_err(|e| tracing::error!("no metrics: cannot listen on {addr}: {e}"))
                    .ok()
            }
            None => None,
        };
        let web = match &ctx.config.web {
            // The daemon goes on without its pages: polls and mail matter more.
            Some(web) => crate::web::serve(Arc::clone(&ctx.config), web, ctx.store.database_path())
                .await
                .inspect_err(|e| tracing::error!("no web interface: {e}"))
                .ok(),
            None => None,
        };
        Workers {
            stop,
            sender,
            keeper,
            metrics,
            web,
        }
    }

    /// Makes the sender's last pass and waits for every task to end.
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.sender.await;
        let _ = self.keeper.await;
        // Awaited, so the ports are free again for the next generation.
        for server in [self.metrics, self.web].into_iter().flatten() {
            server.abort();
            let _ = server.await;
        }
    }
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
        if let Err(e) = check_surges_in(&ctx.store, Arc::clone(&ctx.config), now).await {
            tracing::error!("cannot check the rules for surges: {e}");
        }
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

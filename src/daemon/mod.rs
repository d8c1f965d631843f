//! The daemon: polls each feed when it is due, within the concurrency
//! limit, and drains the outbox after every poll and once a minute, until
//! told to shut down.
//!
//! Shutdown is injected as a future, so tests drive it like a signal does.
//! On shutdown no new poll starts; polls in flight finish (each within the
//! fetch deadline), one last delivery pass runs, and `run` returns.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::alert::Mailer;
use crate::pipeline::{Context, FeedReport, deliver_pending, refresh_feed};
use crate::store::StoreError;

/// The longest the scheduler sleeps before looking at the clock again.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// How often pending deliveries are retried when nothing else wakes the sender.
const DELIVERY_RETRY: Duration = Duration::from_secs(60);

/// Runs until `shutdown` completes. Errors only when the database fails.
pub async fn run(
    ctx: Context,
    mailer: Mailer,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StoreError> {
    let mut next_poll = load_schedule(&ctx).await?;
    let wake_sender = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let sender = tokio::spawn(delivery_loop(
        ctx.clone(),
        mailer,
        Arc::clone(&wake_sender),
        stop_rx,
    ));

    let mut in_flight: JoinSet<(usize, Result<FeedReport, StoreError>)> = JoinSet::new();
    let mut polling = vec![false; ctx.config.feeds.len()];
    tokio::pin!(shutdown);
    let mut result = Ok(());
    loop {
        let now = Utc::now();
        for (i, feed) in ctx.config.feeds.iter().enumerate() {
            if in_flight.len() >= ctx.config.daemon.concurrency {
                break;
            }
            if !polling[i] && next_poll[i] <= now {
                polling[i] = true;
                let (ctx, feed) = (ctx.clone(), feed.clone());
                in_flight.spawn(async move { (i, refresh_feed(&ctx, &feed).await) });
            }
        }
        let wake = next_wake(&next_poll, &polling, now);
        tokio::select! {
            () = &mut shutdown => break,
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Err(e) = finish_poll(&ctx, done, &mut polling, &mut next_poll, &wake_sender) {
                    result = Err(e);
                    break;
                }
            }
            () = tokio::time::sleep(wake) => {}
        }
    }

    tracing::info!(
        in_flight = in_flight.len(),
        "shutting down: finishing polls in flight"
    );
    while let Some(done) = in_flight.join_next().await {
        // Errors here were already logged; the poll's outcome is stored.
        let _ = finish_poll(&ctx, done, &mut polling, &mut next_poll, &wake_sender);
    }
    let _ = stop_tx.send(true);
    let _ = sender.await;
    tracing::info!("stopped");
    result
}

/// Each configured feed's next poll time, from the store (new feeds: now).
async fn load_schedule(ctx: &Context) -> Result<Vec<DateTime<Utc>>, StoreError> {
    let known: HashMap<String, Option<DateTime<Utc>>> = ctx
        .store
        .call(|s| s.next_polls())
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    Ok(ctx
        .config
        .feeds
        .iter()
        .map(|f| known.get(&f.name).copied().flatten().unwrap_or(now))
        .collect())
}

fn finish_poll(
    ctx: &Context,
    done: Result<(usize, Result<FeedReport, StoreError>), tokio::task::JoinError>,
    polling: &mut [bool],
    next_poll: &mut [DateTime<Utc>],
    wake_sender: &Notify,
) -> Result<(), StoreError> {
    let (i, report) = done.map_err(|e| StoreError::Corrupt(format!("a poll task failed: {e}")))?;
    polling[i] = false;
    next_poll[i] = Utc::now() + ctx.config.feeds[i].interval;
    match report {
        Ok(_) => {
            wake_sender.notify_one();
            Ok(())
        }
        Err(e) => {
            tracing::error!(feed = %ctx.config.feeds[i].name, "database error: {e}");
            Err(e)
        }
    }
}

/// Time until the next feed not already being polled is due.
fn next_wake(next_poll: &[DateTime<Utc>], polling: &[bool], now: DateTime<Utc>) -> Duration {
    next_poll
        .iter()
        .zip(polling)
        .filter(|(_, busy)| !**busy)
        .map(|(t, _)| (*t - now).to_std().unwrap_or(Duration::ZERO))
        .min()
        .unwrap_or(MAX_SLEEP)
        .clamp(Duration::from_millis(10), MAX_SLEEP)
}

/// Sends pending alerts whenever woken or once a minute; after `stop`,
/// makes one last pass and returns.
async fn delivery_loop(
    ctx: Context,
    mailer: Mailer,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let stopping = tokio::select! {
            () = wake.notified() => false,
            () = tokio::time::sleep(DELIVERY_RETRY) => false,
            _ = stop.changed() => true,
        };
        match deliver_pending(&ctx.store, &mailer).await {
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
    }
}

//! Keeping the archive in shape while the daemon runs: new entries added to
//! the search index, old entries' text pruned, the file tidied.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use crate::pipeline::{Context, earlier, index_archive};
use crate::store::PRUNE_BATCH;

/// How often new entries are added to the search index.
const INDEX_EVERY: Duration = Duration::from_secs(30);

/// How often old entries' text is pruned and the file tidied.
const PRUNE_EVERY: Duration = Duration::from_secs(6 * 3600);

/// Keeps the archive searchable and its size bounded: indexes new and
/// changed entries every [`INDEX_EVERY`], prunes text older than
/// `keep_days` at start and every [`PRUNE_EVERY`], until `stop`.
pub(super) async fn upkeep_loop(ctx: Context, mut stop: watch::Receiver<bool>) {
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
    // Sketches older than the story window can no longer be copied from.
    let sketches_cutoff = earlier(now, ctx.config.daemon.story_window);
    if let Err(e) = ctx
        .store
        .call(move |s| s.forget_sketches(sketches_cutoff))
        .await
    {
        tracing::error!("cannot forget old story sketches: {e}");
    }
    if let Err(e) = ctx.store.call(|s| s.tidy()).await {
        tracing::error!("cannot tidy the database: {e}");
    }
    true
}

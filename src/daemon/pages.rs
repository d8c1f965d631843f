//! Article pages in the daemon: each feed's entries that wait for their
//! page are worked through in a task of their own, apart from the feed's
//! poll, so a site that paces its pages holds neither the feed's place in
//! the schedule nor other feeds; the sender is woken as each mail is queued.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::pipeline::{Context, process_pending};

/// The page tasks running, at most one per feed.
#[derive(Default)]
pub struct PageWork {
    tasks: JoinSet<usize>,
    /// Per running feed: whether more entries arrived since its task began.
    running: HashMap<usize, bool>,
}

impl PageWork {
    /// Works through feed `i`'s waiting entries; if a task for it runs
    /// already, another follows it for the entries stored since.
    pub fn start(&mut self, ctx: &Context, i: usize, wake: &Arc<Notify>) {
        if let Some(again) = self.running.get_mut(&i) {
            *again = true;
            return;
        }
        self.running.insert(i, false);
        let (ctx, wake) = (ctx.clone(), Arc::clone(wake));
        self.tasks.spawn(async move {
            let feed = &ctx.config.feeds[i];
            match process_pending(&ctx, feed, Some(&wake)).await {
                Ok(stored) if stored.matches > 0 => tracing::info!(
                    feed = %feed.name,
                    matches = stored.matches,
                    deliveries = stored.deliveries,
                    "article pages matched"
                ),
                Ok(_) => {}
                Err(e) => {
                    // Left unprocessed: tried again at the next start or
                    // when the feed brings new entries.
                    tracing::error!(feed = %feed.name, "cannot process article pages: {e}");
                }
            }
            i
        });
    }

    /// Waits for the next task to end and starts the follow-up it needs.
    /// Pending forever while none runs (for use in `select!`).
    pub async fn next(&mut self, ctx: &Context, wake: &Arc<Notify>) {
        let Some(done) = self.tasks.join_next().await else {
            return std::future::pending().await;
        };
        let Ok(i) = done else {
            return; // A panicked task: its feed's entries wait for the next start.
        };
        if self.running.remove(&i) == Some(true) {
            self.start(ctx, i, wake);
        }
    }

    /// Stops every task: what they were doing is committed per entry, and
    /// the rest is picked up at the next start.
    pub async fn stop(&mut self) {
        self.tasks.shutdown().await;
        self.running.clear();
    }
}

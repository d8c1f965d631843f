//! The pipeline for one feed, top to bottom: fetch → parse → keep what is
//! new → match → commit entries, matches and outbox together; and the drain
//! of the outbox to the mailer.
//!
//! No scheduling and no signals: the daemon and the CLI decide when.

mod deliver;
mod matching;
mod refresh;
mod schedule;

pub use deliver::{DeliveryReport, deliver_pending};
pub use refresh::{FeedOutcome, FeedReport, Trigger, earlier, later, refresh_feed};

use std::sync::Arc;

use crate::config::Config;
use crate::fetch::{Fetcher, HostLimits, Limits};
use crate::store::StoreHandle;

/// What a poll needs: the config, the store and the HTTP client.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    pub store: StoreHandle,
    pub fetcher: Fetcher,
}

impl Context {
    /// A context whose HTTP client follows the config's limits.
    pub fn new(
        config: Arc<Config>,
        store: StoreHandle,
    ) -> Result<Context, crate::fetch::FetchError> {
        let daemon = &config.daemon;
        let fetcher = Fetcher::new(
            Limits {
                total: daemon.fetch_timeout,
                connect: daemon.connect_timeout,
                max_bytes: daemon.feed_max_bytes,
            },
            HostLimits::new(daemon.per_host_connections, daemon.per_host_delay),
        )?;
        Ok(Context {
            config,
            store,
            fetcher,
        })
    }
}

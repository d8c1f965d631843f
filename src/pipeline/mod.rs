//! The pipeline for one feed, top to bottom: fetch → parse → keep what is
//! new → match → commit entries, matches and outbox together; and the drain
//! of the outbox to the mailer.
//!
//! No scheduling and no signals: the daemon and the CLI decide when.

mod deliver;
mod digests;
mod index;
mod matching;
mod pages;
mod policy;
mod refresh;
mod schedule;
mod surges;

pub use deliver::{DeliveryReport, Queue, deliver_pending};
pub use digests::{DigestPlan, HandledUntil, close_digest_now, close_due_digests, digest_plans};
pub use index::{index_archive, index_archive_now};
pub use matching::snippet_for;
pub use pages::process_pending;
pub use policy::plan_deliveries;
pub use refresh::{FeedOutcome, FeedReport, Trigger, earlier, later, poll_feed, refresh_feed};
pub use schedule::MAX_BACKOFF;
pub use surges::{check_surges, check_surges_in};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use reqwest::header::HeaderMap;

use crate::config::{Config, DaemonConfig, FeedConfig};
use crate::fetch::{FetchError, Fetcher, HeaderError, HostLimits, Limits};
use crate::store::{StoreError, StoreHandle, StoryRules};

/// Why a [`Context`] could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// A feed's configured header cannot be sent (a token file missing).
    #[error(transparent)]
    Headers(#[from] HeaderError),
    /// The HTTP client cannot be built (TLS settings).
    #[error(transparent)]
    Client(#[from] FetchError),
}

/// What a poll needs: the config, the store and the HTTP client.
#[derive(Clone)]
pub struct Context {
    pub config: Arc<Config>,
    pub store: StoreHandle,
    pub fetcher: Fetcher,
    /// Each feed's extra request headers, by feed name.
    headers: Arc<HashMap<String, HeaderMap>>,
    /// Feeds whose entries a crash left unprocessed, read from the store
    /// on first use; each is taken once to be processed.
    leftovers: Arc<tokio::sync::OnceCell<std::sync::Mutex<HashSet<String>>>>,
    /// One permit per core for page extraction, which is CPU-bound.
    pub extractions: Arc<tokio::sync::Semaphore>,
    /// Article pages fetched at once, over every feed: `concurrency`.
    pub page_slots: Arc<tokio::sync::Semaphore>,
}

impl Context {
    /// A context whose HTTP client follows the config's limits; each feed's
    /// extra headers are read now (a token file missing is said at start).
    pub fn new(config: Arc<Config>, store: StoreHandle) -> Result<Context, ContextError> {
        let headers = config
            .feeds
            .iter()
            .map(|f| Ok((f.name.clone(), feed_headers(f)?)))
            .collect::<Result<HashMap<_, _>, HeaderError>>()?;
        let daemon = &config.daemon;
        let page_slots = daemon.concurrency;
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
            headers: Arc::new(headers),
            leftovers: Arc::default(),
            extractions: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
            )),
            page_slots: Arc::new(tokio::sync::Semaphore::new(page_slots)),
        })
    }

    /// True, once, when entries of `feed` were left unprocessed before this
    /// process started (checked with one query for every feed).
    pub async fn take_leftovers(&self, feed: &str) -> Result<bool, StoreError> {
        let leftovers = self
            .leftovers
            .get_or_try_init(|| async {
                let feeds = self.store.call(|s| s.feeds_with_unprocessed()).await?;
                Ok::<_, StoreError>(std::sync::Mutex::new(feeds.into_iter().collect()))
            })
            .await?;
        Ok(leftovers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(feed))
    }

    /// Marks `feed` as holding unprocessed entries again (processing failed).
    pub fn keep_leftovers(&self, feed: &str) {
        if let Some(leftovers) = self.leftovers.get() {
            let mut leftovers = leftovers.lock().unwrap_or_else(|p| p.into_inner());
            leftovers.insert(feed.to_string());
        }
    }

    /// The extra request headers of the feed named `feed`.
    pub fn headers_of(&self, feed: &str) -> &HeaderMap {
        static NONE: std::sync::OnceLock<HeaderMap> = std::sync::OnceLock::new();
        self.headers
            .get(feed)
            .unwrap_or_else(|| NONE.get_or_init(HeaderMap::new))
    }
}

/// How copies of a story are recognised, as `[daemon]` says.
pub fn story_rules(daemon: &DaemonConfig) -> StoryRules {
    StoryRules {
        window: daemon.story_window,
        similarity: daemon.story_similarity,
    }
}

/// A feed's configured headers, secrets read, as an HTTP header map.
fn feed_headers(feed: &FeedConfig) -> Result<HeaderMap, HeaderError> {
    crate::fetch::header_map(&format!("feed \"{}\"", feed.name), &feed.headers)
}

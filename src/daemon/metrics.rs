//! `[metrics] listen`: Prometheus text at `/metrics` and a health check at
//! `/healthz`, served by [`super::http`] (bounded in connections, size and
//! time) so nothing else listens in the daemon.
//!
//! Poll results and durations are counted here as polls finish; everything
//! else is read from the database at each scrape.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet, prometheus_text};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

use super::http::{self, Limits};
use crate::config::Config;
use crate::store::{StoreError, StoreHandle, StoreMetrics};

/// Upper bounds of the poll duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// Scrapers served at once; more wait until one is done. A Prometheus or
/// two and a health check need far fewer.
const MAX_CONNECTIONS: usize = 16;

/// A client has this long to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection ends after this long, answered or not.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(30);

/// `/healthz` fails when the scheduler loop has not come round for this long.
const STALE_AFTER: Duration = Duration::from_secs(180);

/// What the daemon counts as it runs.
#[derive(Default)]
pub struct PollStats {
    inner: Mutex<Counts>,
}

#[derive(Default, Clone, Debug)]
struct Counts {
    /// Polls by result class: `ok`, `not_modified`, `disabled`, or a failure class.
    polls: BTreeMap<&'static str, u64>,
    /// Polls per histogram bucket (not cumulative), the last for +Inf.
    buckets: [u64; BUCKETS.len() + 1],
    seconds: f64,
    /// When the scheduler loop last came round.
    alive_at: Option<Instant>,
}
impl PollStats {
    /// Counts a finished poll.
    pub fn poll(&self, result: &'static str, took: Duration) {
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *c.polls.entry(result).or_default() += 1;
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|&b| secs <= b)
            .unwrap_or(BUCKETS.len());
        c.buckets[bucket] += 1;
        c.seconds += secs;
    }

    /// The scheduler loop came round.
    pub fn alive(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .alive_at = Some(Instant::now());
    }

    /// The counts as they are now.
    fn snapshot(&self) -> Counts {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn scheduler_running(&self) -> bool {
        let c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        c.alive_at.is_some_and(|at| at.elapsed() < STALE_AFTER)
    }
}

/// Serves `/metrics` and `/healthz` on `addr` until the task is aborted.
pub async fn serve(
    addr: SocketAddr,
    config: Arc<Config>,
    store: StoreHandle,
    stats: Arc<PollStats>,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(%addr, "metrics at /metrics, health at /healthz");
    let limits = Limits {
        connections: MAX_CONNECTIONS,
        head_timeout: REQUEST_TIMEOUT,
        exchange_timeout: EXCHANGE_TIMEOUT,
    };
    Ok(http::serve(listener, limits, move |request| {
        let (config, store, stats) = (Arc::clone(&config), store.clone(), Arc::clone(&stats));
        async move { answer(&request, &config, &store, &stats).await }
    }))
}

async fn answer(
    request: &Request<Incoming>,
    config: &Config,
    store: &StoreHandle,
    stats: &PollStats,
) -> Response<String> {
    if request.method() != Method::GET {
        let mut refused = text(StatusCode::METHOD_NOT_ALLOWED, "only GET is answered\n");
        refused
            .headers_mut()
            .insert(ALLOW, "GET".parse().expect("a header value"));
        return refused;
    }
    match request.uri().path() {
        "/metrics" => {
            // Counted before the database is read: a poll is stored before
            // it is counted, so every poll counted here is in what is read.
            let counts = stats.snapshot();
            match store.call(|s| s.metrics()).await {
                Ok(metrics) => {
                    let mut answer = text(StatusCode::OK, render(config, &metrics, &counts));
                    answer.headers_mut().insert(
                        CONTENT_TYPE,
                        prometheus_text::CONTENT_TYPE
                            .parse()
                            .expect("a header value"),
                    );
                    answer
                }
                Err(e) => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the database does not answer: {e}\n"),
                ),
            }
        }
        "/healthz" => {
            let database = store
                .call(|s| {
                    s.check_file()?;
                    s.pragma_text("schema_version")
                })
                .await;
            match (stats.scheduler_running(), database) {
                (true, Ok(_)) => text(StatusCode::OK, "ok\n"),
                (false, _) => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the scheduler has stopped\n",
                ),
                (true, Err(e @ StoreError::Replaced(_))) => {
                    text(StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n"))
                }
                (true, Err(e)) => text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the database does not answer: {e}\n"),
                ),
            }
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response<String> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        "text/plain; charset=utf-8".parse().expect("a header value"),
    );
    response
}

/// A family's label: one name, one value.
type Label = [(&'static str, String); 1];

/// The Prometheus text exposition of everything newshound reports.
fn render(config: &Config, db: &StoreMetrics, counts: &Counts) -> String {
    let mut registry = Registry::default();
    let polls = Family::<Label, Counter>::default();
    for (result, n) in &counts.polls {
        polls
            .get_or_create(&[("result", result.to_string())])
            .inc_by(*n);
    }
    registry.register(
        "newshound_polls",
        "Feed polls since start, by result class",
        polls,
    );
    registry.register(
        "newshound_poll_duration_seconds",
        "How long feed polls took since start",
        Durations(counts.clone()),
    );
    registry.register(
        "newshound_entries",
        "Entries stored",
        ConstGauge::new(db.entries),
    );
    let matches = Family::<Label, Counter>::default();
    for (rule, n) in &db.matches_by_rule {
        matches
            .get_or_create(&[("rule", rule.clone())])
            .inc_by(u64::try_from(*n).unwrap_or(0));
    }
    registry.register("newshound_matches", "Matches stored, by rule", matches);
    let deliveries = Family::<Label, Gauge>::default();
    for state in ["pending", "sent", "dead"] {
        let n = db
            .deliveries_by_state
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n);
        deliveries
            .get_or_create(&[("state", state.to_string())])
            .set(n);
    }
    registry.register(
        "newshound_deliveries",
        "Deliveries in the outbox, by state",
        deliveries,
    );
    let age = db
        .oldest_pending
        .map_or(0, |t| (Utc::now() - t).num_seconds().max(0));
    registry.register(
        "newshound_oldest_pending_delivery_age_seconds",
        "Age of the oldest pending delivery (0 when none waits)",
        ConstGauge::new(age),
    );
    registry.register(
        "newshound_digest_items_waiting",
        "Matches waiting for a digest",
        ConstGauge::new(db.digest_items_waiting),
    );
    let feeds = Family::<Label, Gauge>::default();
    for (state, n) in feed_states(config, db) {
        feeds
            .get_or_create(&[("state", state.to_string())])
            .set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    registry.register("newshound_feeds", "Configured feeds, by state", feeds);
    let mut out = String::new();
    prometheus_text::encode(&mut out, &registry).expect("a String takes any text");
    out
}

/// The poll duration histogram as counted, for the encoder.
#[derive(Debug)]
struct Durations(Counts);

impl EncodeMetric for Durations {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let c = &self.0;
        let buckets: Vec<(f64, u64)> = BUCKETS.iter().copied().zip(c.buckets).collect();
        let count = c.buckets.iter().sum();
        encoder.encode_histogram::<NoLabelSet>(c.seconds, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

/// Configured feeds per state: paused, disabled (410), failing, ok.
fn feed_states(config: &Config, db: &StoreMetrics) -> [(&'static str, usize); 4] {
    let mut counts = [("ok", 0), ("failing", 0), ("disabled", 0), ("paused", 0)];
    for feed in &config.feeds {
        let state = match () {
            _ if !feed.enabled => 3,
            _ if db.disabled_feeds.contains(&feed.name) => 2,
            _ if db.failing_feeds.contains(&feed.name) => 1,
            _ => 0,
        };
        counts[state].1 += 1;
    }
    counts
}

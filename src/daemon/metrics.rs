//! `[metrics] listen`: Prometheus text at `/metrics` and a health check at
//! `/healthz`, over a minimal HTTP/1.1 server (one request per connection,
//! bounded in size and time) so nothing else listens in the daemon.
//!
//! Poll results and durations are counted here as polls finish; everything
//! else is read from the database at each scrape.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::config::Config;
use crate::store::{StoreError, StoreHandle, StoreMetrics};

/// Upper bounds of the poll duration histogram, in seconds.
const BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// A request's head may be this long at most.
const MAX_REQUEST: usize = 8192;

/// A client has this long to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// `/healthz` fails when the scheduler loop has not come round for this long.
const STALE_AFTER: Duration = Duration::from_secs(180);

/// What the daemon counts as it runs.
#[derive(Default)]
pub struct PollStats {
    inner: Mutex<Counts>,
}

#[derive(Default)]
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
    Ok(tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!("metrics: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let (config, store, stats) = (Arc::clone(&config), store.clone(), Arc::clone(&stats));
            tokio::spawn(async move {
                let _ = answer(stream, &config, &store, &stats).await;
            });
        }
    }))
}

async fn answer(
    mut stream: TcpStream,
    config: &Config,
    store: &StoreHandle,
    stats: &PollStats,
) -> std::io::Result<()> {
    let Ok(Some(path)) = tokio::time::timeout(REQUEST_TIMEOUT, request_path(&mut stream)).await?
    else {
        return respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            "bad request\n",
        )
        .await;
    };
    match path.as_str() {
        "/metrics" => match store.call(|s| s.metrics()).await {
            Ok(metrics) => {
                let body = render(config, &metrics, stats);
                respond(&mut stream, "200 OK", "text/plain; version=0.0.4", &body).await
            }
            Err(e) => {
                let body = format!("the database does not answer: {e}\n");
                respond(&mut stream, "503 Service Unavailable", "text/plain", &body).await
            }
        },
        "/healthz" => {
            let database = store
                .call(|s| {
                    s.check_file()?;
                    s.pragma_text("schema_version")
                })
                .await;
            match (stats.scheduler_running(), database) {
                (true, Ok(_)) => respond(&mut stream, "200 OK", "text/plain", "ok\n").await,
                (false, _) => {
                    let body = "the scheduler has stopped\n";
                    respond(&mut stream, "503 Service Unavailable", "text/plain", body).await
                }
                (true, Err(e @ StoreError::Replaced(_))) => {
                    let body = format!("{e}\n");
                    respond(&mut stream, "503 Service Unavailable", "text/plain", &body).await
                }
                (true, Err(e)) => {
                    let body = format!("the database does not answer: {e}\n");
                    respond(&mut stream, "503 Service Unavailable", "text/plain", &body).await
                }
            }
        }
        _ => respond(&mut stream, "404 Not Found", "text/plain", "not found\n").await,
    }
}

/// The path of a GET request; None for anything else or a head too long.
async fn request_path(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > MAX_REQUEST {
            return Ok(None);
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let mut parts = line.split_ascii_whitespace();
    Ok(match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.split('?').next().unwrap_or("").to_string()),
        _ => None,
    })
}

async fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &str,
) -> std::io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// The Prometheus text exposition of everything newshound reports.
pub fn render(config: &Config, db: &StoreMetrics, stats: &PollStats) -> String {
    let mut out = String::new();
    let counts = stats.inner.lock().unwrap_or_else(|p| p.into_inner());
    family(
        &mut out,
        "newshound_polls_total",
        "counter",
        "Feed polls since start, by result class.",
    );
    for (result, n) in &counts.polls {
        let _ = writeln!(
            out,
            "newshound_polls_total{{result=\"{}\"}} {n}",
            label(result)
        );
    }
    family(
        &mut out,
        "newshound_poll_duration_seconds",
        "histogram",
        "How long feed polls took since start.",
    );
    let mut cumulative = 0;
    for (i, bound) in BUCKETS.iter().enumerate() {
        cumulative += counts.buckets[i];
        let _ = writeln!(
            out,
            "newshound_poll_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
        );
    }
    cumulative += counts.buckets[BUCKETS.len()];
    let _ = writeln!(
        out,
        "newshound_poll_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}"
    );
    let _ = writeln!(
        out,
        "newshound_poll_duration_seconds_sum {}",
        counts.seconds
    );
    let _ = writeln!(out, "newshound_poll_duration_seconds_count {cumulative}");
    drop(counts);

    family(&mut out, "newshound_entries", "gauge", "Entries stored.");
    let _ = writeln!(out, "newshound_entries {}", db.entries);
    family(
        &mut out,
        "newshound_matches_total",
        "counter",
        "Matches stored, by rule.",
    );
    for (rule, n) in &db.matches_by_rule {
        let _ = writeln!(
            out,
            "newshound_matches_total{{rule=\"{}\"}} {n}",
            label(rule)
        );
    }
    family(
        &mut out,
        "newshound_deliveries",
        "gauge",
        "Deliveries in the outbox, by state.",
    );
    for state in ["pending", "sent", "dead"] {
        let n = db
            .deliveries_by_state
            .iter()
            .find(|(s, _)| s == state)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "newshound_deliveries{{state=\"{state}\"}} {n}");
    }
    family(
        &mut out,
        "newshound_oldest_pending_delivery_age_seconds",
        "gauge",
        "Age of the oldest pending delivery (0 when none waits).",
    );
    let age = db
        .oldest_pending
        .map_or(0, |t| (Utc::now() - t).num_seconds().max(0));
    let _ = writeln!(out, "newshound_oldest_pending_delivery_age_seconds {age}");
    family(
        &mut out,
        "newshound_digest_items_waiting",
        "gauge",
        "Matches waiting for a digest.",
    );
    let _ = writeln!(
        out,
        "newshound_digest_items_waiting {}",
        db.digest_items_waiting
    );
    family(
        &mut out,
        "newshound_feeds",
        "gauge",
        "Configured feeds, by state.",
    );
    for (state, n) in feed_states(config, db) {
        let _ = writeln!(out, "newshound_feeds{{state=\"{state}\"}} {n}");
    }
    out
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

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value escaped as the text format wants.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

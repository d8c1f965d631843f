//! `/feeds` and `/outbox`: which feeds fail or went quiet, and which mails
//! have not gone out and why.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;

use super::chart::sparkline;
use super::view::{ago, safe_link, when};
use super::{Web, render, unavailable};

/// Days a feed's sparkline covers.
const SPARK_DAYS: usize = 14;

/// Undelivered mails listed.
const OUTBOX_ROWS: usize = 200;

#[derive(Template)]
#[template(path = "web/feeds.html")]
struct FeedsPage {
    nav: &'static str,
    feeds: Vec<FeedView>,
}

struct FeedView {
    name: String,
    url: Option<String>,
    url_text: String,
    state: String,
    state_class: &'static str,
    error: Option<String>,
    last_success: String,
    next_poll: String,
    per_day: String,
    spark: String,
}

#[derive(Template)]
#[template(path = "web/outbox.html")]
struct OutboxPage {
    nav: &'static str,
    rows: Vec<UnsentView>,
}

struct UnsentView {
    state: &'static str,
    kind: &'static str,
    about: String,
    to: String,
    queued: String,
    attempts: i64,
    error: String,
    next: String,
}

pub async fn feeds(State(web): State<Web>) -> Response {
    let now = Utc::now();
    let read = web
        .readers
        .read(move |s| Ok((s.feed_health()?, s.daily_items(SPARK_DAYS, now)?)))
        .await;
    let (health, mut counts) = match read {
        Ok(read) => read,
        Err(e) => return unavailable(e),
    };
    let mut feeds: Vec<FeedView> = Vec::new();
    for feed in &health {
        let daily = counts
            .remove(&feed.name)
            .unwrap_or_else(|| vec![0; SPARK_DAYS]);
        let (state, state_class) = match (&feed.disabled, feed.error_count) {
            (Some(reason), _) => (format!("disabled: {reason}"), "disabled"),
            (None, 0) => ("ok".to_string(), "ok"),
            (None, n) => (format!("failing ({n} in a row)"), "failing"),
        };
        feeds.push(FeedView {
            name: feed.name.clone(),
            url: safe_link(Some(&feed.url)),
            url_text: feed.url.clone(),
            state,
            state_class,
            error: feed
                .last_error
                .as_ref()
                .map(|(class, message)| {
                    let at = feed.last_error_at.map(|t| format!(" ({})", ago(t, now)));
                    format!("{class}: {message}{}", at.unwrap_or_default())
                })
                .or_else(|| feed.last_warning.clone()),
            last_success: feed.last_success_at.map_or("never".into(), |t| ago(t, now)),
            next_poll: feed.next_poll_at.map_or("—".into(), |t| ago(t, now)),
            per_day: format!(
                "{:.1}",
                daily.iter().rev().take(7).sum::<u64>() as f64 / 7.0
            ),
            spark: sparkline(
                &daily,
                &format!("{}: new items per day, {SPARK_DAYS} days", feed.name),
            ),
        });
    }
    // Feeds in the config that were never polled are news too.
    for configured in &web.config.feeds {
        if !health.iter().any(|f| f.name == configured.name) {
            feeds.push(FeedView {
                name: configured.name.clone(),
                url: safe_link(Some(configured.url.as_str())),
                url_text: configured.url.to_string(),
                state: "not polled yet".into(),
                state_class: "waiting",
                error: None,
                last_success: "never".into(),
                next_poll: "—".into(),
                per_day: "0.0".into(),
                spark: sparkline(&[0; SPARK_DAYS], "no items yet"),
            });
        }
    }
    render(&FeedsPage {
        nav: "feeds",
        feeds,
    })
}

pub async fn outbox(State(web): State<Web>) -> Response {
    let now = Utc::now();
    let rows = match web.readers.read(|s| s.unsent_deliveries(OUTBOX_ROWS)).await {
        Ok(rows) => rows,
        Err(e) => return unavailable(e),
    };
    render(&OutboxPage {
        nav: "outbox",
        rows: rows
            .into_iter()
            .map(|d| UnsentView {
                state: d.state.as_str(),
                kind: d.kind,
                about: d.about,
                to: match d.channel.as_str() {
                    "webhook" => format!("webhook {}", d.recipient),
                    _ => d.recipient,
                },
                queued: format!("{} ({})", when(d.created_at), ago(d.created_at, now)),
                attempts: d.attempts,
                error: d.last_error.unwrap_or_default(),
                next: match (d.state.as_str(), d.next_attempt_at) {
                    ("dead", _) => "never".into(),
                    (_, Some(t)) => ago(t, now),
                    (_, None) => "next pass".into(),
                },
            })
            .collect(),
    })
}

//! What `status` shows: each feed's health and counts, and the outbox.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, from_secs};

/// One feed as `status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSummary {
    pub name: String,
    /// The URL polled: where the feed moved, else the configured one.
    pub url: String,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Class name and message of the last failure, cleared on success.
    pub last_error: Option<(String, String)>,
    pub error_count: i64,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub last_warning: Option<String>,
    pub entries: i64,
    pub matches: i64,
    /// Its entries that are copies of a story another entry brought first.
    pub copies: i64,
    /// Set when the server said the feed is gone (410).
    pub disabled_at: Option<DateTime<Utc>>,
}

/// The outbox at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxSummary {
    pub pending: i64,
    pub dead: i64,
    pub oldest_pending: Option<DateTime<Utc>>,
}

impl Store {
    /// Every feed the store knows, with its counts.
    pub fn feed_summaries(&self) -> Result<Vec<FeedSummary>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT f.name, f.url, f.last_success_at, f.last_error_class, f.last_error_message,
                    f.error_count, f.next_poll_at, f.last_warning,
                    (SELECT COUNT(*) FROM entries e WHERE e.feed = f.name),
                    (SELECT COUNT(*) FROM matches m JOIN entries e ON e.id = m.entry_id
                     WHERE e.feed = f.name),
                    f.disabled_at, COALESCE(f.moved_to, f.url),
                    (SELECT COUNT(*) FROM entries e WHERE e.feed = f.name AND e.story_id != e.id)
             FROM feeds f ORDER BY f.name",
        )?;
        let rows = stmt.query_map([], |r| {
            let class: Option<String> = r.get(3)?;
            let message: Option<String> = r.get(4)?;
            Ok(FeedSummary {
                name: r.get(0)?,
                url: r.get(11)?,
                last_success_at: r.get::<_, Option<i64>>(2)?.map(from_secs),
                last_error: class.map(|c| (c, message.unwrap_or_default())),
                error_count: r.get(5)?,
                next_poll_at: r.get::<_, Option<i64>>(6)?.map(from_secs),
                last_warning: r.get(7)?,
                entries: r.get(8)?,
                matches: r.get(9)?,
                copies: r.get(12)?,
                disabled_at: r.get::<_, Option<i64>>(10)?.map(from_secs),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Feeds whose last poll failed (and that are not disabled).
    pub fn failing_feed_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            &format!("SELECT COUNT(*) FROM feeds WHERE {FAILING}"),
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Pending and dead deliveries, and when the oldest pending was queued.
    pub fn outbox_summary(&self) -> Result<OutboxSummary, StoreError> {
        let summary = self.conn.query_row(
            "SELECT COUNT(*) FILTER (WHERE state = 'pending'), COUNT(*) FILTER (WHERE state = 'dead'),
                    MIN(created_at) FILTER (WHERE state = 'pending')
             FROM deliveries",
            [],
            |r| {
                Ok(OutboxSummary {
                    pending: r.get(0)?,
                    dead: r.get(1)?,
                    oldest_pending: r.get::<_, Option<i64>>(2)?.map(from_secs),
                })
            },
        )?;
        Ok(summary)
    }
}

/// A feed whose last poll failed, unless a 410 disabled it.
const FAILING: &str = "error_count > 0 AND disabled_at IS NULL";

/// What `/metrics` reads from the database at each scrape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreMetrics {
    pub entries: i64,
    /// Matches stored per rule name.
    pub matches_by_rule: Vec<(String, i64)>,
    /// Deliveries per state (`pending`, `sent`, `dead`).
    pub deliveries_by_state: Vec<(String, i64)>,
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Feeds whose last poll failed, and feeds disabled (410 Gone).
    pub failing_feeds: Vec<String>,
    pub disabled_feeds: Vec<String>,
    /// Matches waiting for a digest.
    pub digest_items_waiting: i64,
}

impl Store {
    /// The counts `/metrics` reports.
    pub fn metrics(&self) -> Result<StoreMetrics, StoreError> {
        let pairs = |sql: &str| -> Result<Vec<(String, i64)>, StoreError> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let names = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let count = |sql: &str| -> Result<i64, StoreError> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        Ok(StoreMetrics {
            entries: count("SELECT COUNT(*) FROM entries")?,
            matches_by_rule: pairs(
                "SELECT rule, COUNT(*) FROM matches GROUP BY rule ORDER BY rule",
            )?,
            deliveries_by_state: pairs(
                "SELECT state, COUNT(*) FROM deliveries GROUP BY state ORDER BY state",
            )?,
            oldest_pending: self.outbox_summary()?.oldest_pending,
            failing_feeds: names(&format!("SELECT name FROM feeds WHERE {FAILING}"))?,
            disabled_feeds: names("SELECT name FROM feeds WHERE disabled_at IS NOT NULL")?,
            digest_items_waiting: count("SELECT COUNT(*) FROM digest_items WHERE run_id IS NULL")?,
        })
    }
}

//! Per-feed state: URL, cache validators, schedule and the last outcome.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, from_secs, to_secs};
use crate::model::{FailureClass, Validators};

/// What the store remembers about one feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedState {
    pub name: String,
    pub url: String,
    pub validators: Validators,
    /// None until the first successful poll.
    pub first_polled_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Class name and message of the last failure, cleared on success.
    pub last_error: Option<(String, String)>,
    pub error_count: i64,
    /// What was mended in the last successful poll.
    pub last_warning: Option<String>,
    /// None: due now.
    pub next_poll_at: Option<DateTime<Utc>>,
    /// Where the feed moved after a permanent redirect seen three times.
    pub moved_to: Option<String>,
    /// When and why the feed was disabled (410 Gone).
    pub disabled: Option<(DateTime<Utc>, String)>,
}

impl FeedState {
    /// The URL to poll: where the feed moved, else the configured one.
    pub fn poll_url(&self) -> &str {
        self.moved_to.as_deref().unwrap_or(&self.url)
    }
}

/// Permanent redirects in a row before the feed's URL follows them.
const REDIRECTS_TO_MOVE: i64 = 3;

/// A feed's name and when it is next due (None: due now).
pub type NextPoll = (String, Option<DateTime<Utc>>);

impl Store {
    /// The feed's state, registering it first if it is new. A changed URL
    /// in the config keeps the history but starts the feed afresh: old
    /// validators, a recorded move and a 410 belonged to the old URL.
    pub fn ensure_feed(&self, name: &str, url: &str) -> Result<FeedState, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO feeds (name, url) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET url = excluded.url, etag = NULL, last_modified = NULL,
                    moved_to = NULL, redirect_target = NULL, redirect_count = 0,
                    disabled_at = NULL, disabled_reason = NULL
             WHERE feeds.url <> excluded.url",
            )?
            .execute(params![name, url])?;
        self.feed_state(name)?
            .ok_or_else(|| StoreError::Corrupt(format!("feed {name} vanished")))
    }

    /// The feed's state, if the store knows it.
    pub fn feed_state(&self, name: &str) -> Result<Option<FeedState>, StoreError> {
        let state = self
            .conn
            .query_row(
                "SELECT name, url, etag, last_modified, first_polled_at, last_success_at,
                        last_error_class, last_error_message, error_count, next_poll_at,
                        last_warning, moved_to, disabled_at, disabled_reason
                 FROM feeds WHERE name = ?1",
                [name],
                |r| {
                    let class: Option<String> = r.get(6)?;
                    let message: Option<String> = r.get(7)?;
                    Ok(FeedState {
                        name: r.get(0)?,
                        url: r.get(1)?,
                        validators: Validators {
                            etag: r.get(2)?,
                            last_modified: r.get(3)?,
                        },
                        first_polled_at: r.get::<_, Option<i64>>(4)?.map(from_secs),
                        last_success_at: r.get::<_, Option<i64>>(5)?.map(from_secs),
                        last_error: class.map(|c| (c, message.unwrap_or_default())),
                        error_count: r.get(8)?,
                        next_poll_at: r.get::<_, Option<i64>>(9)?.map(from_secs),
                        last_warning: r.get(10)?,
                        moved_to: r.get(11)?,
                        disabled: r
                            .get::<_, Option<i64>>(12)?
                            .map(|at| -> rusqlite::Result<_> {
                                Ok((
                                    from_secs(at),
                                    r.get::<_, Option<String>>(13)?.unwrap_or_default(),
                                ))
                            })
                            .transpose()?,
                    })
                },
            )
            .optional()?;
        Ok(state)
    }

    /// Records a 304: the feed is healthy and nothing changed.
    pub fn record_not_modified(
        &self,
        name: &str,
        at: DateTime<Utc>,
        next_poll: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_polled_at = ?2, last_success_at = ?2, next_poll_at = ?3,
                    last_error_class = NULL, last_error_message = NULL, last_error_at = NULL,
                    error_count = 0, disabled_at = NULL, disabled_reason = NULL
             WHERE name = ?1",
            )?
            .execute(params![name, to_secs(at), to_secs(next_poll)])?;
        Ok(())
    }

    /// Records a failed poll; validators and seen entries stay as they were.
    pub fn record_failure(
        &self,
        name: &str,
        class: FailureClass,
        message: &str,
        at: DateTime<Utc>,
        next_poll: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET last_polled_at = ?2, next_poll_at = ?3, last_error_class = ?4,
                    last_error_message = ?5, last_error_at = ?2, error_count = error_count + 1
             WHERE name = ?1",
            )?
            .execute(params![
                name,
                to_secs(at),
                to_secs(next_poll),
                class.name(),
                message
            ])?;
        Ok(())
    }

    /// Notes where a successful fetch was permanently redirected (None: it
    /// was not). After the same target three times in a row the feed moves
    /// there; returns the new URL when it just moved.
    pub fn note_redirect(
        &self,
        name: &str,
        target: Option<&str>,
    ) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET
                    redirect_count = CASE WHEN ?2 IS NULL THEN 0
                                          WHEN redirect_target = ?2 THEN redirect_count + 1
                                          ELSE 1 END,
                    redirect_target = ?2
             WHERE name = ?1",
            )?
            .execute(params![name, target])?;
        let moved = self.conn.prepare_cached(
            "UPDATE feeds SET moved_to = redirect_target, redirect_target = NULL, redirect_count = 0
             WHERE name = ?1 AND redirect_count >= ?2",
        )?
        .execute(params![name, REDIRECTS_TO_MOVE])?;
        Ok((moved > 0).then(|| target.unwrap_or_default().to_string()))
    }

    /// Disables a feed whose server said it is gone for good.
    pub fn record_gone(
        &self,
        name: &str,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET disabled_at = ?2, disabled_reason = ?3, last_polled_at = ?2,
                    last_error_class = 'http', last_error_message = ?3, last_error_at = ?2,
                    error_count = error_count + 1, next_poll_at = NULL
             WHERE name = ?1",
            )?
            .execute(params![name, to_secs(at), message])?;
        Ok(())
    }

    /// Makes feed `name` due at `at` if it was due later.
    pub fn pull_back_next_poll(&self, name: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "UPDATE feeds SET next_poll_at = ?2 WHERE name = ?1 AND next_poll_at > ?2",
            )?
            .execute(params![name, to_secs(at)])?;
        Ok(())
    }

    /// When each known feed is next due (None: due now).
    pub fn next_polls(&self) -> Result<Vec<NextPoll>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT name, next_poll_at FROM feeds")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.map(from_secs),
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

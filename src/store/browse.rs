//! What the web pages list: the newest matched stories with where each was
//! mailed, each feed's health, and the deliveries that have not gone out.
//! Every query is bounded by a LIMIT over an index, so a page costs the
//! same with a million entries as with a thousand.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::rows::{STORY_SOURCES, parse_list};
use super::{Store, StoreError, from_secs, to_secs};
use crate::model::DigestKey;

/// Which matches the stories page lists.
#[derive(Debug, Clone, Default)]
pub struct MatchFilter {
    pub rule: Option<String>,
    pub feed: Option<String>,
    /// Matched at or after.
    pub since: Option<DateTime<Utc>>,
    /// Matched before: where the previous page ended.
    pub before: Option<DateTime<Utc>>,
}

/// One story the rules matched, as the stories page shows it.
#[derive(Debug, Clone)]
pub struct MatchedStory {
    /// The number of the story's first entry.
    pub story: i64,
    /// The entry shown: the newest match of the story on this page.
    pub entry: i64,
    pub feed: String,
    pub title: String,
    pub link: Option<String>,
    /// Published time, else when newshound first saw it.
    pub when: DateTime<Utc>,
    pub matched_at: DateTime<Utc>,
    /// The rules that matched it, and their terms that hit, as written.
    pub rules: Vec<String>,
    pub terms: Vec<String>,
    /// The snippet with hits between the highlight markers.
    pub snippet: String,
    /// Every feed that carried the story.
    pub sources: Vec<String>,
    /// Where the story went: mails, webhook calls, digests.
    pub mailed: Vec<Mailing>,
}

/// One way a story was (or is to be) sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailing {
    /// "immediate", "webhook", "digest" or "more matches".
    pub kind: &'static str,
    /// A mail address, a webhook's name or a digest's name.
    pub to: String,
    pub state: SendState,
    pub last_error: Option<String>,
}

/// How far a delivery got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendState {
    /// In a digest that has not closed yet.
    Waiting,
    Pending,
    Sent,
    Dead,
}

impl SendState {
    pub fn as_str(self) -> &'static str {
        match self {
            SendState::Waiting => "waiting",
            SendState::Pending => "pending",
            SendState::Sent => "sent",
            SendState::Dead => "dead",
        }
    }

    fn parse(text: &str) -> SendState {
        match text {
            "sent" => SendState::Sent,
            "dead" => SendState::Dead,
            _ => SendState::Pending,
        }
    }
}

/// A feed's health, as the feeds page shows it.
#[derive(Debug, Clone)]
pub struct FeedHealth {
    pub name: String,
    /// The URL polled: where the feed moved, else the configured one.
    pub url: String,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Class, message and time of the last failure, cleared on success.
    pub last_error: Option<(String, String)>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub error_count: i64,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub disabled: Option<String>,
    pub last_warning: Option<String>,
}

/// A delivery that has not gone out.
#[derive(Debug, Clone)]
pub struct Unsent {
    pub id: i64,
    /// What it carries: an entry's title, a digest's or a rule's name.
    pub about: String,
    /// "alert", "digest" or "surge".
    pub kind: &'static str,
    pub channel: String,
    pub recipient: String,
    pub state: SendState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Up to `limit` stories with the newest matches that pass `filter`,
    /// newest first; a story matched by several rules (or in several
    /// feeds) is listed once, naming them all.
    pub fn matched_stories(
        &self,
        filter: &MatchFilter,
        limit: usize,
    ) -> Result<Vec<MatchedStory>, StoreError> {
        // One feed's entries are few beside every match: read them through
        // the feed's index and sort, rather than walk every recent match
        // to find the feed's.
        let (from, feed) = if filter.feed.is_some() {
            (
                "entries e CROSS JOIN matches m ON m.entry_id = e.id",
                "e.feed = ?2",
            )
        } else {
            (
                "matches m JOIN entries e ON e.id = m.entry_id",
                "?2 IS NULL",
            )
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT m.rule, m.terms, m.snippet, m.matched_at, e.id, e.feed, e.title, e.link,
                    COALESCE(e.published_at, e.seen_at), COALESCE(e.story_id, e.id)
             FROM {from}
             WHERE (?1 IS NULL OR m.rule = ?1) AND {feed}
               AND (?3 IS NULL OR m.matched_at >= ?3) AND (?4 IS NULL OR m.matched_at < ?4)
             ORDER BY m.matched_at DESC, m.id DESC
             LIMIT ?5"
        ))?;
        // Several rows per story are usual (a rule each): read ahead.
        let rows = stmt.query_map(
            params![
                filter.rule,
                filter.feed,
                filter.since.map(to_secs),
                filter.before.map(to_secs),
                (limit * 4) as i64
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, i64>(9)?,
                ))
            },
        )?;
        let mut stories: Vec<MatchedStory> = Vec::new();
        for row in rows {
            let (rule, terms, snippet, matched_at, entry, feed, title, link, when, story) = row?;
            let terms = parse_list(&terms)?;
            if let Some(known) = stories.iter_mut().find(|s| s.story == story) {
                if !known.rules.contains(&rule) {
                    known.rules.push(rule);
                }
                for term in terms {
                    if !known.terms.contains(&term) {
                        known.terms.push(term);
                    }
                }
                continue;
            }
            if stories.len() == limit {
                // The page is full; a later story's row would only be half read.
                continue;
            }
            stories.push(MatchedStory {
                story,
                entry,
                feed,
                title,
                link,
                when: from_secs(when),
                matched_at: from_secs(matched_at),
                rules: vec![rule],
                terms,
                snippet,
                sources: Vec::new(),
                mailed: Vec::new(),
            });
        }
        for story in &mut stories {
            story.sources = self
                .conn
                .prepare_cached(STORY_SOURCES)?
                .query_map([story.entry], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            story.mailed = self.story_mailings(story.story)?;
        }
        Ok(stories)
    }

    /// Where the story numbered `story` went: its alerts and webhook calls,
    /// and the digests holding its matches.
    fn story_mailings(&self, story: i64) -> Result<Vec<Mailing>, StoreError> {
        let mut mailed: Vec<Mailing> = self
            .conn
            .prepare_cached(
                "SELECT d.channel, d.recipient, d.state, d.last_error FROM deliveries d
                 WHERE d.entry_id IN (SELECT id FROM entries WHERE story_id = ?1 OR id = ?1)
                 ORDER BY d.id",
            )?
            .query_map([story], |r| {
                let channel: String = r.get(0)?;
                Ok(Mailing {
                    kind: if channel == "webhook" {
                        "webhook"
                    } else {
                        "immediate"
                    },
                    to: r.get(1)?,
                    state: SendState::parse(&r.get::<_, String>(2)?),
                    last_error: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        // A digest's state is its worst mail's: dead, else pending, else sent.
        let digests = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT i.key, i.run_id,
                        (SELECT MAX(CASE d.state WHEN 'dead' THEN 3 WHEN 'pending' THEN 2 ELSE 1 END)
                         FROM deliveries d WHERE d.digest_run = i.run_id),
                        (SELECT d.last_error FROM deliveries d
                         WHERE d.digest_run = i.run_id AND d.last_error IS NOT NULL LIMIT 1)
                 FROM digest_items i JOIN matches m ON m.id = i.match_id
                 WHERE m.entry_id IN (SELECT id FROM entries WHERE story_id = ?1 OR id = ?1)
                 ORDER BY i.key",
            )?
            .query_map([story], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (key, run, worst, last_error) in digests {
            let Some(key) = DigestKey::parse(&key) else {
                continue;
            };
            let state = match (run, worst) {
                (None, _) => SendState::Waiting,
                (Some(_), Some(3)) => SendState::Dead,
                (Some(_), Some(2)) => SendState::Pending,
                // A run with no mail was an empty digest: nothing to send.
                (Some(_), _) => SendState::Sent,
            };
            mailed.push(Mailing {
                kind: if key.is_overflow() {
                    "more matches"
                } else {
                    "digest"
                },
                to: key.name().to_string(),
                state,
                last_error,
            });
        }
        Ok(mailed)
    }

    /// Every feed the store knows, failing ones first, then by name.
    pub fn feed_health(&self) -> Result<Vec<FeedHealth>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, COALESCE(moved_to, url), last_success_at, last_error_class,
                    last_error_message, last_error_at, error_count, next_poll_at,
                    disabled_reason, disabled_at, last_warning
             FROM feeds
             ORDER BY (error_count > 0 OR disabled_at IS NOT NULL) DESC, name",
        )?;
        let rows = stmt.query_map([], |r| {
            let class: Option<String> = r.get(3)?;
            let message: Option<String> = r.get(4)?;
            let disabled_at: Option<i64> = r.get(9)?;
            let reason: Option<String> = r.get(8)?;
            Ok(FeedHealth {
                name: r.get(0)?,
                url: r.get(1)?,
                last_success_at: r.get::<_, Option<i64>>(2)?.map(from_secs),
                last_error: class.map(|c| (c, message.unwrap_or_default())),
                last_error_at: r.get::<_, Option<i64>>(5)?.map(from_secs),
                error_count: r.get(6)?,
                next_poll_at: r.get::<_, Option<i64>>(7)?.map(from_secs),
                disabled: disabled_at.map(|_| reason.unwrap_or_default()),
                last_warning: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Up to `limit` deliveries not sent: pending ones first, then dead
    /// ones, the newest first in each.
    pub fn unsent_deliveries(&self, limit: usize) -> Result<Vec<Unsent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.channel, d.recipient, d.state, d.attempts, d.last_error, d.created_at,
                    d.last_attempt_at, d.next_attempt_at, e.title, r.key, s.rule
             FROM deliveries d
             LEFT JOIN entries e ON e.id = d.entry_id
             LEFT JOIN digest_runs r ON r.id = d.digest_run
             LEFT JOIN surges s ON s.id = d.surge
             WHERE d.state = ?1
             ORDER BY d.created_at DESC, d.id DESC
             LIMIT ?2",
        )?;
        let mut unsent = Vec::new();
        for state in ["pending", "dead"] {
            let rows = stmt.query_map(params![state, limit as i64], |r| {
                let title: Option<String> = r.get(9)?;
                let key: Option<String> = r.get(10)?;
                let surge: Option<String> = r.get(11)?;
                let (kind, about) = match (title, key, surge) {
                    (Some(title), _, _) => ("alert", title),
                    (_, Some(key), _) => (
                        "digest",
                        DigestKey::parse(&key).map_or(key, |k| k.name().to_string()),
                    ),
                    (_, _, Some(rule)) => ("surge", rule),
                    _ => ("alert", String::new()),
                };
                Ok(Unsent {
                    id: r.get(0)?,
                    about,
                    kind,
                    channel: r.get(1)?,
                    recipient: r.get(2)?,
                    state: SendState::parse(&r.get::<_, String>(3)?),
                    attempts: r.get(4)?,
                    last_error: r.get(5)?,
                    created_at: from_secs(r.get(6)?),
                    last_attempt_at: r.get::<_, Option<i64>>(7)?.map(from_secs),
                    next_attempt_at: r.get::<_, Option<i64>>(8)?.map(from_secs),
                })
            })?;
            for row in rows {
                if unsent.len() < limit {
                    unsent.push(row?);
                }
            }
        }
        Ok(unsent)
    }
}

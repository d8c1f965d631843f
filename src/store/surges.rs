//! Surge alerts in the database: the counts a surge is judged by, and a
//! surge recorded with its mails in one transaction, at most one per rule
//! and window.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::rows::{STORY_SOURCES, json_list, parse_list};
use super::{Store, StoreError, from_secs, to_secs};
use crate::model::{DigestItem, Surge, SurgeContent, SurgeRule};

/// Stories a surge mail lists.
const TOP_STORIES: usize = 10;

/// The most hours a surge chart shows.
const CHART_HOURS: i64 = 7 * 24;

/// A surge to record, with who is to be told.
#[derive(Debug, Clone)]
pub struct NewSurge<'a> {
    pub rule: &'a str,
    pub at: DateTime<Utc>,
    pub settings: SurgeRule,
    pub matches: u64,
    pub usual: f64,
    /// (recipient, Message-ID) of each mail.
    pub mails: Vec<(String, String)>,
}

impl Store {
    /// Matches of `rule` from `from` (included) to `to` (excluded).
    pub fn count_matches(
        &self,
        rule: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM matches WHERE rule = ?1 AND matched_at >= ?2 AND matched_at < ?3",
            )?
            .query_row(params![rule, to_secs(from), to_secs(to)], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// When `rule` first matched, if ever.
    pub fn first_match_at(&self, rule: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<i64> = self
            .conn
            .prepare_cached("SELECT MIN(matched_at) FROM matches WHERE rule = ?1")?
            .query_row([rule], |r| r.get(0))?;
        Ok(at.map(from_secs))
    }

    /// Records `surge` and queues its mails, unless `rule` already surged
    /// within the window before `surge.at`; the surge's number when
    /// recorded.
    pub fn record_surge(&mut self, surge: &NewSurge) -> Result<Option<i64>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = to_secs(surge.at);
        let window = surge.settings.window.as_secs() as i64;
        let recent: Option<i64> = tx
            .prepare_cached("SELECT id FROM surges WHERE rule = ?1 AND fired_at > ?2 LIMIT 1")?
            .query_row(params![surge.rule, at - window], |r| r.get(0))
            .optional()?;
        if recent.is_some() {
            return Ok(None);
        }
        tx.prepare_cached(
            "INSERT INTO surges (rule, fired_at, window_secs, baseline_secs, factor, min_matches,
                                 matches, usual)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            surge.rule,
            at,
            window,
            surge.settings.baseline.as_secs() as i64,
            surge.settings.factor,
            surge.settings.min as i64,
            surge.matches as i64,
            surge.usual
        ])?;
        let id = tx.last_insert_rowid();
        {
            let mut queue = tx.prepare_cached(
                "INSERT INTO deliveries (surge, channel, recipient, rules, message_id, created_at)
                 VALUES (?1, 'email', ?2, ?3, ?4, ?5)
                 ON CONFLICT (message_id) DO NOTHING",
            )?;
            let rules = json_list(&[surge.rule.to_string()]);
            for (recipient, message_id) in &surge.mails {
                queue.execute(params![id, recipient, rules, message_id, at])?;
            }
        }
        tx.commit()?;
        Ok(Some(id))
    }

    /// The surges of `rule` (of every rule when None) fired at or after
    /// `since`, newest first.
    pub fn surges_since(
        &self,
        rule: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<Vec<Surge>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, rule, fired_at, window_secs, baseline_secs, factor, min_matches, matches, usual
             FROM surges WHERE (?1 IS NULL OR rule = ?1) AND fired_at >= ?2
             ORDER BY fired_at DESC, id DESC",
        )?;
        let rows = stmt.query_map(params![rule, to_secs(since)], surge_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What the mail of surge `id` shows.
    pub fn surge_content(&self, id: i64) -> Result<SurgeContent, StoreError> {
        let surge = self
            .conn
            .prepare_cached(
                "SELECT id, rule, fired_at, window_secs, baseline_secs, factor, min_matches, matches, usual
                 FROM surges WHERE id = ?1",
            )?
            .query_row([id], surge_row)?;
        let end = to_secs(surge.fired_at);
        let start = end - surge.settings.window.as_secs() as i64;
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.id, e.title, e.link, e.published_at, m.terms, m.snippet,
                    COALESCE(e.story_id, e.id)
             FROM matches m JOIN entries e ON e.id = m.entry_id
             WHERE m.rule = ?1 AND m.matched_at > ?2 AND m.matched_at <= ?3
             ORDER BY m.matched_at DESC, m.id DESC",
        )?;
        let mut stories: Vec<(i64, i64, DigestItem)> = Vec::new();
        let mut rows = stmt.query(params![surge.rule, start, end])?;
        while let Some(r) = rows.next()? {
            let story: i64 = r.get(6)?;
            if stories.iter().any(|(s, _, _)| *s == story) {
                continue;
            }
            stories.push((
                story,
                r.get(0)?,
                DigestItem {
                    title: r.get(1)?,
                    link: r.get(2)?,
                    published: r.get::<_, Option<i64>>(3)?.map(from_secs),
                    sources: Vec::new(),
                    terms: parse_list(&r.get::<_, String>(4)?)?,
                    snippet: r.get(5)?,
                },
            ));
        }
        let mut sources = self.conn.prepare_cached(STORY_SOURCES)?;
        for (_, entry, item) in &mut stories {
            item.sources = sources
                .query_map([*entry], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
        }
        // The most covered first; the newest among equals (a stable sort).
        stories.sort_by_key(|(_, _, item)| std::cmp::Reverse(item.sources.len()));
        let top = stories
            .into_iter()
            .take(TOP_STORIES)
            .map(|(_, _, item)| item)
            .collect();
        let span = (surge.settings.window + surge.settings.baseline).as_secs() as i64;
        let hours = (span / 3600).clamp(1, CHART_HOURS) as usize;
        let hourly = self
            .hourly_matches(Some(&surge.rule), hours, surge.fired_at)?
            .remove(&surge.rule)
            .unwrap_or_else(|| vec![0; hours]);
        Ok(SurgeContent { surge, top, hourly })
    }
}

fn surge_row(r: &rusqlite::Row) -> rusqlite::Result<Surge> {
    Ok(Surge {
        id: r.get(0)?,
        rule: r.get(1)?,
        fired_at: from_secs(r.get(2)?),
        settings: SurgeRule {
            window: std::time::Duration::from_secs(r.get::<_, i64>(3)?.max(0) as u64),
            baseline: std::time::Duration::from_secs(r.get::<_, i64>(4)?.max(0) as u64),
            factor: r.get(5)?,
            min: r.get::<_, i64>(6)?.max(0) as u64,
        },
        matches: r.get::<_, i64>(7)?.max(0) as u64,
        usual: r.get(8)?,
    })
}

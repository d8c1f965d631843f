//! Digests in the database: how far each schedule was handled, the matches
//! waiting for a digest, and closing a digest into a run whose contents are
//! fixed and whose mails wait in the outbox like any other.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::rows::{STORY_SOURCES, json_list, parse_list};
use super::{Store, StoreError, from_secs, to_secs};
use crate::model::{DigestContent, DigestItem, DigestKey, DigestSection, digest};

/// A digest to close: where its items are kept and who it goes to.
#[derive(Debug, Clone)]
pub struct DigestClose<'a> {
    pub key: &'a DigestKey,
    /// The time the digest stands for.
    pub slot: DateTime<Utc>,
    /// The IANA zone its times are shown in.
    pub timezone: &'a str,
    pub to: &'a [String],
    /// Queue a mail even when no match waits.
    pub send_empty: bool,
    /// Set the schedule handled up to `at`: false for `digest --now`,
    /// which does not stand in for a scheduled slot.
    pub advance: bool,
    pub at: DateTime<Utc>,
}

/// What closing a digest did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Closed {
    /// Matches the run holds.
    pub items: usize,
    /// Mails queued (one per recipient), none for an empty digest.
    pub mails: usize,
}

impl Store {
    /// How far the schedule of `key` was handled; a digest seen for the
    /// first time starts at `now`, so it never fires for slots before it
    /// existed.
    pub fn digest_done_until(
        &self,
        key: &DigestKey,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO digests (key, done_until) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )?
            .execute(params![key, to_secs(now)])?;
        let done: i64 = self.conn.query_row(
            "SELECT done_until FROM digests WHERE key = ?1",
            [key],
            |r| r.get(0),
        )?;
        Ok(from_secs(done))
    }

    /// Sets every digest handled past `now` (by a clock that was ahead) to
    /// handled up to `now`, so its next slot comes from now; how many were.
    pub fn pull_back_digests(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE digests SET done_until = ?1 WHERE done_until > ?1",
            [to_secs(now)],
        )?)
    }

    /// How far the schedule of `key` was handled, if the digest ran yet;
    /// reads only.
    pub fn digest_handled(&self, key: &DigestKey) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT done_until FROM digests WHERE key = ?1",
                [key],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(from_secs))
    }

    /// Closes a digest in one transaction: the waiting matches go into a
    /// new run, one mail per recipient is queued, and (for a scheduled
    /// slot) the schedule is marked handled. A slot another process
    /// closed first is left alone: None.
    pub fn close_digest(&mut self, close: &DigestClose) -> Result<Option<Closed>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = to_secs(close.at);
        if close.advance {
            let claimed = tx.execute(
                "UPDATE digests SET done_until = ?2 WHERE key = ?1 AND done_until < ?3",
                params![close.key, at, to_secs(close.slot)],
            )?;
            if claimed == 0 {
                return Ok(None);
            }
        }
        let items: usize = tx.query_row(
            "SELECT COUNT(*) FROM digest_items WHERE key = ?1 AND run_id IS NULL",
            [close.key],
            |r| r.get::<_, i64>(0),
        )? as usize;
        let mut closed = Closed { items, mails: 0 };
        if items > 0 || close.send_empty {
            tx.execute(
                "INSERT INTO digest_runs (key, slot_at, built_at, items, timezone)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    close.key,
                    to_secs(close.slot),
                    at,
                    items as i64,
                    close.timezone
                ],
            )?;
            let run = tx.last_insert_rowid();
            tx.execute(
                "UPDATE digest_items SET run_id = ?2 WHERE key = ?1 AND run_id IS NULL",
                params![close.key, run],
            )?;
            closed.mails = queue_digest_mails(&tx, close, run)?;
        }
        tx.commit()?;
        Ok(Some(closed))
    }

    /// What a digest run holds, as its mail shows it.
    pub fn digest_run_content(&self, run: i64) -> Result<DigestContent, StoreError> {
        let (key, slot, timezone): (DigestKey, i64, String) = self.conn.query_row(
            "SELECT key, slot_at, timezone FROM digest_runs WHERE id = ?1",
            [run],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let sections = self.digest_sections("di.run_id = ?1", params![run])?;
        Ok(content(&key, from_secs(slot), timezone, sections))
    }

    /// What the digest `key` would hold if it were closed now.
    pub fn digest_pending_content(
        &self,
        key: &DigestKey,
        timezone: &str,
        now: DateTime<Utc>,
    ) -> Result<DigestContent, StoreError> {
        let sections = self.digest_sections("di.key = ?1 AND di.run_id IS NULL", params![key])?;
        Ok(content(key, now, timezone.to_string(), sections))
    }

    /// Every digest key matches wait for, with how many wait.
    pub fn digest_keys_waiting(&self) -> Result<Vec<(DigestKey, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, COUNT(*) FROM digest_items WHERE run_id IS NULL GROUP BY key ORDER BY key",
        )?;
        let keys = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(keys.collect::<Result<_, _>>()?)
    }

    /// Matches waiting for the digest `key`.
    #[cfg(test)]
    pub(crate) fn digest_pending_count(&self, key: &DigestKey) -> Result<u64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM digest_items WHERE key = ?1 AND run_id IS NULL",
            [key],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// The digest items chosen by `filter`, grouped by rule (the rule with
    /// most first), newest story first within a rule.
    fn digest_sections(
        &self,
        filter: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<DigestSection>, StoreError> {
        let sql = format!(
            "SELECT m.rule, m.terms, m.snippet, e.id, e.title, e.link, e.published_at
             FROM digest_items di JOIN matches m ON m.id = di.match_id
                  JOIN entries e ON e.id = m.entry_id
             WHERE {filter}
             ORDER BY m.rule, COALESCE(e.published_at, e.seen_at) DESC, e.id DESC"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut sources = self.conn.prepare_cached(STORY_SOURCES)?;
        let mut sections: Vec<DigestSection> = Vec::new();
        let mut rows = stmt.query(args)?;
        while let Some(r) = rows.next()? {
            let rule: String = r.get(0)?;
            let entry_id: i64 = r.get(3)?;
            let item = DigestItem {
                title: r.get(4)?,
                link: r.get(5)?,
                published: r.get::<_, Option<i64>>(6)?.map(from_secs),
                sources: sources
                    .query_map([entry_id], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
                terms: parse_list(&r.get::<_, String>(1)?)?,
                snippet: r.get(2)?,
            };
            match sections.last_mut() {
                Some(s) if s.rule == rule => s.items.push(item),
                _ => sections.push(DigestSection {
                    rule,
                    items: vec![item],
                }),
            }
        }
        sections.sort_by(|a, b| b.items.len().cmp(&a.items.len()).then(a.rule.cmp(&b.rule)));
        Ok(sections)
    }
}

fn content(
    key: &DigestKey,
    slot: DateTime<Utc>,
    timezone: String,
    sections: Vec<DigestSection>,
) -> DigestContent {
    DigestContent {
        name: key.name().to_string(),
        overflow: key.is_overflow(),
        slot,
        timezone,
        sections,
    }
}

/// Queues the run's mail to each recipient; the Message-ID derives from the
/// run, so a retry is recognisably the same mail.
fn queue_digest_mails(
    tx: &Transaction,
    close: &DigestClose,
    run: i64,
) -> Result<usize, StoreError> {
    let rules: Vec<String> = tx
        .prepare(
            "SELECT DISTINCT m.rule FROM digest_items di JOIN matches m ON m.id = di.match_id
             WHERE di.run_id = ?1 ORDER BY m.rule",
        )?
        .query_map([run], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let rules = json_list(&rules);
    let mut insert = tx.prepare(
        "INSERT INTO deliveries (digest_run, channel, recipient, rules, message_id, created_at)
         VALUES (?1, 'email', ?2, ?3, ?4, ?5)",
    )?;
    let key = close.key.to_string();
    let run_text = run.to_string();
    let slot_text = to_secs(close.slot).to_string();
    let mut queued = 0;
    for to in close.to {
        let id = format!(
            "{}@newshound",
            digest([key.as_str(), &slot_text, &run_text, to.as_str()])
        );
        queued += insert.execute(params![run, to, rules, id, to_secs(close.at)])?;
    }
    Ok(queued)
}

/// Adds a match to the digest `key`, unless the digest already holds the
/// same story (another entry of it) for the same rule: one story is one
/// item, which lists every feed that carried it. A rule that asks for
/// every copy gets an item per copy.
pub(super) fn add_digest_item(
    tx: &Transaction,
    key: &DigestKey,
    match_id: i64,
    at: i64,
    every_copy: bool,
) -> Result<bool, StoreError> {
    let same_story: Option<i64> = match every_copy {
        true => None,
        false => tx
            .prepare_cached(
                "SELECT di.id FROM digest_items di JOIN matches m ON m.id = di.match_id
                 JOIN entries e ON e.id = m.entry_id,
                 matches this JOIN entries mine ON mine.id = this.entry_id
             WHERE this.id = ?2 AND di.key = ?1 AND m.rule = this.rule
               AND e.story_id = mine.story_id AND e.id != mine.id
             LIMIT 1",
            )?
            .query_row(params![key, match_id], |r| r.get(0))
            .optional()?,
    };
    if same_story.is_some() {
        return Ok(false);
    }
    let added = tx
        .prepare_cached(
            "INSERT INTO digest_items (key, match_id, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?
        .execute(params![key, match_id, at])?;
    Ok(added == 1)
}

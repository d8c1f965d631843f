//! The outbox: pending deliveries, read back as alerts and marked once the
//! mail server has accepted them.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Store, StoreError, from_secs, to_secs};
use crate::model::{Alert, AlertRule};

impl Store {
    /// Pending deliveries, oldest first, ready to render: those whose retry
    /// time has come by `due_by`, or every one when `due_by` is None (a
    /// person asked for a delivery pass).
    pub fn pending_alerts(&self, due_by: Option<DateTime<Utc>>) -> Result<Vec<Alert>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.recipient, d.message_id, d.rules, d.entry_id,
                    e.feed, e.title, e.link, e.published_at, d.attempts, d.created_at, d.channel
             FROM deliveries d JOIN entries e ON e.id = d.entry_id
             WHERE d.state = 'pending'
               AND (?1 IS NULL OR d.next_attempt_at IS NULL OR d.next_attempt_at <= ?1)
             ORDER BY d.id",
        )?;
        let rows = stmt.query_map([due_by.map(to_secs)], |r| {
            Ok((
                Alert {
                    delivery_id: r.get(0)?,
                    recipient: r.get(1)?,
                    message_id: r.get(2)?,
                    feed: r.get(5)?,
                    title: r.get(6)?,
                    link: r.get(7)?,
                    published: r.get::<_, Option<i64>>(8)?.map(from_secs),
                    rules: Vec::new(),
                    snippet: String::new(),
                    attempts: r.get(9)?,
                    created: from_secs(r.get(10)?),
                    sources: Vec::new(),
                    channel: r.get(11)?,
                },
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut match_stmt = self.conn.prepare_cached(
            "SELECT terms, snippet FROM matches WHERE entry_id = ?1 AND rule = ?2",
        )?;
        let mut sources_stmt = self.conn.prepare_cached(
            "SELECT DISTINCT feed FROM entries
             WHERE canonical_link = (SELECT canonical_link FROM entries WHERE id = ?1)
             ORDER BY feed",
        )?;
        let mut alerts = Vec::new();
        for row in rows {
            let (mut alert, rules, entry_id) = row?;
            alert.sources = sources_stmt
                .query_map([entry_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            if alert.sources.is_empty() {
                alert.sources.push(alert.feed.clone());
            }
            for name in parse_list(&rules)? {
                let (terms, snippet): (String, String) = match_stmt
                    .query_row(params![entry_id, name], |r| Ok((r.get(0)?, r.get(1)?)))?;
                if alert.snippet.is_empty() {
                    alert.snippet = snippet;
                }
                alert.rules.push(AlertRule {
                    name,
                    terms: parse_list(&terms)?,
                });
            }
            alerts.push(alert);
        }
        Ok(alerts)
    }

    /// Marks deliveries sent, in one transaction: the server accepted
    /// their mails.
    pub fn mark_sent(&mut self, delivery_ids: &[i64], at: DateTime<Utc>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE deliveries SET state = 'sent', sent_at = ?2, last_attempt_at = ?2,
                        attempts = attempts + 1, last_error = NULL
                 WHERE id = ?1",
            )?;
            for id in delivery_ids {
                stmt.execute(params![id, to_secs(at)])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt: the delivery is tried again from `retry_at`,
    /// or, with None, it is dead (refused for good, or too old to send).
    pub fn mark_attempt_failed(
        &self,
        delivery_id: i64,
        error: &str,
        at: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2, last_attempt_at = ?3,
                    next_attempt_at = ?4,
                    state = CASE WHEN ?4 IS NULL THEN 'dead' ELSE state END
             WHERE id = ?1",
            params![delivery_id, error, to_secs(at), retry_at.map(to_secs)],
        )?;
        Ok(())
    }
}

pub(super) fn parse_list(json: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("{json}: {e}")))
}

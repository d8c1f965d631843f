//! The outbox: pending deliveries, read back as alerts and marked once the
//! mail server has accepted them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::rows::{STORY_SOURCES, parse_list};
use super::{Store, StoreError, from_secs, to_secs};
use crate::model::{Alert, AlertRule, Delivery, DigestContent, DigestMail, Outgoing, SurgeMail};

impl Store {
    /// Pending deliveries, oldest first, ready to render: those whose retry
    /// time has come by `due_by`, or every one when `due_by` is None (a
    /// person asked for a delivery pass).
    pub fn pending_deliveries(
        &self,
        due_by: Option<DateTime<Utc>>,
    ) -> Result<Vec<Outgoing>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, recipient, message_id, attempts, created_at, channel, rules, entry_id,
                    digest_run, surge
             FROM deliveries
             WHERE state = 'pending'
               AND (?1 IS NULL OR next_attempt_at IS NULL OR next_attempt_at <= ?1)
             ORDER BY id",
        )?;
        let rows = stmt.query_map([due_by.map(to_secs)], |r| {
            Ok((
                Delivery {
                    id: r.get(0)?,
                    recipient: r.get(1)?,
                    message_id: r.get(2)?,
                    attempts: r.get(3)?,
                    created: from_secs(r.get(4)?),
                    channel: r.get(5)?,
                },
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, Option<i64>>(8)?,
                r.get::<_, Option<i64>>(9)?,
            ))
        })?;
        let mut pending = Vec::new();
        // A run's mail to each of its recipients holds the same content.
        let mut runs: HashMap<i64, DigestContent> = HashMap::new();
        for row in rows {
            let (delivery, rules, entry_id, run, surge) = row?;
            pending.push(match (entry_id, run, surge) {
                (Some(entry_id), _, _) => Outgoing::Alert(self.alert(delivery, entry_id, &rules)?),
                (None, None, Some(surge)) => Outgoing::Surge(SurgeMail {
                    delivery,
                    content: self.surge_content(surge)?,
                }),
                (None, Some(run), _) => {
                    let digest = match runs.get(&run) {
                        Some(content) => content.clone(),
                        None => {
                            let content = self.digest_run_content(run)?;
                            runs.insert(run, content.clone());
                            content
                        }
                    };
                    Outgoing::Digest(DigestMail { delivery, digest })
                }
                (None, None, None) => {
                    return Err(StoreError::Corrupt(format!(
                        "delivery {} names no entry, digest or surge",
                        delivery.id
                    )));
                }
            });
        }
        Ok(pending)
    }

    /// The alert `delivery` sends about entry `entry_id` for `rules` (JSON).
    fn alert(&self, delivery: Delivery, entry_id: i64, rules: &str) -> Result<Alert, StoreError> {
        let (title, link, published) = self
            .conn
            .prepare_cached("SELECT title, link, published_at FROM entries WHERE id = ?1")?
            .query_row([entry_id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, Option<i64>>(2)?.map(from_secs),
                ))
            })?;
        let mut alert = Alert {
            delivery,
            title,
            link,
            published,
            rules: Vec::new(),
            snippet: String::new(),
            sources: self
                .conn
                .prepare_cached(STORY_SOURCES)?
                .query_map([entry_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?,
        };
        let mut match_stmt = self.conn.prepare_cached(
            "SELECT terms, snippet FROM matches WHERE entry_id = ?1 AND rule = ?2",
        )?;
        for name in parse_list(rules)? {
            let (terms, snippet): (String, String) =
                match_stmt.query_row(params![entry_id, name], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if alert.snippet.is_empty() {
                alert.snippet = snippet;
            }
            alert.rules.push(AlertRule {
                name,
                terms: parse_list(&terms)?,
            });
        }
        Ok(alert)
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
        self.conn.prepare_cached(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2, last_attempt_at = ?3,
                    next_attempt_at = ?4,
                    state = CASE WHEN ?4 IS NULL THEN 'dead' ELSE state END
             WHERE id = ?1",
        )?
        .execute(params![delivery_id, error, to_secs(at), retry_at.map(to_secs)])?;
        Ok(())
    }
}

//! Draining the outbox: send each pending alert, mark it sent only once the
//! server accepted it, leave it pending otherwise.

use std::time::{Duration, Instant};

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use futures_util::{StreamExt, stream};

use super::refresh::later;
use super::schedule::jittered;
use crate::alert::Outbound;
use crate::model::{Channel, Delivery, Outgoing};
use crate::store::{StoreError, StoreHandle};

/// Sent marks are committed in batches of at most this many mails, or of
/// what was sent within [`MARK_WINDOW`]: a transaction per mail costs more
/// than the mail. A crash loses at most one batch of marks; those mails
/// go out again with the same Message-IDs, so clients can tell.
const MARK_BATCH: usize = 64;

/// The longest a sent mail waits for its mark to be committed.
const MARK_WINDOW: Duration = Duration::from_millis(100);

/// The first retry of a failed delivery waits this long; each further one
/// twice as long as the one before, up to [`MAX_RETRY_WAIT`].
const FIRST_RETRY_WAIT: Duration = Duration::from_secs(60);

/// The longest a failed delivery waits before its next try.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(3600);

/// How a pass treats the queue's retry schedule.
#[derive(Debug, Clone, Copy)]
pub struct Queue {
    /// True for the daemon: a delivery that failed waits for its retry
    /// time. False when a person started the pass: every pending one goes.
    pub honour_backoff: bool,
    /// A delivery still failing this long after it was queued is dead.
    pub max_age: Duration,
}

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default)]
pub struct DeliveryReport {
    pub sent: usize,
    /// Deliveries still pending after this pass.
    pub pending: usize,
    /// Deliveries this pass gave up on: refused for good, or too old.
    pub dead: usize,
    /// Each failure: recipient and reason.
    pub failures: Vec<(String, String)>,
}

/// Tries every pending delivery once, oldest first and up to the mailer's
/// parallel sends at a time, holding the outbox lock so that a second
/// process on the same database waits and then finds them sent. A failure
/// of a transport itself (mail server down, a webhook not answering) ends
/// the pass for that transport: its other alerts would fail the same way
/// and stay pending for the next; alerts by other transports still go.
pub async fn deliver_pending(
    store: &StoreHandle,
    mailer: &Outbound,
    queue: Queue,
) -> Result<DeliveryReport, StoreError> {
    // Held for the whole pass: another process on this database waits, then
    // finds these alerts sent.
    let _lock = store.lock_outbox().await?;
    let due_by = queue.honour_backoff.then(Utc::now);
    let alerts = store.call(move |s| s.pending_deliveries(due_by)).await?;
    let mut report = DeliveryReport {
        pending: alerts.len(),
        ..DeliveryReport::default()
    };
    let mut sent = SentMarks::default();
    // Set when the store failed: nothing more is started. Alerts in flight
    // finish and are recorded.
    let stop = AtomicBool::new(false);
    // Transports that failed in this pass (the mail server, a webhook):
    // their alerts not yet started wait for the next pass; the others go.
    let failed: Mutex<HashSet<String>> = Mutex::default();
    let mut store_error: Option<StoreError> = None;
    let mut attempts = stream::iter(alerts)
        .map(|alert| {
            let (stop, failed) = (&stop, &failed);
            async move {
                let transport = transport_of(&alert);
                let skip = stop.load(Ordering::SeqCst)
                    || failed
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .contains(&transport);
                if skip {
                    return (alert, None);
                }
                let outcome = mailer.send(&alert).await;
                if outcome.as_ref().is_err_and(|e| !e.is_about_this_mail()) {
                    failed
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(transport);
                }
                (alert, Some(outcome))
            }
        })
        .buffer_unordered(mailer.parallel_sends());
    loop {
        // Marks are committed when their window closes even while a slow
        // send holds up the next result.
        let window = sent.window_closes();
        let next = tokio::select! {
            next = attempts.next() => next,
            () = window => {
                if let Err(e) = sent.commit(store).await {
                    stop.store(true, Ordering::SeqCst);
                    store_error.get_or_insert(e);
                }
                continue;
            }
        };
        let Some((alert, outcome)) = next else {
            break;
        };
        let Some(outcome) = outcome else {
            continue;
        };
        let delivery = alert.delivery();
        let id = delivery.id;
        match outcome {
            Ok(()) => {
                sent.push(id);
                report.sent += 1;
                report.pending -= 1;
                tracing::info!(to = %delivery.recipient, about = %alert.about(), "alert sent");
                if sent.is_full()
                    && let Err(e) = sent.commit(store).await
                {
                    stop.store(true, Ordering::SeqCst);
                    store_error.get_or_insert(e);
                }
            }
            Err(e) => {
                let message = e.to_string();
                let now = Utc::now();
                let retry_at = next_try(delivery, e.is_about_this_mail(), now, queue.max_age);
                match retry_at {
                    Some(at) => tracing::warn!(
                        to = %delivery.recipient,
                        "alert not sent, will retry at {}: {message}",
                        at.format("%Y-%m-%d %H:%M:%S UTC")
                    ),
                    None => {
                        tracing::error!(
                            to = %delivery.recipient,
                            about = %alert.about(),
                            attempts = delivery.attempts + 1,
                            "alert dead, not retried: {message}"
                        );
                        report.dead += 1;
                        report.pending -= 1;
                    }
                }
                let stored = message.clone();
                let recorded = store
                    .call(move |s| s.mark_attempt_failed(id, &stored, now, retry_at))
                    .await;
                if let Err(e) = recorded {
                    stop.store(true, Ordering::SeqCst);
                    store_error.get_or_insert(e);
                }
                report.failures.push((delivery.recipient.clone(), message));
            }
        }
    }
    drop(attempts);
    // Marks first: closing sessions can take seconds.
    let committed = sent.commit(store).await;
    mailer.finish().await;
    match (store_error, committed) {
        (Some(e), _) | (None, Err(e)) => Err(e),
        (None, Ok(())) => Ok(report),
    }
}

/// The transport an alert leaves by: the mail server for every mail, each
/// webhook on its own.
fn transport_of(outgoing: &Outgoing) -> String {
    let delivery = outgoing.delivery();
    match delivery.channel {
        Channel::Webhook => delivery.channel.recipient_key(&delivery.recipient),
        Channel::Email => Channel::Email.as_str().to_string(),
    }
}

/// When a failed delivery is tried again: about a minute after its first
/// failure, twice as long after each further one, at most an hour, with
/// jitter; never (it is dead) when the server refused it for good or it was
/// queued longer than `max_age` ago.
fn next_try(
    delivery: &Delivery,
    refused_for_good: bool,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Option<DateTime<Utc>> {
    let too_old =
        chrono::Duration::from_std(max_age).is_ok_and(|age| now - delivery.created >= age);
    if refused_for_good || too_old {
        return None;
    }
    let doublings = delivery.attempts.min(16);
    let wait = FIRST_RETRY_WAIT
        .saturating_mul(1 << doublings)
        .min(MAX_RETRY_WAIT);
    Some(later(now, jittered(wait)))
}

/// Deliveries the server accepted whose sent marks are not committed yet.
#[derive(Default)]
struct SentMarks {
    ids: Vec<i64>,
    since: Option<Instant>,
}

impl SentMarks {
    fn push(&mut self, id: i64) {
        self.since.get_or_insert_with(Instant::now);
        self.ids.push(id);
    }

    fn is_full(&self) -> bool {
        self.ids.len() >= MARK_BATCH
    }

    /// Completes when the oldest uncommitted mark has waited its window;
    /// never while there is none.
    fn window_closes(&self) -> impl std::future::Future<Output = ()> + use<> {
        let due = self.since.map(|t| t + MARK_WINDOW);
        async move {
            match due {
                Some(due) => tokio::time::sleep_until(due.into()).await,
                None => std::future::pending().await,
            }
        }
    }

    /// Commits the marks; on failure they are kept for the next try.
    async fn commit(&mut self, store: &StoreHandle) -> Result<(), StoreError> {
        if self.ids.is_empty() {
            return Ok(());
        }
        let ids = self.ids.clone();
        match store.call(move |s| s.mark_sent(&ids, Utc::now())).await {
            Ok(()) => {
                self.ids.clear();
                self.since = None;
                Ok(())
            }
            Err(e) => {
                // The next try waits a window, not a busy loop.
                self.since = Some(Instant::now());
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(attempts: u32, queued_ago: chrono::Duration, now: DateTime<Utc>) -> Delivery {
        Delivery {
            id: 1,
            recipient: "desk@example.org".into(),
            message_id: "x@newshound".into(),
            attempts,
            created: now - queued_ago,
            channel: Channel::Email,
        }
    }

    #[test]
    fn retries_back_off_from_a_minute_to_an_hour_then_the_delivery_dies() {
        let now = Utc::now();
        let max_age = Duration::from_secs(3 * 24 * 3600);
        let wait = |attempts| {
            let at = next_try(
                &delivery(attempts, chrono::Duration::minutes(5), now),
                false,
                now,
                max_age,
            );
            (at.unwrap() - now).num_seconds()
        };
        // About 1, 2, 4 minutes, with 10% jitter either way.
        for (attempts, base) in [(0, 60), (1, 120), (2, 240), (10, 3600), (40, 3600)] {
            let seconds = wait(attempts);
            assert!(
                seconds >= base * 9 / 10 - 1 && seconds <= base * 11 / 10 + 1,
                "attempt {attempts}: {seconds} s"
            );
        }
        // Refused for good, or queued longer than the max age: dead.
        assert_eq!(
            next_try(
                &delivery(0, chrono::Duration::minutes(5), now),
                true,
                now,
                max_age
            ),
            None
        );
        assert_eq!(
            next_try(
                &delivery(9, chrono::Duration::days(3), now),
                false,
                now,
                max_age
            ),
            None
        );
    }
}

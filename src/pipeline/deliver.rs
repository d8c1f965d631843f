//! Draining the outbox: send each pending alert, mark it sent only once the
//! server accepted it, leave it pending otherwise.

use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use futures_util::{StreamExt, stream};

use crate::alert::Mailer;
use crate::store::{StoreError, StoreHandle};

/// Sent marks are committed in batches of at most this many mails, or of
/// what was sent within [`MARK_WINDOW`]: a transaction per mail costs more
/// than the mail. A crash loses at most one batch of marks; those mails
/// go out again with the same Message-IDs, so clients can tell.
const MARK_BATCH: usize = 64;

/// The longest a sent mail waits for its mark to be committed.
const MARK_WINDOW: Duration = Duration::from_millis(100);

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default)]
pub struct DeliveryReport {
    pub sent: usize,
    /// Deliveries still pending after this pass.
    pub pending: usize,
    /// Each failure: recipient and reason.
    pub failures: Vec<(String, String)>,
}

/// Tries every pending delivery once, oldest first and up to the mailer's
/// parallel sends at a time, holding the outbox lock so that a second
/// process on the same database waits and then finds them sent. A failure
/// of the transport itself (server down, unreadable password) ends the
/// pass: the rest would fail the same way and stay pending for the next.
pub async fn deliver_pending(
    store: &StoreHandle,
    mailer: &Mailer,
) -> Result<DeliveryReport, StoreError> {
    // Held for the whole pass: another process on this database waits, then
    // finds these alerts sent.
    let _lock = store.lock_outbox().await?;
    let alerts = store.call(|s| s.pending_alerts()).await?;
    let mut report = DeliveryReport {
        pending: alerts.len(),
        ..DeliveryReport::default()
    };
    let mut sent = SentMarks::default();
    // Set when the transport itself failed: mails not yet started are
    // left pending, those in flight finish.
    let transport_failed = AtomicBool::new(false);
    let mut attempts = stream::iter(alerts)
        .map(|alert| {
            let transport_failed = &transport_failed;
            async move {
                if transport_failed.load(Ordering::SeqCst) {
                    return (alert, None);
                }
                let outcome = mailer.send(&alert).await;
                if outcome.as_ref().is_err_and(|e| !e.is_about_this_mail()) {
                    transport_failed.store(true, Ordering::SeqCst);
                }
                (alert, Some(outcome))
            }
        })
        .buffer_unordered(mailer.parallel_sends());
    while let Some((alert, outcome)) = attempts.next().await {
        let id = alert.delivery_id;
        let Some(outcome) = outcome else {
            continue;
        };
        match outcome {
            Ok(()) => {
                sent.push(id);
                report.sent += 1;
                report.pending -= 1;
                tracing::info!(to = %alert.recipient, title = %alert.title, "alert sent");
                if sent.is_due() {
                    sent.commit(store).await?;
                }
            }
            Err(e) => {
                sent.commit(store).await?;
                let message = e.to_string();
                tracing::warn!(to = %alert.recipient, "alert not sent, will retry: {message}");
                let stored = message.clone();
                store
                    .call(move |s| s.mark_attempt_failed(id, &stored, Utc::now()))
                    .await?;
                report.failures.push((alert.recipient.clone(), message));
            }
        }
    }
    drop(attempts);
    mailer.finish().await;
    sent.commit(store).await?;
    Ok(report)
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

    fn is_due(&self) -> bool {
        self.ids.len() >= MARK_BATCH || self.since.is_some_and(|t| t.elapsed() >= MARK_WINDOW)
    }

    async fn commit(&mut self, store: &StoreHandle) -> Result<(), StoreError> {
        if self.ids.is_empty() {
            return Ok(());
        }
        let ids = std::mem::take(&mut self.ids);
        self.since = None;
        store.call(move |s| s.mark_sent(&ids, Utc::now())).await
    }
}

//! Draining the outbox: send each pending alert, mark it sent only once the
//! server accepted it, leave it pending otherwise.

use chrono::Utc;

use crate::alert::Mailer;
use crate::store::{StoreError, StoreHandle};

/// What one pass over the outbox did.
#[derive(Debug, Clone, Default)]
pub struct DeliveryReport {
    pub sent: usize,
    /// Deliveries still pending after this pass.
    pub pending: usize,
    /// Each failure: recipient and reason.
    pub failures: Vec<(String, String)>,
}

/// Tries every pending delivery once, holding the outbox lock so that a
/// second process on the same database waits and then finds them sent.
/// A failure of the transport itself
/// (server down, unreadable password) ends the pass: the rest would fail
/// the same way and stay pending for the next one.
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
    for alert in alerts {
        let id = alert.delivery_id;
        match mailer.send(&alert).await {
            Ok(()) => {
                store.call(move |s| s.mark_sent(id, Utc::now())).await?;
                report.sent += 1;
                report.pending -= 1;
                tracing::info!(to = %alert.recipient, title = %alert.title, "alert sent");
            }
            Err(e) => {
                let message = e.to_string();
                tracing::warn!(to = %alert.recipient, "alert not sent, will retry: {message}");
                let stored = message.clone();
                store
                    .call(move |s| s.mark_attempt_failed(id, &stored, Utc::now()))
                    .await?;
                report.failures.push((alert.recipient.clone(), message));
                if !e.is_about_this_mail() {
                    break;
                }
            }
        }
    }
    Ok(report)
}

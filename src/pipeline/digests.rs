//! Closing digests when their schedule says: the configured `[[digest]]`s,
//! and each storm-limited rule's hourly "more matches" mail. A closed
//! digest's mails wait in the outbox like alerts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Config;
use crate::config::cron::Schedule;
use crate::model::DigestKey;
use crate::store::{Closed, DigestClose, StoreError, StoreHandle};

/// A digest the scheduler closes: where its items are kept, when, and for whom.
#[derive(Debug, Clone)]
pub struct DigestPlan {
    /// Where its items wait: a `[[digest]]`, or a rule's "more matches" mail.
    pub key: DigestKey,
    pub schedule: Schedule,
    pub timezone: Tz,
    pub to: Vec<String>,
    pub send_empty: bool,
}

/// Every digest `config` schedules: its `[[digest]]`s, then a "more
/// matches" mail at the end of each hour for every rule that mails at once.
/// (Only a rule over its limit with no digest holds matches for it; the
/// plan stays for every such rule so matches held before a config change
/// that gave the rule a digest or lifted its limit still go out.)
pub fn digest_plans(config: &Config) -> Vec<DigestPlan> {
    let configured = config.digests.iter().map(|d| DigestPlan {
        key: DigestKey::Digest(d.name.clone()),
        schedule: d.schedule.clone(),
        timezone: d.timezone,
        to: d.to.clone(),
        send_empty: d.send_empty,
    });
    let overflow = config
        .rules
        .iter()
        .filter(|r| r.immediate && !r.to.is_empty())
        .map(|r| DigestPlan {
            key: DigestKey::Overflow(r.name.clone()),
            schedule: "0 * * * *".parse().expect("the hourly schedule is valid"),
            timezone: Tz::UTC,
            to: r.to.clone(),
            send_empty: false,
        });
    configured.chain(overflow).collect()
}

/// How far each digest's schedule was handled, as last read or written:
/// a caller that closes digests often (the daemon, after every poll) keeps
/// it so the store is asked only for what it has not seen yet.
pub type HandledUntil = HashMap<DigestKey, DateTime<Utc>>;

/// Closes every digest whose slot came by `now`; one that was due several
/// times while nothing ran is closed once. Returns when the next one is
/// due, if any is scheduled.
pub async fn close_due_digests(
    store: &StoreHandle,
    plans: &[DigestPlan],
    handled: &mut HandledUntil,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut next: Option<DateTime<Utc>> = None;
    let waiting = store.call(|s| s.digest_keys_waiting()).await?;
    for plan in plans {
        if plan.key.is_overflow() && !waiting.iter().any(|(key, _)| *key == plan.key) {
            continue;
        }
        let done_until = match handled.get(&plan.key) {
            Some(at) => *at,
            None => {
                let key = plan.key.clone();
                store.call(move |s| s.digest_done_until(&key, now)).await?
            }
        };
        let mut from = done_until;
        if let Some(slot) = plan.schedule.due(plan.timezone, done_until, now) {
            // None: another process closed the slot first; either way it
            // is handled up to now.
            if let Some(closed) = close(store, plan, slot, true, now).await? {
                log_closed(plan, &closed);
            }
            from = now;
        }
        handled.insert(plan.key.clone(), from);
        if let Some(at) = plan.schedule.next_after(plan.timezone, from) {
            next = Some(next.map_or(at, |n| n.min(at)));
        }
    }
    Ok(next)
}

/// Closes `plan` now, outside its schedule (`digest NAME --now`): what
/// waits goes out, and the schedule is left as it was.
pub async fn close_digest_now(
    store: &StoreHandle,
    plan: &DigestPlan,
    now: DateTime<Utc>,
) -> Result<Closed, StoreError> {
    let closed = close(store, plan, now, false, now).await?;
    Ok(closed.unwrap_or_default())
}

async fn close(
    store: &StoreHandle,
    plan: &DigestPlan,
    slot: DateTime<Utc>,
    advance: bool,
    now: DateTime<Utc>,
) -> Result<Option<Closed>, StoreError> {
    let plan = plan.clone();
    store
        .call(move |s| {
            s.close_digest(&DigestClose {
                key: &plan.key,
                slot,
                timezone: plan.timezone.name(),
                to: &plan.to,
                send_empty: plan.send_empty,
                advance,
                at: now,
            })
        })
        .await
}

fn log_closed(plan: &DigestPlan, closed: &Closed) {
    match closed.mails {
        0 => {
            tracing::info!(digest = %plan.key.name(), "digest due with no new matches; nothing sent")
        }
        mails => tracing::info!(
            digest = %plan.key.name(),
            matches = closed.items,
            mails,
            "digest closed; its mails are queued"
        ),
    }
}

//! Surge alerts: whether each rule with a `surge` has matched, in its last
//! window, `factor` times its usual rate (and at least `min` times), and if
//! so one mail to its recipients, queued in the outbox at most once per
//! window.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::earlier;
use std::sync::Arc;

use crate::config::{Config, RuleConfig};
use crate::model::{SurgeRule, digest};
use crate::store::{NewSurge, Store, StoreError, StoreHandle};

/// Checks every rule's surge at `now`; the rules that surged.
pub fn check_surges(
    store: &mut Store,
    rules: &[RuleConfig],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let mut surged = Vec::new();
    for rule in rules.iter().filter(|r| r.enabled) {
        let Some(settings) = rule.surge else { continue };
        let Some((matches, usual)) = surging(store, &rule.name, settings, now)? else {
            continue;
        };
        let at = now.timestamp().to_string();
        let mails = rule
            .to
            .iter()
            .map(|to| {
                let id = digest(["surge", rule.name.as_str(), at.as_str(), to.as_str()]);
                (to.clone(), format!("{id}@newshound"))
            })
            .collect();
        let surge = NewSurge {
            rule: &rule.name,
            at: now,
            settings,
            matches,
            usual,
            mails,
        };
        if store.record_surge(&surge)?.is_some() {
            tracing::info!(rule = %rule.name, matches, usual, "matches surged; mail queued");
            surged.push(rule.name.clone());
        }
    }
    Ok(surged)
}

/// As [`check_surges`] over the rules of `config`, on the store's thread;
/// nothing is asked of the store when no rule has a surge.
pub async fn check_surges_in(
    store: &StoreHandle,
    config: Arc<Config>,
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    if config.rules.iter().all(|r| r.surge.is_none()) {
        return Ok(Vec::new());
    }
    store
        .call(move |s| check_surges(s, &config.rules, now))
        .await
}

/// (matches in the window, usual matches per window) when `rule` surges at
/// `now`. A rule whose matches do not reach back past its baseline has no
/// usual rate yet, and never surges: its first matches after it was added
/// are not news.
fn surging(
    store: &Store,
    rule: &str,
    settings: SurgeRule,
    now: DateTime<Utc>,
) -> Result<Option<(u64, f64)>, StoreError> {
    let end = now + chrono::Duration::seconds(1);
    let window_start = earlier(end, settings.window);
    let matches = store.count_matches(rule, window_start, end)?;
    if matches < settings.min {
        return Ok(None);
    }
    let baseline_start = earlier(window_start, settings.baseline);
    match store.first_match_at(rule)? {
        Some(first) if first < baseline_start => {}
        _ => return Ok(None),
    }
    let before = store.count_matches(rule, baseline_start, window_start)?;
    let usual = before as f64 * ratio(settings.window, settings.baseline);
    Ok((matches as f64 >= settings.factor * usual).then_some((matches, usual)))
}

fn ratio(window: Duration, baseline: Duration) -> f64 {
    window.as_secs_f64() / baseline.as_secs_f64().max(1.0)
}

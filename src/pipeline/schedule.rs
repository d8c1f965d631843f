//! When a feed is next polled: its interval with jitter after a success,
//! an exponential backoff after failures, and never sooner than the server
//! asked with Retry-After.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest a feed is left unpolled after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// `interval` spread by ±10%, so feeds added together drift apart.
pub fn jittered(interval: Duration) -> Duration {
    interval.mul_f64(0.9 + 0.2 * fastrand::f64())
}

/// The wait after the `failures`-th failure in a row: the interval, then
/// twice it, four times, … up to a day, with jitter; at least what the
/// server asked for in Retry-After (itself capped at a day).
pub fn backoff(interval: Duration, failures: u32, retry_after: Option<Duration>) -> Duration {
    let doubled = interval.saturating_mul(1 << failures.saturating_sub(1).min(16));
    let wait = jittered(doubled.min(MAX_BACKOFF)).min(MAX_BACKOFF);
    match retry_after {
        Some(asked) => wait.max(asked.min(MAX_BACKOFF)),
        None => wait,
    }
}

/// The poll interval stretched by freshness hints (`<ttl>`,
/// Cache-Control max-age, Expires): they may lengthen it, never shorten
/// it, and never past `max`.
pub fn stretched(interval: Duration, hints: &[Option<Duration>], max: Duration) -> Duration {
    let hint = hints.iter().flatten().max().copied().unwrap_or_default();
    interval.max(hint.min(max))
}

/// The shortest interval an adaptive feed is polled at.
const ADAPTIVE_FLOOR: Duration = Duration::from_secs(60);

/// For `interval = "adaptive"`: half the median gap between the feed's
/// recent publication times, so a new item waits about half a gap, between
/// a minute and `max`; `fallback` until there are three times to go by.
pub fn adaptive_interval(
    published: &[DateTime<Utc>],
    now: DateTime<Utc>,
    fallback: Duration,
    max: Duration,
) -> Duration {
    let mut times = published.to_vec();
    times.sort_unstable();
    // Items stamped with the same time (a batch) say nothing about rhythm.
    let mut gaps: Vec<Duration> = times
        .windows(2)
        .filter_map(|w| (w[1] - w[0]).to_std().ok())
        .filter(|gap| !gap.is_zero())
        .collect();
    if gaps.len() < 2 {
        return fallback;
    }
    gaps.sort_unstable();
    // A feed silent for longer than its usual gap has slowed down: the
    // silence is the better guess, so it is polled less and less often.
    let silence = times
        .last()
        .and_then(|last| (now - *last).to_std().ok())
        .unwrap_or_default();
    let median = gaps[gaps.len() / 2].max(silence);
    (median / 2).clamp(ADAPTIVE_FLOOR, max.max(ADAPTIVE_FLOOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let d = jittered(100 * MINUTE);
            assert!(d >= 90 * MINUTE && d <= 110 * MINUTE, "{d:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let waits: Vec<Duration> = (1..=4).map(|n| backoff(10 * MINUTE, n, None)).collect();
        for (n, wait) in waits.iter().enumerate() {
            let base = 10 * MINUTE * (1 << n);
            assert!(
                *wait >= base.mul_f64(0.9) && *wait <= base.mul_f64(1.1),
                "{n}: {wait:?}"
            );
        }
        assert!(backoff(10 * MINUTE, 40, None) <= MAX_BACKOFF);
    }

    #[test]
    fn hints_lengthen_but_never_shorten_and_stop_at_the_cap() {
        let hours = |h: u64| Duration::from_secs(h * 3600);
        assert_eq!(
            stretched(10 * MINUTE, &[Some(hours(2)), None], hours(24)),
            hours(2)
        );
        assert_eq!(
            stretched(10 * MINUTE, &[Some(MINUTE)], hours(24)),
            10 * MINUTE
        );
        assert_eq!(
            stretched(10 * MINUTE, &[Some(hours(100))], hours(24)),
            hours(24)
        );
        assert_eq!(stretched(10 * MINUTE, &[], hours(24)), 10 * MINUTE);
    }

    #[test]
    fn adaptive_follows_the_publishing_rhythm() {
        let now = Utc::now();
        // n items, one every `gap` minutes, the newest `gap` minutes ago.
        let every = |gap: i64, n: i64| {
            (1..=n)
                .map(|i| now - chrono::Duration::minutes(gap * i))
                .collect::<Vec<_>>()
        };
        let day = Duration::from_secs(24 * 3600);
        let adaptive = |times: &[DateTime<Utc>]| adaptive_interval(times, now, 15 * MINUTE, day);
        assert_eq!(adaptive(&every(120, 10)), 60 * MINUTE);
        assert_eq!(adaptive(&every(1, 10)), MINUTE, "never under a minute");
        assert_eq!(adaptive(&every(6000, 10)), day, "never over the cap");
        assert_eq!(adaptive(&every(120, 2)), 15 * MINUTE, "too little to go by");
        assert_eq!(
            adaptive(&[now; 10]),
            15 * MINUTE,
            "a batch with one time is no rhythm"
        );
        let quiet: Vec<DateTime<Utc>> = every(10, 4)
            .iter()
            .map(|t| *t - chrono::Duration::days(3))
            .collect();
        assert!(
            adaptive(&quiet) > 5 * MINUTE,
            "a feed gone quiet is polled less often"
        );
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        assert!(backoff(MINUTE, 1, Some(3 * 3600 * MINUTE / 60)) >= Duration::from_secs(3 * 3600));
        assert_eq!(backoff(MINUTE, 1, Some(MAX_BACKOFF * 3)), MAX_BACKOFF);
    }
}

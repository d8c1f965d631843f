//! When a feed is next polled: its interval with jitter after a success,
//! an exponential backoff after failures, and never sooner than the server
//! asked with Retry-After.

use std::time::Duration;

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
    fn retry_after_is_honoured_and_capped() {
        assert!(backoff(MINUTE, 1, Some(3 * 3600 * MINUTE / 60)) >= Duration::from_secs(3 * 3600));
        assert_eq!(backoff(MINUTE, 1, Some(MAX_BACKOFF * 3)), MAX_BACKOFF);
    }
}

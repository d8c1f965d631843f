//! Which feeds to poll now: those due, oldest first, within the global
//! concurrency limit and with no more polls in flight per host than the
//! host allows, so feeds queued behind one slow host never hold the slots
//! every other feed needs.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::Config;

/// The longest the scheduler sleeps before looking at the clock again.
pub const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Every configured feed's next poll time and whether it is being polled.
pub struct Schedule {
    next_poll: Vec<DateTime<Utc>>,
    polling: Vec<bool>,
    hosts: Vec<String>,
    in_flight_per_host: HashMap<String, usize>,
    in_flight: usize,
    concurrency: usize,
    per_host: usize,
}

impl Schedule {
    /// The schedule for `config`'s feeds, due at `next_poll` (one per feed).
    pub fn new(config: &Config, next_poll: Vec<DateTime<Utc>>) -> Schedule {
        Schedule {
            polling: vec![false; next_poll.len()],
            hosts: config
                .feeds
                .iter()
                .map(|f| f.url.host_str().unwrap_or_default().to_ascii_lowercase())
                .collect(),
            next_poll,
            in_flight_per_host: HashMap::new(),
            in_flight: 0,
            concurrency: config.daemon.concurrency,
            per_host: config.daemon.per_host_connections,
        }
    }

    /// True when feed `i` may start now: not running, and its host has room.
    fn startable(&self, i: usize) -> bool {
        !self.polling[i]
            && self
                .in_flight_per_host
                .get(&self.hosts[i])
                .copied()
                .unwrap_or(0)
                < self.per_host
    }

    /// The feeds to start now, oldest due first; marks them started.
    pub fn start_due(&mut self, now: DateTime<Utc>) -> Vec<usize> {
        let mut due: Vec<usize> = (0..self.next_poll.len())
            .filter(|&i| self.next_poll[i] <= now && !self.polling[i])
            .collect();
        due.sort_by_key(|&i| self.next_poll[i]);
        let mut started = Vec::new();
        for i in due {
            if self.in_flight >= self.concurrency {
                break;
            }
            if self.startable(i) {
                self.polling[i] = true;
                self.in_flight += 1;
                *self
                    .in_flight_per_host
                    .entry(self.hosts[i].clone())
                    .or_default() += 1;
                started.push(i);
            }
        }
        started
    }

    /// Feed `i` finished; it is due again at `next`.
    pub fn finished(&mut self, i: usize, next: DateTime<Utc>) {
        self.polling[i] = false;
        self.in_flight -= 1;
        if let Some(count) = self.in_flight_per_host.get_mut(&self.hosts[i]) {
            *count -= 1;
        }
        self.next_poll[i] = next;
    }

    /// A feed that was never due (disabled) is due at `at` after all.
    pub fn revive(&mut self, i: usize, at: DateTime<Utc>) {
        if self.next_poll[i] == DateTime::<Utc>::MAX_UTC && !self.polling[i] {
            self.next_poll[i] = at;
        }
    }

    /// How long to sleep before a feed that could start is due. Feeds that
    /// wait for their host, or for a free slot, are woken by a finishing
    /// poll instead.
    pub fn sleep(&self, now: DateTime<Utc>) -> Duration {
        if self.in_flight >= self.concurrency {
            return MAX_SLEEP;
        }
        (0..self.next_poll.len())
            .filter(|&i| self.startable(i))
            .map(|i| (self.next_poll[i] - now).to_std().unwrap_or(Duration::ZERO))
            .min()
            .unwrap_or(MAX_SLEEP)
            .clamp(Duration::from_millis(10), MAX_SLEEP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(urls: &[&str]) -> Config {
        let feeds: String = urls
            .iter()
            .enumerate()
            .map(|(i, url)| format!("[[feed]]\nname = \"f{i}\"\nurl = \"{url}\"\n"))
            .collect();
        Config::parse(
            Path::new("t.toml"),
            &format!("{feeds}[daemon]\nconcurrency = 3\nper_host_connections = 1\n"),
        )
        .unwrap()
    }

    #[test]
    fn one_slow_host_does_not_take_every_slot() {
        let config = config(&[
            "https://a.org/1",
            "https://a.org/2",
            "https://a.org/3",
            "https://b.org/1",
        ]);
        let now = Utc::now();
        let mut schedule = Schedule::new(&config, vec![now; 4]);
        assert_eq!(
            schedule.start_due(now),
            [0, 3],
            "one per host; b.org is not kept waiting"
        );
        schedule.finished(0, now + chrono::Duration::minutes(15));
        assert_eq!(schedule.start_due(now), [1]);
    }

    #[test]
    fn the_longest_overdue_starts_first() {
        let config = config(&[
            "https://a.org/",
            "https://b.org/",
            "https://c.org/",
            "https://d.org/",
        ]);
        let now = Utc::now();
        let minutes = |m: i64| now - chrono::Duration::minutes(m);
        let mut schedule = Schedule::new(
            &config,
            vec![minutes(1), minutes(30), minutes(10), minutes(20)],
        );
        assert_eq!(
            schedule.start_due(now),
            [1, 3, 2],
            "three slots, oldest first"
        );
    }

    #[test]
    fn waiting_on_a_host_does_not_make_the_loop_spin() {
        let config = config(&["https://a.org/1", "https://a.org/2"]);
        let now = Utc::now();
        let mut schedule = Schedule::new(&config, vec![now; 2]);
        schedule.start_due(now);
        assert_eq!(
            schedule.sleep(now),
            MAX_SLEEP,
            "the second feed waits for the first to finish"
        );
    }
}

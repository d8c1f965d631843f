//! Politeness per host: at most `connections` requests at once to one host
//! name, and `delay` between the starts of two requests to it. Feed polls
//! and article pages share the same limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The limits for every host, created as hosts are first seen.
#[derive(Debug)]
pub struct HostLimits {
    connections: usize,
    delay: Duration,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

#[derive(Debug)]
struct Host {
    slots: Arc<Semaphore>,
    /// When the next request to this host may start.
    next_start: tokio::sync::Mutex<Instant>,
}

/// A request's right to talk to a host; released on drop.
#[derive(Debug)]
pub struct HostPermit(#[allow(dead_code)] OwnedSemaphorePermit);

impl HostLimits {
    /// Limits of `connections` at once (at least one) and `delay` between starts.
    pub fn new(connections: usize, delay: Duration) -> HostLimits {
        HostLimits {
            connections: connections.max(1),
            delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free connection to `host` and for its turn to start.
    pub async fn acquire(&self, host: &str) -> HostPermit {
        let entry = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(hosts.entry(host.to_ascii_lowercase()).or_insert_with(|| {
                Arc::new(Host {
                    slots: Arc::new(Semaphore::new(self.connections)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            }))
        };
        let permit = Arc::clone(&entry.slots)
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        if !self.delay.is_zero() {
            let mut next_start = entry.next_start.lock().await;
            tokio::time::sleep_until(*next_start).await;
            *next_start = Instant::now() + self.delay;
        }
        HostPermit(permit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_to_one_host_are_spaced_by_the_delay() {
        let limits = Arc::new(HostLimits::new(4, Duration::from_secs(1)));
        let begin = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _permit = limits.acquire("news.example.org").await;
            starts.push(begin.elapsed().as_secs());
        }
        let other = limits.acquire("other.example.org").await;
        drop(other);
        assert_eq!(starts, [0, 1, 2]);
        assert_eq!(begin.elapsed().as_secs(), 2, "another host does not wait");
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_connection_limit_at_once() {
        let limits = Arc::new(HostLimits::new(2, Duration::ZERO));
        let first = limits.acquire("h").await;
        let _second = limits.acquire("h").await;
        let waiting = tokio::spawn({
            let limits = Arc::clone(&limits);
            async move { limits.acquire("h").await }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert!(
            !waiting.is_finished(),
            "a third request waits for a free connection"
        );
        drop(first);
        waiting.await.unwrap();
    }
}

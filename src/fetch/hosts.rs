//! Politeness per host: at most `connections` requests at once to one host,
//! and `delay` between the starts of two requests to it. A host is its name
//! (an IP literal in one spelling) and, for article pages, each address it
//! resolves to, so that the many names a feed's links can give one server
//! (`[::ffff:a.b.c.d]`, a thousand subdomains) are paced as one. Feed polls
//! and article pages share the same limits.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

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

/// A request's right to talk to a host, under its name and each of its
/// addresses; released on drop.
#[derive(Debug)]
pub struct HostPermit(#[allow(dead_code)] Vec<OwnedSemaphorePermit>);

/// The most addresses of one name a request waits for.
const MAX_ADDRESSES: usize = 4;

/// The keys `url`'s host is paced under: its name (an IP literal in one
/// spelling, IPv4-mapped IPv6 as IPv4), then, `by_address`, the addresses
/// the name resolves to (through `fixed` first), sorted, so that every
/// request takes them in the same order and none waits on another in a
/// cycle.
pub async fn pacing_keys(
    url: &Url,
    fixed: &HashMap<String, Vec<IpAddr>>,
    by_address: bool,
) -> Vec<String> {
    let one_spelling = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4).to_string(),
        v4 => v4.to_string(),
    };
    let name = match url.host() {
        Some(url::Host::Ipv4(v4)) => return vec![v4.to_string()],
        Some(url::Host::Ipv6(v6)) => return vec![one_spelling(IpAddr::V6(v6))],
        Some(url::Host::Domain(name)) => name.trim_end_matches('.').to_ascii_lowercase(),
        None => return vec![String::new()],
    };
    if !by_address {
        return vec![name];
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match fixed.get(&name) {
        Some(ips) => ips.clone(),
        // A name that does not resolve fails at connect; its name paces it.
        None => tokio::net::lookup_host((name.as_str(), port))
            .await
            .map(|found| found.map(|a| a.ip()).collect())
            .unwrap_or_default(),
    };
    let mut keys: Vec<String> = addresses.into_iter().map(one_spelling).collect();
    keys.sort();
    keys.dedup();
    keys.truncate(MAX_ADDRESSES);
    keys.insert(0, name);
    keys
}

impl HostLimits {
    /// Limits of `connections` at once (at least one) and `delay` between starts.
    pub fn new(connections: usize, delay: Duration) -> HostLimits {
        HostLimits {
            connections: connections.max(1),
            delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a free connection under each of `keys` (from
    /// [`pacing_keys`]), in order, and for its turn to start under each.
    pub async fn acquire_all(&self, keys: &[String]) -> HostPermit {
        let mut permits = Vec::with_capacity(keys.len());
        for key in keys {
            permits.push(self.acquire_one(key).await);
        }
        HostPermit(permits)
    }

    async fn acquire_one(&self, host: &str) -> OwnedSemaphorePermit {
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
        permit
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
            let _permit = limits.acquire_all(&["news.example.org".into()]).await;
            starts.push(begin.elapsed().as_secs());
        }
        let other = limits.acquire_all(&["other.example.org".into()]).await;
        drop(other);
        assert_eq!(starts, [0, 1, 2]);
        assert_eq!(begin.elapsed().as_secs(), 2, "another host does not wait");
    }

    #[tokio::test]
    async fn spellings_of_one_address_share_one_key() {
        let fixed = HashMap::from([(
            "many.example".to_string(),
            vec![
                IpAddr::from([10, 0, 0, 1]),
                "::ffff:10.0.0.1".parse().unwrap(),
            ],
        )]);
        let keys = |u: &'static str| {
            let fixed = fixed.clone();
            async move { pacing_keys(&Url::parse(u).unwrap(), &fixed, true).await }
        };
        assert_eq!(keys("http://[::ffff:10.0.0.1]/").await, ["10.0.0.1"]);
        assert_eq!(keys("http://10.0.0.1:8080/").await, ["10.0.0.1"]);
        assert_eq!(
            keys("http://Many.Example./").await,
            ["many.example", "10.0.0.1"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_connection_limit_at_once() {
        let limits = Arc::new(HostLimits::new(2, Duration::ZERO));
        let first = limits.acquire_all(&["h".into()]).await;
        let _second = limits.acquire_all(&["h".into()]).await;
        let waiting = tokio::spawn({
            let limits = Arc::clone(&limits);
            async move { limits.acquire_all(&["h".into()]).await }
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

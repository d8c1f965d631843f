//! The SSRF guard: no request may reach loopback, private, link-local,
//! CGNAT, metadata or unspecified addresses, except the host a person
//! configured and anything a feed with `allow_private_network` leads to.
//!
//! The check is on the addresses a connection is actually made to: the
//! guarded client resolves names with `Resolver { guard: true }`, which
//! hands the connector only allowed addresses, so neither DNS tricks nor
//! redirects get around it. Hops the guard does not apply to (the trusted
//! host, feeds with `allow_private_network`) go through a second client
//! with its own connection pool, so a connection opened for them is never
//! reused by a guarded request. Hosts written as IP literals never reach a
//! resolver and are checked before each hop is sent; so is every hop's
//! resolved target when a proxy is in use, since the connection then goes
//! to the proxy (which the guard leaves alone: the administrator chose it).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::FetchError;
use crate::model::FailureClass;

/// What one request may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// The host the user configured; it may be private.
    pub trusted_host: Option<String>,
    /// Lift the guard for everything this request leads to.
    pub allow_private_network: bool,
}

impl Access {
    /// A configured feed: its own host trusted, the rest guarded unless
    /// the feed allows private networks.
    pub fn feed(url: &Url, allow_private_network: bool) -> Access {
        Access {
            trusted_host: url.host_str().map(str::to_ascii_lowercase),
            allow_private_network,
        }
    }

    /// An article page (or its site's robots.txt) of a feed: no host is
    /// trusted, since the feed's author chose the link, not the user.
    pub fn page(allow_private_network: bool) -> Access {
        Access {
            trusted_host: None,
            allow_private_network,
        }
    }

    /// True when the guard does not apply to requests to `host`.
    pub fn allows_anything_at(&self, host: &str) -> bool {
        self.allow_private_network
            || self.trusted_host.as_deref() == Some(&*host.to_ascii_lowercase())
    }
}

/// True for addresses no untrusted request may connect to.
pub fn is_blocked(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_blocked_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_blocked_v4(v4),
            None => is_blocked_v6(v6),
        },
    }
}

fn is_blocked_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, cloud metadata included
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18/15
        || a >= 240 // reserved
}

fn is_blocked_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let first = segments[0];
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    // Addresses that carry an IPv4 address reach it: NAT64 64:ff9b::/96,
    // 6to4 2002::/16, IPv4-translated ::ffff:0:a.b.c.d.
    let carried = match segments {
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(embedded(hi, lo)),
        [0x2002, hi, lo, ..] => Some(embedded(hi, lo)),
        [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(embedded(hi, lo)),
        _ => None,
    };
    if carried.is_some_and(is_blocked_v4) {
        return true;
    }
    (first == 0x64 && segments[1] == 0xff9b && segments[2] == 1) // local-use NAT64 64:ff9b:1::/48
        || ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || ip.to_ipv4().is_some_and(|v4| is_blocked_v4(v4) && first == 0) // IPv4-compatible ::a.b.c.d
}

/// The error for a refused address.
#[derive(Debug, thiserror::Error)]
#[error(
    "{host} resolves only to {addr}, a private or local address; set allow_private_network = true on the feed if that is intended"
)]
pub struct Blocked {
    pub host: String,
    pub addr: IpAddr,
}

impl Blocked {
    pub fn into_fetch_error(self) -> FetchError {
        FetchError::new(FailureClass::BlockedAddress, self.to_string())
    }
}

/// Checks a hop before it is sent: an IP-literal host, or, behind a proxy,
/// the target's resolved addresses.
pub async fn check_hop(url: &Url, access: &Access, behind_proxy: bool) -> Result<(), FetchError> {
    let Some(host) = url.host() else {
        return Ok(());
    };
    let name = url.host_str().unwrap_or_default();
    if access.allows_anything_at(name) {
        return Ok(());
    }
    let ip = match host {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    };
    if let Some(ip) = ip {
        return match is_blocked(ip) {
            true => Err(Blocked {
                host: name.to_string(),
                addr: ip,
            }
            .into_fetch_error()),
            false => Ok(()),
        };
    }
    if behind_proxy {
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
            .await
            .map_err(|e| FetchError::new(FailureClass::Dns, format!("cannot resolve {name}: {e}")))?
            .collect();
        if let Some(first) = addrs
            .first()
            .filter(|_| addrs.iter().all(|a| is_blocked(a.ip())))
        {
            return Err(Blocked {
                host: name.to_string(),
                addr: first.ip(),
            }
            .into_fetch_error());
        }
    }
    Ok(())
}

/// A resolver; with `guard`, it gives the connector only addresses that
/// are not blocked. `hosts` maps names to fixed addresses before DNS (as
/// curl's `--resolve` does); it is how tests reach 127.0.0.1 under a
/// public-looking name.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    pub guard: bool,
    pub hosts: Arc<HashMap<String, Vec<IpAddr>>>,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let fixed = self.hosts.get(&host).cloned();
        let guard = self.guard;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(ips) => ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect(),
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            if !guard {
                return Ok(Box::new(addrs.into_iter()) as Addrs);
            }
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .filter(|a| !is_blocked(a.ip()))
                .copied()
                .collect();
            match (allowed.is_empty(), addrs.first()) {
                (true, Some(first)) => Err(Box::new(Blocked {
                    host,
                    addr: first.ip(),
                }) as _),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_local_and_metadata_addresses_are_blocked() {
        for blocked in [
            "127.0.0.1",
            "127.8.9.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_blocked(blocked.parse().unwrap()), "{blocked}");
        }
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_blocked(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn the_trusted_host_and_allow_private_network_lift_the_guard() {
        let feed = Access::feed(&Url::parse("http://Intranet.Local/feed").unwrap(), false);
        assert!(feed.allows_anything_at("intranet.local"));
        assert!(!feed.allows_anything_at("other.local"));
        assert!(
            Access::feed(&Url::parse("http://x.org/").unwrap(), true)
                .allows_anything_at("10.0.0.1")
        );
    }
}

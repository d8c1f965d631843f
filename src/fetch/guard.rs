//! The SSRF guard: no request may reach loopback, private, link-local,
//! CGNAT, metadata, documentation or other special-purpose addresses, nor
//! any address of this machine's own interfaces, except the origin a person
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
//! Hosts that `NO_PROXY` sends around the proxy connect directly, checked
//! by the resolver at connect time like any other: resolved once.

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
    /// The origin (scheme, host, port) the user configured; it may be
    /// private. Another port of the same host is not trusted.
    pub trusted_origin: Option<url::Origin>,
    /// Lift the guard for everything this request leads to.
    pub allow_private_network: bool,
}

impl Access {
    /// A configured feed: its own origin trusted, the rest guarded unless
    /// the feed allows private networks.
    pub fn feed(url: &Url, allow_private_network: bool) -> Access {
        Access {
            trusted_origin: Some(url.origin()),
            allow_private_network,
        }
    }

    /// An article page (or its site's robots.txt) of a feed: no host is
    /// trusted, since the feed's author chose the link, not the user.
    pub fn page(allow_private_network: bool) -> Access {
        Access {
            trusted_origin: None,
            allow_private_network,
        }
    }

    /// True when the guard does not apply to requests to `url`.
    pub fn allows_anything_at(&self, url: &Url) -> bool {
        self.allow_private_network
            || self
                .trusted_origin
                .as_ref()
                .is_some_and(|origin| is_origin_or_its_upgrade(origin, url))
    }
}

/// True when `url` is at `origin`, or at its move to TLS: the same host on
/// https at its default port, where `origin` is http at its default port
/// (the commonest redirect a configured feed makes).
pub fn is_origin_or_its_upgrade(origin: &url::Origin, url: &Url) -> bool {
    let to = url.origin();
    match (origin, &to) {
        _ if *origin == to => true,
        (url::Origin::Tuple(from_scheme, from_host, 80), url::Origin::Tuple(scheme, host, 443)) => {
            from_scheme == "http" && scheme == "https" && from_host == host
        }
        _ => false,
    }
}

/// True for addresses no untrusted request may connect to: blocked ranges
/// and the addresses of this machine's own interfaces (a public address
/// on the host reaches its own services as surely as 127.0.0.1 does).
pub fn is_refused(ip: IpAddr) -> bool {
    is_blocked(ip) || is_own_address(ip)
}

/// True when `ip` is assigned to one of this machine's interfaces, read
/// anew each time: addresses come and go.
fn is_own_address(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if_addrs::get_if_addrs()
        .map(|interfaces| interfaces.iter().any(|i| i.ip() == ip))
        // Unreadable interfaces: the ranges still apply.
        .unwrap_or(false)
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
        || (a == 192 && b == 0 && c == 2) // TEST-NET-1
        || (a == 198 && b == 51 && c == 100) // TEST-NET-2
        || (a == 203 && b == 0 && c == 113) // TEST-NET-3
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
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
        || matches!(segments, [0x100, 0, 0, 0, ..]) // discard-only 100::/64
        || (first == 0x2001 && segments[1] == 0) // Teredo 2001::/32
        || (first == 0x2001 && segments[1] == 2 && segments[2] == 0) // benchmarking 2001:2::/48
        || (first == 0x2001 && (segments[1] & 0xfff0) == 0x20) // ORCHIDv2 2001:20::/28
        || (first == 0x2001 && segments[1] == 0xdb8) // documentation 2001:db8::/32
        || (first == 0x3fff && segments[1] & 0xf000 == 0) // documentation 3fff::/20
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

/// A host name that did not resolve: raised by [`Resolver`] (and the
/// proxy check) so that the failure is sorted by its type, not its words.
#[derive(Debug, thiserror::Error)]
#[error("cannot resolve {host}: {source}")]
pub struct DnsFailure {
    pub host: String,
    #[source]
    pub source: std::io::Error,
}

impl DnsFailure {
    /// The addresses of `host` (a port for the connector to replace).
    async fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, DnsFailure> {
        let fail = |source| DnsFailure {
            host: host.to_string(),
            source,
        };
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(fail)?
            .collect();
        match addrs.is_empty() {
            true => Err(fail(std::io::Error::other("the name has no addresses"))),
            false => Ok(addrs),
        }
    }
}

/// Checks a hop before it is sent: an IP-literal host, or, behind a proxy,
/// the target's resolved addresses.
pub async fn check_hop(
    url: &Url,
    access: &Access,
    proxy: Option<&Proxy>,
) -> Result<(), FetchError> {
    let Some(host) = url.host() else {
        return Ok(());
    };
    let name = url.host_str().unwrap_or_default();
    if access.allows_anything_at(url) {
        return Ok(());
    }
    let ip = match host {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    };
    if let Some(ip) = ip {
        return match is_refused(ip) {
            true => Err(Blocked {
                host: name.to_string(),
                addr: ip,
            }
            .into_fetch_error()),
            false => Ok(()),
        };
    }
    // Through a proxy, which connects for us: each resolved address is
    // checked here, and one refused address refuses the hop (the proxy may
    // pick any). A host the proxy is bypassed for is left to the resolver.
    // A request sent straight to a proxy's own host (one `NO_PROXY` names)
    // is checked here too: the resolver leaves that name unguarded.
    if proxy.is_some_and(|p| p.carries(url) || p.is_proxy_host(name)) {
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs = DnsFailure::lookup(name, port)
            .await
            .map_err(|e| FetchError::new(FailureClass::Dns, e.to_string()))?;
        if let Some(refused) = addrs.iter().find(|a| is_refused(a.ip())) {
            return Err(Blocked {
                host: name.to_string(),
                addr: refused.ip(),
            }
            .into_fetch_error());
        }
    }
    Ok(())
}

/// A host name as the resolver sees it: no brackets, no trailing dot,
/// lowercase.
fn proxy_host_key(host: &str) -> String {
    host.trim_matches(['[', ']'])
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The proxy the environment names (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`, with `NO_PROXY`), read as the HTTP client reads it.
#[derive(Clone)]
pub struct Proxy {
    matcher: Arc<hyper_util::client::proxy::matcher::Matcher>,
    /// The proxies' own host names, which the resolver leaves unguarded:
    /// the administrator chose them, and they are often on a private network.
    hosts: Arc<Vec<String>>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy").field("hosts", &self.hosts).finish()
    }
}

impl Proxy {
    /// The environment's proxy, if it names one.
    pub fn from_env() -> Option<Proxy> {
        let names = [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ];
        let hosts: Vec<String> = names
            .iter()
            .filter_map(|v| std::env::var(v).ok().filter(|value| !value.is_empty()))
            .filter_map(|value| {
                // "proxy.corp:3128" is an HTTP proxy, as the HTTP client reads it.
                let value = match value.contains("://") {
                    true => value,
                    false => format!("http://{value}"),
                };
                let url = Url::parse(&value).ok()?;
                Some(proxy_host_key(url.host_str()?))
            })
            .collect();
        if hosts.is_empty() {
            return None;
        }
        Some(Proxy {
            matcher: Arc::new(hyper_util::client::proxy::matcher::Matcher::from_env()),
            hosts: Arc::new(hosts),
        })
    }

    /// The proxies' host names.
    pub fn hosts(&self) -> Vec<String> {
        self.hosts.to_vec()
    }

    /// True when `host` is one of the proxies' own names.
    pub fn is_proxy_host(&self, host: &str) -> bool {
        self.hosts.contains(&proxy_host_key(host))
    }

    /// True when a request to `url` goes through the proxy (not `NO_PROXY`).
    pub fn carries(&self, url: &Url) -> bool {
        url.as_str()
            .parse::<http::Uri>()
            .map_or(true, |uri| self.matcher.intercept(&uri).is_some())
    }
}

/// A resolver; with `guard`, it gives the connector only addresses that
/// are not blocked. `hosts` maps names to fixed addresses before DNS (as
/// curl's `--resolve` does); it is how tests reach 127.0.0.1 under a
/// public-looking name.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    pub guard: bool,
    pub hosts: Arc<HashMap<String, Vec<IpAddr>>>,
    /// Names resolved without the guard: the proxies the environment names.
    pub unguarded: Arc<Vec<String>>,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let fixed = self.hosts.get(&host).cloned();
        let guard = self.guard && !self.unguarded.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = match fixed {
                Some(ips) => ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect(),
                None => DnsFailure::lookup(&host, 0).await?,
            };
            if !guard {
                return Ok(Box::new(addrs.into_iter()) as Addrs);
            }
            let allowed: Vec<SocketAddr> = addrs
                .iter()
                .filter(|a| !is_refused(a.ip()))
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
    fn the_trusted_origin_and_allow_private_network_lift_the_guard() {
        let url = |u: &str| Url::parse(u).unwrap();
        let feed = Access::feed(&url("http://Intranet.Local/feed"), false);
        assert!(feed.allows_anything_at(&url("http://intranet.local/other")));
        assert!(!feed.allows_anything_at(&url("http://other.local/")));
        // The same host on another port is another origin; its move to
        // https is not.
        assert!(!feed.allows_anything_at(&url("http://intranet.local:8080/")));
        assert!(!feed.allows_anything_at(&url("https://intranet.local:8443/")));
        assert!(feed.allows_anything_at(&url("https://intranet.local/feed")));
        let tls = Access::feed(&url("https://intranet.local/feed"), false);
        assert!(!tls.allows_anything_at(&url("http://intranet.local/feed")));
        assert!(
            Access::feed(&url("http://x.org/"), true).allows_anything_at(&url("http://10.0.0.1/"))
        );
    }

    #[test]
    fn special_purpose_ranges_and_the_machines_own_addresses_are_refused() {
        for special in [
            "192.0.2.10",
            "198.51.100.7",
            "203.0.113.99",
            "192.88.99.1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "2001::1",
            "2001:2::1",
            "2001:20::1",
            "::ffff:203.0.113.5",
        ] {
            assert!(is_refused(special.parse().unwrap()), "{special}");
        }
        let own: Vec<IpAddr> = if_addrs::get_if_addrs()
            .unwrap()
            .iter()
            .map(|i| i.ip())
            .collect();
        assert!(!own.is_empty());
        for ip in own {
            assert!(is_refused(ip), "{ip}");
        }
        assert!(!is_refused("8.8.8.8".parse().unwrap()));
    }
}

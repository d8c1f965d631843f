//! Polite HTTP for feeds: conditional GET, compressed bodies, deadlines, a
//! cap on the decompressed size, and failures sorted into a few classes.
//!
//! No parsing and no database: a request goes out, bytes or a classified
//! failure come back.

mod classify;
mod guard;
mod hosts;
mod redirect;
mod response;
mod robots;
mod robots_cache;
pub mod tls;

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use reqwest::Client;
use reqwest::header::{self, HeaderMap};
use url::Url;

use crate::model::FailureClass;
pub use crate::model::Validators;
pub use classify::{causes as error_causes, classify};
pub use guard::{Access, is_blocked};
pub use hosts::HostLimits;
pub use redirect::{MAX_REDIRECTS, Redirect, permanent_target};
pub use robots::Robots;
use robots_cache::RobotsCache;

/// What a successful request brought back.
#[derive(Debug)]
pub enum FetchOutcome {
    /// 304: nothing changed since the validators were issued; the
    /// redirects followed to hear it, and how long the server says the
    /// answer stays fresh.
    NotModified {
        redirects: Vec<Redirect>,
        fresh_for: Option<Duration>,
    },
    /// A body, decompressed and within the cap.
    Fetched(Fetched),
}

/// A fetched body and what the server said about it.
#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    /// The URL after redirects.
    pub final_url: Url,
    pub content_type: Option<String>,
    pub validators: Validators,
    /// The redirects followed to get it, in order.
    pub redirects: Vec<Redirect>,
    /// How long the server says the body stays fresh (Cache-Control
    /// max-age, else Expires).
    pub fresh_for: Option<Duration>,
}

/// A failed request: its class and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub class: FailureClass,
    pub message: String,
    /// How long the server asked us to wait (429 and 503 Retry-After).
    pub retry_after: Option<Duration>,
}

impl FetchError {
    /// A failure of `class`, explained by `message`.
    pub fn new(class: FailureClass, message: impl Into<String>) -> FetchError {
        FetchError {
            class,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// What is fetched, for the unconditional requests.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Page {
        respect_robots: bool,
        max_bytes: u64,
    },
    Robots,
}

/// A feed's own request headers (tokens), for its configured origin only:
/// never along a redirect to another origin, and never to the origin a
/// moved feed polls now.
#[derive(Clone, Copy)]
pub struct OwnHeaders<'a> {
    pub headers: &'a HeaderMap,
    /// The configured feed URL, whose scheme, host and port alone get them.
    pub origin: &'a Url,
}

/// How one request is made.
struct Request<'a> {
    validators: &'a Validators,
    own: Option<OwnHeaders<'a>>,
    cap: Cap,
    accept: &'static str,
    respect_robots: bool,
}

/// Larger than any sane robots.txt; the first 512 KiB are read.
const ROBOTS_MAX_BYTES: u64 = 2 * 1024 * 1024;

/// What an article page request accepts: HTML first.
const PAGE_ACCEPT: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

/// The most a body may hold once decompressed, and the setting that says so
/// (named in the error, so the user knows what to raise).
#[derive(Debug, Clone, Copy)]
pub struct Cap {
    pub bytes: u64,
    pub setting: &'static str,
}

/// Limits of one kind of request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deadline for the whole request, body included.
    pub total: Duration,
    pub connect: Duration,
    /// Cap on the decompressed body.
    pub max_bytes: u64,
}

/// An HTTP client shared by every request of the process.
#[derive(Debug, Clone)]
pub struct Fetcher {
    /// Requests the guard applies to: names resolve to allowed addresses only.
    guarded: Client,
    /// Requests to a trusted host or for a feed that allows private
    /// networks; a separate pool, so its connections never serve the other.
    open: Client,
    limits: Limits,
    /// A proxy from the environment that carries requests, whose targets
    /// the guard must resolve and check itself.
    proxy: Option<guard::Proxy>,
    /// Per-host connection limits and delays, shared by every clone.
    hosts: Arc<HostLimits>,
    /// Names resolved to fixed addresses before DNS.
    fixed: Arc<HashMap<String, Vec<IpAddr>>>,
    /// Sites' robots.txt, shared by every clone.
    robots: Arc<RobotsCache>,
}

impl Fetcher {
    /// Builds a client with newshound's User-Agent, these limits, and the
    /// per-host politeness of `per_host`.
    pub fn new(limits: Limits, per_host: HostLimits) -> Result<Fetcher, FetchError> {
        Fetcher::with_hosts(limits, per_host, HashMap::new())
    }

    /// Like `new`, with names resolved to fixed addresses before DNS, as
    /// curl's `--resolve` does; the guard still applies to them.
    pub fn with_hosts(
        limits: Limits,
        per_host: HostLimits,
        hosts: HashMap<String, Vec<IpAddr>>,
    ) -> Result<Fetcher, FetchError> {
        let hosts = Arc::new(hosts);
        let proxy = guard::Proxy::from_env();
        let unguarded = Arc::new(proxy.as_ref().map(guard::Proxy::hosts).unwrap_or_default());
        let tls = tls::client_config(&[b"h2", b"http/1.1"])
            .map_err(|e| FetchError::new(FailureClass::Tls, format!("cannot set up TLS: {e}")))?;
        let client = |guard: bool| {
            Client::builder()
                .tls_backend_preconfigured(tls.clone())
                .user_agent(concat!("newshound/", env!("CARGO_PKG_VERSION")))
                .connect_timeout(limits.connect)
                // The deadline is enforced per request in `follow`, from when
                // the host lets it go; this is only a backstop behind it.
                .timeout(limits.total + Duration::from_secs(5))
                // Redirects are followed by hand, hop by hop (see `follow`).
                .redirect(reqwest::redirect::Policy::none())
                // The proxy itself, which the administrator chose, is not
                // guarded; targets it carries are checked in `check_hop`.
                .dns_resolver(guard::Resolver {
                    guard,
                    hosts: Arc::clone(&hosts),
                    unguarded: Arc::clone(&unguarded),
                })
                .build()
                .map_err(|e| {
                    FetchError::new(
                        FailureClass::Connect,
                        format!("cannot build the HTTP client: {e}"),
                    )
                })
        };
        let (guarded, open) = (client(true)?, client(false)?);
        Ok(Fetcher {
            guarded,
            open,
            limits,
            proxy,
            hosts: Arc::new(per_host),
            fixed: Arc::clone(&hosts),
            robots: Arc::default(),
        })
    }

    /// GETs `url`, conditionally when `validators` hold anything, following
    /// up to five redirects, reaching only what `access` allows. The total
    /// deadline starts once the host lets the request go (waiting for a
    /// polite turn is not the server's fault) and covers every hop.
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
        access: &Access,
        own: Option<OwnHeaders<'_>>,
    ) -> Result<FetchOutcome, FetchError> {
        let request = Request {
            validators,
            own,
            cap: Cap {
                bytes: self.limits.max_bytes,
                setting: "feed_max_bytes",
            },
            accept: FEED_ACCEPT,
            respect_robots: false,
        };
        self.fetch(url, access, request).await
    }

    /// GETs an article page unconditionally, with the same redirects,
    /// guard, politeness and deadline as feeds, capped at `max_bytes`; with
    /// `respect_robots`, every hop's site must allow it in its robots.txt
    /// (else the class is `robots`). No feed's headers: a feed's token is
    /// not for the article's host.
    pub async fn get_page(
        &self,
        url: &Url,
        access: &Access,
        respect_robots: bool,
        max_bytes: u64,
    ) -> Result<FetchOutcome, FetchError> {
        let kind = Kind::Page {
            respect_robots,
            max_bytes,
        };
        self.fetch_kind(url, access, kind).await
    }

    /// An unconditional GET of a page or a robots.txt.
    async fn fetch_kind(
        &self,
        url: &Url,
        access: &Access,
        kind: Kind,
    ) -> Result<FetchOutcome, FetchError> {
        let (cap, accept) = match kind {
            Kind::Page { max_bytes, .. } => (
                Cap {
                    bytes: max_bytes,
                    setting: "page_max_bytes",
                },
                PAGE_ACCEPT,
            ),
            Kind::Robots => (
                Cap {
                    bytes: ROBOTS_MAX_BYTES,
                    setting: "the robots.txt limit",
                },
                "text/plain, */*;q=0.5",
            ),
        };
        let respect_robots = matches!(
            kind,
            Kind::Page {
                respect_robots: true,
                ..
            }
        );
        let request = Request {
            validators: &Validators::default(),
            own: None,
            cap,
            accept,
            respect_robots,
        };
        self.fetch(url, access, request).await
    }

    async fn fetch(
        &self,
        url: &Url,
        access: &Access,
        how: Request<'_>,
    ) -> Result<FetchOutcome, FetchError> {
        let Request {
            validators,
            own,
            cap,
            accept,
            respect_robots,
        } = how;
        // Feeds are the user's choice and often share a host's addresses
        // (one blog platform, one CDN): only the pages a feed links to,
        // which its author chose, and their robots.txt, are paced by address
        // as well as by name.
        let by_address = accept != FEED_ACCEPT;
        // Each redirect is followed by hand, so that every hop is seen:
        // loops are caught, non-HTTP targets refused, permanent moves
        // recorded, and the guard applied.
        let mut current = url.clone();
        let mut redirects: Vec<Redirect> = Vec::new();
        let mut deadline: Option<Instant> = None;
        loop {
            guard::check_hop(&current, access, self.proxy.as_ref()).await?;
            if respect_robots {
                self.robots
                    .check(self, &current, access)
                    .await
                    .map_err(|why| FetchError::new(FailureClass::Robots, why))?;
            }
            // Held until this hop's answer is read, body included.
            let turn = async {
                let keys = hosts::pacing_keys(&current, &self.fixed, by_address).await;
                self.hosts.acquire_all(&keys).await
            };
            let permit = match deadline {
                None => turn.await,
                Some(at) => within(at, self.limits.total, turn).await?,
            };
            let at = *deadline.get_or_insert_with(|| Instant::now() + self.limits.total);
            let client = match access.allows_anything_at(&current) {
                true => &self.open,
                false => &self.guarded,
            };
            let mut request = client.get(current.clone()).header(header::ACCEPT, accept);
            if let Some(own) =
                own.filter(|own| guard::is_origin_or_its_upgrade(&own.origin.origin(), &current))
            {
                request = request.headers(own.headers.clone());
            }
            if let Some(etag) = &validators.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &validators.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, modified);
            }
            let response = within(at, self.limits.total, request.send())
                .await?
                .map_err(classify)?;
            match redirect::next_hop(&response, url, &redirects)? {
                Some(hop) => {
                    drop(permit);
                    current = hop.to.clone();
                    redirects.push(hop);
                }
                None => {
                    let read = response::read(response, cap, redirects);
                    let outcome = within(at, self.limits.total, read).await?;
                    drop(permit);
                    return outcome;
                }
            }
        }
    }
}

/// Runs `work` until `deadline`; past it, a timeout naming the `total` allowed.
async fn within<T>(
    deadline: Instant,
    total: Duration,
    work: impl Future<Output = T>,
) -> Result<T, FetchError> {
    tokio::time::timeout_at(deadline, work).await.map_err(|_| {
        FetchError::new(
            FailureClass::Timeout,
            format!(
                "no complete answer within {}",
                humantime::format_duration(total)
            ),
        )
    })
}

/// What feed requests accept, most specific first.
const FEED_ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

/// A configured request header that cannot be sent: its secret cannot be
/// read, or its name or value is not valid in HTTP. The message names its
/// owner and the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HeaderError(String);

/// Configured request headers, secrets read, as an HTTP header map; errors
/// name `owner` (`feed "un-news"`, `webhook "ntfy"`).
pub fn header_map(
    owner: &str,
    headers: &[(String, crate::config::HeaderValue)],
) -> Result<HeaderMap, HeaderError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let text = match value {
            crate::config::HeaderValue::Text(text) => text.clone(),
            crate::config::HeaderValue::Secret(secret) => crate::config::read_secret(secret)
                .map_err(|e| HeaderError(format!("{owner}, header {name}: {e}")))?,
        };
        let invalid =
            |e: &dyn std::fmt::Display| HeaderError(format!("{owner}, header {name}: {e}"));
        let name =
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| invalid(&e))?;
        let value = reqwest::header::HeaderValue::from_str(&text).map_err(|e| invalid(&e))?;
        map.insert(name, value);
    }
    Ok(map)
}

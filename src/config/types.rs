//! The validated, typed configuration that the rest of newshound reads.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::rules::RuleSet;

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    pub state_dir: Option<PathBuf>,
    pub smtp: Option<SmtpConfig>,
    pub feeds: Vec<FeedConfig>,
    pub rules: Vec<RuleConfig>,
    pub webhooks: Vec<WebhookConfig>,
    pub digests: Vec<DigestConfig>,
    /// The rules, compiled; rule `i` of the set is `rules[i]`.
    pub rule_set: RuleSet,
    pub daemon: DaemonConfig,
    /// `[metrics] listen`: where `/metrics` and `/healthz` are served.
    pub metrics: Option<std::net::SocketAddr>,
    /// `[web]`: the web interface, when set.
    pub web: Option<WebConfig>,
}

/// `[web]`: where the read-only web interface listens, and who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    pub listen: std::net::SocketAddr,
    /// The file holding the password that HTTP basic auth asks for.
    pub password_file: Option<PathBuf>,
    /// The header a reverse proxy sets to the user it authenticated;
    /// requests without it are refused.
    pub trusted_proxy_header: Option<String>,
}

/// `[smtp]`: where immediate mails go when set.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The From header, e.g. `newshound <alerts@example.org>`.
    pub from: String,
    /// How many SMTP sessions may carry mail at once.
    pub connections: usize,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://` to a loopback host: no TLS.
    Plain,
    /// `smtp://` to any other host: STARTTLS is required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// Where a secret comes from; it is read when needed, never stored here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    File(PathBuf),
    Env(String),
}

/// `[[feed]]`
#[derive(Debug, Clone)]
pub struct FeedConfig {
    pub name: String,
    pub url: Url,
    pub tags: Vec<String>,
    pub interval: Duration,
    /// `interval = "adaptive"`: derived from how often the feed publishes,
    /// between a minute and `max_interval` (`interval` is the start).
    pub adaptive: bool,
    pub allow_private_network: bool,
    /// False pauses the feed: it is not polled, its history is kept.
    pub enabled: bool,
    /// Extra request headers (a `User-Agent` replaces newshound's).
    pub headers: Vec<(String, HeaderValue)>,
    /// Fetch each new entry's page and match its main text.
    pub scrape: bool,
    /// Honour the site's robots.txt for article pages.
    pub respect_robots: bool,
    /// The feed's own extraction rule, instead of the general extractor.
    pub extract: Option<crate::extract::SelectorRule>,
    /// `language = "ru"`: the language of every article of the feed (an
    /// ISO 639-1 code), instead of detecting it.
    pub language: Option<&'static str>,
}

/// A request header's value: given, or read when needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    Text(String),
    Secret(Secret),
}

/// `[[webhook]]`: alerts POSTed as JSON (ntfy, Slack or Matrix bridges).
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub name: String,
    /// Given, or read at start from a file or the environment (such URLs
    /// carry tokens).
    pub url: HeaderValue,
    pub headers: Vec<(String, HeaderValue)>,
}

/// `[[digest]]`: one mail per schedule slot holding every match of the
/// rules that name it, to `to`.
#[derive(Debug, Clone)]
pub struct DigestConfig {
    pub name: String,
    pub schedule: crate::config::cron::Schedule,
    pub timezone: chrono_tz::Tz,
    pub to: Vec<String>,
    /// Send a mail saying "no new matches" when there are none.
    pub send_empty: bool,
}

/// `[[rule]]`
#[derive(Debug, Clone)]
pub struct RuleConfig {
    pub name: String,
    pub query: String,
    /// True when `notify` holds "immediate".
    pub immediate: bool,
    /// The webhooks `notify` names.
    pub webhooks: Vec<String>,
    /// The digests `notify` names.
    pub digests: Vec<String>,
    /// Recipients of the rule's immediate mails.
    pub to: Vec<String>,
    /// Immediate mails a clock hour may hold before further matches wait
    /// for the rule's next digest (or one "more matches" mail at the end of
    /// the hour); 0 means no limit.
    pub max_immediate_per_hour: u32,
    /// Feed names or tags the rule applies to; empty means every feed.
    pub feeds: Vec<String>,
    /// Case and accents matter for every term.
    pub exact: bool,
    /// False pauses the rule: it matches nothing until enabled again.
    pub enabled: bool,
    /// True with `copies = "all"`: every copy of a story alerts, not only
    /// the first.
    pub every_copy: bool,
    /// `surge = {…}`: mail `to` when the rule's matches surge.
    pub surge: Option<crate::model::SurgeRule>,
}

impl RuleConfig {
    /// True when this rule is enabled and applies to `feed`.
    pub fn applies_to(&self, feed: &FeedConfig) -> bool {
        self.enabled
            && (self.feeds.is_empty()
                || self
                    .feeds
                    .iter()
                    .any(|f| *f == feed.name || feed.tags.contains(f)))
    }
}

/// `[daemon]` tunables, with their defaults.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// Poll interval of a feed without its own.
    pub default_interval: Duration,
    /// The longest interval a feed's own hints (ttl, Cache-Control,
    /// Expires) or its publishing rhythm can stretch polling to.
    pub max_interval: Duration,
    /// On a feed's first poll, only entries this recent alert.
    pub backfill: Duration,
    /// A delivery still failing this long after it was queued is dead.
    pub delivery_max_age: Duration,
    /// Feeds polled at the same time.
    pub concurrency: usize,
    /// Requests at once to one host name.
    pub per_host_connections: usize,
    /// Time between the starts of two requests to one host name.
    pub per_host_delay: Duration,
    /// Deadline for one whole request, body included.
    pub fetch_timeout: Duration,
    pub connect_timeout: Duration,
    /// How long the extractor may take over one page before the feed's
    /// own text stands in.
    pub extract_timeout: Duration,
    /// Article pages one poll of a feed fetches at most; the other new
    /// entries are matched against the feed's own text.
    pub max_pages_per_poll: usize,
    /// Cap on a feed's decompressed body.
    pub feed_max_bytes: u64,
    /// Cap on an article page's decompressed body.
    pub page_max_bytes: u64,
    /// Entries' text is kept this many days after they were first seen;
    /// then it is pruned and only their identity stays.
    pub keep_days: u64,
    /// How far back an entry's original may be for it to join that story.
    pub story_window: Duration,
    /// The share of a new entry's text an earlier entry must hold for the
    /// new one to be a copy of it.
    pub story_similarity: f64,
    /// Log filter when `RUST_LOG` is not set.
    pub log_level: String,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            default_interval: Duration::from_secs(15 * 60),
            max_interval: Duration::from_secs(24 * 3600),
            backfill: Duration::from_secs(24 * 3600),
            delivery_max_age: Duration::from_secs(3 * 24 * 3600),
            concurrency: 32,
            per_host_connections: 2,
            per_host_delay: Duration::from_secs(1),
            fetch_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            extract_timeout: Duration::from_secs(10),
            max_pages_per_poll: 100,
            feed_max_bytes: 10 * 1024 * 1024,
            page_max_bytes: 5 * 1024 * 1024,
            keep_days: 90,
            story_window: Duration::from_secs(72 * 3600),
            story_similarity: crate::stories::DEFAULT_SIMILARITY,
            log_level: "info".to_string(),
        }
    }
}

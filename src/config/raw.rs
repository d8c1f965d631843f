//! The config file as written: serde structs that mirror the TOML, with the
//! source span of every value a later check may need to point at.

use serde::Deserialize;
use toml::Spanned;

/// The whole file, before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub state_dir: Option<String>,
    pub smtp: Option<Spanned<RawSmtp>>,
    #[serde(default, rename = "feed")]
    pub feeds: Vec<Spanned<RawFeed>>,
    #[serde(default, rename = "rule")]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default, rename = "webhook")]
    pub webhooks: Vec<Spanned<RawWebhook>>,
    #[serde(default, rename = "digest")]
    pub digests: Vec<Spanned<RawDigest>>,
    #[serde(default)]
    pub daemon: RawDaemon,
    pub metrics: Option<RawMetrics>,
    pub web: Option<Spanned<RawWeb>>,
}

/// `[web]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeb {
    pub listen: Option<Spanned<String>>,
    pub password_file: Option<String>,
    pub trusted_proxy_header: Option<Spanned<String>>,
}

/// `surge = { factor = 3, window = "6h", baseline = "7d", min = 10 }`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSurge {
    pub factor: Option<Spanned<f64>>,
    pub window: Option<Spanned<String>>,
    pub baseline: Option<Spanned<String>>,
    pub min: Option<Spanned<i64>>,
}

/// `[metrics]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    pub listen: Spanned<String>,
}

/// `[smtp]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    pub url: Spanned<String>,
    pub username: Option<String>,
    pub password_file: Option<String>,
    pub password_env: Option<String>,
    pub from: Spanned<String>,
    pub connections: Option<Spanned<i64>>,
}

/// `[[feed]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeed {
    pub name: Spanned<String>,
    pub url: Spanned<String>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    pub interval: Option<Spanned<String>>,
    #[serde(default)]
    pub allow_private_network: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub user_agent: Option<Spanned<String>>,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, Spanned<RawHeaderValue>>,
    #[serde(default = "yes")]
    pub scrape: bool,
    #[serde(default = "yes")]
    pub respect_robots: bool,
    pub extract: Option<Spanned<RawExtract>>,
    pub language: Option<Spanned<String>>,
}

/// `extract = { selector = "…", remove = ["…"] }`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtract {
    pub selector: String,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A header's value: the text itself, or where to read it (for tokens).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawHeaderValue {
    Text(String),
    From(RawSecretSource),
}

/// `{ file = "…" }` or `{ env = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecretSource {
    pub file: Option<String>,
    pub env: Option<String>,
}

fn yes() -> bool {
    true
}

/// `[[rule]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub name: Spanned<String>,
    pub query: Spanned<String>,
    #[serde(default)]
    pub notify: Vec<Spanned<String>>,
    #[serde(default)]
    pub to: Vec<Spanned<String>>,
    #[serde(default)]
    pub feeds: Vec<Spanned<String>>,
    #[serde(default)]
    pub exact: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub max_immediate_per_hour: Option<Spanned<i64>>,
    pub copies: Option<Spanned<String>>,
    pub surge: Option<Spanned<RawSurge>>,
}

/// `[[digest]]`: a scheduled mail of every match of the rules naming it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDigest {
    pub name: Spanned<String>,
    pub schedule: Spanned<String>,
    pub timezone: Option<Spanned<String>>,
    #[serde(default)]
    pub to: Vec<Spanned<String>>,
    #[serde(default)]
    pub send_empty: bool,
}

/// `[[webhook]]`: a URL alerts are POSTed to as JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    pub name: Spanned<String>,
    pub url: Option<Spanned<String>>,
    pub url_file: Option<String>,
    pub url_env: Option<String>,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, Spanned<RawHeaderValue>>,
}

/// `[daemon]`: every key optional; defaults live in `super::DaemonConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDaemon {
    pub default_interval: Option<Spanned<String>>,
    pub max_interval: Option<Spanned<String>>,
    pub backfill: Option<Spanned<String>>,
    pub delivery_max_age: Option<Spanned<String>>,
    pub concurrency: Option<Spanned<i64>>,
    pub per_host_connections: Option<Spanned<i64>>,
    pub per_host_delay: Option<Spanned<String>>,
    pub fetch_timeout: Option<Spanned<String>>,
    pub connect_timeout: Option<Spanned<String>>,
    pub extract_timeout: Option<Spanned<String>>,
    pub max_pages_per_poll: Option<Spanned<i64>>,
    pub feed_max_bytes: Option<Spanned<i64>>,
    pub page_max_bytes: Option<Spanned<i64>>,
    pub keep_days: Option<Spanned<i64>>,
    pub story_window: Option<Spanned<String>>,
    pub story_similarity: Option<Spanned<f64>>,
    pub log_level: Option<Spanned<String>>,
}

//! Configuration: one TOML file → a validated, typed [`Config`].
//!
//! The file is deserialised into the raw structs of [`raw`], then checked
//! and converted once; rules come out compiled. Every error names the file,
//! line and column, with the offending text under it. Reading the file is
//! the only I/O here: secrets named by `*_file` or `*_env` are resolved by
//! the code that uses them.

pub mod cron;
mod error;
mod literal;
mod raw;
mod secrets;
mod types;
mod web;

pub use error::{ConfigError, Located};
pub use secrets::{SecretError, read_secret, systemd_credential};
pub use types::{
    Config, DaemonConfig, DigestConfig, FeedConfig, HeaderValue, RuleConfig, Secret, SmtpConfig,
    SmtpSecurity, WebConfig, WebhookConfig,
};
pub use web::DEFAULT_WEB_LISTEN;

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;
use url::Url;

use crate::extract::SelectorRule;
use crate::language::{known_code, known_codes};
use crate::rules::{Query, RuleSet, RuleSpec};
use raw::{
    RawConfig, RawDaemon, RawDigest, RawFeed, RawHeaderValue, RawRule, RawSecretSource, RawSmtp,
    RawWebhook,
};

/// SMTP sessions carrying mail at once unless `[smtp] connections` says:
/// enough to hide round trips to a distant server, few enough that
/// providers' per-client connection limits are not hit.
const DEFAULT_SMTP_CONNECTIONS: usize = 4;

/// More sessions than this would look like an attack to most servers.
const MAX_SMTP_CONNECTIONS: usize = 32;

/// Immediate mails per rule and clock hour unless the rule says otherwise.
const DEFAULT_MAX_IMMEDIATE_PER_HOUR: u32 = 20;

const MIN_INTERVAL: Duration = Duration::from_secs(60);
/// The longest poll interval accepted: a feed polled more rarely is dead.
const MAX_INTERVAL: Duration = Duration::from_secs(30 * 24 * 3600);

/// The values each `[daemon]` number and duration accepts, both ends
/// included: wide enough for any real deployment, narrow enough that no
/// value can overflow the arithmetic or the allocations it feeds.
struct DaemonRanges {
    /// `backfill` and `delivery_max_age`: up to ten years keeps date
    /// arithmetic in range.
    backfill: (Duration, Duration),
    concurrency: (u64, u64),
    per_host_connections: (u64, u64),
    per_host_delay: (Duration, Duration),
    fetch_timeout: (Duration, Duration),
    connect_timeout: (Duration, Duration),
    extract_timeout: (Duration, Duration),
    /// Days: up to a century.
    keep_days: (u64, u64),
    /// `feed_max_bytes` and `page_max_bytes`: 1 KiB to 1 GiB.
    max_bytes: (u64, u64),
    max_pages_per_poll: (u64, u64),
    story_window: (Duration, Duration),
}

const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

const DAEMON_RANGES: DaemonRanges = DaemonRanges {
    backfill: (Duration::ZERO, secs(3650 * 24 * 3600)),
    concurrency: (1, 4096),
    per_host_connections: (1, 256),
    per_host_delay: (Duration::ZERO, secs(3600)),
    fetch_timeout: (secs(1), secs(3600)),
    connect_timeout: (secs(1), secs(600)),
    extract_timeout: (Duration::from_millis(1), secs(600)),
    keep_days: (1, 36_500),
    max_bytes: (1024, 1 << 30),
    max_pages_per_poll: (1, 100_000),
    story_window: (Duration::ZERO, secs(90 * 24 * 3600)),
};

/// The most immediate mails per rule and hour a rule may allow.
const MAX_IMMEDIATE_PER_HOUR: u64 = 100_000;

impl Config {
    /// Reads and validates the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let source = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(path, &source)
    }

    /// Validates `source`, the text of the file at `path`.
    pub fn parse(path: &Path, source: &str) -> Result<Config, ConfigError> {
        let checker = Checker { path, source };
        checker.config().map_err(ConfigError::Invalid)
    }
}

/// Converts raw values, turning each problem into a located error.
struct Checker<'a> {
    path: &'a Path,
    source: &'a str,
}

type Checked<T> = Result<T, Located>;

impl Checker<'_> {
    fn error(&self, span: &Range<usize>, message: impl Into<String>) -> Located {
        Located::at(self.path, self.source, span, message)
    }

    fn config(&self) -> Checked<Config> {
        let raw: RawConfig = toml::from_str(self.source).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            self.error(&span, e.message().trim_end().replace('\n', "; "))
        })?;
        let daemon = self.daemon(&raw.daemon)?;
        let smtp = raw.smtp.as_ref().map(|s| self.smtp(s)).transpose()?;
        let mut feeds = Vec::new();
        let mut names = HashSet::new();
        for feed in &raw.feeds {
            let checked = self.feed(feed.get_ref(), &daemon)?;
            if !names.insert(checked.name.clone()) {
                let span = feed.get_ref().name.span();
                return Err(self.error(&span, format!("duplicate feed name \"{}\"", checked.name)));
            }
            feeds.push(checked);
        }
        let mut webhooks: Vec<WebhookConfig> = Vec::new();
        for webhook in &raw.webhooks {
            let checked = self.webhook(webhook)?;
            if webhooks.iter().any(|w| w.name == checked.name) {
                let span = webhook.get_ref().name.span();
                return Err(self.error(
                    &span,
                    format!("duplicate webhook name \"{}\"", checked.name),
                ));
            }
            webhooks.push(checked);
        }
        let mut digests: Vec<DigestConfig> = Vec::new();
        for digest in &raw.digests {
            let checked = self.digest(digest.get_ref())?;
            let span = digest.get_ref().name.span();
            if digests.iter().any(|d| d.name == checked.name) {
                return Err(
                    self.error(&span, format!("duplicate digest name \"{}\"", checked.name))
                );
            }
            if checked.name == "immediate" || webhooks.iter().any(|w| w.name == checked.name) {
                return Err(self.error(
                    &span,
                    format!(
                        "digest \"{}\": a webhook or \"immediate\" has that name; a rule's \
                         notify could not tell them apart",
                        checked.name
                    ),
                ));
            }
            digests.push(checked);
        }
        let mut rules = Vec::new();
        let mut queries = Vec::new();
        let mut rule_names = HashSet::new();
        for rule in &raw.rules {
            let (checked, query) = self.rule(rule, &feeds, &webhooks, &digests)?;
            if !rule_names.insert(checked.name.clone()) {
                let span = rule.get_ref().name.span();
                return Err(self.error(&span, format!("duplicate rule name \"{}\"", checked.name)));
            }
            rules.push(checked);
            queries.push(query);
        }
        let rule_set = RuleSet::new(queries).map_err(|e| {
            let span = raw.rules[e.rule].get_ref().query.span();
            self.error(&span, e.to_string())
        })?;
        let metrics = match &raw.metrics {
            None => None,
            Some(m) => Some(m.listen.get_ref().trim().parse().map_err(|_| {
                self.error(
                    &m.listen.span(),
                    format!(
                        "[metrics] listen: \"{}\" is not an address and port (write e.g. \
                         \"127.0.0.1:9184\")",
                        m.listen.get_ref()
                    ),
                )
            })?),
        };
        let web = raw.web.as_ref().map(|w| self.web(w)).transpose()?;
        Ok(Config {
            path: self.path.to_path_buf(),
            state_dir: raw.state_dir.map(PathBuf::from),
            smtp,
            feeds,
            rules,
            webhooks,
            digests,
            rule_set,
            daemon,
            metrics,
            web,
        })
    }

    fn daemon(&self, raw: &RawDaemon) -> Checked<DaemonConfig> {
        let mut daemon = DaemonConfig::default();
        let r = &DAEMON_RANGES;
        if let Some(v) = &raw.default_interval {
            daemon.default_interval = self.interval(v)?;
        }
        if let Some(v) = &raw.max_interval {
            daemon.max_interval = self.interval(v)?;
        }
        if let Some(v) = &raw.backfill {
            daemon.backfill = self.duration_in(v, r.backfill)?;
        }
        if let Some(v) = &raw.delivery_max_age {
            daemon.delivery_max_age = self.duration_in(v, r.backfill)?;
        }
        if let Some(v) = &raw.concurrency {
            daemon.concurrency = self.count_in(v, r.concurrency)? as usize;
        }
        if let Some(v) = &raw.per_host_connections {
            daemon.per_host_connections = self.count_in(v, r.per_host_connections)? as usize;
        }
        if let Some(v) = &raw.per_host_delay {
            daemon.per_host_delay = self.duration_in(v, r.per_host_delay)?;
        }
        if let Some(v) = &raw.fetch_timeout {
            daemon.fetch_timeout = self.duration_in(v, r.fetch_timeout)?;
        }
        if let Some(v) = &raw.connect_timeout {
            daemon.connect_timeout = self.duration_in(v, r.connect_timeout)?;
        }
        if let Some(v) = &raw.extract_timeout {
            daemon.extract_timeout = self.duration_in(v, r.extract_timeout)?;
        }
        if let Some(v) = &raw.keep_days {
            daemon.keep_days = self.count_in(v, r.keep_days)?;
        }
        if let Some(v) = &raw.page_max_bytes {
            daemon.page_max_bytes = self.count_in(v, r.max_bytes)?;
        }
        if let Some(v) = &raw.feed_max_bytes {
            daemon.feed_max_bytes = self.count_in(v, r.max_bytes)?;
        }
        if let Some(v) = &raw.max_pages_per_poll {
            daemon.max_pages_per_poll = self.count_in(v, r.max_pages_per_poll)? as usize;
        }
        if let Some(v) = &raw.story_window {
            daemon.story_window = self.duration_in(v, r.story_window)?;
        }
        if let Some(v) = &raw.story_similarity {
            let share = *v.get_ref();
            if !(share > 0.0 && share <= 1.0) {
                return Err(self.error(
                    &v.span(),
                    "story_similarity must be a share above 0 and at most 1 (1: copies word for word only)",
                ));
            }
            daemon.story_similarity = share;
        }
        if let Some(v) = &raw.log_level {
            if !is_log_filter(v.get_ref()) {
                return Err(self.error(
                    &v.span(),
                    format!("invalid log_level \"{}\"; use error, warn, info, debug or trace, or target=level pairs", v.get_ref()),
                ));
            }
            daemon.log_level = v.get_ref().clone();
        }
        Ok(daemon)
    }

    fn smtp(&self, raw: &Spanned<RawSmtp>) -> Checked<SmtpConfig> {
        let s = raw.get_ref();
        let url_span = s.url.span();
        let url = Url::parse(s.url.get_ref())
            .map_err(|e| self.error(&url_span, format!("invalid SMTP URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(self.error(
                &url_span,
                "put the SMTP user in `username` and the password in `password_file` or `password_env`, not in the URL",
            ));
        }
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(self.error(&url_span, "an SMTP URL is only scheme://host:port"));
        }
        let host = url
            .host_str()
            .ok_or_else(|| self.error(&url_span, "the SMTP URL has no host"))?
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let security = match url.scheme() {
            "smtps" => SmtpSecurity::Implicit,
            "smtp" if is_loopback_host(&host) => SmtpSecurity::Plain,
            "smtp" => SmtpSecurity::StartTls,
            other => {
                return Err(self.error(
                    &url_span,
                    format!("unsupported SMTP URL scheme \"{other}\" (use smtp:// or smtps://)"),
                ));
            }
        };
        let port = url.port().unwrap_or(match security {
            SmtpSecurity::Implicit => 465,
            _ => 587,
        });
        let password = match (&s.password_file, &s.password_env) {
            (Some(_), Some(_)) => {
                return Err(self.error(&raw.span(), "set password_file or password_env, not both"));
            }
            (Some(file), None) => Some(Secret::File(PathBuf::from(file))),
            (None, Some(var)) => Some(Secret::Env(var.clone())),
            (None, None) => None,
        };
        let from = s.from.get_ref().trim();
        if from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(self.error(
                &s.from.span(),
                format!("\"{from}\" is not a mail address; write e.g. \"newshound <alerts@example.org>\""),
            ));
        }
        let connections = match &s.connections {
            Some(n) => self.count_in(n, (1, MAX_SMTP_CONNECTIONS as u64))? as usize,
            None => DEFAULT_SMTP_CONNECTIONS,
        };
        Ok(SmtpConfig {
            security,
            host,
            port,
            username: s.username.clone(),
            password,
            from: from.to_string(),
            connections,
        })
    }

    fn feed(&self, raw: &RawFeed, daemon: &DaemonConfig) -> Checked<FeedConfig> {
        let name = self.name(&raw.name, "feed")?;
        let url_span = raw.url.span();
        let url = Url::parse(raw.url.get_ref())
            .map_err(|e| self.error(&url_span, format!("invalid feed URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(self.error(&url_span, "a feed URL must start with http:// or https://"));
        }
        let adaptive = raw
            .interval
            .as_ref()
            .is_some_and(|v| v.get_ref() == "adaptive");
        let interval = match &raw.interval {
            Some(v) if !adaptive => self.interval(v)?,
            _ => daemon.default_interval,
        };
        let mut headers = Vec::new();
        if let Some(agent) = &raw.user_agent {
            headers.push((
                "User-Agent".to_string(),
                HeaderValue::Text(self.header_text(agent.get_ref(), &agent.span())?),
            ));
        }
        headers.extend(self.headers(&raw.headers)?);
        let extract = match &raw.extract {
            Some(rule) => Some(
                SelectorRule::parse(&rule.get_ref().selector, &rule.get_ref().remove)
                    .map_err(|e| self.error(&rule.span(), e.to_string()))?,
            ),
            None => None,
        };
        let language = match &raw.language {
            Some(code) => Some(known_code(code.get_ref()).ok_or_else(|| {
                self.error(
                    &code.span(),
                    format!(
                        "unknown language code {:?}: use an ISO 639-1 code, one of {}",
                        code.get_ref(),
                        known_codes().join(", ")
                    ),
                )
            })?),
            None => None,
        };
        Ok(FeedConfig {
            name,
            url,
            tags: raw.tags.iter().map(|t| t.get_ref().clone()).collect(),
            interval,
            adaptive,
            allow_private_network: raw.allow_private_network,
            enabled: raw.enabled,
            headers,
            scrape: raw.scrape,
            respect_robots: raw.respect_robots,
            extract,
            language,
        })
    }

    /// Request headers as configured: names checked, values given or read
    /// from a file or the environment when needed.
    fn headers(
        &self,
        raw: &std::collections::BTreeMap<String, Spanned<RawHeaderValue>>,
    ) -> Checked<Vec<(String, HeaderValue)>> {
        let mut headers = Vec::new();
        for (name, value) in raw {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            {
                return Err(self.error(
                    &value.span(),
                    format!("\"{name}\" is not a valid header name"),
                ));
            }
            let value = match value.get_ref() {
                RawHeaderValue::Text(text) => {
                    HeaderValue::Text(self.header_text(text, &value.span())?)
                }
                RawHeaderValue::From(RawSecretSource {
                    file: Some(file),
                    env: None,
                }) => HeaderValue::Secret(Secret::File(PathBuf::from(file))),
                RawHeaderValue::From(RawSecretSource {
                    file: None,
                    env: Some(var),
                }) => HeaderValue::Secret(Secret::Env(var.clone())),
                RawHeaderValue::From(_) => {
                    return Err(self.error(
                        &value.span(),
                        "a header comes from exactly one of file or env",
                    ));
                }
            };
            headers.push((name.clone(), value));
        }
        Ok(headers)
    }

    /// A header value given in the file: one line, no control characters.
    fn header_text(&self, text: &str, span: &Range<usize>) -> Checked<String> {
        if text.chars().any(char::is_control) {
            return Err(self.error(
                span,
                "a header value cannot hold line breaks or control characters",
            ));
        }
        Ok(text.to_string())
    }

    fn webhook(&self, raw: &Spanned<RawWebhook>) -> Checked<WebhookConfig> {
        let w = raw.get_ref();
        let name = self.name(&w.name, "webhook")?;
        let url = match (&w.url, &w.url_file, &w.url_env) {
            (Some(url), None, None) => {
                let parsed = Url::parse(url.get_ref()).map_err(|e| {
                    self.error(&url.span(), format!("webhook \"{name}\": invalid URL: {e}"))
                })?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(self.error(
                        &url.span(),
                        format!("webhook \"{name}\": the URL must be http(s)"),
                    ));
                }
                HeaderValue::Text(parsed.to_string())
            }
            (None, Some(file), None) => HeaderValue::Secret(Secret::File(PathBuf::from(file))),
            (None, None, Some(var)) => HeaderValue::Secret(Secret::Env(var.clone())),
            _ => {
                return Err(self.error(
                    &raw.span(),
                    format!("webhook \"{name}\": set exactly one of url, url_file or url_env"),
                ));
            }
        };
        Ok(WebhookConfig {
            name,
            url,
            headers: self.headers(&w.headers)?,
        })
    }

    fn rule(
        &self,
        raw: &Spanned<RawRule>,
        feeds: &[FeedConfig],
        webhooks: &[WebhookConfig],
        digests: &[DigestConfig],
    ) -> Checked<(RuleConfig, RuleSpec)> {
        let r = raw.get_ref();
        let name = self.name(&r.name, "rule")?;
        let query = Query::parse(r.query.get_ref()).map_err(|e| {
            let at = literal::source_offset(self.source, r.query.span().start, e.offset);
            let span = at..at;
            self.error(&span, format!("rule \"{name}\": {}", e.message))
        })?;
        let mut immediate = false;
        let mut rule_webhooks = Vec::new();
        let mut rule_digests = Vec::new();
        for target in &r.notify {
            match target.get_ref().as_str() {
                "immediate" => immediate = true,
                hook if webhooks.iter().any(|w| w.name == hook) => {
                    rule_webhooks.push(hook.to_string());
                }
                digest if digests.iter().any(|d| d.name == digest) => {
                    rule_digests.push(digest.to_string());
                }
                other => {
                    let mut known = vec!["\"immediate\"".to_string()];
                    known.extend(digests.iter().map(|d| format!("\"{}\"", d.name)));
                    known.extend(webhooks.iter().map(|w| format!("\"{}\"", w.name)));
                    return Err(self.error(
                        &target.span(),
                        format!(
                            "rule \"{name}\": unknown notify target \"{other}\" (known: {})",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        if immediate && r.to.is_empty() {
            return Err(self.error(
                &raw.span(),
                format!("rule \"{name}\" notifies \"immediate\" but has no recipients in `to`"),
            ));
        }
        let to =
            r.to.iter()
                .map(|a| self.address(a, &format!("rule \"{name}\"")))
                .collect::<Checked<Vec<_>>>()?;
        for feed in &r.feeds {
            let wanted = feed.get_ref();
            if !feeds
                .iter()
                .any(|f| f.name == *wanted || f.tags.contains(wanted))
            {
                return Err(self.error(
                    &feed.span(),
                    format!("rule \"{name}\": no feed is named or tagged \"{wanted}\""),
                ));
            }
        }
        let max_immediate_per_hour = match &r.max_immediate_per_hour {
            None => DEFAULT_MAX_IMMEDIATE_PER_HOUR,
            Some(limit) => self.count_in(limit, (0, MAX_IMMEDIATE_PER_HOUR)).map_err(|_| {
                self.error(
                    &limit.span(),
                    format!(
                        "rule \"{name}\": max_immediate_per_hour must be from 0 (no limit) to {MAX_IMMEDIATE_PER_HOUR}"
                    ),
                )
            })? as u32,
        };
        let every_copy = match r.copies.as_ref().map(|c| (c, c.get_ref().as_str())) {
            None | Some((_, "once")) => false,
            Some((_, "all")) => true,
            Some((c, other)) => {
                return Err(self.error(
                    &c.span(),
                    format!(
                        "rule \"{name}\": copies must be \"once\" (one alert per story) or \"all\" (every copy), not \"{other}\""
                    ),
                ));
            }
        };
        let surge = r.surge.as_ref().map(|s| self.surge(s, &name)).transpose()?;
        if surge.is_some() && to.is_empty() {
            return Err(self.error(
                &raw.span(),
                format!("rule \"{name}\" has a surge alert but no recipients in `to`"),
            ));
        }
        let rule = RuleConfig {
            name,
            query: r.query.get_ref().clone(),
            immediate,
            webhooks: rule_webhooks,
            digests: rule_digests,
            max_immediate_per_hour,
            to,
            feeds: r.feeds.iter().map(|f| f.get_ref().clone()).collect(),
            exact: r.exact,
            enabled: r.enabled,
            every_copy,
            surge,
        };
        Ok((
            rule,
            RuleSpec {
                query,
                exact: r.exact,
            },
        ))
    }

    fn digest(&self, d: &RawDigest) -> Checked<DigestConfig> {
        let name = self.name(&d.name, "digest")?;
        let schedule: crate::config::cron::Schedule =
            d.schedule
                .get_ref()
                .parse()
                .map_err(|e: crate::config::cron::CronError| {
                    self.error(
                        &d.schedule.span(),
                        format!("digest \"{name}\": schedule {e}"),
                    )
                })?;
        let timezone = match &d.timezone {
            None => chrono_tz::Tz::UTC,
            Some(tz) => tz.get_ref().trim().parse().map_err(|_| {
                self.error(
                    &tz.span(),
                    format!(
                        "digest \"{name}\": unknown time zone \"{}\" (write an IANA name such \
                         as \"Europe/Berlin\" or \"UTC\")",
                        tz.get_ref()
                    ),
                )
            })?,
        };
        let now = chrono::Utc::now();
        let horizon = now + chrono::Duration::days(4 * 366);
        if schedule
            .next_after(timezone, now)
            .is_none_or(|at| at > horizon)
        {
            return Err(self.error(
                &d.schedule.span(),
                format!(
                    "digest \"{name}\": schedule \"{}\" does not fire in the next four years \
                     (is the day of the month in the month, e.g. not 30 February?)",
                    d.schedule.get_ref()
                ),
            ));
        }
        if d.to.is_empty() {
            return Err(self.error(
                &d.name.span(),
                format!("digest \"{name}\" has no recipients in `to`"),
            ));
        }
        let to =
            d.to.iter()
                .map(|a| self.address(a, &format!("digest \"{name}\"")))
                .collect::<Checked<_>>()?;
        Ok(DigestConfig {
            name,
            schedule,
            timezone,
            to,
            send_empty: d.send_empty,
        })
    }

    /// A mail address from `owner`'s `to`, trimmed.
    fn address(&self, raw: &Spanned<String>, owner: &str) -> Checked<String> {
        let address = raw.get_ref().trim();
        if address.parse::<lettre::Address>().is_err() {
            return Err(self.error(
                &raw.span(),
                format!("{owner}: \"{}\" is not a mail address", raw.get_ref()),
            ));
        }
        Ok(address.to_string())
    }

    fn name(&self, raw: &Spanned<String>, what: &str) -> Checked<String> {
        let name = raw.get_ref().trim();
        if name.is_empty() {
            return Err(self.error(&raw.span(), format!("a {what} needs a non-empty name")));
        }
        if name.chars().any(char::is_control) {
            return Err(self.error(
                &raw.span(),
                format!("a {what} name cannot hold control characters"),
            ));
        }
        Ok(name.to_string())
    }

    fn duration(&self, raw: &Spanned<String>) -> Checked<Duration> {
        humantime::parse_duration(raw.get_ref()).map_err(|e| {
            self.error(
                &raw.span(),
                format!(
                    "invalid duration \"{}\": {e} (write e.g. \"15m\", \"2h\", \"1day\")",
                    raw.get_ref()
                ),
            )
        })
    }

    fn interval(&self, raw: &Spanned<String>) -> Checked<Duration> {
        self.duration_in(raw, (MIN_INTERVAL, MAX_INTERVAL))
    }

    /// A duration within `(min, max)`, both included.
    fn duration_in(
        &self,
        raw: &Spanned<String>,
        (min, max): (Duration, Duration),
    ) -> Checked<Duration> {
        let d = self.duration(raw)?;
        if d < min || d > max {
            let range = match min.is_zero() {
                true => format!("at most {}", humantime::format_duration(max)),
                false => format!(
                    "from {} to {}",
                    humantime::format_duration(min),
                    humantime::format_duration(max)
                ),
            };
            return Err(self.error(&raw.span(), format!("must be {range}")));
        }
        Ok(d)
    }

    /// A whole number within `(min, max)`, both included.
    fn count_in(&self, raw: &Spanned<i64>, (min, max): (u64, u64)) -> Checked<u64> {
        u64::try_from(*raw.get_ref())
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                self.error(
                    &raw.span(),
                    format!("must be a whole number from {min} to {max}"),
                )
            })
    }
}

/// A level (`info`) or comma-separated `target=level` directives.
fn is_log_filter(filter: &str) -> bool {
    const LEVELS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];
    let is_level = |l: &str| LEVELS.contains(&l.trim().to_ascii_lowercase().as_str());
    filter
        .split(',')
        .all(|directive| match directive.split_once('=') {
            Some((target, level)) => {
                !target.trim().is_empty()
                    && target
                        .trim()
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
                    && is_level(level)
            }
            None => is_level(directive),
        })
}

/// True for `localhost` and loopback IP literals.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;

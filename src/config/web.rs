//! Checking `[web]` and a rule's `surge`: the listen address and who may
//! see the pages; the settings that say when a rule's matches surge.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use toml::Spanned;

use super::raw::{RawSurge, RawWeb};
use super::{Checked, Checker, WebConfig};
use crate::model::SurgeRule;

/// Where the web interface listens when `[web]` names no address.
pub const DEFAULT_WEB_LISTEN: &str = "127.0.0.1:8080";

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The surge settings a rule gets for the keys it leaves out.
const DEFAULT_SURGE: SurgeRule = SurgeRule {
    factor: 3.0,
    window: Duration::from_secs(6 * HOUR),
    baseline: Duration::from_secs(7 * DAY),
    min: 10,
};

impl WebConfig {
    /// Why the pages may not be served as configured: on an address other
    /// machines reach, with nothing to tell who is asking.
    pub fn exposed(&self) -> Option<String> {
        let open = self.password_file.is_none() && self.trusted_proxy_header.is_none();
        (open && !self.listen.ip().is_loopback()).then(|| {
            format!(
                "{} is reachable from other machines, and the pages show your whole archive; \
                 set `password_file` (HTTP basic auth) or `trusted_proxy_header` (a reverse \
                 proxy that authenticates) in [web], or listen on 127.0.0.1",
                self.listen
            )
        })
    }

    /// `[web]` with nothing set.
    pub fn loopback() -> WebConfig {
        WebConfig {
            listen: DEFAULT_WEB_LISTEN.parse().expect("a valid address"),
            password_file: None,
            trusted_proxy_header: None,
        }
    }
}

impl Checker<'_> {
    pub(super) fn web(&self, raw: &Spanned<RawWeb>) -> Checked<WebConfig> {
        let w = raw.get_ref();
        let listen: SocketAddr = match &w.listen {
            None => DEFAULT_WEB_LISTEN.parse().expect("a valid address"),
            Some(listen) => listen.get_ref().trim().parse().map_err(|_| {
                self.error(
                    &listen.span(),
                    format!(
                        "[web] listen: \"{}\" is not an address and port (write e.g. \"{DEFAULT_WEB_LISTEN}\")",
                        listen.get_ref()
                    ),
                )
            })?,
        };
        let trusted_proxy_header = match &w.trusted_proxy_header {
            None => None,
            Some(header) => {
                let name = header.get_ref().trim();
                if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(self.error(
                        &header.span(),
                        format!("[web] trusted_proxy_header: \"{name}\" is not a header name"),
                    ));
                }
                Some(name.to_ascii_lowercase())
            }
        };
        let web = WebConfig {
            listen,
            password_file: w.password_file.as_ref().map(PathBuf::from),
            trusted_proxy_header,
        };
        if let Some(refusal) = web.exposed() {
            let span = w.listen.as_ref().map_or(raw.span(), Spanned::span);
            return Err(self.error(&span, format!("[web] listen: {refusal}")));
        }
        Ok(web)
    }

    pub(super) fn surge(&self, raw: &Spanned<RawSurge>, rule: &str) -> Checked<SurgeRule> {
        let s = raw.get_ref();
        let mut surge = DEFAULT_SURGE;
        let owner = format!("rule \"{rule}\": surge");
        if let Some(factor) = &s.factor {
            let f = *factor.get_ref();
            if !(1.0..=1000.0).contains(&f) {
                return Err(self.error(
                    &factor.span(),
                    format!("{owner} factor must be from 1 to 1000 (times the usual rate)"),
                ));
            }
            surge.factor = f;
        }
        let located = |e: super::Located, key: &str| {
            let mut e = e;
            e.message = format!("{owner} {key} {}", e.message);
            e
        };
        if let Some(window) = &s.window {
            surge.window = self
                .duration_in(
                    window,
                    (Duration::from_secs(HOUR), Duration::from_secs(7 * DAY)),
                )
                .map_err(|e| located(e, "window"))?;
            if !surge.window.as_secs().is_multiple_of(HOUR) {
                return Err(self.error(
                    &window.span(),
                    format!("{owner} window must be whole hours (it is counted by the hour)"),
                ));
            }
        }
        if let Some(baseline) = &s.baseline {
            surge.baseline = self
                .duration_in(
                    baseline,
                    (Duration::from_secs(HOUR), Duration::from_secs(90 * DAY)),
                )
                .map_err(|e| located(e, "baseline"))?;
        }
        if surge.baseline < surge.window {
            let span = s.baseline.as_ref().map_or(raw.span(), Spanned::span);
            return Err(self.error(
                &span,
                format!("{owner} baseline must be at least as long as its window"),
            ));
        }
        if let Some(min) = &s.min {
            surge.min = self
                .count_in(min, (1, 1_000_000))
                .map_err(|e| located(e, "min"))?;
        }
        Ok(surge)
    }
}

//! robots.txt per site for article pages: fetched once, kept a day (an
//! hour when it could not be read), shared by every request of the process
//! and consulted on every hop of a page's redirects.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use url::Url;

use super::robots::Robots;
use super::{Access, FetchOutcome, Fetcher, Kind};
use crate::model::FailureClass;

/// How long a site's robots.txt is trusted once read (or found missing).
const KEEP: Duration = Duration::from_secs(24 * 3600);
/// How long a failure to read it holds before trying again.
const KEEP_FAILURE: Duration = Duration::from_secs(3600);
/// RFC 9309 asks crawlers to read at least the first 500 KiB.
const ROBOTS_PARSED_BYTES: usize = 512 * 1024;

/// What a site's robots.txt said, and when it was read.
#[derive(Debug)]
struct Known {
    robots: Robots,
    /// Why everything is refused, when the file could not be read.
    unreadable: Option<String>,
    read_at: Instant,
}

/// Every site's robots.txt this process has read.
#[derive(Default, Debug)]
pub struct RobotsCache {
    /// One lock per site, so a site's file is fetched once even when many
    /// of its pages are waiting.
    sites: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Known>>>>>,
}

impl RobotsCache {
    /// Ok when the site of `url` lets newshound fetch it; else why not.
    pub async fn check(&self, fetcher: &Fetcher, url: &Url, access: &Access) -> Result<(), String> {
        let origin = url.origin().ascii_serialization();
        let site = {
            let mut sites = self.sites.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(sites.entry(origin.clone()).or_default())
        };
        let mut known = site.lock().await;
        let stale = known.as_ref().is_none_or(|k| {
            let keep = if k.unreadable.is_some() {
                KEEP_FAILURE
            } else {
                KEEP
            };
            k.read_at.elapsed() >= keep
        });
        if stale {
            *known = Some(read(fetcher, &origin, access).await);
        }
        let known = known.as_ref().expect("just read");
        if let Some(why) = &known.unreadable {
            return Err(format!("{origin}/robots.txt could not be read ({why})"));
        }
        let path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_string(),
        };
        match known.robots.allows(&path) {
            true => Ok(()),
            false => Err(format!("{origin}/robots.txt disallows {path}")),
        }
    }
}

/// Reads `origin`'s robots.txt: missing (4xx) allows everything; a server
/// error, 429 or no answer refuses everything for now (RFC 9309, 2.3.1).
async fn read(fetcher: &Fetcher, origin: &str, access: &Access) -> Known {
    let (robots, unreadable) = match Url::parse(&format!("{origin}/robots.txt")) {
        Err(e) => (Robots::refuse_all(), Some(e.to_string())),
        // Boxed: fetching a page consults robots.txt, which is fetched.
        Ok(url) => match Box::pin(fetcher.fetch_kind(&url, access, Kind::Robots)).await {
            Ok(FetchOutcome::Fetched(f)) => {
                let head = &f.body[..f.body.len().min(ROBOTS_PARSED_BYTES)];
                (Robots::parse(&String::from_utf8_lossy(head)), None)
            }
            Ok(FetchOutcome::NotModified { .. }) => (Robots::allow_all(), None),
            Err(e) if e.class == FailureClass::Http(429) => (
                Robots::refuse_all(),
                Some(format!("{}: {}", e.class.name(), e.message)),
            ),
            Err(e) if matches!(e.class, FailureClass::Http(400..=499)) => {
                (Robots::allow_all(), None)
            }
            // A file beyond any sane size says nothing usable.
            Err(e) if e.class == FailureClass::TooLarge => (Robots::allow_all(), None),
            Err(e) => (
                Robots::refuse_all(),
                Some(format!("{}: {}", e.class.name(), e.message)),
            ),
        },
    };
    Known {
        robots,
        unreadable,
        read_at: Instant::now(),
    }
}

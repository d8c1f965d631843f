//! `newshound inspect FILE|URL`: a feed's normalised entries as JSON lines.

use chrono::SecondsFormat;
use serde_json::json;
use url::Url;

use crate::config::DaemonConfig;
use crate::feed::{self, FeedError};
use crate::fetch::{Access, FetchOutcome, Fetcher, HostLimits, Limits, Validators};

/// Prints `source`'s entries; returns the exit code.
pub async fn inspect(source: &str) -> super::Outcome {
    let (bytes, content_type, base) = match read(source).await {
        Ok(read) => read,
        Err(message) => return Err(anyhow::anyhow!("{source}: {message}")),
    };
    let parsed = match feed::parse(&bytes, content_type.as_deref(), base.as_ref()) {
        Ok(parsed) => parsed,
        Err(FeedError::Empty) => {
            eprintln!("{source}: the feed holds no items");
            return Ok(0);
        }
        Err(e) => return Err(anyhow::Error::new(e).context(source.to_string())),
    };
    if let Some(warning) = &parsed.warning {
        eprintln!("{source}: {warning}");
    }
    for e in parsed.entries {
        let line = json!({
            "id": e.id,
            "title": e.title,
            "link": e.link,
            "published": e.published.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            "author": e.author,
            "summary_chars": e.summary.chars().count(),
            "content_chars": e.content.chars().count(),
        });
        println!("{line}");
    }
    Ok(0)
}

/// The feed's bytes, its Content-Type and the URL relative links resolve against.
pub(super) async fn read(source: &str) -> Result<(Vec<u8>, Option<String>, Option<Url>), String> {
    let url = Url::parse(source)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let Some(url) = url else {
        let bytes = std::fs::read(source).map_err(|e| format!("cannot read the file: {e}"))?;
        return Ok((bytes, None, None));
    };
    // The person named this URL: its host is trusted, redirects are guarded.
    let (bytes, content_type, final_url) = fetch(&url, &url).await?;
    Ok((bytes, content_type, Some(final_url)))
}

/// GETs `url` with the default limits, trusting only `trusted`'s host with
/// private addresses; the body, its Content-Type and the final URL.
pub(super) async fn fetch(
    url: &Url,
    trusted: &Url,
) -> Result<(Vec<u8>, Option<String>, Url), String> {
    let defaults = DaemonConfig::default();
    let fetcher = Fetcher::new(
        Limits {
            total: defaults.fetch_timeout,
            connect: defaults.connect_timeout,
            max_bytes: defaults.feed_max_bytes,
        },
        HostLimits::new(1, std::time::Duration::ZERO),
    )
    .map_err(|e| e.message)?;
    match fetcher
        .get(
            url,
            &Validators::default(),
            &Access::feed(trusted, false),
            None,
        )
        .await
    {
        Ok(FetchOutcome::Fetched(f)) => Ok((f.body, f.content_type, f.final_url)),
        Ok(FetchOutcome::NotModified { .. }) => {
            Err("the server answered 304 to an unconditional request".into())
        }
        Err(e) => Err(format!("{} ({})", e.message, e.class.name())),
    }
}

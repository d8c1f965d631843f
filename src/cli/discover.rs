//! `newshound discover URL`: the feeds a web page advertises (or, when it
//! advertises none, those at the paths sites commonly use), each fetched
//! and read to be sure, printed as `[[feed]]` TOML.

use std::collections::HashSet;

use url::Url;

use super::inspect::fetch;
use super::opml::feed_toml;
use crate::feed::discover::{COMMON_PATHS, advertised_feeds, common_feed_urls};
use crate::feed::opml::Subscription;
use crate::feed::{FeedError, parse};

/// Prints the feeds found on `page`; returns the exit code.
pub async fn discover(page: &str) -> super::Outcome {
    let Some(page) = Url::parse(page)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    else {
        return Err(super::invalid(format!("\"{page}\" is not an http(s) URL")));
    };
    let (body, content_type, final_url) = match fetch(&page, &page).await {
        Ok(fetched) => fetched,
        Err(message) => return Err(anyhow::anyhow!("{page}: {message}")),
    };
    // The URL may be a feed itself.
    let mut found = Vec::new();
    if let Some(title) = feed_title(&body, content_type.as_deref(), &final_url) {
        found.push(Subscription {
            title,
            url: final_url.to_string(),
            categories: Vec::new(),
        });
    } else {
        let advertised = advertised_feeds(&String::from_utf8_lossy(&body), &final_url);
        let candidates = match advertised.is_empty() {
            true => common_feed_urls(&final_url),
            false => advertised,
        };
        for url in candidates {
            // Only the page's own host may be a private address.
            let Ok((bytes, content_type, url)) = fetch(&url, &page).await else {
                continue;
            };
            if let Some(title) = feed_title(&bytes, content_type.as_deref(), &url)
                && !found.iter().any(|f: &Subscription| f.url == url.as_str())
            {
                found.push(Subscription {
                    title,
                    url: url.to_string(),
                    categories: Vec::new(),
                });
            }
        }
    }
    if found.is_empty() {
        return Err(anyhow::anyhow!(
            "no feed found on {page}: it advertises none (<link rel=\"alternate\">) and \
             none of {} holds one",
            COMMON_PATHS.join(", ")
        ));
    }
    let mut taken = HashSet::new();
    for subscription in &found {
        print!("{}", feed_toml(subscription, &mut taken));
    }
    eprintln!("{} feed(s) found on {page}", found.len());
    Ok(0)
}

/// The title of the feed in `bytes` (its host when it has none); None
/// when `bytes` is not a feed newshound can read.
fn feed_title(bytes: &[u8], content_type: Option<&str>, url: &Url) -> Option<String> {
    let title = match parse(bytes, content_type, Some(url)) {
        Ok(parsed) => parsed.title,
        // A feed with no items yet is still a feed.
        Err(FeedError::Empty) => None,
        Err(_) => return None,
    };
    Some(
        title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| url.host_str().unwrap_or("feed").to_string()),
    )
}

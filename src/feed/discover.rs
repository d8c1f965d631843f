//! Finding the feeds a web page advertises: its `<link rel="alternate">`
//! elements of the feed types, and, when it has none, the paths where sites
//! commonly keep their feeds.

use scraper::Selector;
use url::Url;

/// Media types a page's alternate links name feeds by.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "text/xml",
];

/// Where sites keep their feeds without saying so (WordPress, Blogger,
/// Hugo, Jekyll, Ghost and the like), tried in this order.
pub const COMMON_PATHS: &[&str] = &[
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/?feed=rss2",
];

/// The feeds `html` advertises, resolved against its `<base href>` or
/// `page`, http(s) only, each once, in document order.
pub fn advertised_feeds(html: &str, page: &Url) -> Vec<Url> {
    let document = crate::html::parse_document(html);
    let base_selector = Selector::parse("base[href]").expect("a valid selector");
    let base = document
        .select(&base_selector)
        .next()
        .and_then(|b| page.join(b.value().attr("href")?).ok())
        .unwrap_or_else(|| page.clone());
    let link_selector = Selector::parse("link[rel][href]").expect("a valid selector");
    let mut found: Vec<Url> = Vec::new();
    for link in document.select(&link_selector) {
        let element = link.value();
        let rel = element.attr("rel").unwrap_or_default().to_ascii_lowercase();
        let kind = element
            .attr("type")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let is_feed = rel.split_ascii_whitespace().any(|r| r == "alternate")
            && FEED_TYPES.contains(&kind.as_str());
        let Some(url) = element.attr("href").and_then(|h| base.join(h.trim()).ok()) else {
            continue;
        };
        if is_feed && matches!(url.scheme(), "http" | "https") && !found.contains(&url) {
            found.push(url);
        }
    }
    found
}

/// The common feed paths on `page`'s site.
pub fn common_feed_urls(page: &Url) -> Vec<Url> {
    COMMON_PATHS
        .iter()
        .filter_map(|path| page.join(path).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternate_links_of_feed_types_are_found_against_the_base() {
        let html = r#"<html><head><base href="https://news.test/world/">
            <link rel="alternate" type="application/rss+xml" href="rss.xml">
            <link rel="Alternate" type="application/atom+xml" href="/atom.xml">
            <link rel="alternate" type="text/html" href="/fr/">
            <link rel="stylesheet" href="/style.css">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/rss+xml" href="rss.xml">
            </head></html>"#;
        let page = Url::parse("https://other.test/").unwrap();
        let found: Vec<String> = advertised_feeds(html, &page)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "https://news.test/world/rss.xml",
                "https://news.test/atom.xml"
            ]
        );
    }

    #[test]
    fn common_paths_are_on_the_pages_site() {
        let page = Url::parse("https://news.test/world/today?x=1").unwrap();
        assert_eq!(
            common_feed_urls(&page)[0].as_str(),
            "https://news.test/feed"
        );
    }
}

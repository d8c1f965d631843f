//! What a page says about its article besides the text: title, author,
//! publication time and language, from the places publishers put them
//! (Open Graph and article meta tags, `<time>`, `<html lang>`).

use chrono::{DateTime, NaiveDate, Utc};
use scraper::{ElementRef, Html, Selector};

use crate::html::collapse;

/// The article's metadata, each when the page has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub language: Option<String>,
}

/// Reads `document`'s metadata.
pub fn metadata(document: &Html) -> Metadata {
    Metadata {
        title: first_content(
            document,
            &["meta[property='og:title']", "meta[name='twitter:title']"],
        )
        .or_else(|| first_text(document, &["h1", "title"])),
        author: first_content(
            document,
            &[
                "meta[name='author']",
                "meta[property='article:author']",
                "meta[name='byl']",
            ],
        )
        .filter(|a| !a.starts_with("http"))
        .or_else(|| {
            first_text(
                document,
                &[
                    "[rel='author']",
                    "[itemprop='author']",
                    ".byline",
                    ".author",
                ],
            )
        }),
        published: first_content(
            document,
            &[
                "meta[property='article:published_time']",
                "meta[itemprop='datePublished']",
                "meta[name='date']",
                "meta[name='pubdate']",
                "meta[name='dc.date']",
            ],
        )
        .or_else(|| first_attr(document, "time[datetime]", "datetime"))
        .and_then(|t| parse_time(&t)),
        language: first_attr(document, "html[lang]", "lang")
            .or_else(|| {
                first_content(
                    document,
                    &[
                        "meta[http-equiv='content-language' i]",
                        "meta[property='og:locale']",
                    ],
                )
            })
            .map(|l| l.replace('_', "-")),
    }
}

/// The page's own summary of its article (Open Graph, `description`): what
/// a feed's summary usually is, when there is no feed.
pub fn description(document: &Html) -> Option<String> {
    first_content(
        document,
        &[
            "meta[property='og:description']",
            "meta[name='description']",
            "meta[name='twitter:description']",
        ],
    )
}

fn select<'a>(document: &'a Html, css: &str) -> impl Iterator<Item = ElementRef<'a>> {
    let selector = Selector::parse(css).expect("built-in selectors are valid");
    document.select(&selector).collect::<Vec<_>>().into_iter()
}

fn first_content(document: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|css| {
        select(document, css)
            .filter_map(|e| e.value().attr("content"))
            .map(collapse)
            .find(|v| !v.is_empty())
    })
}

fn first_text(document: &Html, selectors: &[&str]) -> Option<String> {
    selectors.iter().find_map(|css| {
        select(document, css)
            .map(|e| collapse(&e.text().collect::<String>()))
            .find(|v| !v.is_empty() && v.chars().count() < 300)
    })
}

fn first_attr(document: &Html, css: &str, attr: &str) -> Option<String> {
    select(document, css)
        .filter_map(|e| e.value().attr(attr))
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

/// RFC 3339 and its usual relatives, or a bare date.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

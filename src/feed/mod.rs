//! Parse one feed's bytes (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into
//! normalised entries: absolute links, plain text, UTC times and a stable
//! identity.
//!
//! No network, database, rules or mail: bytes in, entries out.

mod canonical;
pub(crate) mod decode;
pub mod discover;
mod lenient;
mod lenient_json;
mod nesting;
pub mod opml;
mod text;

pub use crate::html::collapse;
pub use canonical::canonical_link;
pub use text::{decode_references, html_to_text};

use url::Url;

use nesting::MAX_XML_DEPTH;

use crate::model::{Entry, digest};

/// Why bytes could not be read as a feed.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The bytes are not RSS, Atom or JSON Feed.
    #[error("not a feed: {0}")]
    NotAFeed(String),
    /// The document is a feed but holds no item.
    #[error("the feed holds no items")]
    Empty,
}

/// A parsed feed: its title and normalised entries, in document order.
#[derive(Debug, Clone)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub entries: Vec<Entry>,
    /// What had to be mended to read the document (invalid bytes replaced).
    pub warning: Option<String>,
    /// How long the feed says to wait between polls (RSS `<ttl>`).
    pub ttl: Option<std::time::Duration>,
}

/// Parses `bytes` served with `content_type` (the HTTP header, if any),
/// resolving relative links against `base` (the feed's URL).
pub fn parse(
    bytes: &[u8],
    content_type: Option<&str>,
    base: Option<&Url>,
) -> Result<ParsedFeed, FeedError> {
    let prepared = decode::prepare(bytes, content_type);
    if !is_json(&prepared.bytes) && nesting::nests_deeper_than(&prepared.bytes, MAX_XML_DEPTH) {
        return Err(FeedError::NotAFeed(format!(
            "elements nest more than {MAX_XML_DEPTH} levels deep; no feed is built that way"
        )));
    }
    let first = match read(prepared.bytes.as_ref(), base) {
        Ok(feed) if !feed.entries.is_empty() => {
            return Ok(finish(feed, base, prepared.warning));
        }
        other => other,
    };
    // A second chance, mended the way lenient readers read such documents.
    let text = decode::as_text(prepared.bytes.as_ref());
    let mended = lenient::mend(&text).map(|(text, what)| (read(text.as_bytes(), base), what));
    if let Some((Ok(feed), what)) = mended {
        if feed.entries.is_empty() {
            // Readable once mended, and holding nothing.
            return Err(FeedError::Empty);
        }
        let note = format!("read leniently: {}", what.join(", "));
        let warning = match prepared.warning {
            Some(w) => format!("{w}; {note}"),
            None => note,
        };
        return Ok(finish(feed, base, Some(warning)));
    }
    match first {
        Ok(_) => Err(FeedError::Empty),
        Err(e) => Err(e),
    }
}

/// True for a JSON document (a JSON Feed), whose strings may hold
/// unclosed HTML that is no XML nesting.
fn is_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'{' | b'['))
}

/// feed-rs's reading of `bytes`. A panic inside the XML reader (it has
/// had some on malformed encodings) is an unreadable feed, not a crash.
fn read(bytes: &[u8], base: Option<&Url>) -> Result<feed_rs::model::Feed, FeedError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base.map(Url::as_str))
        // An empty id marks "the feed gave none"; `identity` then decides.
        .id_generator(|_, _, _| String::new())
        .build();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes)))
        .map_err(|_| FeedError::NotAFeed("the XML reader failed on this document".into()))?
        .map_err(|e| FeedError::NotAFeed(e.to_string()))
}

/// The normalised entries of a feed that has some.
fn finish(feed: feed_rs::model::Feed, base: Option<&Url>, warning: Option<String>) -> ParsedFeed {
    let entries = feed
        .entries
        .into_iter()
        .map(|e| normalise(e, base, feed.language.as_deref()))
        .collect();
    let ttl = feed
        .ttl
        .map(|minutes| std::time::Duration::from_secs(u64::from(minutes) * 60));
    ParsedFeed {
        ttl,
        title: feed.title.map(|t| text_of(&t)),
        entries,
        warning,
    }
}

fn normalise(entry: feed_rs::model::Entry, base: Option<&Url>, language: Option<&str>) -> Entry {
    let title = entry.title.as_ref().map(text_of).unwrap_or_default();
    let summary = entry
        .summary
        .as_ref()
        .map(|s| html_to_text(&s.content))
        .unwrap_or_default();
    let content = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(html_to_text)
        .unwrap_or_default();
    let guid = entry.id.trim();
    // Without a link, a permalink guid (an http(s) URL) is the article.
    let link = article_link(&entry.links, base).or_else(|| permalink(guid));
    let canonical = link.as_ref().map(canonical_link);
    let authors: Vec<&str> = entry
        .authors
        .iter()
        .filter_map(|p| p.name.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .collect();
    let id = if !guid.is_empty() {
        format!("guid:{guid}")
    } else if let Some(c) = &canonical {
        format!("link:{c}")
    } else {
        format!("hash:{}", digest([title.as_str(), &summary, &content]))
    };
    Entry {
        id,
        title,
        link: link.map(String::from),
        canonical_link: canonical.map(String::from),
        published: entry.published.or(entry.updated),
        author: (!authors.is_empty()).then(|| authors.join(", ")),
        summary,
        content,
        language: language
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from),
    }
}

/// The entry's article link: the alternate link, else the first one,
/// made absolute; only http(s) links are kept.
fn article_link(links: &[feed_rs::model::Link], base: Option<&Url>) -> Option<Url> {
    let link = links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .or_else(|| links.first())?;
    let href = link.href.trim();
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Text of a feed `Text`, without markup when it is HTML. Plain text with
/// well-formed references in it (a title escaped twice, as many feeds send
/// them) has those decoded, and is read as HTML only when decoding brought
/// markup out (`&lt;b&gt;`); control characters, which no title means, are
/// dropped.
fn text_of(text: &feed_rs::model::Text) -> String {
    let content = text
        .content
        .replace(|c: char| c.is_control() && !c.is_whitespace(), "");
    if text.content_type.to_string().contains("html") {
        return html_to_text(&content);
    }
    match decode_references(&content) {
        Some(decoded) if decoded.matches('<').count() > content.matches('<').count() => {
            html_to_text(&decoded)
        }
        Some(decoded) => collapse(&decoded),
        None => collapse(&content),
    }
}

/// `guid` as an article link when it is an absolute http(s) URL.
fn permalink(guid: &str) -> Option<Url> {
    Url::parse(guid)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

#[cfg(test)]
mod tests;

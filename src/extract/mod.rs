//! The article text rules match and mails quote: the main text of an
//! article's HTML page (with a feed's own selector when it has one, the
//! general extractor otherwise) and the page's metadata. Pure: bytes in,
//! text out; fetching the page is `fetch`'s job.

mod charset;
mod metadata;
mod readable;
mod selector;
mod stats;

pub use charset::decode_page;
pub use metadata::Metadata;
pub use selector::{SelectorError, SelectorRule};

use scraper::Html;

use crate::model::Entry;

/// An article page's main text and metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// Paragraphs separated by blank lines.
    pub text: String,
    pub metadata: Metadata,
}

/// Extracts the article from an HTML page: the elements `rule` picks when
/// given, else what the general extractor finds.
pub fn extract(html: &str, rule: Option<&SelectorRule>) -> Extracted {
    let document = crate::html::parse_document(html);
    Extracted {
        text: main_text(&document, rule),
        metadata: metadata::metadata(&document),
    }
}

/// Only the main text of the page `bytes` a server sent with
/// `content_type`, as [`extract_bytes`] finds it: what the pipeline needs,
/// without the metadata only `newshound extract --json` shows.
pub fn extract_text(
    bytes: &[u8],
    content_type: Option<&str>,
    rule: Option<&SelectorRule>,
) -> String {
    let document = crate::html::parse_document(&decode_page(bytes, content_type).0);
    main_text(&document, rule)
}

fn main_text(document: &Html, rule: Option<&SelectorRule>) -> String {
    match rule {
        Some(rule) => selector::selected_text(document, rule),
        None => readable::article_text(document),
    }
}

/// Like [`extract`], from the bytes a server sent with `content_type`.
pub fn extract_bytes(
    bytes: &[u8],
    content_type: Option<&str>,
    rule: Option<&SelectorRule>,
) -> Extracted {
    extract(&decode_page(bytes, content_type).0, rule)
}

/// The body text of `entry` when its page is not used: its full content
/// when the feed carries one.
pub fn article_body(entry: &Entry) -> &str {
    &entry.content
}

#[cfg(test)]
mod tests;

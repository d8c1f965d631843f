//! How deeply a document's XML elements nest, found in one linear pass
//! before the feed reader sees it: the reader's time grows with the square
//! of the depth (70,000 levels took it minutes to refuse), and no feed
//! nests deeper than a few dozen levels.

use memchr::{memchr, memmem};

/// The deepest element nesting a feed may have.
pub const MAX_XML_DEPTH: usize = 1_000;

/// True when elements in `xml` nest deeper than `limit`. Comments, CDATA
/// sections, declarations and quoted attribute values are skipped; the
/// bytes are UTF-8 or another encoding that keeps ASCII as it is.
pub fn nests_deeper_than(xml: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(found) = memchr(b'<', &xml[at..]) {
        let rest = &xml[at + found + 1..];
        let (skip, change) = if rest.starts_with(b"!--") {
            (skip_past(rest, b"-->"), 0)
        } else if rest.starts_with(b"![CDATA[") {
            (skip_past(rest, b"]]>"), 0)
        } else if rest.starts_with(b"?") {
            (skip_past(rest, b"?>"), 0)
        } else if rest.starts_with(b"!") {
            (skip_past(rest, b">"), 0)
        } else if rest.starts_with(b"/") {
            (skip_past(rest, b">"), -1)
        } else {
            match tag_end(rest) {
                Some(end) if end > 0 && rest[end - 1] == b'/' => (end + 1, 0),
                Some(end) => (end + 1, 1),
                None => return false,
            }
        };
        depth = depth.saturating_add_signed(change);
        if depth > limit {
            return true;
        }
        at += found + 1 + skip;
        if at >= xml.len() {
            break;
        }
    }
    false
}

/// The length of `rest` up to and including `end`, or all of it.
fn skip_past(rest: &[u8], end: &[u8]) -> usize {
    memmem::find(rest, end).map_or(rest.len(), |at| at + end.len())
}

/// The index of the `>` that ends a start tag, skipping quoted values.
fn tag_end(rest: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at < rest.len() {
        match rest[at] {
            b'>' => return Some(at),
            quote @ (b'"' | b'\'') => at += 1 + memchr(quote, &rest[at + 1..])?,
            _ => {}
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_nests_shallowly() {
        let feed = br#"<?xml version="1.0"?><!-- <a><a><a> --><rss a=">"><channel><title><![CDATA[<b><b>]]></title><item/><item><x:y/></item></channel></rss>"#;
        assert!(!nests_deeper_than(feed, 3));
        assert!(nests_deeper_than(feed, 2));
    }

    #[test]
    fn deep_nesting_is_found() {
        let deep = format!(
            "<rss>{}{}</rss>",
            "<x>".repeat(70_000),
            "</x>".repeat(70_000)
        );
        assert!(nests_deeper_than(deep.as_bytes(), MAX_XML_DEPTH));
        let wide = format!("<rss>{}</rss>", "<x></x>".repeat(70_000));
        assert!(!nests_deeper_than(wide.as_bytes(), MAX_XML_DEPTH));
    }
}

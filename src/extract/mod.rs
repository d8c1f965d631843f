//! The article body rules match and mails quote.
//!
//! Until article pages are fetched, the body is the feed's own full content;
//! page extraction will slot in here, pure like the rest of this module.

use crate::model::Entry;

/// The body text of `entry`: its full content when the feed carries one.
pub fn article_body(entry: &Entry) -> &str {
    &entry.content
}

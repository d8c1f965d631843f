//! HTML as every stage reads it: parsed with its nesting held to a depth
//! the tree builder handles in linear time, and walked for its visible
//! text. Plain functions, like `model`: no I/O.

mod depth;
mod text;
mod watch;

pub use depth::flatten_deep;
pub use text::{BLOCKS, collapse, visible_text};

use scraper::Html;
use watch::{Kind, parse_within_depth};

/// The deepest nesting of elements kept, as a browser keeps (Chromium:
/// 512); deeper markup is flattened, its text kept.
pub const MAX_DEPTH: usize = 512;

/// A whole page parsed; one nested past [`MAX_DEPTH`] is flattened first.
pub fn parse_document(html: &str) -> Html {
    parse_within_depth(html, Kind::Document)
        .unwrap_or_else(|| Html::parse_document(&flatten_deep(html)))
}

/// A fragment (feed markup) parsed; one nested past [`MAX_DEPTH`] is
/// flattened first.
pub fn parse_fragment(html: &str) -> Html {
    parse_within_depth(html, Kind::Fragment)
        .unwrap_or_else(|| Html::parse_fragment(&flatten_deep(html)))
}

#[cfg(test)]
mod tests;

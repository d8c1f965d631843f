//! HTML as every stage reads it: parsed with its nesting held to a depth
//! the tree builder handles in linear time, and walked for its visible
//! text. Plain functions, like `model`: no I/O.

mod depth;
mod text;

pub use depth::{MAX_DEPTH, flatten_deep};
pub use text::{BLOCKS, collapse, visible_text};

use scraper::Html;

/// A whole page parsed, nesting past [`MAX_DEPTH`] flattened first.
pub fn parse_document(html: &str) -> Html {
    Html::parse_document(&flatten_deep(html))
}

/// A fragment (feed markup) parsed, nesting past [`MAX_DEPTH`] flattened
/// first.
pub fn parse_fragment(html: &str) -> Html {
    Html::parse_fragment(&flatten_deep(html))
}

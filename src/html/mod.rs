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
    parse_capped(html, Kind::Document)
}

/// A fragment (feed markup) parsed; one nested past [`MAX_DEPTH`] is
/// flattened first.
pub fn parse_fragment(html: &str) -> Html {
    parse_capped(html, Kind::Fragment)
}

/// `html` as the parser reads it; else, nested too deep, flattened; else,
/// still too deep (a trick the flattening does not foresee), its text
/// alone, so that no input costs more than a few linear passes.
fn parse_capped(html: &str, kind: Kind) -> Html {
    parse_within_depth(html, kind)
        .or_else(|| parse_within_depth(&flatten_deep(html), kind))
        .unwrap_or_else(|| {
            let text = without_tags(html);
            match kind {
                Kind::Document => Html::parse_document(&text),
                Kind::Fragment => Html::parse_fragment(&text),
            }
        })
}

/// `html` with everything from each `<` to the next `>` replaced by a
/// space: no markup at all is left for the parser to nest.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        rest = match rest[open..].find('>') {
            Some(close) => &rest[open + close + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;

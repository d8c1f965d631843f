//! Nesting held to a depth HTML's tree builder handles in linear time.
//!
//! html5ever looks through its stack of open elements for its scope checks
//! (each `<div>` closes an open `<p>` "in button scope"), so a start tag
//! costs time in proportion to the depth, and 100,000 nested `<div>`s take
//! minutes. Browsers cap the tree's depth (Chromium at 512). This pass does
//! the same before parsing: it follows the nesting much as the tree builder
//! will, and drops the start tags that would go deeper than [`MAX_DEPTH`],
//! with their end tags, keeping every character of text. It is linear in
//! the input, and a page nested less deeply — every real one — comes back
//! as it was, uncopied.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use memchr::{memchr, memmem};

/// The deepest nesting of elements kept; a browser keeps 512.
pub const MAX_DEPTH: usize = 512;

/// Elements that never hold content: they open nothing.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements whose content is text up to their own end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// Start tags that close an open `<p>`.
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

/// Elements an end tag outside the table's own parts does not look past.
const SCOPE: &[&str] = &[
    "applet", "caption", "html", "table", "td", "th", "marquee", "object", "template",
];

/// The parts of a table, whose end tags close through its cells.
const TABLE_PARTS: &[&str] = &[
    "table", "caption", "tbody", "thead", "tfoot", "tr", "td", "th",
];

/// `html`, with the start tags nested deeper than [`MAX_DEPTH`] (and their
/// end tags) taken out; borrowed when there was none.
pub fn flatten_deep(html: &str) -> Cow<'_, str> {
    let dropped = too_deep(html.as_bytes());
    if dropped.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for tag in dropped {
        // Tags start at '<' and end after '>': always char boundaries.
        out.push_str(&html[at..tag.start]);
        at = tag.end;
    }
    out.push_str(&html[at..]);
    Cow::Owned(out)
}

/// The byte ranges of the tags to drop, in order.
fn too_deep(html: &[u8]) -> Vec<Range<usize>> {
    let mut nesting = Nesting::default();
    let mut at = 0;
    while let Some(found) = memchr(b'<', &html[at..]) {
        let start = at + found;
        let Some(tag) = Tag::read(html, start) else {
            // An unterminated tag at the end is dropped by the parser too.
            break;
        };
        at = tag.end;
        match tag.kind {
            Kind::Start { name, self_closing } => {
                nesting.start(name, self_closing, start..tag.end);
                if is(name, RAW_TEXT) {
                    at = raw_text_end(html, at, name);
                } else if is(name, &["plaintext"]) {
                    break;
                }
            }
            Kind::End { name } => nesting.end(name, start..tag.end),
            Kind::Other => {}
        }
    }
    nesting.dropped
}

/// Where the raw text that began at `from` ends: at `</name`, or the end.
fn raw_text_end(html: &[u8], from: usize, name: &[u8]) -> usize {
    let mut at = from;
    while let Some(found) = memmem::find(&html[at..], b"</") {
        let candidate = at + found;
        let after = &html[candidate + 2..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name) {
            return candidate;
        }
        at = candidate + 2;
    }
    html.len()
}

/// What the tree builder's stack of open elements will look like, as far
/// as depth goes.
#[derive(Default)]
struct Nesting<'a> {
    open: Vec<&'a [u8]>,
    /// Open `<svg>` and `<math>` elements, inside which `<x/>` closes.
    foreign: usize,
    /// Start tags dropped, by lowercase name, whose end tags are to go too.
    unmatched: HashMap<Vec<u8>, usize>,
    dropped: Vec<Range<usize>>,
}

impl<'a> Nesting<'a> {
    fn start(&mut self, name: &'a [u8], self_closing: bool, range: Range<usize>) {
        if is(name, VOID) || (self_closing && self.foreign > 0) {
            return;
        }
        self.close_implied(name);
        // A row or cell straight in a table gets the body and row the
        // parser puts around it.
        if is(name, &["tr", "td", "th"]) && self.top_is(&["table"]) {
            self.open.push(b"tbody");
        }
        if is(name, &["td", "th"]) && self.top_is(&["tbody", "thead", "tfoot"]) {
            self.open.push(b"tr");
        }
        if self.open.len() >= MAX_DEPTH {
            *self.unmatched.entry(name.to_ascii_lowercase()).or_default() += 1;
            self.dropped.push(range);
            return;
        }
        if is(name, &["svg", "math"]) {
            self.foreign += 1;
        }
        self.open.push(name);
    }

    /// Pops what a start tag `name` closes without an end tag: an open
    /// `<p>` before a block, a list item before the next, a cell before
    /// the next cell or row.
    fn close_implied(&mut self, name: &[u8]) {
        if is(name, CLOSES_P) && self.top_is(&["p"]) {
            self.open.pop();
        }
        let closes: &[&str] = match () {
            _ if is(name, &["li"]) => &["li"],
            _ if is(name, &["dt", "dd"]) => &["dt", "dd"],
            _ if is(name, &["option", "optgroup"]) => &["option"],
            _ if is(name, &["h1", "h2", "h3", "h4", "h5", "h6"]) => {
                &["h1", "h2", "h3", "h4", "h5", "h6"]
            }
            _ if is(name, &["td", "th"]) => &["td", "th"],
            _ if is(name, &["tr"]) => &["td", "th", "tr"],
            _ if is(name, &["tbody", "thead", "tfoot"]) => {
                &["td", "th", "tr", "tbody", "thead", "tfoot"]
            }
            _ => &[],
        };
        while !closes.is_empty() && self.top_is(closes) {
            self.open.pop();
        }
    }

    fn end(&mut self, name: &[u8], range: Range<usize>) {
        if let Some(count) = self.unmatched.get_mut(&name.to_ascii_lowercase())
            && *count > 0
        {
            *count -= 1;
            self.dropped.push(range);
            return;
        }
        let boundaries: &[&str] = if is(name, TABLE_PARTS) {
            &["table", "html", "template"]
        } else {
            SCOPE
        };
        for at in (0..self.open.len()).rev() {
            let element = self.open[at];
            if element.eq_ignore_ascii_case(name) {
                let closed = &self.open[at..];
                self.foreign -= closed.iter().filter(|e| is(e, &["svg", "math"])).count();
                self.open.truncate(at);
                return;
            }
            if is(element, boundaries) {
                // The parser ignores an end tag it cannot reach.
                return;
            }
        }
    }

    fn top_is(&self, names: &[&str]) -> bool {
        self.open.last().is_some_and(|top| is(top, names))
    }
}

/// True when `name` is one of `names`, ignoring ASCII case.
fn is(name: &[u8], names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
}

/// One piece of markup that begins with `<`.
struct Tag<'a> {
    kind: Kind<'a>,
    /// Just past its end.
    end: usize,
}

enum Kind<'a> {
    Start {
        name: &'a [u8],
        self_closing: bool,
    },
    End {
        name: &'a [u8],
    },
    /// A comment, a doctype, a processing instruction, or a `<` in text.
    Other,
}

impl<'a> Tag<'a> {
    /// The markup at `start` (where `html` holds `<`); None when a tag is
    /// left open at the end of the input.
    fn read(html: &'a [u8], start: usize) -> Option<Tag<'a>> {
        let rest = &html[start + 1..];
        let after = |len: usize| start + 1 + len;
        if rest.starts_with(b"!--") {
            let end = memmem::find(&rest[3..], b"-->").map_or(html.len(), |e| after(3 + e + 3));
            return Some(Tag {
                kind: Kind::Other,
                end,
            });
        }
        match rest.first() {
            Some(b'!' | b'?') => {
                let end = memchr(b'>', rest).map_or(html.len(), |e| after(e + 1));
                Some(Tag {
                    kind: Kind::Other,
                    end,
                })
            }
            Some(b'/') => {
                let name = name_at(&rest[1..]);
                let end = after(memchr(b'>', rest)? + 1);
                let kind = if name.is_empty() {
                    Kind::Other
                } else {
                    Kind::End { name }
                };
                Some(Tag { kind, end })
            }
            Some(b) if b.is_ascii_alphabetic() => {
                let name = name_at(rest);
                let close = attributes_end(rest, name.len())?;
                Some(Tag {
                    kind: Kind::Start {
                        name,
                        self_closing: close > 0 && rest[close - 1] == b'/',
                    },
                    end: after(close + 1),
                })
            }
            _ => Some(Tag {
                kind: Kind::Other,
                end: start + 1,
            }),
        }
    }
}

/// The tag name at the start of `rest`.
fn name_at(rest: &[u8]) -> &[u8] {
    let len = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
        .unwrap_or(rest.len());
    &rest[..len]
}

/// The index in `rest` of the `>` that closes a start tag whose
/// attributes begin at `from`, skipping quoted attribute values.
fn attributes_end(rest: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    let mut after_equals = false;
    while at < rest.len() {
        match rest[at] {
            b'>' => return Some(at),
            b'=' => after_equals = true,
            quote @ (b'"' | b'\'') if after_equals => {
                at += 1 + memchr(quote, &rest[at + 1..])?;
                after_equals = false;
            }
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of(html: &str) -> usize {
        let document = scraper::Html::parse_document(html);
        document
            .tree
            .nodes()
            .map(|n| n.ancestors().count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn real_pages_come_back_uncopied() {
        let page = "<!doctype html><html><head><title>a <b></title><script>if (a<b) {}</script>\
                    </head><body><div class=\"x>y\"><p>one<p>two<ul><li>a<li>b</ul></div>\
                    <table><tr><td>c<td>d<tr><td>e</table><!-- <div> --></body></html>";
        assert!(matches!(flatten_deep(page), Cow::Borrowed(_)));
    }

    #[test]
    fn nesting_past_the_cap_is_flattened_and_its_text_kept() {
        let deep = format!(
            "{}core{}",
            "<div>x".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let flat = flatten_deep(&deep);
        assert_eq!(flat.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(flat.matches("</div>").count(), MAX_DEPTH);
        assert_eq!(flat.matches('x').count(), 100_000);
        assert!(depth_of(&flat) <= MAX_DEPTH + 4);
    }

    #[test]
    fn unclosed_paragraphs_and_list_items_are_not_counted_as_nesting() {
        let page = format!(
            "<ul>{}</ul>{}<table>{}</table>",
            "<li><p>item".repeat(2_000),
            "<p>para".repeat(2_000),
            "<tr><td>a<td>b".repeat(2_000)
        );
        assert!(matches!(flatten_deep(&page), Cow::Borrowed(_)));
    }

    #[test]
    fn end_tags_behind_a_table_cell_do_not_hide_the_depth() {
        // `</div>` inside a cell does not reach the div outside the table,
        // so the parser's stack grows by four per repeat.
        let page = "<div><table><tr><td></div>".repeat(20_000);
        let flat = flatten_deep(&page);
        assert!(matches!(flat, Cow::Owned(_)));
        assert!(depth_of(&flat) <= MAX_DEPTH + 8);
    }

    #[test]
    fn self_closing_tags_close_only_inside_svg() {
        let svg = format!("<svg>{}</svg><p>after", "<path/>".repeat(5_000));
        assert!(matches!(flatten_deep(&svg), Cow::Borrowed(_)));
        let html = format!("{}text", "<div/>".repeat(5_000));
        assert!(depth_of(&flatten_deep(&html)) <= MAX_DEPTH + 4);
    }
}

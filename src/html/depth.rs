//! Nesting cut to a depth HTML's tree builder handles in linear time.
//!
//! html5ever looks through its stack of open elements for its scope checks
//! (each `<div>` closes an open `<p>` "in button scope"), so a start tag
//! costs time in proportion to the depth, and 100,000 nested `<div>`s take
//! minutes. Browsers cap the tree's depth (Chromium at 512). A page the
//! parser finds nested past [`MAX_DEPTH`] (see `watch`) is passed through
//! here and parsed again: the start tags that could take it deeper are
//! dropped, with their end tags, and every character of text is kept.
//!
//! The nesting is over-counted on purpose, so that no trick of the parser's
//! (an end tag it ignores, a comment it ends early, markup inside `<svg>`)
//! can hide depth: every start tag but a void element's opens, an end tag
//! closes only the element on top, and nothing is skipped as raw text. Real
//! pages never come here, so the cost of counting high falls on hostile
//! ones alone. Linear in the input.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use memchr::memchr;

use super::MAX_DEPTH;

/// Elements that never hold content: they open nothing.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// `html`, with the start tags that could nest deeper than [`MAX_DEPTH`]
/// (and their end tags) taken out; borrowed when there was none.
pub fn flatten_deep(html: &str) -> Cow<'_, str> {
    let dropped = too_deep(html.as_bytes());
    if dropped.is_empty() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    for tag in dropped {
        // Tags start at '<' and end after '>': always char boundaries. A
        // space stands in, so that what was around a tag never joins into
        // a new one (`<<div>div>`).
        out.push_str(&html[at..tag.start]);
        out.push(' ');
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
            Kind::Start { name } => nesting.start(name, start..tag.end),
            Kind::End { name } => nesting.end(name, start..tag.end),
            Kind::Other => {}
        }
    }
    nesting.dropped
}

/// The stack of open elements, counted high.
#[derive(Default)]
struct Nesting<'a> {
    open: Vec<&'a [u8]>,
    /// Start tags dropped, by lowercase name, whose end tags are to go too.
    unmatched: HashMap<Vec<u8>, usize>,
    dropped: Vec<Range<usize>>,
}

impl<'a> Nesting<'a> {
    fn start(&mut self, name: &'a [u8], range: Range<usize>) {
        if is(name, VOID) {
            return;
        }
        // Rows and cells bring the table body and row the parser puts
        // around them, counted whether or not it will.
        let implied: &[&'static [u8]] = match () {
            _ if is(name, &["tr"]) => &[b"tbody"],
            _ if is(name, &["td", "th"]) => &[b"tbody", b"tr"],
            _ => &[],
        };
        if self.open.len() + implied.len() >= MAX_DEPTH {
            *self.unmatched.entry(name.to_ascii_lowercase()).or_default() += 1;
            self.dropped.push(range);
            return;
        }
        self.open.extend_from_slice(implied);
        self.open.push(name);
    }

    fn end(&mut self, name: &[u8], range: Range<usize>) {
        if let Some(count) = self.unmatched.get_mut(&name.to_ascii_lowercase())
            && *count > 0
        {
            *count -= 1;
            self.dropped.push(range);
            return;
        }
        if self
            .open
            .last()
            .is_some_and(|top| top.eq_ignore_ascii_case(name))
        {
            self.open.pop();
        }
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
        // A comment or declaration ends here at its first `>`, which is
        // never later than where the parser ends it: what the parser reads
        // as markup is read as markup here too.
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
                // An end tag's attributes are read (and ignored) as a start
                // tag's are: a quoted `>` does not end it.
                let end = after(attributes_end(rest, 1 + name.len())? + 1);
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
                    kind: Kind::Start { name },
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

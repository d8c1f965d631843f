//! Feed markup to plain text: what rules match against and mails quote.

use crate::html::{collapse, visible_text};

/// Elements whose text is never shown to a reader.
const HIDDEN: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "object",
];

/// Plain text of an HTML fragment: tags dropped, entities decoded, hidden
/// elements skipped, blocks on their own lines, spaces collapsed.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return collapse(html);
    }
    let fragment = crate::html::parse_fragment(html);
    visible_text(fragment.root_element(), HIDDEN)
}

/// Named references plain titles carry when a feed escaped them twice.
const NAMED: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("lsquo", "\u{2018}"),
    ("rsquo", "\u{2019}"),
    ("ldquo", "\u{201c}"),
    ("rdquo", "\u{201d}"),
    ("laquo", "\u{ab}"),
    ("raquo", "\u{bb}"),
    ("ndash", "\u{2013}"),
    ("mdash", "\u{2014}"),
    ("hellip", "\u{2026}"),
    ("copy", "\u{a9}"),
    ("reg", "\u{ae}"),
    ("trade", "\u{2122}"),
    ("euro", "\u{20ac}"),
    ("pound", "\u{a3}"),
    ("deg", "\u{b0}"),
];

/// `text` with each well-formed reference (`&name;` of [`NAMED`], `&#N;`,
/// `&#xH;`) decoded, and everything else — a bare `&`, an unknown name —
/// left as written; None when there was none to decode.
pub fn decode_references(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut decoded = false;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short: never search far for its `;`.
        let window = &rest.as_bytes()[1..rest.len().min(12)];
        let value = window.iter().position(|b| *b == b';').and_then(|end| {
            let name = &rest[1..1 + end];
            let code = |digits: &str, radix| {
                u32::from_str_radix(digits, radix)
                    .ok()
                    .and_then(char::from_u32)
            };
            let value = match name.strip_prefix('#') {
                Some(hex) if hex.starts_with(['x', 'X']) => code(&hex[1..], 16).map(String::from),
                Some(dec) => code(dec, 10).map(String::from),
                None => NAMED
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string()),
            }?;
            Some((value, end + 2))
        });
        match value {
            Some((value, len)) => {
                out.push_str(&value);
                rest = &rest[len..];
                decoded = true;
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    decoded.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_references_are_decoded() {
        assert_eq!(
            decode_references("Say &quot;truce&quot; &#8212; &#x263A; A&B &copy2 &bogus;").unwrap(),
            "Say \"truce\" \u{2014} \u{263A} A&B &copy2 &bogus;"
        );
        assert_eq!(decode_references("Q&A, AT&T"), None);
    }

    #[test]
    fn drops_tags_and_decodes_entities() {
        assert_eq!(html_to_text("<b>Truce</b> &amp; talks"), "Truce & talks");
    }

    #[test]
    fn skips_scripts_and_styles() {
        assert_eq!(
            html_to_text("<p>a</p><script>alert(1)</script><style>p{}</style><p>b</p>"),
            "a\nb"
        );
    }

    #[test]
    fn plain_text_is_only_collapsed() {
        assert_eq!(html_to_text("  a   b \n\n c "), "a b\nc");
    }
}

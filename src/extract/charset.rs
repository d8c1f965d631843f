//! Decoding an HTML page to text, the way browsers pick its encoding: a
//! byte-order mark, then the charset of the HTTP Content-Type, then UTF-8
//! when the bytes are valid UTF-8, then a `<meta charset>` (or `http-equiv`
//! Content-Type) in the first 1,024 bytes, then windows-1252.
//!
//! The byte-order mark comes first, as in the WHATWG encoding standard: a
//! server's header is a guess about a file, the mark is in the file.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

use crate::feed::decode::header_charset;

/// How far into a page a `<meta>` charset is looked for (as browsers do).
const PRESCAN_BYTES: usize = 1024;

/// The text of `bytes` served with `content_type`, and the encoding used.
pub fn decode_page(bytes: &[u8], content_type: Option<&str>) -> (String, &'static Encoding) {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), encoding);
    }
    // Pure ASCII reads the same in every candidate: the meta tag decides.
    let valid_utf8 = !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok();
    let encoding = content_type
        .and_then(header_charset)
        // A page that is valid UTF-8 is UTF-8, whatever an old meta tag
        // says (pages re-encoded by a CMS or a proxy keep it); text in a
        // legacy multi-byte encoding is practically never valid UTF-8.
        .or_else(|| match valid_utf8 {
            true => Some(UTF_8),
            // As browsers do: a page that declares UTF-16 in a meta tag is
            // read as UTF-8 (it could not have declared it in ASCII
            // otherwise). A header's UTF-16 stands.
            false => meta_charset(&bytes[..bytes.len().min(PRESCAN_BYTES)])
                .map(Encoding::output_encoding),
        })
        .unwrap_or_else(|| match bytes.is_ascii() {
            true => UTF_8,
            false => WINDOWS_1252,
        });
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding)
}

/// The encoding a `<meta charset="…">` or `<meta http-equiv="Content-Type"
/// content="…; charset=…">` names in `head`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut lower = head.to_ascii_lowercase();
    blank_comments(&mut lower);
    let mut rest = &lower[..];
    while let Some(at) = find(rest, b"<meta") {
        rest = &rest[at + 5..];
        // `<metadata>` is not a meta tag.
        if !rest
            .first()
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            continue;
        }
        let end = rest.iter().position(|&b| b == b'>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(value) = find(tag, b"charset").map(|i| &tag[i + 7..]) {
            let value = value.trim_ascii_start();
            if let Some(value) = value.strip_prefix(b"=") {
                let value = value.trim_ascii_start();
                let value = value
                    .strip_prefix(b"\"")
                    .or_else(|| value.strip_prefix(b"'"))
                    .unwrap_or(value);
                let len = value
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'\'' | b';' | b' ' | b'/' | b'>'))
                    .unwrap_or(value.len());
                if let Some(encoding) = Encoding::for_label(&value[..len]) {
                    return Some(encoding);
                }
            }
        }
        rest = &rest[end..];
    }
    None
}

/// Blanks `<!-- … -->` (to the end when unclosed): a commented-out meta
/// tag declares nothing.
fn blank_comments(bytes: &mut [u8]) {
    let mut from = 0;
    while let Some(start) = find(&bytes[from..], b"<!--").map(|i| from + i) {
        let end = find(&bytes[start + 4..], b"-->").map_or(bytes.len(), |i| start + 4 + i + 3);
        bytes[start..end].fill(b' ');
        from = end;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(meta: &str, body: &[u8]) -> Vec<u8> {
        let mut bytes = format!("<html><head>{meta}</head><body><p>").into_bytes();
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"</p></body></html>");
        bytes
    }

    #[test]
    fn each_declared_charset_decodes() {
        let cases: [(&str, &'static Encoding, &str); 4] = [
            (
                "windows-1251",
                encoding_rs::WINDOWS_1251,
                "Перемирие объявлено",
            ),
            ("gbk", encoding_rs::GBK, "双方宣布停火"),
            ("shift_jis", encoding_rs::SHIFT_JIS, "停戦が発表された"),
            ("iso-8859-1", WINDOWS_1252, "Cessez-le-feu à Genève"),
        ];
        for (label, encoding, text) in cases {
            let (bytes, _, _) = encoding.encode(text);
            // Declared in a meta tag only.
            let meta = format!("<meta charset=\"{label}\">");
            let (decoded, _) = decode_page(&page(&meta, &bytes), None);
            assert!(decoded.contains(text), "{label} via meta: {decoded}");
            // Declared in the HTTP header only.
            let header = format!("text/html; charset={label}");
            let (decoded, _) = decode_page(&page("", &bytes), Some(&header));
            assert!(decoded.contains(text), "{label} via header: {decoded}");
        }
    }

    #[test]
    fn the_header_wins_over_a_contradicting_meta_tag() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Перемирие");
        let meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">";
        let (decoded, used) =
            decode_page(&page(meta, &bytes), Some("text/html; charset=windows-1251"));
        assert_eq!(used, encoding_rs::WINDOWS_1251);
        assert!(decoded.contains("Перемирие"), "{decoded}");
    }

    #[test]
    fn a_byte_order_mark_wins_and_undeclared_bytes_fall_back() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(&page("", "Genève".as_bytes()));
        let (decoded, used) = decode_page(&bytes, Some("text/html; charset=windows-1251"));
        assert_eq!(used, UTF_8);
        assert!(decoded.contains("Genève"));
        // Neither declared nor valid UTF-8: windows-1252, as browsers guess.
        let (decoded, _) = decode_page(&page("", b"Gen\xe8ve"), None);
        assert!(decoded.contains("Genève"), "{decoded}");
        // A commented-out declaration declares nothing.
        let meta = "<!-- <meta charset=\"windows-1251\"> --><meta charset=\"iso-8859-1\">";
        let (_, used) = decode_page(&page(meta, b"x"), None);
        assert_eq!(used, WINDOWS_1252);
        // A header's UTF-16 stands (a meta tag's would not).
        let utf16: Vec<u8> = "<p>Genève</p>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let (decoded, _) = decode_page(&utf16, Some("text/html; charset=utf-16le"));
        assert_eq!(decoded, "<p>Genève</p>");
        // Valid UTF-8 beats a stale legacy declaration.
        let (decoded, used) = decode_page(
            &page("<meta charset=\"gb2312\">", "停火协议".as_bytes()),
            None,
        );
        assert_eq!(used, UTF_8);
        assert!(decoded.contains("停火协议"));
    }
}

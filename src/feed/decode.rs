//! Getting a feed's bytes to the parser as text it can read: byte-order
//! marks and the HTTP charset honoured, invalid UTF-8 repaired.
//!
//! Order of trust, as in browsers and feed readers: a byte-order mark, then
//! an encoding the XML declaration names (left to the XML reader), then the
//! charset of the HTTP Content-Type, then UTF-8.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// Bytes for the parser and, when something had to be mended, what.
pub struct Prepared<'a> {
    pub bytes: Cow<'a, [u8]>,
    pub warning: Option<String>,
}

/// Prepares `bytes` served with `content_type` (the HTTP header, if any).
pub fn prepare<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Prepared<'a> {
    if let Some(text) = utf32(bytes) {
        return utf8(declare_utf8(&text).into_owned().into(), None);
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return utf8(declare_utf8(&text).into_owned().into(), None);
    }
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return utf8(declare_utf8(&text), None);
    }
    if std::str::from_utf8(bytes).is_ok()
        || declared_encoding(bytes).is_some_and(|e| e != encoding_rs::UTF_8)
    {
        return Prepared {
            bytes: Cow::Borrowed(bytes),
            warning: None,
        };
    }
    if let Some(encoding) = content_type
        .and_then(header_charset)
        .filter(|e| *e != encoding_rs::UTF_8)
    {
        let (text, _, had_errors) = encoding.decode(bytes);
        let warning =
            had_errors.then(|| format!("bytes invalid in {} were replaced", encoding.name()));
        return utf8(declare_utf8(&text), warning);
    }
    let text = String::from_utf8_lossy(bytes);
    utf8(
        Cow::Owned(text.into_owned()),
        Some("the feed holds invalid UTF-8; bad bytes were replaced".to_string()),
    )
}

/// The document as UTF-8 text declared as such, for a reader that mends
/// it: prepared bytes are UTF-8 already, or in the encoding their XML
/// declaration names.
pub fn as_text(prepared: &[u8]) -> Cow<'_, str> {
    let text = match std::str::from_utf8(prepared) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            let encoding = declared_encoding(prepared).unwrap_or(encoding_rs::WINDOWS_1252);
            encoding.decode_without_bom_handling(prepared).0
        }
    };
    match declare_utf8(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(declared) => Cow::Owned(declared),
    }
}

/// XML in UTF-16 without a byte-order mark: `<?` as two 16-bit units.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes.get(..4)? {
        [0, b'<', 0, b'?' | b'r' | b'f' | b'R'] => Some(encoding_rs::UTF_16BE),
        [b'<', 0, b'?' | b'r' | b'f' | b'R', 0] => Some(encoding_rs::UTF_16LE),
        _ => None,
    }
}

/// XML in UTF-32 (with or without a byte-order mark), decoded; encoding_rs
/// does not know UTF-32, and would take its little-endian mark for UTF-16.
fn utf32(bytes: &[u8]) -> Option<String> {
    let (big_endian, skip) = match bytes.get(..4)? {
        [0, 0, 0xFE, 0xFF] => (true, 4),
        [0xFF, 0xFE, 0, 0] => (false, 4),
        [0, 0, 0, b'<'] => (true, 0),
        [b'<', 0, 0, 0] => (false, 0),
        _ => return None,
    };
    let text = bytes[skip..]
        .chunks(4)
        .map(|unit| {
            let unit: [u8; 4] = unit.try_into().unwrap_or([0, 0, 0xFF, 0xFD]);
            let code = match big_endian {
                true => u32::from_be_bytes(unit),
                false => u32::from_le_bytes(unit),
            };
            char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
        })
        .collect();
    Some(text)
}

fn utf8(text: Cow<'_, str>, warning: Option<String>) -> Prepared<'static> {
    Prepared {
        bytes: Cow::Owned(text.into_owned().into_bytes()),
        warning,
    }
}

/// The encoding named by `charset=` in a Content-Type header.
pub(crate) fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| Encoding::for_label(value.trim().trim_matches('"').as_bytes()))?
    })
}

/// The encoding an XML declaration at the start of `bytes` names.
fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(256)];
    let head = String::from_utf8_lossy(head);
    let decl = head
        .trim_start()
        .strip_prefix("<?xml")?
        .split("?>")
        .next()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let name = rest[1..].split(quote).next()?;
    Encoding::for_label(name.as_bytes())
}

/// `text` with its XML declaration's encoding, if any, changed to UTF-8:
/// the text has been decoded, and the reader must not decode it again.
fn declare_utf8(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim_start();
    let Some(end) = trimmed
        .starts_with("<?xml")
        .then(|| trimmed.find("?>"))
        .flatten()
    else {
        return Cow::Borrowed(text);
    };
    let offset = text.len() - trimmed.len();
    let decl = &trimmed[..end];
    let Some(at) = decl.find("encoding") else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..offset + at]);
    out.push_str("encoding=\"utf-8\"");
    let after = &decl[at..];
    // Skip `encoding = "name"` in the original declaration.
    let value_end = after
        .char_indices()
        .filter(|&(_, c)| c == '"' || c == '\'')
        .nth(1)
        .map_or(after.len(), |(i, _)| i + 1);
    out.push_str(&text[offset + at + value_end..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: Prepared) -> String {
        String::from_utf8(p.bytes.into_owned()).unwrap()
    }

    #[test]
    fn header_charset_decodes_undeclared_latin1() {
        let bytes = b"<rss><channel><title>M\xe9diation</title></channel></rss>";
        let p = prepare(bytes, Some("application/rss+xml; charset=ISO-8859-1"));
        assert!(p.warning.is_none());
        assert!(text(p).contains("Médiation"));
    }

    #[test]
    fn declared_encoding_is_left_to_the_xml_reader() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss>\xcf\xe5</rss>";
        let p = prepare(bytes, Some("text/xml; charset=utf-8"));
        assert_eq!(&p.bytes[..], &bytes[..]);
    }

    #[test]
    fn bom_wins_and_declaration_becomes_utf8() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>é</rss>".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(
            text(prepare(&bytes, None)),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>é</rss>"
        );
    }

    #[test]
    fn invalid_utf8_is_repaired_with_a_warning() {
        let p = prepare(b"<rss>a\xffb</rss>", None);
        assert!(p.warning.is_some());
        assert_eq!(text(p), "<rss>a\u{fffd}b</rss>");
    }
}

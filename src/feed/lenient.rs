//! Second chances for documents feed-rs refuses or reads as empty, mended
//! the way lenient readers (feedparser, browsers) read them: a missing or
//! unknown RSS version, the namespaces of Atom 0.3 and RSS 0.90, Atom text
//! types other than text/html/xhtml, bare ampersands, control characters,
//! and JSON Feeds mended as `lenient_json` says.
//!
//! Only ever applied after the document as sent failed, so a well-formed
//! feed is read exactly as written.

use std::borrow::Cow;

/// A mended document and what was mended, or None when nothing applied.
pub fn mend(text: &str) -> Option<(String, Vec<&'static str>)> {
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('{') {
        return super::lenient_json::mend_json(trimmed);
    }
    let mut mended: Vec<&'static str> = Vec::new();
    let mut out = Cow::Borrowed(text);
    let mut apply = |out: &mut Cow<str>, what: &'static str, f: &dyn Fn(&str) -> Option<String>| {
        if let Some(new) = f(out) {
            *out = Cow::Owned(new);
            mended.push(what);
        }
    };
    apply(&mut out, "control characters removed", &without_controls);
    apply(
        &mut out,
        "a second XML declaration dropped",
        &without_late_declarations,
    );
    apply(&mut out, "bare ampersands escaped", &escaped_ampersands);
    apply(&mut out, "an RSS version added", &rss_version);
    apply(&mut out, "read as Atom 1.0 (Atom 0.3)", &atom_03);
    apply(&mut out, "read as RSS 1.0 (RSS 0.90)", &rss_090);
    apply(
        &mut out,
        "a namespaced RSS 2.0 read as plain",
        &userland_namespace,
    );
    apply(
        &mut out,
        "Atom media types read as Atom 1.0 text types",
        &atom_text_types,
    );
    match out {
        Cow::Owned(text) => Some((text, mended)),
        Cow::Borrowed(_) => None,
    }
}

/// C0 control characters other than tab and line breaks, which XML forbids.
fn without_controls(text: &str) -> Option<String> {
    let bad = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x20;
    text.contains(bad).then(|| text.replace(bad, ""))
}

/// An XML declaration after the start of the document (two documents
/// pasted together), outside CDATA and comments: XML allows it nowhere
/// else, and one naming an encoding makes the XML reader panic. Only a
/// declaration closed by `?>` before any further `<` is taken for one.
fn without_late_declarations(text: &str) -> Option<String> {
    let body_start = text.trim_start().strip_prefix("<?xml").map_or(0, |_| {
        let lead = text.len() - text.trim_start().len();
        lead + text[lead..].find("?>").map_or(5, |e| e + 2)
    });
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..body_start]);
    let mut rest = &text[body_start..];
    let mut changed = false;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let skip = [("<![CDATA[", "]]>"), ("<!--", "-->")]
            .into_iter()
            .find(|(open, _)| rest.starts_with(open))
            .map(|(open, close)| {
                rest[open.len()..]
                    .find(close)
                    .map_or(rest.len(), |e| open.len() + e + close.len())
            });
        if let Some(len) = skip {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        let is_declaration = rest.starts_with("<?xml")
            && rest[5..].starts_with(|c: char| c.is_whitespace() || c == '?');
        let close = rest
            .find("?>")
            .filter(|&close| !rest[1..close].contains('<'));
        match (is_declaration, close) {
            (true, Some(close)) => {
                rest = &rest[close + 2..];
                changed = true;
            }
            _ => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `&` that starts no entity or character reference, outside CDATA.
fn escaped_ampersands(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata
                .find("]]>")
                .map_or(rest.len(), |e| e + "<![CDATA[".len() + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if rest.starts_with('<') {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        if !starts_reference(rest) {
            out.push_str("&amp;");
            changed = true;
        } else {
            out.push('&');
        }
        rest = &rest[1..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// True when `text` (starting with `&`) is `&name;`, `&#123;` or `&#x1F;`.
fn starts_reference(text: &str) -> bool {
    let body = &text[1..];
    // References are short: look no further than 40 bytes for the `;`, so
    // a document of bare ampersands is mended in linear time.
    let window = &body.as_bytes()[..body.len().min(41)];
    let Some(end) = window.iter().position(|b| *b == b';') else {
        return false;
    };
    let name = &body[..end];
    match name.strip_prefix('#') {
        Some(num) => match num.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        },
        None => {
            name.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        }
    }
}

/// The `<rss>` root tag and where it is.
fn rss_root(text: &str) -> Option<(usize, &str)> {
    let start = find_tag(text, "rss")?;
    let end = start + text[start..].find('>')?;
    Some((start, &text[start..end]))
}

/// The position of the first `<name` tag (followed by space, `>` or `/`).
fn find_tag(text: &str, name: &str) -> Option<usize> {
    let open = format!("<{name}");
    let mut from = 0;
    while let Some(at) = text[from..].find(&open) {
        let at = from + at;
        let next = text[at + open.len()..].chars().next();
        if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        from = at + open.len();
    }
    None
}

/// `<rss>` with no version, or one feed-rs does not know (0.93, 0.94,
/// 2.0.1…), read as RSS 2.0, which all of them are close enough to.
fn rss_version(text: &str) -> Option<String> {
    let (start, tag) = rss_root(text)?;
    let version = attribute(tag, "version");
    if matches!(version.as_deref(), Some("2.0" | "0.91" | "0.92")) {
        return None;
    }
    let tag_end = start + tag.len();
    let new_tag = match version {
        Some(v) => tag
            .replacen(&format!("version=\"{v}\""), "version=\"2.0\"", 1)
            .replacen(&format!("version='{v}'"), "version=\"2.0\"", 1),
        None => format!("<rss version=\"2.0\"{}", &tag[4..]),
    };
    Some(format!("{}{new_tag}{}", &text[..start], &text[tag_end..]))
}

/// The value of `name="…"` (or single-quoted) in a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = tag[from..].find(name) {
        let at = from + at;
        from = at + name.len();
        let before = tag[..at].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = tag[from..].trim_start().strip_prefix('=')?.trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        return rest[1..].split(quote).next().map(str::to_string);
    }
    None
}

/// Atom 0.3: its namespace becomes Atom 1.0's, `issued` and `modified`
/// become `published` and `updated`.
fn atom_03(text: &str) -> Option<String> {
    const ATOM_03: &str = "http://purl.org/atom/ns#";
    if !text.contains(ATOM_03) {
        return None;
    }
    let mut out = text.replace(ATOM_03, "http://www.w3.org/2005/Atom");
    // Atom 0.3 types text by media type; Atom 1.0 says html, xhtml, text.
    out = retype_outside_links(&out, "text/html", "html");
    for (old, new) in [("issued", "published"), ("modified", "updated")] {
        out = out
            .replace(&format!("<{old}>"), &format!("<{new}>"))
            .replace(&format!("</{old}>"), &format!("</{new}>"));
    }
    Some(out)
}

/// RSS 0.90's namespace becomes RSS 1.0's, which reads the same elements.
fn rss_090(text: &str) -> Option<String> {
    const RSS_090: &str = "http://my.netscape.com/rdf/simple/0.9/";
    text.contains(RSS_090)
        .then(|| text.replace(RSS_090, "http://purl.org/rss/1.0/"))
}

/// RSS 2.0 in UserLand's namespace: its elements are plain RSS.
fn userland_namespace(text: &str) -> Option<String> {
    let (start, tag) = rss_root(text)?;
    for quote in ['"', '\''] {
        let decl = format!("xmlns={quote}http://backend.userland.com/rss2{quote}");
        if tag.contains(&decl) {
            let new_tag = tag.replacen(&decl, "", 1);
            return Some(format!(
                "{}{new_tag}{}",
                &text[..start],
                &text[start + tag.len()..]
            ));
        }
    }
    None
}

/// Atom text constructs typed by media type (`text/plain`,
/// `application/xhtml+xml`), which feed-rs refuses, typed as Atom 1.0
/// types them; links keep their media types.
fn atom_text_types(text: &str) -> Option<String> {
    if !text.contains("http://www.w3.org/2005/Atom") {
        return None;
    }
    let out = retype_outside_links(text, "text/plain", "text");
    let out = retype_outside_links(&out, "application/xhtml+xml", "xhtml");
    (out != text).then_some(out)
}

/// `type="from"` made `type="to"` in every tag but `<link …>`.
fn retype_outside_links(text: &str, from: &str, to: &str) -> String {
    let (from, to) = (format!("type=\"{from}\""), format!("type=\"{to}\""));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&from) {
        let tag_start = rest[..at].rfind('<').unwrap_or(0);
        let in_link = rest[tag_start..].starts_with("<link");
        out.push_str(&rest[..at]);
        out.push_str(if in_link { &from } else { &to });
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rss_root_without_a_known_version_is_read_as_2_0() {
        let (text, what) = mend("<rss><channel></channel></rss>").unwrap();
        assert_eq!(text, "<rss version=\"2.0\"><channel></channel></rss>");
        assert_eq!(what, ["an RSS version added"]);
        let (text, _) = mend("<rss version=\"0.94\" xmlns:a=\"b\">").unwrap();
        assert_eq!(text, "<rss version=\"2.0\" xmlns:a=\"b\">");
        assert!(mend("<rss version=\"2.0\"><rssx/></rss>").is_none());
    }

    #[test]
    fn bare_ampersands_are_escaped_but_references_and_cdata_kept() {
        let (text, _) =
            mend("<rss version=\"2.0\"><t>A & B &amp; &#169; &#x1F; <![CDATA[x & y]]></t>")
                .unwrap();
        assert_eq!(
            text,
            "<rss version=\"2.0\"><t>A &amp; B &amp; &#169; &#x1F; <![CDATA[x & y]]></t>"
        );
    }

    #[test]
    fn a_declaration_after_the_start_is_dropped_but_not_one_quoted_in_text() {
        let pasted = "<?xml version=\"1.0\"?><rss version=\"2.0\"><a/><?xml version=\"1.0\" \
                      encoding=\"ISO-8859-1\"?><b><![CDATA[<?xml encoding ?>]]></b><!-- <?xml ?> --></rss>";
        let (text, what) = mend(pasted).unwrap();
        assert_eq!(
            text,
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><a/><b><![CDATA[<?xml encoding ?>]]></b><!-- <?xml ?> --></rss>"
        );
        assert_eq!(what, ["a second XML declaration dropped"]);
        assert!(mend("<rss version=\"2.0\"><![CDATA[Why <?xml matters]]></rss>").is_none());
    }

    #[test]
    fn a_megabyte_of_bare_ampersands_is_mended_in_linear_time() {
        let text = format!("<rss version=\"2.0\"><t>{}</t></rss>", "&".repeat(1 << 20));
        let (mended, _) = mend(&text).unwrap();
        assert_eq!(mended.matches("&amp;").count(), 1 << 20);
    }

    #[test]
    fn old_formats_are_read_as_their_successors() {
        let atom = "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><issued>x</issued></entry></feed>";
        let (text, _) = mend(atom).unwrap();
        assert!(text.contains("xmlns=\"http://www.w3.org/2005/Atom\""));
        assert!(text.contains("<published>x</published>"));
        let typed = "<feed xmlns=\"http://purl.org/atom/ns#\"><title type=\"text/html\">t</title>\
                     <link type=\"text/html\" href=\"h\"/><summary type=\"application/xhtml+xml\">s</summary></feed>";
        let (text, _) = mend(typed).unwrap();
        assert!(text.contains("<title type=\"html\">"), "{text}");
        assert!(text.contains("<link type=\"text/html\""), "{text}");
        assert!(text.contains("<summary type=\"xhtml\">"), "{text}");
        let (text, _) = mend("<rdf:RDF xmlns=\"http://my.netscape.com/rdf/simple/0.9/\">").unwrap();
        assert!(text.contains("http://purl.org/rss/1.0/"));
    }
}

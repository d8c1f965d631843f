//! robots.txt (RFC 9309): which paths of a site newshound may fetch. The
//! group for `newshound` applies when there is one, else the `*` group;
//! the longest matching rule wins, `Allow` on a tie; `*` and a final `$`
//! work as wildcards. Rules and paths are compared percent-encoded as RFC
//! 9309 (2.2.2) says, so `/café`, `/caf%C3%A9` and `/caf%c3%a9` are one
//! path and `%7E` is `~`.
//!
//! Kept rather than the `texting_robots` crate, which matches a group only
//! when its `User-agent` line is exactly our name (not `newshound/1.0`) and
//! compares `%7E` and `~` (or `%3c` and `%3C`) as different paths.

use std::borrow::Cow;

/// Our product token, as robots.txt groups name crawlers.
const AGENT: &str = "newshound";

/// The rules of one site that apply to newshound.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// (allow, path pattern)
    rules: Vec<(bool, String)>,
    /// Everything refused: the file could not be read for a server error.
    refuse_all: bool,
}

impl Robots {
    /// Everything allowed (no robots.txt, or a 4xx for it).
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    /// Everything refused, as RFC 9309 asks while robots.txt is unreachable.
    pub fn refuse_all() -> Robots {
        Robots {
            rules: Vec::new(),
            refuse_all: true,
        }
    }

    /// Parses a robots.txt body.
    pub fn parse(text: &str) -> Robots {
        let mut ours: Vec<(bool, String)> = Vec::new();
        let mut anyone: Vec<(bool, String)> = Vec::new();
        let (mut found_ours, mut agents, mut in_rules) = (false, Vec::<String>::new(), false);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.split(['\n', '\r']) {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        agents.clear();
                        in_rules = false;
                    }
                    agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    // An empty Disallow allows everything: no rule.
                    if value.is_empty() {
                        continue;
                    }
                    let rule = (key == "allow", normalize(value).into_owned());
                    // The product token counts: `newshound/1.0` names us too.
                    if agents.iter().any(|a| a.split('/').next() == Some(AGENT)) {
                        found_ours = true;
                        ours.push(rule.clone());
                    }
                    if agents.iter().any(|a| a == "*") {
                        anyone.push(rule);
                    }
                }
                _ => {}
            }
        }
        Robots {
            rules: if found_ours { ours } else { anyone },
            refuse_all: false,
        }
    }

    /// True when `path` (with its query) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        if self.refuse_all {
            return false;
        }
        if path == "/robots.txt" {
            return true;
        }
        let path = normalize(path);
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, &path) {
                let length = pattern.len();
                best = match best {
                    Some((l, a)) if l > length || (l == length && a) => Some((l, a)),
                    _ => Some((length, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// `text` as RFC 9309 compares it: octets outside printable ASCII
/// percent-encoded, escapes of unreserved characters (`%7E`) decoded, and
/// the hex of other escapes upper-cased. Reserved characters stay as they
/// are, escaped or not: `%2F` is not a `/`, and `*` and `$` keep their
/// meaning in a rule only when written bare.
fn normalize(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let clean = |b: &u8| b.is_ascii_graphic() && *b != b'%';
    if bytes.iter().all(clean) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escaped = match (b, bytes.get(i + 1..i + 3)) {
            (b'%', Some(&[h, l])) => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match escaped {
            Some(v) if v.is_ascii_alphanumeric() || b"-._~".contains(&v) => out.push(v as char),
            Some(v) => out.push_str(&format!("%{v:02X}")),
            None if b.is_ascii_graphic() => out.push(b as char),
            None => out.push_str(&format!("%{b:02X}")),
        }
        i += if escaped.is_some() { 3 } else { 1 };
    }
    Cow::Owned(out)
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

/// True when `pattern` matches the start of `path` (`*` any run, a final
/// `$` the end).
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if last && anchored {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    !anchored || rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_group_wins_over_the_star_group() {
        let robots = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nUser-agent: newshound\nDisallow: /private\nAllow: /private/open\n",
        );
        assert!(robots.allows("/news/1"));
        assert!(!robots.allows("/private/x"));
        assert!(robots.allows("/private/open/y"));
    }

    #[test]
    fn the_star_group_applies_otherwise_with_wildcards() {
        let robots =
            Robots::parse("User-agent: *\nDisallow: /*.pdf$\nDisallow: /search?\nDisallow:\n");
        assert!(!robots.allows("/files/report.pdf"));
        assert!(robots.allows("/files/report.pdf?x=1"));
        assert!(!robots.allows("/search?q=ceasefire"));
        assert!(robots.allows("/story/search"));
        assert!(Robots::parse("").allows("/anything"));
        // A byte-order mark and bare CR line ends change nothing.
        let marked = Robots::parse("\u{feff}User-agent: NewsHound/1.0\rDisallow: /private\r");
        assert!(!marked.allows("/private/x") && marked.allows("/public"));
        assert!(!Robots::refuse_all().allows("/anything"));
    }

    #[test]
    fn rules_and_paths_are_compared_percent_encoded_as_rfc_9309_says() {
        let robots = Robots::parse(
            "User-agent: *\nDisallow: /foo/bar/%62%61%7A\nDisallow: /caf\u{e9}\n\
             Disallow: /a%3cb\nDisallow: /%7Euser/\nDisallow: /q?to=%2F\nDisallow: /x y\n",
        );
        // RFC 9309's own example: an escaped unreserved octet is the octet.
        assert!(!robots.allows("/foo/bar/baz"));
        assert!(!robots.allows("/foo/bar/%62%61%7a"));
        assert!(!robots.allows("/~user/page") && !robots.allows("/%7euser/page"));
        // A rule in UTF-8 matches the path a URL carries, in either hex case.
        assert!(!robots.allows("/caf%C3%A9/menu") && !robots.allows("/caf%c3%a9"));
        assert!(!robots.allows("/caf\u{e9}"));
        assert!(!robots.allows("/a%3Cb") && !robots.allows("/x%20y"));
        // An escaped reserved character is not that character.
        assert!(!robots.allows("/q?to=%2f"));
        assert!(robots.allows("/q?to=/"));
        // An escaped `*` is no wildcard, and (reserved) not a bare `*`
        // either; a stray `%` is itself.
        let star = Robots::parse("User-agent: *\nDisallow: /a%2Ab\nDisallow: /100%\n");
        assert!(star.allows("/axb") && star.allows("/a*b") && !star.allows("/a%2ab"));
        assert!(!star.allows("/100%") && star.allows("/100"));
    }
}

//! What the templates show, made ready: times, links that are safe to
//! follow, snippets with their hits marked. Every piece of feed text is
//! escaped here or by the templates (askama escapes by default); what is
//! passed on as markup is built from escaped text only.

use chrono::{DateTime, Utc};

use crate::alert::snippet_marked;

/// `2026-12-04 18:30 UTC`.
pub fn when(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `3 min ago`, `5 h ago`, `2 d ago`, or `in 4 min` for a time ahead.
pub fn ago(time: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - time).num_seconds();
    let (n, ahead) = (secs.unsigned_abs(), secs < 0);
    let amount = match n {
        0..60 => format!("{n} s"),
        60..3600 => format!("{} min", n / 60),
        3600..172_800 => format!("{} h", n / 3600),
        _ => format!("{} d", n / 86_400),
    };
    if ahead {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// The link when it is http(s), for an `href`; anything else (a
/// `javascript:` link in a hostile feed) is not made a link.
pub fn safe_link(link: Option<&str>) -> Option<String> {
    let url = url::Url::parse(link?.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// A snippet as HTML: the text escaped, its hits in a plain `<mark>` (the
/// style sheet colours it; the pages allow no inline style).
pub fn snippet_markup(marked: &str) -> String {
    snippet_marked(marked, "<mark>")
}

/// The number of days a `since` choice stands for: "24h", "7d", "30d".
pub fn since_days(since: &str) -> Option<i64> {
    match since {
        "24h" => Some(1),
        "7d" => Some(7),
        "30d" => Some(30),
        "365d" => Some(365),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{MARK_CLOSE, MARK_OPEN};

    #[test]
    fn only_web_links_are_links() {
        assert_eq!(
            safe_link(Some("https://e.org/a?b=1")).as_deref(),
            Some("https://e.org/a?b=1")
        );
        assert_eq!(safe_link(Some("javascript:alert(1)")), None);
        assert_eq!(safe_link(Some(" JaVaScRiPt:alert(1)")), None);
        assert_eq!(safe_link(Some("data:text/html,<b>")), None);
        assert_eq!(safe_link(None), None);
    }

    #[test]
    fn snippets_are_escaped_and_marked() {
        let marked = format!("a <b> {MARK_OPEN}ceasefire{MARK_CLOSE} & c");
        assert_eq!(
            snippet_markup(&marked),
            "a &lt;b&gt; <mark>ceasefire</mark> &amp; c"
        );
    }

    #[test]
    fn ages_read_as_people_say_them() {
        let now = Utc::now();
        assert_eq!(ago(now - chrono::Duration::minutes(5), now), "5 min ago");
        assert_eq!(ago(now + chrono::Duration::minutes(5), now), "in 5 min");
        assert_eq!(ago(now - chrono::Duration::days(3), now), "3 d ago");
    }
}

//! Rendering a digest: one mail holding many matches, grouped by rule, the
//! newest story first, with the same escaping and highlighting as an alert.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};

use super::AlertError;
use super::render::{
    HTML_END, HTML_START, LIST_ID, escape, header_safe, mailbox, outlets, raw, shown_link,
    shown_title,
};
use super::snippet::{snippet_html, snippet_text};
use crate::model::{DigestContent, DigestItem, DigestMail};

/// Stories shown per rule; the rest are counted, so a storm of matches
/// cannot make a mail too large to open.
const ITEMS_PER_RULE: usize = 100;

/// The digest mail `mail`, from `from`.
pub fn render_digest(mail: &DigestMail, from: &Mailbox) -> Result<Message, AlertError> {
    let digest = &mail.digest;
    let rules: Vec<&str> = digest.sections.iter().map(|s| s.rule.as_str()).collect();
    Message::builder()
        .from(from.clone())
        .to(mailbox(&mail.delivery.recipient)?)
        .subject(digest_subject(digest))
        .message_id(Some(format!("<{}>", mail.delivery.message_id)))
        .date_now()
        .raw_header(raw("Auto-Submitted", "auto-generated"))
        .raw_header(raw("List-Id", LIST_ID))
        .raw_header(raw(
            "X-Newshound-Rule",
            &header_safe(&rules.join(", "), 200),
        ))
        .raw_header(raw("X-Newshound-Digest", &header_safe(&digest.name, 100)))
        .multipart(MultiPart::alternative_plain_html(
            digest_text(digest),
            digest_html(digest),
        ))
        .map_err(|e| AlertError::Build(e.to_string()))
}

/// `[newshound] morning: 12 new matches — ceasefire (9), mediation (3)`,
/// or `[newshound] ceasefire: 37 more matches this hour`.
pub fn digest_subject(digest: &DigestContent) -> String {
    let name = header_safe(&digest.name, 60);
    let count = digest.len();
    if digest.overflow {
        return format!("[newshound] {name}: {} this hour", more_matches(count));
    }
    if count == 0 {
        return format!("[newshound] {name}: no new matches");
    }
    let per_rule: Vec<String> = digest
        .sections
        .iter()
        .map(|s| format!("{} ({})", s.rule, s.items.len()))
        .collect();
    header_safe(
        &format!(
            "[newshound] {name}: {} — {}",
            plural(count, "new match", "new matches"),
            per_rule.join(", ")
        ),
        200,
    )
}

fn more_matches(count: usize) -> String {
    plural(count, "more match", "more matches")
}

fn plural(count: usize, one: &str, many: &str) -> String {
    match count {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// The first line under the heading: what the mail holds and when.
fn lead(digest: &DigestContent) -> String {
    let tz = zone(digest);
    let when = digest
        .slot
        .with_timezone(&tz)
        .format("%a %-d %b %Y, %H:%M %Z");
    match (digest.overflow, digest.len()) {
        (true, n) => format!(
            "{} for the rule \"{}\" after its limit of immediate mails for the hour was \
             reached; they were held so as not to flood you. {when}.",
            more_matches(n),
            digest.name
        ),
        (false, 0) => format!("No new matches since the last digest. {when}."),
        (false, n) => format!("{}, {when}.", plural(n, "new match", "new matches")),
    }
}

fn zone(digest: &DigestContent) -> Tz {
    digest.timezone.parse().unwrap_or(Tz::UTC)
}

fn published(item: &DigestItem, tz: Tz) -> String {
    item.published
        .map(|t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_else(|| "date unknown".to_string())
}

/// The plain-text part.
pub fn digest_text(digest: &DigestContent) -> String {
    let tz = zone(digest);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n\n{}\n",
        header_safe(&digest.name, 100),
        lead(digest)
    );
    for section in &digest.sections {
        let _ = writeln!(
            out,
            "== {} ({}) ==\n",
            header_safe(&section.rule, 100),
            section.items.len()
        );
        for (i, item) in section.items.iter().take(ITEMS_PER_RULE).enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, shown_title(&item.title));
            if !item.snippet.is_empty() {
                let _ = writeln!(out, "   {}", snippet_text(&item.snippet));
            }
            if let Some(link) = &item.link {
                let _ = writeln!(out, "   {}", shown_link(link));
            }
            let _ = writeln!(
                out,
                "   {} · {} · matched: {}\n",
                outlets(&item.sources, str::to_string),
                published(item, tz),
                item.terms.join(", ")
            );
        }
        if section.items.len() > ITEMS_PER_RULE {
            let _ = writeln!(
                out,
                "…and {} (search the archive for them).\n",
                more_matches(section.items.len() - ITEMS_PER_RULE)
            );
        }
    }
    out.push_str("-- \n");
    out.push_str(&footer(digest));
    out.push('\n');
    out
}

fn footer(digest: &DigestContent) -> String {
    match digest.overflow {
        true => format!(
            "Sent by newshound: the rule \"{}\" matched more often this hour than its \
             max_immediate_per_hour allows.",
            digest.name
        ),
        false => format!(
            "Sent by newshound: the digest \"{}\" holds every match of the rules that name it.",
            digest.name
        ),
    }
}

/// The HTML part; also what `digest --preview` prints.
pub fn digest_html(digest: &DigestContent) -> String {
    let tz = zone(digest);
    let mut out = String::from(HTML_START);
    let _ = write!(
        out,
        "<h1 style=\"font-size:22px;margin:0 0 4px\">{}</h1>\
         <p style=\"margin:0 0 16px;color:#555\">{}</p>",
        escape(&digest.name),
        escape(&lead(digest))
    );
    for section in &digest.sections {
        let _ = write!(
            out,
            "<h2 style=\"font-size:18px;margin:24px 0 8px;padding-bottom:4px;\
             border-bottom:2px solid #1a4b8c\">{} <span style=\"color:#888;font-weight:normal\">({})</span></h2>",
            escape(&section.rule),
            section.items.len()
        );
        for item in section.items.iter().take(ITEMS_PER_RULE) {
            item_html(&mut out, item, tz);
        }
        if section.items.len() > ITEMS_PER_RULE {
            let _ = write!(
                out,
                "<p style=\"color:#555\">…and {} (search the archive for them).</p>",
                more_matches(section.items.len() - ITEMS_PER_RULE)
            );
        }
    }
    let _ = write!(
        out,
        "<p style=\"font-size:12px;color:#888;margin-top:24px\">{}</p>",
        escape(&footer(digest))
    );
    out.push_str(HTML_END);
    out
}

pub(super) fn item_html(out: &mut String, item: &DigestItem, tz: Tz) {
    let title = escape(&shown_title(&item.title));
    out.push_str("<div style=\"margin:0 0 16px\">");
    let _ = match &item.link {
        Some(link) => write!(
            out,
            "<div style=\"font-size:16px;font-weight:bold\"><a href=\"{}\" style=\"color:#1a4b8c\">{title}</a></div>",
            escape(&shown_link(link))
        ),
        None => write!(
            out,
            "<div style=\"font-size:16px;font-weight:bold\">{title}</div>"
        ),
    };
    let terms: Vec<String> = item.terms.iter().map(|t| escape(t)).collect();
    let _ = write!(
        out,
        "<div style=\"font-size:13px;color:#666\">{} · {} · matched: {}</div>",
        outlets(&item.sources, escape),
        escape(&published(item, tz)),
        terms.join(", ")
    );
    if !item.snippet.is_empty() {
        let _ = write!(
            out,
            "<div style=\"margin-top:4px\">{}</div>",
            snippet_html(&item.snippet)
        );
    }
    out.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DigestSection;

    fn item(title: &str, snippet: &str) -> DigestItem {
        DigestItem {
            title: title.into(),
            link: Some("https://e.org/a?x=1&y=2".into()),
            published: Some(
                DateTime::parse_from_rfc3339("2026-11-30T05:10:00Z")
                    .unwrap()
                    .into(),
            ),
            sources: vec!["wire".into(), "un-news".into()],
            terms: vec!["ceasefire".into()],
            snippet: snippet.into(),
        }
    }

    fn digest(sections: Vec<DigestSection>) -> DigestContent {
        DigestContent {
            name: "morning".into(),
            overflow: false,
            slot: DateTime::parse_from_rfc3339("2026-11-30T06:00:00Z")
                .unwrap()
                .into(),
            timezone: "Europe/Berlin".into(),
            sections,
        }
    }

    #[test]
    fn subject_counts_matches_per_rule() {
        let d = digest(vec![
            DigestSection {
                rule: "ceasefire".into(),
                items: vec![item("a", ""), item("b", "")],
            },
            DigestSection {
                rule: "mediation".into(),
                items: vec![item("c", "")],
            },
        ]);
        assert_eq!(
            digest_subject(&d),
            "[newshound] morning: 3 new matches — ceasefire (2), mediation (1)"
        );
        assert_eq!(
            digest_subject(&digest(Vec::new())),
            "[newshound] morning: no new matches"
        );
        let overflow = DigestContent {
            name: "ceasefire".into(),
            overflow: true,
            ..digest(vec![DigestSection {
                rule: "ceasefire".into(),
                items: vec![item("a", "")],
            }])
        };
        assert_eq!(
            digest_subject(&overflow),
            "[newshound] ceasefire: 1 more match this hour"
        );
    }

    #[test]
    fn times_show_in_the_digest_zone_and_feed_text_is_escaped() {
        let d = digest(vec![DigestSection {
            rule: "ceasefire".into(),
            items: vec![item(
                "<img src=x onerror=alert(1)>",
                "a \u{E000}ceasefire\u{E001} <script>",
            )],
        }]);
        let html = digest_html(&d);
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>") && !html.contains("<img"));
        assert!(
            html.contains("<mark style=\"background:#fff3a3\">ceasefire</mark> &lt;script&gt;")
        );
        // 05:10 UTC is 06:10 in Berlin in November.
        assert!(html.contains("2026-11-30 06:10 CET"), "{html}");
        let text = digest_text(&d);
        assert!(text.contains("a *ceasefire* <script>"), "{text}");
        assert!(
            text.contains("wire, un-news (2 outlets) · 2026-11-30 06:10 CET · matched: ceasefire")
        );
    }

    #[test]
    fn a_storm_of_matches_is_cut_and_counted() {
        let items = (0..ITEMS_PER_RULE + 7)
            .map(|i| item(&format!("story {i}"), ""))
            .collect();
        let d = digest(vec![DigestSection {
            rule: "ceasefire".into(),
            items,
        }]);
        assert!(digest_text(&d).contains("…and 7 more matches"));
        assert!(!digest_html(&d).contains(&format!("story {}", ITEMS_PER_RULE)));
    }
}

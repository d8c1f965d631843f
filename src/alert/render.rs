//! Rendering an alert as a mail: a plain-text and an HTML part with the
//! same content, every piece of feed text escaped, headers kept clean.

use std::fmt::Write as _;

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use super::AlertError;
use super::snippet::{snippet_html, snippet_text};
use crate::model::Alert;

/// The most characters of a title put into a Subject header.
const SUBJECT_TITLE_CHARS: usize = 160;

/// The mail for `alert`, from `from`.
pub fn render(alert: &Alert, from: &Mailbox) -> Result<Message, AlertError> {
    let to = mailbox(&alert.delivery.recipient)?;
    let rule_names: Vec<&str> = alert.rules.iter().map(|r| r.name.as_str()).collect();
    let subject = format!(
        "[newshound] {}: {}",
        header_safe(&rule_names.join(", "), 100),
        header_safe(&shown_title(&alert.title), SUBJECT_TITLE_CHARS)
    );
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{}>", alert.delivery.message_id)))
        .date_now()
        .raw_header(raw("Auto-Submitted", "auto-generated"))
        .raw_header(raw("List-Id", LIST_ID))
        .raw_header(raw(
            "X-Newshound-Rule",
            &header_safe(&rule_names.join(", "), 200),
        ))
        .multipart(MultiPart::alternative_plain_html(
            text_body(alert),
            html_body(alert),
        ))
        .map_err(|e| AlertError::Build(e.to_string()))?;
    Ok(message)
}

/// A test mail to `to` and its Message-ID: what `newshound test-mail`
/// sends to check the transport.
pub fn render_test(to: &str, from: &Mailbox) -> Result<(Message, String), AlertError> {
    let to = mailbox(to)?;
    let now = chrono::Utc::now();
    let id = format!(
        "test-{}@newshound",
        now.timestamp_nanos_opt().unwrap_or_default()
    );
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject("[newshound] test mail")
        .message_id(Some(format!("<{id}>")))
        .date_now()
        .raw_header(raw("Auto-Submitted", "auto-generated"))
        .raw_header(raw("List-Id", LIST_ID))
        .body(format!(
            "This is a test mail from newshound, sent {}.\n\n\
             It arrived, so alerts sent to this address the same way will arrive too.\n",
            now.format("%Y-%m-%d %H:%M UTC")
        ))
        .map_err(|e| AlertError::Build(e.to_string()))?;
    Ok((message, id))
}

/// `address` as a mailbox, or the error that names it.
pub(super) fn mailbox(address: &str) -> Result<Mailbox, AlertError> {
    address
        .parse()
        .map_err(|e| AlertError::Address(format!("{address}: {e}")))
}

/// One list for every mail newshound sends, so mail clients can file and
/// filter them (RFC 2919); `X-Newshound-Rule` tells the rules apart.
pub(super) const LIST_ID: &str = "newshound alerts <alerts.newshound.invalid>";

pub(super) fn raw(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_string())
}

/// The most characters of a title shown in a mail's body: a feed can send
/// a title of any size.
const BODY_TITLE_CHARS: usize = 300;

/// A story's title as a mail shows it: on one line, cut to
/// [`BODY_TITLE_CHARS`], "(untitled)" when there is none.
pub(super) fn shown_title(title: &str) -> String {
    match header_safe(title, BODY_TITLE_CHARS) {
        t if t.is_empty() => "(untitled)".to_string(),
        t => t,
    }
}

/// `value` on one line, at most `max` chars, without what could make a
/// mail client show something else than its text: control characters,
/// bidi overrides and zero-width characters (which reorder or hide text:
/// "moc.knab" shown as "bank.com"), and the `=?` that starts an RFC 2047
/// encoded-word (a literal `=?utf-8?b?…?=` in a title would be decoded by
/// the reader's client, into anything).
pub fn header_safe(value: &str, max: usize) -> String {
    let cleaned: String = value
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.replace("=?", "= ?");
    let mut out = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > max {
        out = out.chars().take(max - 1).collect::<String>() + "…";
    }
    out
}

/// Bidi embeddings, overrides and isolates, directional marks, and
/// zero-width characters.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `link` as a mail shows it: without a user name or password, which make
/// `http://www.yourbank.example@evil.example/` read as the bank's site.
pub(super) fn shown_link(link: &str) -> String {
    match url::Url::parse(link) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => link.to_string(),
    }
}

/// The feeds that carried a story, each shown by `show`, and how many
/// when more than one: "agency, daily, wire (3 outlets)".
pub fn outlets(sources: &[String], show: impl Fn(&str) -> String) -> String {
    let names: Vec<String> = sources.iter().map(|s| show(s)).collect();
    match names.len() {
        0 | 1 => names.join(", "),
        n => format!("{} ({n} outlets)", names.join(", ")),
    }
}

/// "Feed:" or "Feeds:", padded like the other labels of the text part.
fn sources_label(alert: &Alert) -> &'static str {
    match alert.sources.len() {
        0 | 1 => "Feed:     ",
        _ => "Feeds:    ",
    }
}

fn published(alert: &Alert) -> String {
    alert
        .published
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn text_body(alert: &Alert) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", shown_title(&alert.title));
    if !alert.snippet.is_empty() {
        let _ = writeln!(out, "{}\n", snippet_text(&alert.snippet));
    }
    if let Some(link) = &alert.link {
        let _ = writeln!(out, "{}\n", shown_link(link));
    }
    for rule in &alert.rules {
        let _ = writeln!(
            out,
            "Rule:      {} (matched: {})",
            rule.name,
            rule.terms.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "{} {}",
        sources_label(alert),
        outlets(&alert.sources, str::to_string)
    );
    let _ = writeln!(out, "Published: {}", published(alert));
    out.push_str("\n-- \nSent by newshound because the rules above matched.\n");
    out
}

fn html_body(alert: &Alert) -> String {
    let mut out = String::from(HTML_START);
    let title = escape(&shown_title(&alert.title));
    let _ = match &alert.link {
        Some(link) => write!(
            out,
            "<h2 style=\"font-size:20px;margin:0 0 8px\"><a href=\"{}\" style=\"color:#1a4b8c\">{title}</a></h2>",
            escape(&shown_link(link))
        ),
        None => write!(
            out,
            "<h2 style=\"font-size:20px;margin:0 0 8px\">{title}</h2>"
        ),
    };
    if !alert.snippet.is_empty() {
        let _ = write!(
            out,
            "<p style=\"margin:0 0 12px\">{}</p>",
            snippet_html(&alert.snippet)
        );
    }
    out.push_str("<table style=\"font-size:14px;color:#555;border-collapse:collapse\">");
    for rule in &alert.rules {
        let terms: Vec<String> = rule.terms.iter().map(|t| escape(t)).collect();
        row(
            &mut out,
            "Rule",
            &format!("{} (matched: {})", escape(&rule.name), terms.join(", ")),
        );
    }
    row(
        &mut out,
        sources_label(alert).trim_end_matches([':', ' ']),
        &outlets(&alert.sources, escape),
    );
    row(&mut out, "Published", &escape(&published(alert)));
    out.push_str("</table><p style=\"font-size:12px;color:#888\">Sent by newshound because the rules above matched.</p>");
    out.push_str(HTML_END);
    out
}

/// The start of every mail's HTML part: a single column that reads on a
/// phone, inline styles only, nothing loaded from elsewhere.
pub(super) const HTML_START: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
     <meta name=\"viewport\" content=\"width=device-width\"></head>\
     <body style=\"margin:0;padding:16px;font-family:sans-serif;line-height:1.5;color:#222\">\
     <div style=\"max-width:640px;margin:0 auto\">";

/// Closes [`HTML_START`].
pub(super) const HTML_END: &str = "</div></body></html>";

fn row(out: &mut String, label: &str, html: &str) {
    let _ = write!(
        out,
        "<tr><td style=\"padding:2px 12px 2px 0;vertical-align:top\">{label}</td><td>{html}</td></tr>"
    );
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AlertRule;

    fn alert(title: &str) -> Alert {
        Alert {
            delivery: crate::model::Delivery {
                id: 1,
                recipient: "desk@example.org".into(),
                message_id: "abc@newshound".into(),
                attempts: 0,
                created: chrono::Utc::now(),
                channel: crate::model::Channel::Email,
            },
            title: title.into(),
            link: Some("https://e.org/a?x=1&y=2".into()),
            published: None,
            rules: vec![AlertRule {
                name: "ceasefire".into(),
                terms: vec!["\"cease fire\"".into()],
            }],
            snippet: "a <b>cease fire</b>".into(),
            sources: vec!["un-news".into()],
        }
    }

    #[test]
    fn headers_never_carry_control_characters() {
        assert_eq!(header_safe("a\r\nBcc: x@y\tz", 100), "a Bcc: x@y z");
    }

    #[test]
    fn mail_display_spoofing_is_neutralised() {
        // An encoded-word a client would decode to "\r\nBcc: evil@x".
        let subject = header_safe("Truce =?utf-8?b?DQpCY2M6IGV2aWxAeA==?= signed", 100);
        assert_eq!(subject, "Truce = ?utf-8?b?DQpCY2M6IGV2aWxAeA== ?= signed");
        assert_eq!(
            header_safe(
                "pay\u{202E}gpj.exe\u{200B} now\u{2066}x\u{2069}\u{FEFF}",
                100
            ),
            "paygpj.exe nowx"
        );
        assert_eq!(
            shown_link("http://www.yourbank.example@evil.example/login"),
            "http://evil.example/login"
        );
        assert_eq!(shown_link("https://e.org/a?x=1"), "https://e.org/a?x=1");
        assert_eq!(header_safe(&"x".repeat(10), 5), "xxxx…");
    }

    #[test]
    fn html_escapes_feed_text() {
        let html = html_body(&alert("<script>alert(1)</script>"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("href=\"https://e.org/a?x=1&amp;y=2\""));
        assert!(html.contains("&quot;cease fire&quot;"));
    }

    #[test]
    fn message_has_deterministic_id_and_clean_subject() {
        let from: Mailbox = "newshound <n@localhost>".parse().unwrap();
        let mail = render(&alert("Truce\r\nBcc: evil@x"), &from).unwrap();
        let text = String::from_utf8(mail.formatted()).unwrap();
        assert!(text.contains("Message-ID: <abc@newshound>"));
        assert!(text.contains("Subject: [newshound] ceasefire: Truce Bcc: evil@x"));
        let headers = text.split("\r\n\r\n").next().unwrap();
        assert!(!headers.contains("\nBcc:"), "{headers}");
        assert!(text.contains("Auto-Submitted: auto-generated"));
    }

    #[test]
    fn hits_are_highlighted_in_both_parts() {
        let mut marked = alert("Truce");
        marked.snippet = "a \u{E000}cease fire\u{E001} <held>".into();
        assert!(
            html_body(&marked)
                .contains("a <mark style=\"background:#fff3a3\">cease fire</mark> &lt;held&gt;")
        );
        assert!(text_body(&marked).contains("a *cease fire* <held>"));
    }
}

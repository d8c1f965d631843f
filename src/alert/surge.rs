//! Rendering a surge alert: "ceasefire: 42 matches in 6 h, 3.5× the 7-day
//! rate", the chart of the rule's hours as an inline PNG, and the window's
//! most covered stories.

use std::fmt::Write as _;
use std::time::Duration;

use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::AlertError;
use super::bars::{BARS_HEIGHT, bars_png, bars_width};
use super::digest::item_html;
use super::render::{HTML_END, HTML_START, LIST_ID, escape, header_safe, mailbox, outlets, raw};
use super::render::{shown_link, shown_title};
use super::snippet::snippet_text;
use crate::model::{Surge, SurgeMail};

/// The chart's Content-ID.
const CHART_CID: &str = "surge-chart@newshound";

/// The surge mail `mail`, from `from`.
pub fn render_surge(mail: &SurgeMail, from: &Mailbox) -> Result<Message, AlertError> {
    let surge = &mail.content.surge;
    let chart = bars_png(&mail.content.hourly, 2);
    let html = MultiPart::related()
        .singlepart(SinglePart::html(surge_html(mail)))
        .singlepart(Attachment::new_inline(CHART_CID.to_string()).body(
            chart,
            ContentType::parse("image/png").expect("a valid type"),
        ));
    Message::builder()
        .from(from.clone())
        .to(mailbox(&mail.delivery.recipient)?)
        .subject(header_safe(
            &format!("[newshound] surge: {}", headline(surge)),
            200,
        ))
        .message_id(Some(format!("<{}>", mail.delivery.message_id)))
        .date_now()
        .raw_header(raw("Auto-Submitted", "auto-generated"))
        .raw_header(raw("List-Id", LIST_ID))
        .raw_header(raw("X-Newshound-Rule", &header_safe(&surge.rule, 200)))
        .raw_header(raw("X-Newshound-Surge", &surge.id.to_string()))
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(surge_text(mail)))
                .multipart(html),
        )
        .map_err(|e| AlertError::Build(e.to_string()))
}

/// `ceasefire: 42 matches in 6 h, 3.5× the 7-day rate`.
pub fn headline(surge: &Surge) -> String {
    let rate = match surge.ratio() {
        Some(ratio) => format!(
            "{ratio:.1}× the {} rate",
            span(surge.settings.baseline, "-")
        ),
        None => format!("none in the {} before", span(surge.settings.baseline, " ")),
    };
    format!(
        "{}: {} matches in {}, {rate}",
        surge.rule,
        surge.matches,
        span(surge.settings.window, " ")
    )
}

/// `6 h`, `7-day` (with "-"), `90 min`: a window as people say it.
pub fn span(duration: Duration, joiner: &str) -> String {
    let secs = duration.as_secs();
    let (n, unit) = if secs.is_multiple_of(86_400) {
        (secs / 86_400, if joiner == "-" { "day" } else { "d" })
    } else if secs.is_multiple_of(3600) {
        (secs / 3600, if joiner == "-" { "hour" } else { "h" })
    } else {
        (secs / 60, "min")
    };
    format!("{n}{joiner}{unit}")
}

fn lead(surge: &Surge) -> String {
    format!(
        "The rule \"{}\" matched {} times in the last {}; over the {} before, it matched {:.1} \
         times per {} on average. A surge is {}× that, and at least {} matches.",
        surge.rule,
        surge.matches,
        span(surge.settings.window, " "),
        span(surge.settings.baseline, " "),
        surge.usual,
        span(surge.settings.window, " "),
        surge.settings.factor,
        surge.settings.min
    )
}

fn surge_text(mail: &SurgeMail) -> String {
    let surge = &mail.content.surge;
    let mut out = format!(
        "{}\n\n{}\n\n",
        header_safe(&headline(surge), 300),
        lead(surge)
    );
    let _ = writeln!(
        out,
        "Matches per hour, the last {} hours (oldest first):",
        mail.content.hourly.len()
    );
    let hours: Vec<String> = mail.content.hourly.iter().map(u64::to_string).collect();
    let _ = writeln!(out, "{}\n", hours.join(" "));
    if !mail.content.top.is_empty() {
        out.push_str("Top stories:\n\n");
    }
    for (i, item) in mail.content.top.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, shown_title(&item.title));
        if !item.snippet.is_empty() {
            let _ = writeln!(out, "   {}", snippet_text(&item.snippet));
        }
        if let Some(link) = &item.link {
            let _ = writeln!(out, "   {}", shown_link(link));
        }
        let _ = writeln!(out, "   {}\n", outlets(&item.sources, str::to_string));
    }
    out.push_str("-- \nSent by newshound: this rule has a surge alert (`surge` in its [[rule]]); it fires at most once per window.\n");
    out
}

fn surge_html(mail: &SurgeMail) -> String {
    let surge = &mail.content.surge;
    let hours = mail.content.hourly.len();
    let mut out = String::from(HTML_START);
    let _ = write!(
        out,
        "<h1 style=\"font-size:22px;margin:0 0 4px\">{}</h1>\
         <p style=\"margin:0 0 12px;color:#555\">{}</p>\
         <img src=\"cid:{CHART_CID}\" width=\"{}\" height=\"{BARS_HEIGHT}\" \
          alt=\"Matches per hour over the last {hours} hours; the last bar is this hour\" \
          style=\"display:block;max-width:100%;margin:0 0 4px\">\
         <p style=\"margin:0 0 16px;font-size:12px;color:#888\">Matches per hour, the last {hours} hours.</p>",
        escape(&headline(surge)),
        escape(&lead(surge)),
        bars_width(hours, 2),
    );
    if !mail.content.top.is_empty() {
        out.push_str("<h2 style=\"font-size:18px;margin:16px 0 8px\">Top stories</h2>");
    }
    for item in &mail.content.top {
        item_html(&mut out, item, Tz::UTC);
    }
    out.push_str(
        "<p style=\"font-size:12px;color:#888;margin-top:24px\">Sent by newshound: this rule \
         has a surge alert; it fires at most once per window.</p>",
    );
    out.push_str(HTML_END);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SurgeRule;

    fn surge(matches: u64, usual: f64) -> Surge {
        Surge {
            id: 1,
            rule: "ceasefire".into(),
            fired_at: chrono::Utc::now(),
            settings: SurgeRule {
                factor: 3.0,
                window: Duration::from_secs(6 * 3600),
                baseline: Duration::from_secs(7 * 86_400),
                min: 10,
            },
            matches,
            usual,
        }
    }

    #[test]
    fn the_headline_says_how_many_and_how_many_times_usual() {
        assert_eq!(
            headline(&surge(42, 12.0)),
            "ceasefire: 42 matches in 6 h, 3.5× the 7-day rate"
        );
        assert_eq!(
            headline(&surge(12, 0.0)),
            "ceasefire: 12 matches in 6 h, none in the 7 d before"
        );
    }
}

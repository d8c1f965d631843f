//! `/`: the newest matched stories, filterable by rule, feed and time, each
//! with its outlets, its highlighted snippet and where it was mailed.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::view::{safe_link, since_days, snippet_markup, when};
use super::{Web, render, unavailable};
use crate::store::{MatchFilter, MatchedStory};

/// Stories a page lists.
const PER_PAGE: usize = 30;

/// The periods the filter offers, as (value, label).
pub const PERIODS: &[(&str, &str)] = &[
    ("", "any time"),
    ("24h", "last 24 hours"),
    ("7d", "last 7 days"),
    ("30d", "last 30 days"),
];

/// `/?rule=&feed=&since=&before=`
#[derive(Debug, Default, Deserialize)]
pub struct StoriesQuery {
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub feed: String,
    #[serde(default)]
    pub since: String,
    /// Where the previous page ended: a Unix time.
    pub before: Option<i64>,
}

impl StoriesQuery {
    pub fn is_empty(&self) -> bool {
        self.rule.is_empty() && self.feed.is_empty() && self.since.is_empty()
    }
}

/// A story as a template shows it.
pub struct StoryView {
    pub title: String,
    pub link: Option<String>,
    pub when: String,
    /// "wire" or "wire, agency, daily (3 outlets)".
    pub outlets: String,
    pub rules: Vec<String>,
    /// The entry's number, for `newshound story N`.
    pub number: Option<i64>,
    /// Escaped, with `<mark>` around the hits.
    pub snippet: String,
    pub terms: String,
    pub mailed: Vec<MailedView>,
}

pub struct MailedView {
    pub what: String,
    pub state: &'static str,
    pub error: Option<String>,
}

/// "a, b, c (3 outlets)" as mails say it, or the entry's own feed when no
/// other is known.
pub fn outlets(sources: &[String], feed: &str) -> String {
    match sources.is_empty() {
        true => feed.to_string(),
        false => crate::alert::outlets(sources, str::to_string),
    }
}

impl From<MatchedStory> for StoryView {
    fn from(story: MatchedStory) -> StoryView {
        StoryView {
            link: safe_link(story.link.as_deref()),
            when: when(story.when),
            outlets: outlets(&story.sources, &story.feed),
            number: Some(story.entry),
            snippet: snippet_markup(&story.snippet),
            terms: story.terms.join(", "),
            mailed: story
                .mailed
                .into_iter()
                .map(|m| MailedView {
                    what: match m.kind {
                        "immediate" => format!("mailed to {}", m.to),
                        "webhook" => format!("webhook {}", m.to),
                        "digest" => format!("digest {}", m.to),
                        other => other.to_string(),
                    },
                    state: m.state.as_str(),
                    error: m.last_error,
                })
                .collect(),
            title: story.title,
            rules: story.rules,
        }
    }
}

#[derive(Template)]
#[template(path = "web/stories.html")]
struct StoriesPage {
    nav: &'static str,
    filter: StoriesQuery,
    rules: Vec<String>,
    feeds: Vec<String>,
    periods: &'static [(&'static str, &'static str)],
    stories: Vec<StoryView>,
    older: Option<String>,
}

pub async fn stories(State(web): State<Web>, Query(query): Query<StoriesQuery>) -> Response {
    let now = Utc::now();
    let filter = MatchFilter {
        rule: Some(query.rule.clone()).filter(|r| !r.is_empty()),
        feed: Some(query.feed.clone()).filter(|f| !f.is_empty()),
        since: since_days(&query.since).map(|days| now - chrono::Duration::days(days)),
        before: query.before.and_then(|t| DateTime::from_timestamp(t, 0)),
    };
    let stories = match web
        .readers
        .read(move |s| s.matched_stories(&filter, PER_PAGE))
        .await
    {
        Ok(stories) => stories,
        Err(e) => return unavailable(e),
    };
    let older = (stories.len() == PER_PAGE)
        .then(|| stories.last().map(|s| s.matched_at.timestamp()))
        .flatten()
        .map(|before| {
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            url.append_pair("rule", &query.rule)
                .append_pair("feed", &query.feed)
                .append_pair("since", &query.since)
                .append_pair("before", &before.to_string());
            format!("/?{}", url.finish())
        });
    render(&StoriesPage {
        nav: "stories",
        rules: web.config.rules.iter().map(|r| r.name.clone()).collect(),
        feeds: web.config.feeds.iter().map(|f| f.name.clone()).collect(),
        periods: PERIODS,
        stories: stories.into_iter().map(StoryView::from).collect(),
        older,
        filter: query,
    })
}

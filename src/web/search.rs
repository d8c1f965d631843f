//! `/search` and `/test`: the archive in the rules' query syntax, the same
//! results as `newshound search`; and what an unsaved query would have
//! caught, day by day.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Utc;
use serde::Deserialize;

use super::chart::{bar_chart, day_bars};
use super::stories::{StoryView, outlets};
use super::view::{safe_link, snippet_markup, when};
use super::{Web, render, unavailable};
use crate::search::{Found, Search, SearchError};

/// Results a search page shows.
const PER_PAGE: usize = 20;

/// The spans the rule tester offers, in days.
const DAY_CHOICES: &[usize] = &[1, 7, 30, 90];

/// The deepest page a search goes to: each page confirms every result
/// before it again.
const MAX_PAGE: usize = 50;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    page: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TestQuery {
    #[serde(default)]
    q: String,
    days: Option<usize>,
}

#[derive(Template)]
#[template(path = "web/search.html")]
struct SearchPage {
    nav: &'static str,
    q: String,
    searched: bool,
    error: Option<String>,
    results: Vec<StoryView>,
    first: usize,
    last: usize,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "web/test.html")]
struct TestPage {
    nav: &'static str,
    q: String,
    days: usize,
    day_choices: &'static [usize],
    error: Option<String>,
    chart: Option<String>,
    matched: u64,
    capped: bool,
    shown: Vec<StoryView>,
}

fn found_view(found: Found) -> StoryView {
    let hit = found.hit;
    StoryView {
        link: safe_link(hit.link.as_deref()),
        when: when(hit.when),
        outlets: outlets(&hit.sources, &hit.feed),
        rules: Vec::new(),
        number: Some(hit.id),
        snippet: snippet_markup(&found.snippet),
        terms: found.terms.join(", "),
        mailed: Vec::new(),
        title: hit.title,
    }
}

fn page_link(q: &str, page: usize) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    url.append_pair("q", q)
        .append_pair("page", &page.to_string());
    format!("/search?{}", url.finish())
}

pub async fn search(State(web): State<Web>, Query(query): Query<SearchQuery>) -> Response {
    let page = query.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let mut view = SearchPage {
        nav: "search",
        q: query.q.clone(),
        searched: !query.q.trim().is_empty(),
        error: None,
        results: Vec::new(),
        first: 0,
        last: 0,
        previous: None,
        next: None,
    };
    if view.searched {
        let q = query.q.clone();
        let skip = (page - 1) * PER_PAGE;
        let ran = web
            .readers
            .read(move |store| {
                Ok(Search::new(&q).map(|search| search.run(store, None, None, skip, PER_PAGE)))
            })
            .await;
        match ran {
            Err(e) | Ok(Ok(Err(e))) => return unavailable(e),
            Ok(Err(SearchError::Query(message))) => view.error = Some(message),
            Ok(Err(SearchError::Store(e))) => return unavailable(e),
            Ok(Ok(Ok((found, more)))) => {
                view.first = skip + 1;
                view.last = skip + found.len();
                view.results = found.into_iter().map(found_view).collect();
                view.previous = (page > 1).then(|| page_link(&query.q, page - 1));
                view.next = (more && page < MAX_PAGE).then(|| page_link(&query.q, page + 1));
            }
        }
    }
    render(&view)
}

pub async fn tester(State(web): State<Web>, Query(query): Query<TestQuery>) -> Response {
    let days = query.days.filter(|d| DAY_CHOICES.contains(d)).unwrap_or(7);
    let mut view = TestPage {
        nav: "test",
        q: query.q.clone(),
        days,
        day_choices: DAY_CHOICES,
        error: None,
        chart: None,
        matched: 0,
        capped: false,
        shown: Vec::new(),
    };
    if query.q.trim().is_empty() {
        return render(&view);
    }
    let q = query.q.clone();
    let now = Utc::now();
    let ran = web
        .readers
        .read(move |store| Ok(Search::new(&q).map(|search| search.test(store, days, now))))
        .await;
    match ran {
        Err(e) | Ok(Ok(Err(e))) | Ok(Err(SearchError::Store(e))) => return unavailable(e),
        Ok(Err(SearchError::Query(message))) => view.error = Some(message),
        Ok(Ok(Ok(tested))) => {
            let bars = day_bars(
                &tested.per_day,
                now.date_naive(),
                (days / 8).max(1),
                "entries",
            );
            view.chart = Some(bar_chart("Matching entries per day", &bars, None));
            view.matched = tested.matched;
            view.capped = tested.capped;
            view.shown = tested.shown.into_iter().map(found_view).collect();
        }
    }
    render(&view)
}

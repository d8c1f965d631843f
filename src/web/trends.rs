//! `/trends` and `/trends/RULE`: each rule's matches per day over 30 days
//! and per hour over 48 hours, from the hourly summary table, with the
//! 7-day average and the rule's surges.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Timelike, Utc};

use super::chart::{Bar, bar_chart, day_bars, sparkline, trailing_average};
use super::view::when;
use super::{Web, failure, render, unavailable};
use crate::alert::surge_headline;
use crate::store::hours_to_days;

/// Days the trends show.
const DAYS: usize = 30;

/// Hours the hourly chart shows.
const HOURS: usize = 48;

#[derive(Template)]
#[template(path = "web/trends.html")]
struct TrendsPage {
    nav: &'static str,
    rules: Vec<RuleTrend>,
}

struct RuleTrend {
    name: String,
    spark: String,
    week: u64,
    today: u64,
    /// The last surge in 30 days, or "—".
    surge: String,
    /// A surge fired within its window of now.
    surging: bool,
}

#[derive(Template)]
#[template(path = "web/trend.html")]
struct TrendPage {
    nav: &'static str,
    name: String,
    query: String,
    daily: String,
    hourly: String,
    surges: Vec<SurgeView>,
}

struct SurgeView {
    when: String,
    headline: String,
}

/// Hours from the first midnight of the `DAYS` days up to this hour.
fn hours_of_days(now: DateTime<Utc>) -> usize {
    (DAYS - 1) * 24 + now.hour() as usize + 1
}

pub async fn trends(State(web): State<Web>) -> Response {
    let now = Utc::now();
    let hours = hours_of_days(now);
    let read = web
        .readers
        .read(move |s| {
            Ok((
                s.hourly_matches(None, hours, now)?,
                s.surges_since(None, now - Duration::days(DAYS as i64))?,
            ))
        })
        .await;
    let (mut counts, surges) = match read {
        Ok(read) => read,
        Err(e) => return unavailable(e),
    };
    let rules = web
        .config
        .rules
        .iter()
        .map(|rule| {
            let daily = hours_to_days(&counts.remove(&rule.name).unwrap_or_else(|| vec![0; hours]));
            let last = surges.iter().find(|s| s.rule == rule.name);
            RuleTrend {
                spark: sparkline(&daily, &format!("{}: matches per day, 30 days", rule.name)),
                week: daily.iter().rev().take(7).sum(),
                today: daily.last().copied().unwrap_or(0),
                surge: last.map_or_else(
                    || "—".to_string(),
                    |s| {
                        format!(
                            "{} matches in {}, {}",
                            s.matches,
                            crate::alert::surge_span(s.settings.window, " "),
                            when(s.fired_at)
                        )
                    },
                ),
                surging: last.is_some_and(|s| {
                    now - s.fired_at < Duration::seconds(s.settings.window.as_secs() as i64)
                }),
                name: rule.name.clone(),
            }
        })
        .collect();
    render(&TrendsPage {
        nav: "trends",
        rules,
    })
}

pub async fn trend(State(web): State<Web>, Path(name): Path<String>) -> Response {
    let Some(rule) = web.config.rules.iter().find(|r| r.name == name) else {
        return failure(
            StatusCode::NOT_FOUND,
            "No such rule",
            format!("The config file has no rule named \"{name}\"."),
        );
    };
    let now = Utc::now();
    let hours = hours_of_days(now);
    let wanted = name.clone();
    let read = web
        .readers
        .read(move |s| {
            Ok((
                s.hourly_matches(Some(&wanted), hours, now)?.remove(&wanted),
                s.surges_since(Some(&wanted), now - Duration::days(DAYS as i64))?,
            ))
        })
        .await;
    let (hourly, surges) = match read {
        Ok(read) => read,
        Err(e) => return unavailable(e),
    };
    let hourly = hourly.unwrap_or_else(|| vec![0; hours]);
    let daily = hours_to_days(&hourly);
    let day_bars = day_bars(&daily, now.date_naive(), 7, "matches");
    let average = trailing_average(&daily, 7);
    let last_hours = &hourly[hourly.len().saturating_sub(HOURS)..];
    let first_hour = now - Duration::hours(last_hours.len() as i64 - 1);
    let hour_bars: Vec<Bar> = last_hours
        .iter()
        .enumerate()
        .map(|(i, &value)| {
            let at = first_hour + Duration::hours(i as i64);
            Bar {
                value,
                label: if at.hour().is_multiple_of(6) {
                    at.format("%H:00").to_string()
                } else {
                    String::new()
                },
                tip: format!("{}: {value} matches", at.format("%Y-%m-%d %H:00")),
            }
        })
        .collect();
    render(&TrendPage {
        nav: "trends",
        daily: bar_chart(
            &format!("{name}: matches per day"),
            &day_bars,
            Some(&average),
        ),
        hourly: bar_chart(&format!("{name}: matches per hour"), &hour_bars, None),
        surges: surges
            .iter()
            .map(|s| SurgeView {
                when: when(s.fired_at),
                headline: surge_headline(s),
            })
            .collect(),
        query: rule.query.clone(),
        name,
    })
}

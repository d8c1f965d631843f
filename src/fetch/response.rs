//! Reading the final response: status, Retry-After, validators, and the
//! body up to the size cap.

use std::time::Duration;

use reqwest::header::{self, HeaderMap};
use reqwest::{Response, StatusCode};

use super::Cap;
use super::{FetchError, FetchOutcome, Fetched, Redirect, Validators, classify};
use crate::model::FailureClass;

/// Turns the last response of a request into its outcome.
pub async fn read(
    mut response: Response,
    cap: Cap,
    redirects: Vec<Redirect>,
) -> Result<FetchOutcome, FetchError> {
    let max = cap.bytes;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        let fresh_for = fresh_for(response.headers());
        return Ok(FetchOutcome::NotModified {
            redirects,
            fresh_for,
        });
    }
    if !status.is_success() {
        return Err(status_error(status, response.headers()));
    }
    if response.content_length().is_some_and(|n| n > max) {
        return Err(too_large(cap));
    }
    let headers = response.headers().clone();
    let final_url = response.url().clone();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() as u64 + chunk.len() as u64 > max {
            return Err(too_large(cap));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(FetchOutcome::Fetched(Fetched {
        body,
        final_url,
        content_type: header_text(&headers, header::CONTENT_TYPE),
        validators: Validators {
            etag: header_text(&headers, header::ETAG),
            last_modified: header_text(&headers, header::LAST_MODIFIED),
        },
        redirects,
        fresh_for: fresh_for(&headers),
    }))
}

/// How long a response stays fresh: Cache-Control max-age, else Expires.
fn fresh_for(headers: &HeaderMap) -> Option<Duration> {
    let max_age = header_text(headers, header::CACHE_CONTROL).and_then(|value| {
        value.split(',').find_map(|directive| {
            let (name, seconds) = directive.trim().split_once('=')?;
            (name.trim().eq_ignore_ascii_case("max-age"))
                .then(|| seconds.trim().trim_matches('"').parse().ok())?
        })
    });
    if let Some(seconds) = max_age {
        return Some(Duration::from_secs(seconds));
    }
    let expires = header_text(headers, header::EXPIRES)?;
    let when = chrono::DateTime::parse_from_rfc2822(expires.trim()).ok()?;
    (when.to_utc() - chrono::Utc::now()).to_std().ok()
}

/// The failure for a non-success status, with the wait a 429 or 503 asked for.
fn status_error(status: StatusCode, headers: &HeaderMap) -> FetchError {
    let mut error = FetchError::new(
        FailureClass::Http(status.as_u16()),
        format!("the server answered {status}"),
    );
    if matches!(status.as_u16(), 429 | 503) {
        error.retry_after = retry_after(headers);
        if let Some(wait) = error.retry_after {
            error.message.push_str(&format!(
                " and asked to wait {}",
                humantime::format_duration(wait)
            ));
        }
    }
    error
}

fn too_large(cap: Cap) -> FetchError {
    FetchError::new(
        FailureClass::TooLarge,
        format!(
            "the body is larger than the {}-byte cap (raise {} if the source is legitimate)",
            cap.bytes, cap.setting
        ),
    )
}

/// A Retry-After header: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_text(headers, header::RETRY_AFTER)?;
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (when.to_utc() - chrono::Utc::now()).to_std().ok()
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

//! Polite HTTP for feeds: conditional GET, compressed bodies, deadlines, a
//! cap on the decompressed size, and failures sorted into a few classes.
//!
//! No parsing and no database: a request goes out, bytes or a classified
//! failure come back.

mod classify;

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use url::Url;

use crate::model::FailureClass;
pub use crate::model::Validators;
pub use classify::classify;

/// What a successful request brought back.
#[derive(Debug)]
pub enum FetchOutcome {
    /// 304: nothing changed since the validators were issued.
    NotModified,
    /// A body, decompressed and within the cap.
    Fetched(Fetched),
}

/// A fetched body and what the server said about it.
#[derive(Debug)]
pub struct Fetched {
    pub body: Vec<u8>,
    /// The URL after redirects.
    pub final_url: Url,
    pub content_type: Option<String>,
    pub validators: Validators,
}

/// A failed request: its class and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FetchError {
    pub class: FailureClass,
    pub message: String,
    /// How long the server asked us to wait (429 and 503 Retry-After).
    pub retry_after: Option<Duration>,
}

impl FetchError {
    /// A failure of `class`, explained by `message`.
    pub fn new(class: FailureClass, message: impl Into<String>) -> FetchError {
        FetchError {
            class,
            message: message.into(),
            retry_after: None,
        }
    }
}

/// Limits of one kind of request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deadline for the whole request, body included.
    pub total: Duration,
    pub connect: Duration,
    /// Cap on the decompressed body.
    pub max_bytes: u64,
}

/// The most redirects followed for one request.
const MAX_REDIRECTS: usize = 5;

/// An HTTP client shared by every request of the process.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: Client,
    limits: Limits,
}

impl Fetcher {
    /// Builds a client with newshound's User-Agent and these limits.
    pub fn new(limits: Limits) -> Result<Fetcher, FetchError> {
        let client = Client::builder()
            .user_agent(concat!("newshound/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(limits.connect)
            .timeout(limits.total)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|e| {
                FetchError::new(
                    FailureClass::Connect,
                    format!("cannot build the HTTP client: {e}"),
                )
            })?;
        Ok(Fetcher { client, limits })
    }

    /// GETs `url`, conditionally when `validators` hold anything.
    pub async fn get(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let mut request = self
            .client
            .get(url.clone())
            .header(header::ACCEPT, FEED_ACCEPT);
        if let Some(etag) = &validators.etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(modified) = &validators.last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, modified);
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Ok(FetchOutcome::NotModified);
        }
        if !status.is_success() {
            let mut error = FetchError::new(
                FailureClass::Http(status.as_u16()),
                format!("the server answered {status}"),
            );
            if matches!(status.as_u16(), 429 | 503) {
                error.retry_after = retry_after(response.headers());
                if let Some(wait) = error.retry_after {
                    error.message.push_str(&format!(
                        " and asked to wait {}",
                        humantime::format_duration(wait)
                    ));
                }
            }
            return Err(error);
        }
        let max = self.limits.max_bytes;
        if response.content_length().is_some_and(|n| n > max) {
            return Err(too_large(max));
        }
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() as u64 + chunk.len() as u64 > max {
                return Err(too_large(max));
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
        }))
    }
}

/// What feed requests accept, most specific first.
const FEED_ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
     application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

fn too_large(max: u64) -> FetchError {
    FetchError::new(
        FailureClass::TooLarge,
        format!(
            "the body is larger than the {max}-byte cap (raise feed_max_bytes if the feed is legitimate)"
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
        .and_then(|v: &HeaderValue| v.to_str().ok())
        .map(str::to_string)
}

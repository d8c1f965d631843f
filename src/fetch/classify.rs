//! Sorting transport failures into the closed set of failure classes.
//!
//! The decision reads reqwest's own flags and the types in the chain of
//! causes: the resolver's own [`DnsFailure`], rustls' errors, the I/O error
//! kinds. No message text is read, so neither a rewording in hyper or
//! rustls nor anything in an address ("deadline.com", "tls-news.org") can
//! sway it.

use std::error::Error as _;

use crate::model::FailureClass;

use super::FetchError;
use super::guard::{Blocked, DnsFailure};

/// The class and a readable message for a reqwest error.
pub fn classify(error: reqwest::Error) -> FetchError {
    let error = error.without_url();
    if let Some(blocked) = find_cause::<Blocked>(&error) {
        return FetchError::new(FailureClass::BlockedAddress, blocked.to_string());
    }
    let causes = causes(&error);
    let io_kind = io_kind(&error);
    let class = if error.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        FailureClass::Timeout
    } else if find_cause::<DnsFailure>(&error).is_some() {
        FailureClass::Dns
    } else if find_cause::<rustls::Error>(&error).is_some() {
        FailureClass::Tls
    } else if let Some(status) = error.status() {
        FailureClass::Http(status.as_u16())
    } else {
        FailureClass::Connect
    };
    let message = if error.is_redirect() {
        format!("gave up following redirects: {causes}")
    } else if error.is_decode() || error.is_body() {
        format!("the body could not be read: {causes}")
    } else {
        causes
    };
    FetchError::new(class, message)
}

/// The error and its causes, joined with ": ", repeats dropped.
pub fn causes(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The first cause of type `T` in the chain. I/O errors are looked inside
/// too: one carries the error it wraps (rustls' in a TLS stream, often in
/// a second I/O error) without naming it as its source.
fn find_cause<T: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&T> {
    let mut source = error.source();
    while let Some(cause) = source {
        let mut layer: Option<&(dyn std::error::Error + 'static)> = Some(cause);
        while let Some(inner) = layer {
            if let Some(found) = inner.downcast_ref::<T>() {
                return Some(found);
            }
            layer = inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .map(|wrapped| wrapped as &(dyn std::error::Error + 'static));
        }
        source = cause.source();
    }
    None
}

/// The kind of the first I/O error in the chain, if any.
fn io_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

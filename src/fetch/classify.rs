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
    let class = if error.is_timeout() || has_io_kind(&error, std::io::ErrorKind::TimedOut) {
        FailureClass::Timeout
    } else if find_cause::<DnsFailure>(&error).is_some() {
        FailureClass::Dns
    } else if find_cause::<rustls::Error>(&error).is_some()
        // A server that closes the connection during the handshake: rustls
        // reports the end of the stream as a plain I/O error. A plain TCP
        // connect never ends that way (a refusal is a reset).
        || (error.is_connect() && has_io_kind(&error, std::io::ErrorKind::UnexpectedEof))
    {
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

/// True when an I/O error of `kind` is in the chain, or wrapped in one
/// that is (an I/O error often carries another as its payload).
fn has_io_kind(error: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        let mut io = cause.downcast_ref::<std::io::Error>();
        while let Some(e) = io {
            if e.kind() == kind {
                return true;
            }
            io = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>());
        }
        source = cause.source();
    }
    false
}

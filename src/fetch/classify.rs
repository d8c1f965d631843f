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

/// The error and its causes, joined with ": ", a cause whose text is
/// already said (many errors quote their source) left out.
pub fn causes(error: &(dyn std::error::Error + 'static)) -> String {
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

/// Every error in the chain below `error`, and inside each I/O error the
/// error it carries: an I/O error holds what it wraps (rustls' in a TLS
/// stream, often in a second I/O error) without naming it as its source.
fn layers(error: &reqwest::Error) -> impl Iterator<Item = &Layer> {
    std::iter::successors(error.source(), source_of)
        .flat_map(|cause| std::iter::successors(Some(cause), carried_by))
}

type Layer = dyn std::error::Error + 'static;

/// The next error down the chain.
fn source_of<'a>(error: &&'a Layer) -> Option<&'a Layer> {
    (*error).source()
}

/// What an I/O error carries as its payload, if it is one that does.
fn carried_by<'a>(error: &&'a Layer) -> Option<&'a Layer> {
    let io = (*error).downcast_ref::<std::io::Error>()?;
    io.get_ref().map(|wrapped| wrapped as &Layer)
}

/// The first cause of type `T` in the chain, I/O errors' payloads included.
fn find_cause<T: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&T> {
    layers(error).find_map(|layer| layer.downcast_ref::<T>())
}

/// True when an I/O error of `kind` is in the chain, or carried by one.
fn has_io_kind(error: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    layers(error).any(|layer| {
        layer
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
    })
}

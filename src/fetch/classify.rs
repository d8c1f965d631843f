//! Sorting transport failures into the closed set of failure classes.

use std::error::Error as _;

use crate::model::FailureClass;

use super::FetchError;

/// The class and a readable message for a reqwest error.
pub fn classify(error: &reqwest::Error) -> FetchError {
    let chain = describe_chain(error);
    let lower = chain.to_lowercase();
    let class = if error.is_timeout() || lower.contains("timed out") || lower.contains("deadline") {
        FailureClass::Timeout
    } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
        FailureClass::Dns
    } else if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("invalidcontenttype")
    {
        FailureClass::Tls
    } else if let Some(status) = error.status() {
        FailureClass::Http(status.as_u16())
    } else {
        FailureClass::Connect
    };
    FetchError::new(class, chain)
}

/// The error and its causes, joined with ": ", repeats dropped.
fn describe_chain(error: &reqwest::Error) -> String {
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

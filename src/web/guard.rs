//! Who may see the pages, and the headers every answer carries.
//!
//! On loopback anyone on the machine may look, as with any local tool. Off
//! it, the config demands HTTP basic auth (`password_file`) or a reverse
//! proxy that authenticates and names the user in `trusted_proxy_header`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use subtle::ConstantTimeEq;

use super::Web;

/// Scripts, styles and images from this server only, nothing inline, no
/// framing, forms that post nowhere else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// How a request must prove who sent it.
#[derive(Debug, Clone)]
pub enum Access {
    /// Anyone who can connect (the listener is on loopback).
    Open,
    /// HTTP basic auth with this password (any user name).
    Password(String),
    /// A reverse proxy authenticated the user and set this header.
    Proxy(String),
}

/// Refuses a request that does not pass [`Access`]; adds the security
/// headers to every answer.
pub async fn guard(State(web): State<Web>, request: Request, next: Next) -> Response {
    let allowed = match &web.access {
        Access::Open => true,
        Access::Password(password) => has_password(request.headers(), password),
        Access::Proxy(name) => request
            .headers()
            .get(name.as_str())
            .is_some_and(|user| !user.as_bytes().is_empty()),
    };
    let mut response = if allowed {
        next.run(request).await
    } else {
        refused(&web.access)
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages show the archive: never kept by a browser or a proxy.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// True when the request carries basic auth whose password is `password`,
/// compared in constant time so the answer's timing tells nothing.
fn has_password(headers: &HeaderMap, password: &str) -> bool {
    let Some(credentials) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .ok()
        })
    else {
        return false;
    };
    let given = match credentials.iter().position(|&b| b == b':') {
        Some(colon) => &credentials[colon + 1..],
        None => return false,
    };
    bool::from(given.ct_eq(password.as_bytes()))
}

fn refused(access: &Access) -> Response {
    match access {
        Access::Proxy(name) => (
            StatusCode::FORBIDDEN,
            format!("newshound: this page is served through a proxy that sets {name}\n"),
        )
            .into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Basic realm=\"newshound\", charset=\"UTF-8\"",
            )],
            "newshound: a password is needed to see these pages\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(credentials: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
        );
        headers
    }

    #[test]
    fn only_the_right_password_passes() {
        assert!(has_password(&basic("anyone:s3cret"), "s3cret"));
        assert!(has_password(
            &basic("anyone:pass:with:colons"),
            "pass:with:colons"
        ));
        assert!(!has_password(&basic("anyone:s3cre"), "s3cret"));
        assert!(!has_password(&basic("anyone:s3crett"), "s3cret"));
        assert!(!has_password(&basic("s3cret"), "s3cret"));
        assert!(!has_password(&HeaderMap::new(), "s3cret"));
    }
}

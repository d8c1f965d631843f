//! Following redirects by hand: each hop checked, loops and non-HTTP
//! targets refused, and the permanent moves of a feed recognised.

use reqwest::Response;
use reqwest::header;
use url::Url;

use super::FetchError;
use crate::model::FailureClass;

/// The most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// One redirect followed: its status and where it led.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub status: u16,
    pub to: Url,
}

impl Redirect {
    /// 301 and 308 say the resource moved for good; 302, 303 and 307 do not.
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, 301 | 308)
    }
}

/// Where the redirects say the feed now lives: the end of the run of
/// permanent redirects the request started with, if it started with one.
pub fn permanent_target(redirects: &[Redirect]) -> Option<&Url> {
    redirects
        .iter()
        .take_while(|r| r.is_permanent())
        .last()
        .map(|r| &r.to)
}

/// The next hop when `response` is a redirect, None when it is not; an
/// error for a redirect that must not be followed.
pub fn next_hop(
    response: &Response,
    start: &Url,
    so_far: &[Redirect],
) -> Result<Option<Redirect>, FetchError> {
    let status = response.status();
    if !status.is_redirection() || status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(None);
    }
    let code = status.as_u16();
    let refuse = |message: String| FetchError::new(FailureClass::Http(code), message);
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .ok_or_else(|| refuse(format!("the server answered {status} without a Location")))?;
    let to = response.url().join(location).map_err(|e| {
        refuse(format!(
            "the server redirected to an invalid URL {location:?}: {e}"
        ))
    })?;
    if !matches!(to.scheme(), "http" | "https") {
        return Err(refuse(format!(
            "the server redirected to {to}, which is not an http(s) URL"
        )));
    }
    if to == *start || so_far.iter().any(|r| r.to == to) {
        return Err(refuse(format!(
            "redirect loop: {} leads back to {to}",
            response.url()
        )));
    }
    if so_far.len() == MAX_REDIRECTS {
        return Err(refuse(format!(
            "gave up after {MAX_REDIRECTS} redirects (last to {to})"
        )));
    }
    Ok(Some(Redirect { status: code, to }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(status: u16, to: &str) -> Redirect {
        Redirect {
            status,
            to: Url::parse(to).unwrap(),
        }
    }

    #[test]
    fn the_permanent_target_is_the_end_of_the_leading_permanent_run() {
        let chain = [
            hop(301, "https://a.org/1"),
            hop(308, "https://a.org/2"),
            hop(302, "https://cdn.org/x"),
        ];
        assert_eq!(
            permanent_target(&chain).unwrap().as_str(),
            "https://a.org/2"
        );
        assert_eq!(
            permanent_target(&[hop(302, "https://a.org/1"), hop(301, "https://a.org/2")]),
            None
        );
        assert_eq!(permanent_target(&[]), None);
    }
}

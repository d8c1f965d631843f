//! Canonical article links: the same story reached through different
//! tracking links has one canonical link.

use url::Url;

/// Query parameters that only track where a click came from.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gclsrc",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "_ga",
    "_gl",
    "ocid",
    "cmpid",
    "__twitter_impression",
];

/// `link` without its fragment and tracking parameters (`utm_*`, `fbclid`, ...).
pub fn canonical_link(link: &Url) -> Url {
    let mut url = link.clone();
    url.set_fragment(None);
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    url
}

fn is_tracking(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING_PARAMS.contains(&key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical_link(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn strips_tracking_parameters_and_fragment() {
        assert_eq!(
            canon("https://e.org/a?utm_source=x&id=7&fbclid=y#top"),
            "https://e.org/a?id=7"
        );
        assert_eq!(canon("https://E.org/a?utm_medium=rss"), "https://e.org/a");
    }

    #[test]
    fn keeps_meaningful_parameters() {
        assert_eq!(
            canon("https://e.org/story?id=1&page=2"),
            "https://e.org/story?id=1&page=2"
        );
    }
}

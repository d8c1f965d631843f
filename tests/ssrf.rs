//! The SSRF guard, end to end over HTTP on 127.0.0.1: a public-looking
//! name resolved to 127.0.0.1 (the fetcher's fixed-address map, like
//! curl's --resolve) is refused unless trusted or allowed.

mod common;

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use newshound::fetch::{Access, FetchOutcome, Fetcher, HostLimits, Limits, Validators};
use newshound::model::FailureClass;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A fetcher that resolves `name` to `address` only, with deadlines of
/// `total` and `connect` seconds.
fn fetcher_resolving(name: &str, address: [u8; 4], total: u64, connect: u64) -> Fetcher {
    let limits = Limits {
        total: Duration::from_secs(total),
        connect: Duration::from_secs(connect),
        max_bytes: 1 << 20,
    };
    let hosts = HashMap::from([(name.to_string(), vec![IpAddr::from(address)])]);
    Fetcher::with_hosts(limits, HostLimits::new(2, Duration::ZERO), hosts).unwrap()
}

/// A fetcher that resolves public.test to 127.0.0.1.
fn fetcher() -> Fetcher {
    fetcher_resolving("public.test", [127, 0, 0, 1], 20, 5)
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    for route in ["/feed.xml", "/other.xml"] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
            .mount(&server)
            .await;
    }
    let port = server.address().port();
    Mock::given(method("GET"))
        .and(path("/to-public"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("http://public.test:{port}/other.xml")),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/to-metadata"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", "http://169.254.169.254/latest/meta-data/"),
        )
        .mount(&server)
        .await;
    server
}

/// GETs `url` with `access`, no validators and no extra headers.
async fn get(
    fetcher: &Fetcher,
    url: &Url,
    access: Access,
) -> Result<FetchOutcome, newshound::fetch::FetchError> {
    fetcher
        .get(url, &Validators::default(), &access, None)
        .await
}

/// `path` on `server`, by its address.
fn at(server: &MockServer, path: &str) -> Url {
    Url::parse(&format!("{}{path}", server.uri())).unwrap()
}

/// `path` on `server`, by the name public.test, which the fetcher resolves
/// to 127.0.0.1.
fn public(server: &MockServer, path: &str) -> Url {
    let port = server.address().port();
    Url::parse(&format!("http://public.test:{port}{path}")).unwrap()
}

/// Fetches `url` with a fresh fetcher as a feed's own URL, private
/// addresses allowed or not; the failure's class.
async fn as_feed(url: &Url, allow_private: bool) -> Result<(), FailureClass> {
    class(get(&fetcher(), url, Access::feed(url, allow_private)).await)
}

fn class(result: Result<FetchOutcome, newshound::fetch::FetchError>) -> Result<(), FailureClass> {
    result.map(|_| ()).map_err(|e| e.class)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_configured_host_is_trusted_even_when_private() {
    let server = server().await;
    let url = public(&server, "/feed.xml");
    assert_eq!(as_feed(&url, false).await, Ok(()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_a_name_resolving_to_loopback_is_refused_unless_allowed() {
    let server = server().await;
    let url = at(&server, "/to-public");
    let refused = get(&fetcher(), &url, Access::feed(&url, false)).await;
    let error = refused.unwrap_err();
    assert_eq!(error.class, FailureClass::BlockedAddress);
    assert!(
        error
            .message
            .contains("public.test resolves only to 127.0.0.1"),
        "{}",
        error.message
    );
    let asked = common::paths(&server).await;
    assert_eq!(asked, ["/to-public"], "the refused hop was never sent");

    assert_eq!(as_feed(&url, true).await, Ok(()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_the_metadata_address_is_refused_before_connecting() {
    let server = server().await;
    let url = at(&server, "/to-metadata");
    assert_eq!(
        as_feed(&url, false).await,
        Err(FailureClass::BlockedAddress)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_request_to_a_private_name_is_refused() {
    let server = server().await;
    let url = public(&server, "/feed.xml");
    let got = get(&fetcher(), &url, Access::default()).await;
    assert_eq!(class(got), Err(FailureClass::BlockedAddress));
    let literal = at(&server, "/feed.xml");
    let got = get(&fetcher(), &literal, Access::default()).await;
    assert_eq!(class(got), Err(FailureClass::BlockedAddress));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_opened_for_a_trusted_host_is_not_reused_by_a_guarded_request() {
    let server = server().await;
    let shared = fetcher();
    let trusted = public(&server, "/feed.xml");
    let first = get(&shared, &trusted, Access::feed(&trusted, false)).await;
    assert_eq!(class(first), Ok(()), "public.test is that feed's own host");
    // Another feed, not trusting public.test, is redirected there.
    let other = at(&server, "/to-public");
    let second = get(&shared, &other, Access::feed(&other, false)).await;
    assert_eq!(class(second), Err(FailureClass::BlockedAddress));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_redirect_to_another_port_of_its_host_is_refused() {
    let server = server().await;
    // The canary: the same host (127.0.0.1), another port; it records
    // every request that reaches it.
    let canary = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
        .mount(&canary)
        .await;
    Mock::given(method("GET"))
        .and(path("/to-other-port"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", format!("{}/admin", canary.uri())),
        )
        .mount(&server)
        .await;
    let url = at(&server, "/to-other-port");
    assert_eq!(
        as_feed(&url, false).await,
        Err(FailureClass::BlockedAddress)
    );
    assert!(canary.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn documentation_ranges_are_refused_before_connecting() {
    let fetcher = fetcher_resolving("testnet.test", [203, 0, 113, 7], 5, 2);
    for url in [
        "http://testnet.test/feed.xml",
        "http://192.0.2.1/feed.xml",
        "http://198.51.100.20/feed.xml",
        "http://[2001:db8::1]/feed.xml",
    ] {
        let url = Url::parse(url).unwrap();
        let got = get(&fetcher, &url, Access::default()).await;
        assert_eq!(class(got), Err(FailureClass::BlockedAddress), "{url}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_proxy_a_link_to_the_proxys_own_host_is_refused() {
    // The proxy, on localhost, carries the feed request (it serves the feed
    // as a forward proxy would) and records what reaches it. Its address is
    // written with and without a scheme, as both are found in the wild.
    let proxy = MockServer::start().await;
    let target = MockServer::start().await;
    let page = format!("http://localhost:{}/secret", target.address().port());
    let items = [common::Item::new("1", "Ceasefire", "x").link(&page)];
    common::serve_rss(&proxy, "/feed.xml", &items).await;
    let port = proxy.address().port();
    for proxy_url in [
        format!("http://localhost:{port}"),
        format!("localhost:{port}"),
    ] {
        proxy.reset().await;
        common::serve_rss(&proxy, "/feed.xml", &items).await;
        let env = common::Env::new();
        // The feed's URL names a host the proxy carries; NO_PROXY sends
        // localhost, the proxy's own name, straight there.
        env.write_config(&format!(
            "{}{}",
            common::feed("wire", "http://feeds.test/feed.xml"),
            common::ceasefire_rule()
        ));
        let output = env
            .newshound_with(
                &[
                    ("RUST_LOG", "warn"),
                    ("HTTP_PROXY", &proxy_url),
                    ("NO_PROXY", "localhost"),
                ],
                &["poll"],
            )
            .await;
        common::assert_exit(&output, 0);
        assert_eq!(common::paths(&proxy).await, ["/feed.xml"], "{proxy_url}");
        let db = rusqlite::Connection::open(env.database()).unwrap();
        let note: String = db
            .query_row("SELECT body_note FROM entries", [], |r| r.get(0))
            .unwrap();
        assert!(note.contains("blocked_address"), "{proxy_url}: {note}");
    }
    assert!(
        target.received_requests().await.unwrap().is_empty(),
        "the page on the proxy's host was fetched"
    );
}

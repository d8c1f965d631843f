//! Each failure class a poll can end in, raised by a real failure on
//! 127.0.0.1 (or a name that cannot resolve) and sorted by its type: the
//! class `status` shows and the error row stores.

mod common;

use std::time::Duration;

use common::*;
use newshound::store::Store;
use wiremock::{MockServer, ResponseTemplate};

/// A server answering `/feed.xml` with `response`, and that feed's URL.
async fn serving(response: ResponseTemplate) -> (MockServer, String) {
    let server = MockServer::start().await;
    respond(&server, "/feed.xml", response).await;
    let url = format!("{}/feed.xml", server.uri());
    (server, url)
}

/// Polls one feed at `url` (with `daemon` lines in `[daemon]`); returns
/// the stored class and message.
async fn failure(url: &str, daemon: &str) -> (String, String) {
    let env = Env::new();
    env.write_config(&format!(
        "{}[daemon]\nfetch_timeout = \"2s\"\nconnect_timeout = \"2s\"\n{daemon}",
        feed("wire", url)
    ));
    let output = env.newshound(&["poll"]).await;
    assert_exit(&output, 1);
    let state = Store::open(&env.database())
        .unwrap()
        .feed_state("wire")
        .unwrap()
        .unwrap();
    let (class, message) = state.last_error.expect("the failure is stored");
    assert!(
        stdout(&output).contains(&format!("wire: failed ({class}): ")),
        "{}",
        stdout(&output)
    );
    (class, message)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_that_does_not_resolve_is_dns() {
    // `.invalid` never resolves (RFC 6761), with or without a network.
    let (class, message) = failure("http://no-such-feed.invalid/feed.xml", "").await;
    assert_eq!(class, "dns");
    assert!(message.contains("no-such-feed.invalid"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_port_nobody_listens_on_is_connect() {
    let url = format!("http://127.0.0.1:{}/feed.xml", free_port());
    let (class, _) = failure(&url, "").await;
    assert_eq!(class, "connect");
}

#[tokio::test(flavor = "multi_thread")]
async fn https_to_a_plain_http_server_is_tls() {
    let (_server, url) = serving(ResponseTemplate::new(200)).await;
    let (class, _) = failure(&url.replace("http://", "https://"), "").await;
    assert_eq!(class, "tls");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_hangs_up_during_the_handshake_is_tls() {
    // It reads the client's hello, then closes: the client sees the end of
    // the stream where the server's hello should be.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::Read;
        let (mut stream, _) = listener.accept().unwrap();
        let mut hello = [0u8; 16 * 1024];
        let _ = stream.read(&mut hello);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
    let (class, message) = failure(&format!("https://127.0.0.1:{port}/feed.xml"), "").await;
    assert_eq!(class, "tls", "{message}");
    server.join().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_answers_is_timeout() {
    let (_server, url) =
        serving(ResponseTemplate::new(200).set_delay(Duration::from_secs(30))).await;
    let (class, _) = failure(&url, "").await;
    assert_eq!(class, "timeout");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gone_feed_is_http_with_its_status() {
    let (_server, url) = serving(ResponseTemplate::new(403)).await;
    let (class, message) = failure(&url, "").await;
    assert_eq!(class, "http");
    assert!(message.contains("403"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_past_the_cap_is_too_large() {
    let big = format!("<rss><channel>{}</channel></rss>", "x".repeat(200_000));
    let (_server, url) =
        serving(ResponseTemplate::new(200).set_body_raw(big, "application/rss+xml")).await;
    let (class, _) = failure(&url, "feed_max_bytes = 65536\n").await;
    assert_eq!(class, "too_large");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_web_page_is_not_a_feed() {
    let page = ResponseTemplate::new(200).set_body_raw("<html><p>Hello</p></html>", "text/html");
    let (_server, url) = serving(page).await;
    let (class, _) = failure(&url, "").await;
    assert_eq!(class, "not_a_feed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_a_private_address_is_blocked_address() {
    // The configured origin is trusted; a hop to another host is not.
    let server = MockServer::start().await;
    let port = server.address().port();
    respond(
        &server,
        "/feed.xml",
        ResponseTemplate::new(302)
            .insert_header("Location", format!("http://127.0.0.2:{port}/elsewhere.xml")),
    )
    .await;
    let (class, message) = failure(&format!("{}/feed.xml", server.uri()), "").await;
    assert_eq!(class, "blocked_address");
    assert!(message.contains("allow_private_network"), "{message}");
}

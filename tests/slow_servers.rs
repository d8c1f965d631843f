//! Slow servers cannot hold a poll past its deadline, and do not delay the
//! other feeds of the same run.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

/// A server that, for at most 30 seconds, either sends headers and then
/// one byte every 200 ms (`trickle`) or never answers at all.
fn stalling_server(trickle: bool) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buf = [0u8; 1024];
        let _ = stream.read(&mut buf);
        let deadline = Instant::now() + Duration::from_secs(30);
        if trickle {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n<rss>");
        }
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            if trickle && stream.write_all(b" ").is_err() {
                return;
            }
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deadline_holds_against_trickling_and_silent_servers() {
    let good = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(rss_response(rss(&good.uri(), &[Item::new("1", "x", "y")])))
        .mount(&good)
        .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}[daemon]\nfetch_timeout = \"2s\"\n",
        feed(
            "trickle",
            &format!("http://127.0.0.1:{}/feed.xml", stalling_server(true))
        ),
        feed(
            "silent",
            &format!("http://127.0.0.1:{}/feed.xml", stalling_server(false))
        ),
        // Another host name for the same server: per-host limits are by
        // name, and the two stalled feeds hold 127.0.0.1's connections.
        feed(
            "good",
            &format!("http://localhost:{}/feed.xml", good.address().port())
        ),
    ));
    let output = env.poll(1).await;
    let out = stdout(&output);
    assert_contains(
        &out,
        "trickle: failed (timeout): no complete answer within 2s",
    );
    assert_contains(&out, "silent: failed (timeout)");
    assert_contains(&out, "good: 1 new entries");
}

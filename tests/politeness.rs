//! Politeness: never more than `per_host_connections` requests at once to
//! one host, counted by a server on 127.0.0.1 that sees every connection;
//! robots.txt rules read with RFC 9309's percent-encoding.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;

/// A server that answers every request with a small feed after a pause,
/// and records the most requests it was serving at once.
struct CountingServer {
    port: u16,
    most_at_once: Arc<AtomicUsize>,
    served: Arc<AtomicUsize>,
}

impl CountingServer {
    fn start(expected: usize) -> CountingServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (active, most_at_once, served) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let (most, done) = (Arc::clone(&most_at_once), Arc::clone(&served));
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            for stream in listener.incoming().take(expected) {
                if Instant::now() > deadline {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let (active, most, done) =
                    (Arc::clone(&active), Arc::clone(&most), Arc::clone(&done));
                std::thread::spawn(move || {
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    std::thread::sleep(Duration::from_millis(300));
                    let body = rss("http://127.0.0.1", &[Item::new("1", "x", "y")]);
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    active.fetch_sub(1, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.write_all(reply.as_bytes());
                });
            }
        });
        CountingServer {
            port,
            most_at_once,
            served,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_more_than_two_requests_at_once_to_one_host() {
    let server = CountingServer::start(6);
    let env = Env::new();
    let feeds: String = (0..6)
        .map(|i| {
            feed(
                &format!("f{i}"),
                &format!("http://127.0.0.1:{}/f{i}.xml", server.port),
            )
        })
        .collect();
    env.write_config(&format!("{feeds}[daemon]\nper_host_connections = 2\n"));
    env.poll(0).await;
    assert_eq!(server.served.load(Ordering::SeqCst), 6);
    assert_eq!(
        server.most_at_once.load(Ordering::SeqCst),
        2,
        "two at once, never more"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn article_pages_under_many_names_of_one_address_are_paced_as_one_host() {
    // The pages: six links to one server, spelled six ways.
    let pages = CountingServer::start(6);
    let spellings = [
        "127.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "localhost",
        "LOCALHOST.",
        "127.0.0.1",
    ];
    let links: Vec<String> = spellings
        .iter()
        .enumerate()
        .map(|(i, host)| format!("http://{host}:{}/page{i}", pages.port))
        .collect();
    let guids: Vec<String> = (0..links.len()).map(|i| format!("g{i}")).collect();
    let items: Vec<Item> = guids
        .iter()
        .zip(&links)
        .map(|(guid, link)| Item::new(guid, "Ceasefire", "x").link(link))
        .collect();
    let feeds = wiremock::MockServer::start().await;
    serve_rss(&feeds, "/feed.xml", &items).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}allow_private_network = true\nrespect_robots = false\n{}[daemon]\nper_host_connections = 2\n",
        wire_feed(&feeds),
        ceasefire_rule(),
    ));
    env.poll(0).await;
    assert_eq!(pages.served.load(Ordering::SeqCst), 6);
    assert_eq!(
        pages.most_at_once.load(Ordering::SeqCst),
        2,
        "two at once to 127.0.0.1, whatever the links call it"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_txt_rules_match_percent_encoded_paths_as_rfc_9309_says() {
    let site = wiremock::MockServer::start().await;
    respond(
        &site,
        "/robots.txt",
        wiremock::ResponseTemplate::new(200)
            .set_body_string("User-agent: *\nDisallow: /caf\u{e9}\nDisallow: /%7Euser/\n"),
    )
    .await;
    let base = site.uri();
    let links = [
        format!("{base}/caf%C3%A9/menu"),
        format!("{base}/~user/notes"),
        format!("{base}/open/1"),
    ];
    let guids = ["a", "b", "c"];
    let items: Vec<Item> = guids
        .iter()
        .zip(&links)
        .map(|(guid, link)| Item::new(guid, "Ceasefire", "x").link(link))
        .collect();
    serve_rss(&site, "/feed.xml", &items).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}allow_private_network = true\n{}",
        feed("wire", &format!("{base}/feed.xml")),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
    ));
    assert_exit(&env.newshound(&["poll"]).await, 0);
    let asked = paths(&site).await;
    // The rule in UTF-8 holds for the link's escaped path, `%7E` for `~`.
    assert!(asked.iter().any(|p| p == "/open/1"), "{asked:?}");
    assert!(
        !asked
            .iter()
            .any(|p| p.starts_with("/caf") || p.contains("user")),
        "{asked:?}"
    );
}

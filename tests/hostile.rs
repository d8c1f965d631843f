//! Hostile input, generated here and served from 127.0.0.1: entity bombs
//! and external entities, a gzip bomb, an endless body, a feed too large,
//! 100,000 items, deep nesting and a 1 MB title. Each ends in the outcome a
//! user should see — an error class on the feed, or a cut value — with the
//! other feeds of the run unaffected.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;
use wiremock::MockServer;

/// A gzip stream of `mebibytes` MiB of zeros, about 1,000 times smaller:
/// one sync-flushed deflate block of 1 MiB of zeros, repeated (a block
/// that only copies zeros decodes the same after any number of zeros).
fn gzip_bomb(mebibytes: usize) -> Vec<u8> {
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut block = Vec::with_capacity(4096);
    deflate
        .compress_vec(&zeros, &mut block, flate2::FlushCompress::Sync)
        .unwrap();
    assert!(block.len() < 4096, "1 MiB of zeros deflates small");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    for _ in 0..mebibytes {
        out.extend_from_slice(&block);
    }
    // A final empty block; the trailer is never reached.
    out.extend_from_slice(&[0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    out
}

/// A server that answers every request with a chunked body that never
/// ends (a chunk every 10 ms, for at most 30 s or until the client goes).
fn endless_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                let _ = stream.read(&mut buf);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\
                            Transfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = format!(
                    "{:x}\r\n{}\r\n",
                    64 * 1024,
                    "<x>".repeat(64 * 1024 / 3) + "a"
                );
                let deadline = Instant::now() + Duration::from_secs(30);
                while Instant::now() < deadline {
                    if stream.write_all(chunk.as_bytes()).is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn bombs_and_endless_bodies_are_cut_and_the_other_feeds_still_alert() {
    let server = MockServer::start().await;
    let uri = server.uri();
    let good = rss(&uri, &[Item::new("g", "Ceasefire holds", "x")]);
    serve_xml(&server, "/good.xml", good).await;
    // 10 MiB of gzip that would inflate to 10 GiB.
    respond(
        &server,
        "/bomb.xml",
        rss_response(gzip_bomb(10 * 1024)).insert_header("Content-Encoding", "gzip"),
    )
    .await;
    // 50 MB of feed.
    let huge = rss_numbered(&uri, 0..12_000, "Story", &"z".repeat(4000));
    assert!(huge.len() > 48_000_000);
    serve_xml(&server, "/huge.xml", huge).await;
    let endless = endless_server();

    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}{}[daemon]\nfetch_timeout = \"20s\"\n",
        feeds_at(&server, &[("bomb", "/bomb.xml"), ("huge", "/huge.xml")]),
        feed("endless", &format!("http://127.0.0.1:{endless}/feed.xml")),
        feed_at("good", &server, "/good.xml"),
        ceasefire_rule(),
    ));
    assert_contains_all(
        &stdout(&env.poll(1).await),
        &[
            "bomb: failed (too_large):",
            "huge: failed (too_large):",
            "endless: failed (too_large):",
            "good: 1 new entries, 1 matches, 1 alerts queued",
        ],
    );
    assert_eq!(env.maildir_new().len(), 1, "the good feed's alert went out");
}

/// Runs `newshound inspect` on `xml`; its output.
async fn inspect(env: &Env, name: &str, xml: &[u8]) -> std::process::Output {
    let file = env.dir.path().join(name);
    std::fs::write(&file, xml).unwrap();
    env.newshound(&["inspect", file.to_str().unwrap()]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn entities_are_never_expanded_nor_fetched() {
    let server = MockServer::start().await;
    let env = Env::new();
    let mut lol = String::from("<!DOCTYPE rss [<!ENTITY lol \"lol\">");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        lol += &format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10));
    }
    lol += "]>";
    let laughs = format!(
        "<?xml version=\"1.0\"?>{lol}<rss version=\"2.0\"><channel><title>t</title>\
         <item><guid>1</guid><title>&lol9;</title></item></channel></rss>"
    );
    let output = inspect(&env, "laughs.xml", laughs.as_bytes()).await;
    assert_exit(&output, 0);
    // The reference stays as written: never expanded.
    assert_contains(&stdout(&output), "\"title\":\"&lol9;\"");

    let external = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"{}/secret\">\
         <!ENTITY local SYSTEM \"file:///etc/passwd\">]>\
         <rss version=\"2.0\"><channel><title>t</title>\
         <item><guid>1</guid><title>a &xxe; b &local; c</title></item></channel></rss>",
        server.uri()
    );
    let output = inspect(&env, "xxe.xml", external.as_bytes()).await;
    assert_exit(&output, 0);
    assert_contains(&stdout(&output), "\"title\":\"a &xxe; b &local; c\"");
    assert!(paths(&server).await.is_empty(), "nothing was fetched");
}

#[tokio::test(flavor = "multi_thread")]
async fn huge_item_counts_deep_nesting_and_long_titles_are_read_within_bounds() {
    let env = Env::new();
    // 100,000 items.
    let many = rss_numbered("https://news.test", 0..100_000, "t", "d");
    let output = inspect(&env, "many.xml", many.as_bytes()).await;
    assert_exit(&output, 0);
    assert_eq!(stdout(&output).lines().count(), 100_000);

    // Markup nested 100,000 deep, in the XML and in an item's HTML.
    let deep_html = "&lt;div&gt;".repeat(100_000) + "ceasefire";
    let deep_xml = "<x>".repeat(100_000);
    let nested = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
         <item><guid>1</guid><title>Deep</title><description>{deep_html}</description></item>\
         <item><guid>2</guid><title>Deeper</title>{deep_xml}</item></channel></rss>"
    );
    let output = inspect(&env, "nested.xml", nested.as_bytes()).await;
    assert!(
        output.status.code().is_some_and(|c| c == 0 || c == 1),
        "{}",
        stderr(&output)
    );

    // A title of 1 MB is read whole; mails cut it (tests/digests.rs).
    let long_title = "A".repeat(1 << 20);
    let titled = rss("https://news.test", &[Item::new("1", &long_title, "x")]);
    let output = inspect(&env, "title.xml", titled.as_bytes()).await;
    assert_exit(&output, 0);
    let entry: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(entry["title"].as_str().unwrap().len(), 1 << 20);
}

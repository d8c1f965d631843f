//! Bad input: broken feeds are stored errors that stop nothing else; a bad
//! config is refused with its file, line and column before anything starts.

mod common;

use std::io::Write;

use common::*;
use newshound::store::Store;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_broken_feed_is_a_stored_error_and_the_others_still_alert() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let uri = server.uri();
    let good = rss(&uri, &[Item::new("g", "Ceasefire holds", "x")]);
    serve_xml(&server, "/good.xml", good).await;
    let zipped = gzip(rss(&uri, &[Item::new("z", "Zipped ceasefire", "x")]).as_bytes());
    respond(
        &server,
        "/gzip.xml",
        rss_response(zipped).insert_header("Content-Encoding", "gzip"),
    )
    .await;
    respond(&server, "/500.xml", ResponseTemplate::new(500)).await;
    respond(
        &server,
        "/page.html",
        ResponseTemplate::new(200).set_body_raw("<html><body>Welcome</body></html>", "text/html"),
    )
    .await;
    serve_xml(&server, "/empty.xml", rss(&uri, &[])).await;
    let mut bad_utf8 = rss(&uri, &[Item::new("u", "Ceasefire XX", "x")]).into_bytes();
    let at = bad_utf8.windows(2).position(|w| w == b"XX").unwrap();
    bad_utf8[at] = 0xC3; // a lead byte followed by ASCII: invalid UTF-8
    serve_xml(&server, "/utf8.xml", bad_utf8).await;
    let big = rss(
        &uri,
        &[Item::new("b", "Big ceasefire", &"y".repeat(20_000))],
    );
    serve_xml(&server, "/big.xml", big).await;

    let unreachable = format!("http://127.0.0.1:{}/feed.xml", free_port());
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}{}[daemon]\nfeed_max_bytes = 10000\n",
        smtp.config(),
        feed("unreachable", &unreachable),
        feeds_at(
            &server,
            &[
                ("error500", "/500.xml"),
                ("webpage", "/page.html"),
                ("empty", "/empty.xml"),
                ("badutf8", "/utf8.xml"),
                ("big", "/big.xml"),
                ("gzip", "/gzip.xml"),
                ("good", "/good.xml"),
            ]
        ),
        ceasefire_rule(),
    ));

    let output = env.poll(1).await;
    let out = stdout(&output);
    assert_contains_all(
        &out,
        &[
            "unreachable: failed (connect):",
            "error500: failed (http): the server answered 500 Internal Server Error",
            "webpage: failed (not_a_feed):",
            "empty: failed (not_a_feed): the feed holds no items",
            "big: failed (too_large):",
            "badutf8: 1 new entries, 1 matches, 1 alerts queued",
            "gzip: 1 new entries, 1 matches, 1 alerts queued",
            "good: 1 new entries, 1 matches, 1 alerts queued",
            "alerts: 3 sent",
        ],
    );
    let mut subjects = subjects(&smtp);
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "[newshound] ceasefire: Ceasefire holds",
            "[newshound] ceasefire: Ceasefire \u{fffd}X",
            "[newshound] ceasefire: Zipped ceasefire",
        ]
    );

    let store = Store::open(&env.database()).unwrap();
    let class = |name: &str| {
        store
            .feed_state(name)
            .unwrap()
            .unwrap()
            .last_error
            .map(|(c, _)| c)
    };
    assert_eq!(class("unreachable").as_deref(), Some("connect"));
    assert_eq!(class("error500").as_deref(), Some("http"));
    assert_eq!(class("webpage").as_deref(), Some("not_a_feed"));
    assert_eq!(class("empty").as_deref(), Some("not_a_feed"));
    assert_eq!(class("big").as_deref(), Some("too_large"));
    assert_eq!(class("good"), None);
    let mended = store.feed_state("badutf8").unwrap().unwrap();
    assert!(mended.last_warning.unwrap().contains("invalid UTF-8"));
    let failed = store.feed_state("error500").unwrap().unwrap();
    assert_eq!((failed.error_count, failed.validators.etag), (1, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_config_exits_2_naming_file_line_and_column() {
    let env = Env::new();
    let cases = [
        ("[[feed]]\nname = \"a\nurl = \"https://e.org/\"\n", ":2:"),
        (
            "[[feed]]\nname = \"a\"\nurl = \"https://e.org/1\"\n[[feed]]\nname = \"a\"\nurl = \"https://e.org/2\"\n",
            ":5:8: duplicate feed name \"a\"",
        ),
        (
            "[[rule]]\nname = \"r\"\nquery = \"\"\n",
            ":3:10: rule \"r\": empty query",
        ),
    ];
    for (config, expected) in cases {
        env.write_config(config);
        for command in [["poll"], ["check"], ["run"]] {
            let output = env.newshound(&command).await;
            assert_exit(&output, 2);
            let err = stderr(&output);
            let first = err.lines().next().unwrap_or_default();
            let located = format!("error: {}{expected}", env.config_path().display());
            assert!(
                first.starts_with(&located),
                "{first:?} should start with {located:?}"
            );
        }
        assert!(!env.state_dir().exists(), "nothing was started");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_config_file_is_named() {
    let env = Env::new();
    let output = env.poll(2).await;
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "error: {}: cannot read the config file",
            env.config_path().display()
        )),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feed_can_send_its_own_agent_and_headers_with_a_token_from_a_file() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/private.xml"))
        .and(wiremock::matchers::header("Authorization", "Bearer s3cret"))
        .and(wiremock::matchers::header("User-Agent", "desk-monitor/2"))
        .and(wiremock::matchers::header("X-Team", "world"))
        .respond_with(rss_response(rss(
            &server.uri(),
            &[Item::new("1", "x", "y")],
        )))
        .mount(&server)
        .await;
    respond(&server, "/private.xml", ResponseTemplate::new(401)).await;
    let env = Env::new();
    let token = env.dir.path().join("token");
    std::fs::write(&token, "Bearer s3cret\n").unwrap();
    let section = format!(
        "{}user_agent = \"desk-monitor/2\"\nheaders = {{ Authorization = {{ file = \"{}\" }}, X-Team = \"world\" }}\n",
        feed_at("private", &server, "/private.xml"),
        token.display()
    );
    env.write_config(&section);
    let output = env.poll(0).await;
    assert_contains(&stdout(&output), "private: 1 new entries");

    std::fs::remove_file(&token).unwrap();
    let missing = env.poll(1).await;
    assert_contains(
        &stderr(&missing),
        "feed \"private\", header Authorization: cannot read",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn queries_nested_too_deep_are_refused_at_their_position_not_a_stack_overflow() {
    let env = Env::new();
    let deep = format!("{}ceasefire{}", "(".repeat(20_000), ")".repeat(20_000));
    env.write_config(&format!(
        "{}{}",
        feed("wire", "https://news.test/feed.xml"),
        rule("deep", &deep, &["desk@example.org"])
    ));
    let output = env.newshound(&["check"]).await;
    assert_exit(&output, 2);
    assert_contains(
        &stderr(&output),
        "nests parentheses and NOTs more than 100 deep",
    );
    env.write_config(&feed("wire", "https://news.test/feed.xml"));
    // 30,000 NOTs: a longer argument than Linux passes to a process.
    let nots = format!("a {}b", "NOT ".repeat(30_000));
    let minuses = format!("a {}b", "-".repeat(50_000));
    for query in [&deep, &nots, &minuses] {
        for command in [
            vec!["search", query.as_str()],
            vec!["test-rules", "--query", query.as_str(), "Cargo.toml"],
        ] {
            let output = env.newshound(&command).await;
            assert_exit(&output, 2);
        }
    }
}

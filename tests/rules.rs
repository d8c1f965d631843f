//! `test-rules` and `backtest`, and how a bad query is reported.

mod common;

use chrono::{Duration, Utc};
use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

#[tokio::test(flavor = "multi_thread")]
async fn test_rules_reads_json_lines_feeds_and_pages() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        rule(
            "ceasefire",
            "ceasefire OR \"cease fire\" OR 停火",
            &["desk@example.org"]
        ),
        rule(
            "talks",
            "NEAR/3(peace, talks) -rumour",
            &["desk@example.org"]
        ),
    ));
    let dir = env.dir.path();
    std::fs::write(
        dir.join("articles.jsonl"),
        "{\"id\": \"a1\", \"title\": \"Cease-fire holds\", \"body\": \"Peace talks resume.\", \"language\": \"en\"}\n\
         {\"id\": \"a2\", \"summary\": \"双方同意停火\"}\n\
         {\"id\": \"a3\", \"title\": \"Peace talks rumour\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("feed.xml"),
        rss("https://news.test", &[Item::new("f1", "Ceasefire", "x")]),
    )
    .unwrap();
    std::fs::write(
        dir.join("page.html"),
        "<html><head><title>Gaza</title></head><body><nav>ceasefire menu</nav><p>No news.</p></body></html>",
    )
    .unwrap();
    let files = ["articles.jsonl", "feed.xml", "page.html"]
        .map(|f| dir.join(f).to_string_lossy().into_owned());
    let mut args = vec!["test-rules"];
    args.extend(files.iter().map(String::as_str));
    let output = env.newshound(&args).await;
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        // Two words are too few to be sure of a language: the feed item's is
        // detection's best guess.
        "{\"id\":\"a1\",\"rule\":\"ceasefire\",\"fields\":[\"title\"],\"terms\":[\"\\\"cease fire\\\"\"],\"language\":\"en\"}\n\
         {\"id\":\"a1\",\"rule\":\"talks\",\"fields\":[\"body\"],\"terms\":[\"peace\",\"talks\"],\"language\":\"en\"}\n\
         {\"id\":\"a2\",\"rule\":\"ceasefire\",\"fields\":[\"summary\"],\"terms\":[\"停火\"],\"language\":\"zh\"}\n\
         {\"id\":\"guid:f1\",\"rule\":\"ceasefire\",\"fields\":[\"title\"],\"terms\":[\"ceasefire\"],\"language\":\"fr\"}\n"
    );

    let only = env
        .newshound(&["test-rules", "--rule", "talks", &files[0]])
        .await;
    assert_exit(&only, 0);
    assert_eq!(stdout(&only).lines().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn test_rules_with_a_query_needs_no_config() {
    let env = Env::new();
    let file = env.dir.path().join("a.jsonl");
    std::fs::write(
        &file,
        "{\"id\": 7, \"body\": \"Mediators met in Doha\", \"language\": \"en\"}\n",
    )
    .unwrap();
    let output = env
        .newshound(&[
            "test-rules",
            "--query",
            "mediat* AND doha",
            file.to_str().unwrap(),
        ])
        .await;
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "{\"id\":7,\"rule\":\"query\",\"fields\":[\"body\"],\"terms\":[\"mediat*\",\"doha\"],\"language\":\"en\",\"as\":{\"mediat*\":\"Mediators\"},\"matched\":[\"mediat* (as \\\"Mediators\\\")\",\"doha\"]}\n"
    );

    let bad = env
        .newshound(&["test-rules", "--query", "a OR (b", file.to_str().unwrap()])
        .await;
    assert_exit(&bad, 2);
    assert_eq!(
        stderr(&bad),
        "error: --query:1:6: unbalanced parenthesis\n1 | a OR (b\n  |      ^\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invalid_rule_query_is_shown_with_a_caret() {
    let env = Env::new();
    env.write_config("[[rule]]\nname = \"sanctions\"\nquery = 'titel:sanctions OR embargo'\n");
    let output = env.newshound(&["check"]).await;
    assert_exit(&output, 2);
    let path = env.config_path().display().to_string();
    assert_eq!(
        stderr(&output),
        format!(
            "error: {path}:3:10: rule \"sanctions\": unknown field \"titel\" (did you mean \"title\"?)\n\
             3 | query = 'titel:sanctions OR embargo'\n  |          ^\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn backtest_lists_what_a_rule_would_have_caught() {
    let server = MockServer::start().await;
    let items = [
        Item::new("1", "Truce in the north", "x").published(Utc::now() - Duration::days(3)),
        Item::new("2", "Mediators arrive", "x").published(Utc::now() - Duration::days(40)),
        Item::new("3", "Markets", "nothing").published(Utc::now() - Duration::days(2)),
    ];
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(rss_response(rss(&server.uri(), &items)))
        .mount(&server)
        .await;
    let env = Env::new();
    env.write_config(&format!(
        "{}[[rule]]\nname = \"peace\"\nquery = 'truce OR mediat*'\n[daemon]\nbackfill = \"1h\"\n",
        wire_feed(&server),
    ));
    env.poll(0).await;

    let recent = env.newshound(&["backtest", "peace"]).await;
    assert_exit(&recent, 0);
    let out = stdout(&recent);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_contains(&out, "  wire  Truce in the north  [truce]  ");
    assert_contains(&out, "1 of 2 entries since");

    let all = env
        .newshound(&["backtest", "peace", "--since", "60d"])
        .await;
    assert_contains(
        &stdout(&all),
        "Mediators arrive  [mediat* (as \"Mediators\")]",
    );
    assert_contains(&stdout(&all), "2 of 3 entries since");

    let unknown = env.newshound(&["backtest", "nope"]).await;
    assert_exit(&unknown, 2);
}

//! The other commands: `check`, `inspect`, `test-mail`, and `run` until SIGTERM.

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

#[tokio::test(flavor = "multi_thread")]
async fn check_prints_what_it_would_watch() {
    let env = Env::new();
    env.write_config(&format!(
        "{}{}",
        feed("wire", "https://news.test/feed.xml"),
        rule("ceasefire", "ceasefire OR 停火", &["desk@example.org"]),
    ));
    let output = env.newshound(&["check"]).await;
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert_contains(&out, "wire  https://news.test/feed.xml  every 15m");
    assert_contains(
        &out,
        "ceasefire  ceasefire OR 停火  (all feeds; immediate mail to desk@example.org, at most 20 an hour)",
    );
    assert_contains(
        &out,
        "    inflected forms: ceasefire in de en es fr it pt; 停火 as written",
    );
    assert_contains(
        &out,
        &format!(
            "mail: Maildir {}",
            env.state_dir().join("Maildir").display()
        ),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn inspect_prints_normalised_entries_as_json_lines() {
    let env = Env::new();
    let file = env.dir.path().join("feed.xml");
    let published = chrono::DateTime::parse_from_rfc3339("2026-11-03T08:00:00Z")
        .unwrap()
        .to_utc();
    std::fs::write(
        &file,
        rss(
            "https://news.test",
            &[
                Item::new("a1", "Truce &amp; talks", "&lt;p&gt;Both sides&lt;/p&gt;")
                    .published(published),
            ],
        ),
    )
    .unwrap();
    let output = env.newshound(&["inspect", file.to_str().unwrap()]).await;
    assert_exit(&output, 0);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines,
        [serde_json::json!({
            "id": "guid:a1",
            "title": "Truce & talks",
            "link": "https://news.test/story/a1",
            "published": "2026-11-03T08:00:00Z",
            "author": null,
            "summary_chars": 10,
            "content_chars": 0,
        })]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn inspect_reads_urls_and_fails_clearly() {
    let server = feed_server(&[Item::new("1", "One", "x"), Item::new("2", "Two", "y")]).await;
    Mock::given(method("GET"))
        .and(path("/gone.xml"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let env = Env::new();
    let ok = env
        .newshound(&["inspect", &format!("{}/feed.xml", server.uri())])
        .await;
    assert_exit(&ok, 0);
    assert_eq!(stdout(&ok).lines().count(), 2);

    let gone = env
        .newshound(&["inspect", &format!("{}/gone.xml", server.uri())])
        .await;
    assert_exit(&gone, 1);
    assert_contains(&stderr(&gone), "404 Not Found (http)");

    let missing = env.newshound(&["inspect", "/nonexistent/feed.xml"]).await;
    assert_exit(&missing, 1);
    assert_contains(&stderr(&missing), "cannot read the file");
}

#[tokio::test(flavor = "multi_thread")]
async fn run_polls_delivers_and_stops_cleanly_on_sigterm() {
    let server = feed_server(&[Item::new("1", "Ceasefire now", "x")]).await;
    let smtp = SmtpSink::start();
    let env = Env::new();
    env.write_config(&wire_config(&smtp.config(), &server.uri()));
    let daemon = env.spawn_daemon();

    wait_until("a mail from the daemon", PATIENCE, || {
        !smtp.mails().is_empty()
    })
    .await;
    assert_eq!(smtp.mails().len(), 1, "the daemon polled and delivered");

    let output = daemon.stop().await;
    assert_exit(&output, 0);
    assert_contains(&stderr(&output), "SIGTERM received");
    assert_eq!(smtp.mails().len(), 1, "nothing sent twice");
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mail_reports_what_the_server_said() {
    let smtp = SmtpSink::start();
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}",
        smtp.config(),
        feed("wire", "https://news.test/feed.xml"),
        ceasefire_rule(),
    ));

    // Without --to: the rules' first recipient.
    let sent = env.newshound(&["test-mail"]).await;
    assert_exit(&sent, 0);
    let out = stdout(&sent);
    assert!(
        out.starts_with("test mail to desk@example.org: accepted by SMTP 127.0.0.1:")
            && out.contains(": 250"),
        "{out}"
    );
    let mail = &smtp.mails()[0];
    assert_eq!(mail.to, ["desk@example.org"]);
    let parsed = mail.parsed();
    assert_eq!(parsed.subject(), Some("[newshound] test mail"));
    assert!(parsed.header("List-Id").is_some());

    // A server that is not there: exit 1 and the reason.
    env.write_config(&format!(
        "{}{}",
        smtp_config(free_port()),
        feed("wire", "https://news.test/feed.xml"),
    ));
    let down = env
        .newshound(&["test-mail", "--to", "other@example.org"])
        .await;
    assert_exit(&down, 1);
    assert_contains(
        &stdout(&down),
        "test mail to other@example.org: not sent via SMTP 127.0.0.1:",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_the_man_page_come_from_the_command_line() {
    let env = Env::new();
    let bash = env.newshound(&["completions", "bash"]).await;
    assert_exit(&bash, 0);
    assert_contains(&stdout(&bash), "complete -F _newshound");
    assert!(stdout(&bash).contains("discover"));
    let man = env.newshound(&["man"]).await;
    assert_exit(&man, 0);
    let page = stdout(&man);
    assert_contains(&page, ".TH newshound 1");
    assert!(page.contains("search") && page.contains("digest"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_stops_early_ends_a_command_quietly() {
    use std::io::{BufRead, BufReader};
    let env = Env::new();
    let file = env.dir.path().join("many.xml");
    let many = rss_numbered("https://news.test", 0..20_000, "t", "d");
    std::fs::write(&file, many).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newshound"))
        .arg("inspect")
        .arg(&file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, as `| head -1` does.
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("{\"id\""), "{first}");
    let output = child.wait_with_output().unwrap();
    // 128 + SIGPIPE, as a shell reports a writer its reader stopped.
    assert_eq!(output.status.code(), Some(141), "{:?}", output.status);
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn json_feeds_other_lenient_readers_read_are_read() {
    let env = Env::new();
    let cases = [
        (
            "tags.json",
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","url":"https://blog.test/1","title":"Ceasefire","tags":"peace, talks"}]}"#,
            vec!["Ceasefire"],
        ),
        (
            "rss.json",
            r#"{"rss":{"version":"2.0","channel":{"title":"Scripting","link":"https://blog.test/","item":[{"title":"Truce","link":"https://blog.test/2","guid":{"flPermaLink":true,"value":"https://blog.test/2"},"pubDate":"Mon, 01 Dec 2025 14:05:00 GMT"}]}}}"#,
            vec!["Truce"],
        ),
        (
            "cut.json",
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":"1","title":"One"},{"id":"2","title":"Two"},{"id":"3","tit"#,
            vec!["One", "Two"],
        ),
    ];
    for (name, text, titles) in cases {
        let file = env.dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let output = env.newshound(&["inspect", file.to_str().unwrap()]).await;
        assert_exit(&output, 0);
        let read: Vec<String> = stdout(&output)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["title"].to_string())
            .map(|t| t.trim_matches('"').to_string())
            .collect();
        assert_eq!(read, titles, "{name}");
    }
}

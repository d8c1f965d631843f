//! Webhooks: an alert POSTed as JSON to a server on 127.0.0.1, through the
//! same queue as mail: a 5xx is retried, a 4xx is dead.

mod common;

use common::*;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config(feeds: &MockServer, hooks: &MockServer) -> String {
    format!(
        "{}[[webhook]]\nname = \"ntfy\"\nurl = \"{}/hook\"\nheaders = {{ Authorization = \"Bearer t0ken\" }}\n\
         [[rule]]\nname = \"ceasefire\"\nquery = 'ceasefire'\nnotify = [\"ntfy\"]\n",
        wire_feed(feeds),
        hooks.uri()
    )
}

async fn serve_feed(server: &MockServer) {
    let body = rss(
        &server.uri(),
        &[Item::new("1", "Ceasefire agreed", "Both sides signed.")],
    );
    serve_xml(server, "/feed.xml", body).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alert_is_posted_as_json_once() {
    let (feeds, hooks) = (MockServer::start().await, MockServer::start().await);
    serve_feed(&feeds).await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .and(header("Authorization", "Bearer t0ken"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&hooks)
        .await;
    let env = Env::new();
    env.write_config(&config(&feeds, &hooks));

    let output = env.poll(0).await;
    assert_contains(&stdout(&output), "alerts: 1 sent via Maildir");
    env.poll(0).await;
    let calls = hooks.received_requests().await.unwrap();
    assert_eq!(calls.len(), 1, "posted once");
    let json: serde_json::Value = serde_json::from_slice(&calls[0].body).unwrap();
    assert_eq!(json["title"], "Ceasefire agreed");
    assert_eq!(json["feeds"], serde_json::json!(["wire"]));
    assert_eq!(json["rules"][0]["name"], "ceasefire");
    assert!(
        env.maildir_new().is_empty(),
        "no mail: the rule notifies only the webhook"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_webhook_is_retried_and_a_refusing_one_is_dead() {
    for (status, pending, dead) in [(503, 1, 0), (404, 0, 1)] {
        let (feeds, hooks) = (MockServer::start().await, MockServer::start().await);
        serve_feed(&feeds).await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status))
            .mount(&hooks)
            .await;
        let env = Env::new();
        env.write_config(&config(&feeds, &hooks));

        env.poll(1).await;
        let json = env.status_json().await;
        assert_eq!(json["deliveries"]["pending"], pending, "{status}");
        assert_eq!(json["deliveries"]["dead"], dead, "{status}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_notify_target_names_the_known_ones() {
    let env = Env::new();
    env.write_config(
        "[[webhook]]\nname = \"ntfy\"\nurl = \"https://ntfy.example/t\"\n\
         [[rule]]\nname = \"r\"\nquery = 'x'\nnotify = [\"slack\"]\n",
    );
    let output = env.newshound(&["check"]).await;
    assert_exit(&output, 2);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_contains(
        &err,
        "unknown notify target \"slack\" (known: \"immediate\", \"ntfy\")",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_that_is_down_does_not_hold_up_mail() {
    let (feeds, hooks) = (MockServer::start().await, MockServer::start().await);
    let smtp = SmtpSink::start();
    let body = rss(
        &feeds.uri(),
        &[
            Item::new("1", "Ceasefire agreed", "x"),
            Item::new("2", "Ceasefire holds", "y"),
        ],
    );
    serve_xml(&feeds, "/feed.xml", body).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&hooks)
        .await;
    let env = Env::new();
    // One send at a time, so the webhook's failure comes before the second mail.
    env.write_config(&format!(
        "{}connections = 1\n{}[[webhook]]\nname = \"ntfy\"\nurl = \"{}/hook\"\n\
         [[rule]]\nname = \"ceasefire\"\nquery = 'ceasefire'\nnotify = [\"immediate\", \"ntfy\"]\nto = [\"desk@example.org\"]\n",
        smtp.config(),
        wire_feed(&feeds),
        hooks.uri()
    ));

    env.poll(1).await;
    assert_eq!(smtp.mails().len(), 2, "both mails went");
    let json = env.status_json().await;
    assert_eq!(json["deliveries"]["pending"], 2, "both webhook calls wait");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_url_kept_in_a_file_appears_in_no_output_log_or_row() {
    let feeds = feed_server(&[Item::new("1", "Ceasefire agreed", "x")]).await;
    let env = Env::new();
    // Nothing listens there: the call fails with a transport error, whose
    // text reqwest would give with the whole URL.
    let token = "T0KEN-c4nary-91f3";
    let url_file = env.dir.path().join("hook-url");
    std::fs::write(
        &url_file,
        format!("http://127.0.0.1:{}/hook/{token}\n", free_port()),
    )
    .unwrap();
    env.write_config(&format!(
        "{}[[webhook]]\nname = \"ntfy\"\nurl_file = \"{}\"\n\
         [[rule]]\nname = \"ceasefire\"\nquery = 'ceasefire'\nnotify = [\"ntfy\"]\n",
        wire_feed(&feeds),
        url_file.display()
    ));

    let output = env
        .newshound_with(&[("RUST_LOG", "debug")], &["poll"])
        .await;
    assert_exit(&output, 1);
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert_contains(&said, "webhook \"ntfy\"");
    assert!(!said.contains(token), "{said}");
    let db = rusqlite::Connection::open(env.database()).unwrap();
    let error: String = db
        .query_row("SELECT last_error FROM deliveries", [], |r| r.get(0))
        .unwrap();
    assert_contains(&error, "webhook \"ntfy\"");
    drop(db);
    for file in std::fs::read_dir(env.state_dir()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(token), "the token is stored");
    }
}

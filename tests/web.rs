//! The web interface over HTTP on 127.0.0.1: every page over a real
//! archive, hostile feed text escaped, the security headers, the password,
//! and the refusal to serve the archive off loopback without one.

mod common;

use common::web_server::{WebServer, fetch};
use common::*;

/// An archive with a mailed story, a hostile one, and a mail the server
/// refused for good.
async fn archive(env: &Env) -> (wiremock::MockServer, SmtpSink) {
    let server = wiremock::MockServer::start().await;
    serve_rss(
        &server,
        "/wire.xml",
        &[
            Item::new("1", "Ceasefire holds in the north", "The ceasefire agreed on Monday held.")
                .link("https://example.org/holds"),
            // Escaped for the XML: the titles read `<script>…` once parsed.
            Item::new(
                "2",
                "&lt;script&gt;alert('x')&lt;/script&gt; ceasefire &lt;img src=x onerror=alert(1)&gt;",
                "A ceasefire report.",
            )
            .link("javascript:alert(1)"),
            Item::new("3", "Truce announced", "A truce was announced at dawn.")
                .link("https://example.org/truce"),
        ],
    )
    .await;
    let smtp = SmtpSink::refusing("refused@example.org");
    env.write_config(&format!(
        "{}\n{}\n{}\n{}",
        smtp.config(),
        // The links point away: the feed's text is what is matched.
        feed_at("wire", &server, "/wire.xml") + "scrape = false\n",
        ceasefire_rule(),
        rule("truce", "truce", &["refused@example.org"]),
    ));
    env.poll(1).await;
    (server, smtp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_shows_the_archive_with_feed_text_escaped() {
    let env = Env::new();
    let (_feeds, _smtp) = archive(&env).await;
    let web = WebServer::start(&env).await;

    let (status, headers, stories) = web.get("/").await;
    assert_eq!(status, 200, "{stories}");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    assert_contains_all(
        &stories,
        &[
            "<a href=\"https://example.org/holds\" rel=\"noopener noreferrer\">Ceasefire holds in the north</a>",
            "mailed to desk@example.org: sent",
            "mailed to refused@example.org: dead",
            "<mark>",
        ],
    );
    assert!(
        stories.contains("&#60;script&#62;alert") || stories.contains("&lt;script&gt;alert"),
        "the hostile title is shown, escaped: {stories}"
    );
    assert!(!stories.contains("<script>alert"), "{stories}");
    assert!(!stories.contains("<img src=x"), "{stories}");
    assert!(
        !stories.contains("javascript:"),
        "a javascript: link is not a link: {stories}"
    );

    let (_, _, filtered) = web.get("/?rule=truce").await;
    assert!(filtered.contains("Truce announced") && !filtered.contains("Ceasefire holds"));

    let (status, _, search) = web.get("/search?q=ceasefire").await;
    assert_eq!(status, 200);
    assert_contains_all(
        &search,
        &["Ceasefire holds in the north", "Results 1–2", "<mark>"],
    );
    assert!(!search.contains("Truce announced"));
    let (_, _, bad) = web.get("/search?q=%28ceasefire").await;
    assert!(
        bad.contains("class=\"error\""),
        "a query that does not parse says why: {bad}"
    );

    let (status, _, tested) = web.get("/test?q=ceasefire+OR+truce&days=7").await;
    assert_eq!(status, 200);
    assert_contains_all(
        &tested,
        &["3 matching entries in 7 days", "<svg class=\"chart\""],
    );

    let (_, _, trends) = web.get("/trends").await;
    assert_contains_all(
        &trends,
        &["/trends/ceasefire", "/trends/truce", "<svg class=\"spark\""],
    );
    let (status, _, trend) = web.get("/trends/ceasefire").await;
    assert_eq!(status, 200);
    assert_contains_all(
        &trend,
        &[
            "ceasefire: matches per day",
            "class=\"average\"",
            "2 matches",
        ],
    );
    assert_eq!(web.get("/trends/nothing-such").await.0, 404);

    let (_, _, feeds) = web.get("/feeds").await;
    assert_contains_all(&feeds, &["wire", "state-ok", "<svg class=\"spark\""]);

    let (_, _, outbox) = web.get("/outbox").await;
    assert_contains_all(&outbox, &["dead", "refused@example.org", "Truce announced"]);
    assert!(
        !outbox.contains("desk@example.org"),
        "sent mail is not listed: {outbox}"
    );

    // Read-only: nothing answers a POST.
    let (status, _, _) = fetch(reqwest::Client::new().post(format!("{}/", web.base))).await;
    assert_eq!(status, 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_file_guards_every_page() {
    let env = Env::new();
    let (_feeds, smtp) = archive(&env).await;
    let password = env.state_dir().join("web-password");
    std::fs::write(&password, "s3cret\n").unwrap();
    env.write_config(&format!(
        "{}\n{}\n{}\n[web]\npassword_file = \"{}\"\n",
        smtp.config(),
        feed("wire", "http://127.0.0.1:9/wire.xml"),
        ceasefire_rule(),
        password.display()
    ));
    let web = WebServer::start(&env).await;
    let client = reqwest::Client::new();
    for path in ["/", "/search?q=ceasefire", "/feeds", "/static/style.css"] {
        let (status, headers, _) = web.get(path).await;
        assert_eq!(status, 401, "{path} without a password");
        assert!(
            headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic")
        );
        let wrong = client
            .get(format!("{}{path}", web.base))
            .basic_auth("anyone", Some("s3cre"));
        assert_eq!(fetch(wrong).await.0, 401, "{path} with a wrong password");
        let right = client
            .get(format!("{}{path}", web.base))
            .basic_auth("anyone", Some("s3cret"));
        assert_eq!(fetch(right).await.0, 200, "{path} with the password");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_archive_is_not_served_off_loopback_without_a_password() {
    let env = Env::new();
    env.write_config(&format!(
        "{}\n{}\n[web]\nlisten = \"0.0.0.0:8080\"\n",
        feed("wire", "http://127.0.0.1:9/wire.xml"),
        ceasefire_rule()
    ));
    let checked = env.newshound(&["check"]).await;
    assert_exit(&checked, 2);
    assert_contains_all(
        &stderr(&checked),
        &["0.0.0.0:8080", "password_file", "trusted_proxy_header"],
    );

    env.write_config(&format!(
        "{}\n{}\n",
        feed("wire", "http://127.0.0.1:9/wire.xml"),
        ceasefire_rule()
    ));
    let served = env.newshound(&["web", "--listen", "0.0.0.0:0"]).await;
    assert_exit(&served, 2);
    assert_contains(&stderr(&served), "reachable from other machines");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_the_pages_while_it_polls() {
    let env = Env::new();
    let (feeds, smtp) = archive(&env).await;
    let port = free_port();
    env.write_config(&format!(
        "{}\n{}\n{}\n[web]\nlisten = \"127.0.0.1:{port}\"\n",
        smtp.config(),
        feed_at("wire", &feeds, "/wire.xml") + "scrape = false\n",
        ceasefire_rule()
    ));
    let daemon = env.spawn_daemon();
    daemon.wait_for_log("web interface on", 1).await;
    let (status, _, page) =
        fetch(reqwest::Client::new().get(format!("http://127.0.0.1:{port}/"))).await;
    assert_eq!(status, 200);
    assert_contains(&page, "Ceasefire holds in the north");
    let stopped = daemon.stop().await;
    assert!(stopped.status.success(), "{}", stderr(&stopped));
}

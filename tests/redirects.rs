//! Redirects and gone feeds: permanent moves followed after three polls,
//! temporary ones never, loops and caps, 410 disabling a feed.

mod common;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn redirect(server: &MockServer, from: &str, status: u16, to: &str) {
    Mock::given(method("GET"))
        .and(path(from))
        .respond_with(ResponseTemplate::new(status).insert_header("Location", to))
        .mount(server)
        .await;
}

async fn serve_feed(server: &MockServer, route: &str) {
    let body = rss(&server.uri(), &[Item::new("1", "Truce", "x")]);
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(rss_response(body))
        .mount(server)
        .await;
}

/// The paths the server saw over four polls of a feed at /old.xml that
/// redirects with `status` to /new.xml.
async fn four_polls_through(status: u16) -> Vec<String> {
    let server = MockServer::start().await;
    redirect(&server, "/old.xml", status, "/new.xml").await;
    serve_feed(&server, "/new.xml").await;
    let env = Env::new();
    env.write_config(&feed_at("wire", &server, "/old.xml"));
    for _ in 0..4 {
        env.poll(0).await;
    }
    paths(&server).await
}

/// How often `asked` holds `/old.xml`.
fn old_asked(asked: &[String]) -> usize {
    asked.iter().filter(|p| *p == "/old.xml").count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_redirect_seen_three_times_moves_the_feed() {
    let asked = four_polls_through(301).await;
    assert_eq!(old_asked(&asked), 3, "{asked:?}");
    assert_eq!(asked.last().map(String::as_str), Some("/new.xml"));
    assert_eq!(
        asked[asked.len() - 2],
        "/new.xml",
        "the fourth poll went straight to the new URL"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_redirect_never_moves_the_feed() {
    let asked = four_polls_through(302).await;
    assert_eq!(old_asked(&asked), 4, "{asked:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn loops_caps_and_non_http_targets_are_refused() {
    let server = MockServer::start().await;
    redirect(&server, "/a.xml", 302, "/b.xml").await;
    redirect(&server, "/b.xml", 302, "/a.xml").await;
    for i in 0..7 {
        redirect(
            &server,
            &format!("/r{i}.xml"),
            302,
            &format!("/r{}.xml", i + 1),
        )
        .await;
    }
    redirect(&server, "/ftp.xml", 301, "ftp://files.example.org/feed.xml").await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{}{}",
        feed_at("loop", &server, "/a.xml"),
        feed_at("long", &server, "/r0.xml"),
        feed_at("ftp", &server, "/ftp.xml"),
    ));
    let output = env.poll(1).await;
    let out = stdout(&output);
    assert_contains(&out, "loop: failed (http): redirect loop:");
    assert_contains(&out, "long: failed (http): gave up after 5 redirects");
    assert_contains(
        &out,
        "ftp: failed (http): the server redirected to ftp://files.example.org/feed.xml, which is not an http(s) URL",
    );
    let asked = paths(&server).await;
    assert!(
        !asked.contains(&"/r6.xml".to_string()),
        "stopped at the cap: {asked:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn gone_disables_the_feed_until_a_person_retries_it() {
    let server = MockServer::start().await;
    respond_first(&server, "/feed.xml", 1, ResponseTemplate::new(410)).await;
    serve_feed(&server, "/feed.xml").await;
    let env = Env::new();
    env.write_config(&wire_feed(&server));

    let first = env.poll(1).await;
    assert_contains(
        &stdout(&first),
        "wire: failed (http): the server answered 410 Gone: the feed is gone",
    );
    let skipped = env.poll(0).await;
    assert_contains(&stdout(&skipped), "wire: disabled since");
    assert_eq!(
        paths(&server).await.len(),
        1,
        "a disabled feed is not polled"
    );
    let status = env.newshound(&["status", "--json"]).await;
    assert_contains(&stdout(&status), "\"state\":\"disabled\"");

    let retried = env.newshound(&["poll", "--feed", "wire"]).await;
    assert_exit(&retried, 0);
    assert_contains(&stdout(&retried), "wire: 1 new entries");
    let status = env.newshound(&["status", "--json"]).await;
    assert_contains(&stdout(&status), "\"state\":\"ok\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moved_feed_sends_its_secret_headers_only_to_its_configured_origin() {
    let old = MockServer::start().await;
    // The canary: another origin (another port), recording what reached it.
    let canary = MockServer::start().await;
    redirect(
        &old,
        "/feed.xml",
        301,
        &format!("{}/feed.xml", canary.uri()),
    )
    .await;
    serve_feed(&canary, "/feed.xml").await;
    let env = Env::new();
    let token = env.dir.path().join("token");
    std::fs::write(&token, "Bearer s3cret-canary\n").unwrap();
    env.write_config(&format!(
        "{}allow_private_network = true\nheaders = {{ Authorization = {{ file = \"{}\" }}, X-Team = \"desk\" }}\n",
        wire_feed(&old),
        token.display()
    ));
    for _ in 0..5 {
        env.poll(0).await;
    }

    let asked_old = old.received_requests().await.unwrap();
    assert_eq!(asked_old.len(), 3, "moved after three permanent redirects");
    assert!(
        asked_old
            .iter()
            .all(|r| r.headers.get("authorization").is_some())
    );
    let asked_canary = canary.received_requests().await.unwrap();
    assert_eq!(asked_canary.len(), 5);
    for request in &asked_canary {
        assert!(
            request.headers.get("authorization").is_none(),
            "{:?}",
            request.headers
        );
        assert!(
            request.headers.get("x-team").is_none(),
            "{:?}",
            request.headers
        );
    }
    let status = env.newshound(&["status"]).await;
    assert_contains(
        &stdout(&status),
        "another origin: its headers are not sent there",
    );
}

//! The web pages in a real browser: Debian's Chromium, headless, driven by
//! ChromeDriver over WebDriver. The stories page and a search typed into
//! the form show what the archive holds, the page logs no console error
//! (a Content-Security-Policy violation is one), and the trends page is
//! screenshot at 400 and 1200 px into target/screenshots for a person.
//!
//! Without /usr/bin/chromedriver the test says so and passes, unless
//! NEWSHOUND_BROWSER_TESTS=required (which `.ci/run` sets after installing
//! chromium and chromium-driver).

mod common;

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use common::web_server::WebServer;
use common::*;
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A WebDriver session.
struct Browser {
    http: reqwest::Client,
    session: String,
    driver: tokio::process::Child,
}

impl Browser {
    async fn start(profile: &Path) -> Browser {
        let port = free_port();
        let mut driver = tokio::process::Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..300 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            assert!(driver.try_wait().unwrap().is_none(), "chromedriver exited");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1200,900",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .header("content-type", "application/json")
            .body(capabilities.to_string())
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .map(|t| serde_json::from_str(&t).unwrap())
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Browser {
            http,
            session: format!("{base}/session/{session}"),
            driver,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.session))
            .timeout(Duration::from_secs(60));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let text = request.send().await.unwrap().text().await.unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert!(answer["value"].get("error").is_none(), "{path}: {answer}");
        answer["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    async fn element(&self, css: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    }

    /// The browser's console since the last call: (level, message).
    async fn console(&self) -> Vec<(String, String)> {
        let log = self
            .call(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({"type": "browser"})),
            )
            .await;
        log.as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["level"].as_str().unwrap_or_default().to_string(),
                    e["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    async fn screenshot(&self, width: u32, path: &Path) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": 1000})),
        )
        .await;
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        std::fs::write(path, bytes).unwrap();
    }

    async fn quit(mut self) {
        let _ = self
            .http
            .delete(&self.session)
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        let _ = self.driver.kill().await;
    }
}

fn no_errors(console: &[(String, String)], page: &str) {
    let errors: Vec<_> = console
        .iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(
        errors.is_empty(),
        "{page} logged console errors: {errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_a_real_browser() {
    if !Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var("NEWSHOUND_BROWSER_TESTS").as_deref() != Ok("required"),
            "NEWSHOUND_BROWSER_TESTS=required but {CHROMEDRIVER} is missing"
        );
        eprintln!("browser test not run: install chromium and chromium-driver");
        return;
    }
    let env = Env::new();
    let server = wiremock::MockServer::start().await;
    serve_rss(
        &server,
        "/wire.xml",
        &[
            Item::new(
                "1",
                "Ceasefire holds in the north",
                "The ceasefire agreed on Monday held.",
            )
            .link("https://example.org/holds"),
            Item::new(
                "2",
                "Mediation talks resume",
                "Mediators met again in Doha.",
            )
            .link("https://example.org/talks"),
        ],
    )
    .await;
    let smtp = SmtpSink::start();
    env.write_config(&format!(
        "{}\n{}scrape = false\n{}{}",
        smtp.config(),
        feed_at("wire", &server, "/wire.xml"),
        ceasefire_rule(),
        desk_rule("mediation"),
    ));
    env.poll(0).await;
    let web = WebServer::start(&env).await;
    let profile = tempfile::tempdir().unwrap();
    let browser = Browser::start(profile.path()).await;

    browser.go(&format!("{}/", web.base)).await;
    let titles = browser
        .script("return [...document.querySelectorAll('article.story h3')].map(h => h.textContent.trim())")
        .await;
    let titles: Vec<&str> = titles
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        titles.contains(&"Ceasefire holds in the north"),
        "{titles:?}"
    );
    assert!(titles.contains(&"Mediation talks resume"), "{titles:?}");
    no_errors(&browser.console().await, "/");

    // A search typed into the form, as a person does.
    browser.go(&format!("{}/search", web.base)).await;
    let input = browser.element("input[name=q]").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{input}/value"),
            Some(json!({"text": "mediation"})),
        )
        .await;
    let button = browser.element("form.query button").await;
    browser
        .call(
            reqwest::Method::POST,
            &format!("/element/{button}/click"),
            Some(json!({})),
        )
        .await;
    let mut count = Value::Null;
    for _ in 0..100 {
        count = browser
            .script("const c = document.getElementById('result-count'); return c && c.textContent")
            .await;
        if count.is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count.as_str(),
        Some("Results 1–1"),
        "the search ran and found one"
    );
    let shown = browser
        .script("return document.querySelector('article.story h3').textContent.trim()")
        .await;
    assert_eq!(shown.as_str(), Some("Mediation talks resume"));
    let marked = browser
        .script("return document.querySelector('mark').textContent")
        .await;
    assert_eq!(
        marked.as_str().map(str::to_lowercase).as_deref(),
        Some("mediation")
    );
    no_errors(&browser.console().await, "/search");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    browser.go(&format!("{}/trends/ceasefire", web.base)).await;
    for width in [400, 1200] {
        browser
            .screenshot(width, &shots.join(format!("trends-{width}.png")))
            .await;
        let overflow = browser
            .script("return document.documentElement.scrollWidth > window.innerWidth + 1")
            .await;
        assert_eq!(
            overflow,
            Value::Bool(false),
            "the trends page fits {width} px"
        );
    }
    no_errors(&browser.console().await, "/trends/ceasefire");
    browser.quit().await;
}

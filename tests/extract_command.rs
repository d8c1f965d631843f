//! `newshound extract`: one page from a file or from a server on
//! 127.0.0.1, with the feed's words as a hint and the method that found
//! the text, and a folder of pages with a hints file, as the extraction
//! benchmark runs it.

mod common;

use common::*;
use wiremock::{MockServer, ResponseTemplate};

/// A featured story that outscores the article, beside the article.
const TWO_STORIES: &str = include_str!("fixtures/featured-beside-article.html");

const SUMMARY: &str = "Story 1: Delegations met in Geneva for a second day and agreed…";

fn json_of(output: &std::process::Output) -> serde_json::Value {
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn a_page_served_on_localhost_comes_out_with_its_method() {
    let server = MockServer::start().await;
    let page = ResponseTemplate::new(200).set_body_raw(TWO_STORIES, "text/html; charset=utf-8");
    respond(&server, "/story", page).await;
    let url = format!("{}/story", server.uri());
    let env = Env::new();

    let plain = json_of(&env.newshound(&["extract", &url, "--json"]).await);
    assert_eq!(plain["method"], "blocks");
    assert!(plain["text"].as_str().unwrap().starts_with("Featured 1"));

    let args = ["extract", &url, "--json", "--summary", SUMMARY];
    let hinted = json_of(&env.newshound(&args).await);
    assert_eq!(hinted["method"], "hint");
    assert!(hinted["text"].as_str().unwrap().starts_with("Story 1"));

    let args = [
        "extract",
        &url,
        "--json",
        "--selector",
        "div:not(.main-story)",
    ];
    let selected = json_of(&env.newshound(&args).await);
    assert_eq!(selected["method"], "selector");
}

/// A batch's folders in `env`: the pages (`ID.html` for each of `ids`),
/// the hints file holding `hints`, and the output file.
struct Batch {
    pages: String,
    hints: String,
    out: String,
}

impl Batch {
    fn new(env: &Env, ids: &[&str], hints: &str) -> Batch {
        let pages = env.state_dir().join("pages");
        std::fs::create_dir_all(&pages).unwrap();
        for id in ids {
            std::fs::write(pages.join(format!("{id}.html")), TWO_STORIES).unwrap();
        }
        let hints_file = env.state_dir().join("hints.json");
        std::fs::write(&hints_file, hints).unwrap();
        let path = |p: std::path::PathBuf| p.to_str().unwrap().to_string();
        Batch {
            pages: path(pages),
            hints: path(hints_file),
            out: path(env.state_dir().join("out.json")),
        }
    }

    /// `extract --batch` over the pages, with `extra` arguments.
    async fn run(&self, env: &Env, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["extract", "--batch", &self.pages, "--out", &self.out];
        args.extend_from_slice(extra);
        env.newshound(&args).await
    }
}

#[tokio::test]
async fn a_batch_takes_each_page_hint_from_the_hints_file() {
    let env = Env::new();
    let hints = serde_json::json!({"a": {"summary": SUMMARY}}).to_string();
    let batch = Batch::new(&env, &["a", "b"], &hints);

    let run = batch.run(&env, &["--hints", &batch.hints]).await;
    assert!(run.status.success(), "{run:?}");
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&batch.out).unwrap()).unwrap();
    assert_eq!(results["a"]["method"], "hint");
    assert!(
        results["a"]["articleBody"]
            .as_str()
            .unwrap()
            .starts_with("Story 1")
    );
    assert_eq!(results["b"]["method"], "blocks");
}

#[tokio::test]
async fn a_broken_hints_file_or_tuning_is_refused_with_the_reason() {
    let env = Env::new();
    let batch = Batch::new(&env, &[], "[1, 2");

    let run = batch.run(&env, &["--hints", &batch.hints]).await;
    assert_eq!(run.status.code(), Some(1));
    assert_contains(
        &String::from_utf8_lossy(&run.stderr),
        "is not a JSON object",
    );

    let run = batch.run(&env, &["--tuning", "depth=3"]).await;
    assert_eq!(run.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&run.stderr), "tuning \"depth=3\"");
}

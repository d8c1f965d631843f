//! One story, one alert: copies of a wire story under other URLs, with
//! other headlines, datelines, cuts and boilerplate, recognised by their
//! text. Feeds and pages served from 127.0.0.1, a real SMTP server on
//! 127.0.0.1, the SQLite file.

mod common;

use std::time::Duration;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A wire story, as the agency sent it.
const WIRE: &str = "Negotiators from both sides met in Doha on Tuesday and agreed to a \
    ceasefire that will take effect at midnight, officials familiar with the talks said. \
    The agreement follows weeks of shuttle diplomacy by Qatari and Egyptian mediators and \
    includes the exchange of prisoners held by both sides, the opening of two border \
    crossings for aid convoys and a joint commission to monitor violations. Aid groups \
    welcomed the deal but warned that the humanitarian situation in the region remained \
    dire after months of fighting. The United Nations said it was ready to send food, \
    fuel and medical supplies as soon as the crossings opened, and called on both sides \
    to keep their word. Diplomats cautioned that earlier truces had collapsed within days.";

/// Another report of the same event, written independently.
const OTHER: &str = "A truce brokered by Qatar and Egypt is due to begin at midnight, after \
    delegations meeting in the Qatari capital reached agreement late on Tuesday. Under the \
    terms, captives will be released in stages and lorries carrying aid will be allowed \
    through two frontier posts, while a commission made up of both parties watches for \
    breaches. Relief organisations said conditions on the ground were desperate and urged \
    that the ceasefire hold. UN agencies said supplies were waiting at the border. Several \
    previous pauses in the fighting broke down quickly, and residents said they were \
    sceptical this one would last.";

/// An outlet's copy of the wire story: its dateline, and with `cut` only
/// the first two thirds of the text, then the outlet's own boilerplate.
fn copy(dateline: &str, cut: bool) -> String {
    let words: Vec<&str> = WIRE.split_whitespace().collect();
    let kept = match cut {
        true => words[..words.len() * 2 / 3].join(" "),
        false => words.join(" "),
    };
    format!("{dateline} {kept} Sign up for our morning newsletter to get the news first.")
}

/// Serves the feed `name` at `/NAME.xml` with one item per (guid, title, text).
async fn serve_feed(server: &MockServer, name: &str, items: &[(&str, &str, &str)]) -> String {
    let items: Vec<Item> = items
        .iter()
        .map(|(guid, title, text)| Item::new(guid, title, text))
        .collect();
    serve_rss(server, &format!("/{name}.xml"), &items).await;
    feed_at(name, server, &format!("/{name}.xml"))
}

/// Three outlets carrying the wire story, one also carrying another
/// report of the event; their `[[feed]]` sections. The copies are whole
/// (a dateline and boilerplate aside), so whichever is polled first, the
/// others are almost wholly in it. A copy cut short joins only when it
/// comes after the whole text: the whole text after the cut one would look
/// like an update that adds much, a story of its own.
async fn three_outlets(server: &MockServer) -> String {
    let mut feeds = serve_feed(
        server,
        "wire",
        &[
            (
                "w1",
                "Ceasefire agreed in Doha talks",
                &copy("DOHA (Reuters) -", false),
            ),
            ("w2", "Truce to begin at midnight", OTHER),
        ],
    )
    .await;
    feeds += &serve_feed(
        server,
        "daily",
        &[(
            "d1",
            "Warring sides agree to a ceasefire",
            &copy("DOHA, Dec 3 (Reuters) -", false),
        )],
    )
    .await;
    feeds += &serve_feed(
        server,
        "agency",
        &[(
            "a1",
            "UPDATE 1-Ceasefire deal reached",
            &copy("DOHA -", false),
        )],
    )
    .await;
    feeds
}

/// The row id of the entry `identity` of `feed`.
fn entry_id(env: &Env, feed: &str, identity: &str) -> i64 {
    env.number(&format!(
        "SELECT id FROM entries WHERE feed = '{feed}' AND identity = 'guid:{identity}'"
    ))
    .unwrap_or_else(|| panic!("entry {identity} of {feed} is stored"))
}

#[tokio::test(flavor = "multi_thread")]
async fn copies_in_three_outlets_are_one_mail_and_a_late_copy_sends_nothing() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let feeds = three_outlets(&server).await;
    let env = Env::new();
    env.write_config(&format!("{}{feeds}{}", smtp.config(), ceasefire_rule()));

    env.poll(0).await;
    let mut subjects = subjects(&smtp);
    subjects.sort();
    assert_eq!(
        subjects.len(),
        2,
        "the copies and the other report: {subjects:?}"
    );
    assert_contains(&subjects.join("\n"), "Truce to begin at midnight");
    let copies = smtp
        .mails()
        .into_iter()
        .map(|m| m.parsed().body_text(0).unwrap().to_string())
        .find(|text| !text.contains("Truce to begin"))
        .unwrap();
    assert_contains(&copies, "Feeds:     agency, daily, wire (3 outlets)");

    // A fourth outlet's copy, a poll later: it joins the story, and no one
    // is mailed again.
    let late = serve_feed(
        &server,
        "local",
        &[(
            "l1",
            "Ceasefire to start tonight",
            &copy("DOHA (AP) —", true),
        )],
    )
    .await;
    env.write_config(&format!(
        "{}{feeds}{late}{}",
        smtp.config(),
        ceasefire_rule()
    ));
    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 2, "the late copy sends nothing");

    let story = env
        .newshound(&["story", &entry_id(&env, "local", "l1").to_string()])
        .await;
    assert_exit(&story, 0);
    let listed = stdout(&story);
    assert_contains(&listed, "4 entries in 4 outlets");
    assert_contains_all(
        &listed,
        &[
            "wire  Ceasefire agreed in Doha talks  (",
            "daily  Warring sides agree to a ceasefire  (",
            "agency  UPDATE 1-Ceasefire deal reached  (",
            "local  Ceasefire to start tonight  (copy, ",
        ],
    );
    assert_eq!(listed.matches("(first)").count(), 1, "{listed}");
    assert_eq!(
        listed.matches("% of its text in an earlier one)").count(),
        3
    );
    assert!(!listed.contains("Truce to begin"), "{listed}");
    // The other report is a story of its own.
    let other = env
        .newshound(&["story", &entry_id(&env, "wire", "w2").to_string()])
        .await;
    assert_contains(&stdout(&other), "1 entry in 1 outlet");

    let status = env.status_json().await;
    let copies_of = |feed: &str| {
        status["feeds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == feed)
            .map(|f| f["copies"].as_i64().unwrap())
    };
    // The three polled together: one of them brought the story first.
    let first_three: i64 = ["wire", "daily", "agency"]
        .iter()
        .map(|f| copies_of(f).unwrap())
        .sum();
    assert_eq!(first_three, 2);
    assert_eq!(copies_of("local"), Some(1));

    // Search shows the story once, with its outlets.
    let search = env.newshound(&["search", "ceasefire"]).await;
    assert_exit(&search, 0);
    let found = stdout(&search);
    assert_contains(&found, "2 result(s)");
    assert_contains(&found, "in 4 outlets: agency, daily, local, wire");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_lists_a_story_once_with_its_outlets() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let feeds = three_outlets(&server).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{feeds}[[rule]]\nname = \"ceasefire\"\nquery = \"ceasefire\"\nnotify = [\"morning\"]\n\
         [[digest]]\nname = \"morning\"\nschedule = \"0 7 * * *\"\nto = [\"editor@example.org\"]\n",
        smtp.config()
    ));
    env.poll(0).await;
    let sent = env.newshound(&["digest", "morning", "--now"]).await;
    assert_exit(&sent, 0);
    assert_contains(&stdout(&sent), "2 matches in 1 mail(s)");
    let text = smtp.mails()[0].parsed().body_text(0).unwrap().to_string();
    assert_contains(&text, "agency, daily, wire (3 outlets)");
    assert_contains(&text, "Truce to begin at midnight");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_that_wants_every_copy_mails_each() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    let feeds = three_outlets(&server).await;
    let env = Env::new();
    env.write_config(&format!(
        "{}{feeds}{}copies = \"all\"\n",
        smtp.config(),
        ceasefire_rule()
    ));
    env.poll(0).await;
    assert_eq!(smtp.mails().len(), 4, "{:?}", subjects(&smtp));
}

/// The outlets whose items link to a page holding their copy.
const OUTLETS_WITH_PAGES: [&str; 2] = ["wire", "daily"];

/// Serves the feed `name`, one item linking to `/pages/NAME`, and that
/// page, a whole copy of the wire story, answered after `delay`; the
/// feed's `[[feed]]`, its pages allowed on 127.0.0.1.
async fn serve_outlet_with_page(server: &MockServer, name: &str, delay: Duration) -> String {
    let page_route = format!("/pages/{name}");
    let items = [Item::new(name, "Ceasefire agreed", "Talks ended.")
        .link(&format!("{}{page_route}", server.uri()))];
    serve_rss(server, &format!("/{name}.xml"), &items).await;
    let page = format!(
        "<html><body><article><h1>Ceasefire agreed</h1><p>{}</p></article></body></html>",
        copy(&format!("DOHA ({name}) -"), false)
    );
    Mock::given(method("GET"))
        .and(path(page_route))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(page, "text/html")
                .set_delay(delay),
        )
        .mount(server)
        .await;
    feed_at(name, server, &format!("/{name}.xml")) + "allow_private_network = true\n"
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_before_its_copies_are_clustered_a_story_still_alerts_once() {
    let server = MockServer::start().await;
    let smtp = SmtpSink::start();
    // Two outlets whose items' pages hold the copies; the pages hang, so
    // the entries are stored and wait for them, unclustered.
    let hang = Duration::from_secs(60);
    let mut feeds = String::new();
    for name in OUTLETS_WITH_PAGES {
        feeds += &serve_outlet_with_page(&server, name, hang).await;
    }
    let env = Env::new();
    env.write_config(&format!("{}{feeds}{}", smtp.config(), ceasefire_rule()));
    let daemon = env.spawn_daemon();
    wait_for_requests(&server, "/pages/wire", 1).await;
    wait_for_requests(&server, "/pages/daily", 1).await;
    daemon.kill().await;
    assert_eq!(
        env.number("SELECT COUNT(*) FROM entries WHERE processed_at IS NULL"),
        Some(2)
    );
    assert!(smtp.mails().is_empty());

    // The pages answer now: the restart reads them, clusters the copies,
    // and mails the story once.
    server.reset().await;
    for name in OUTLETS_WITH_PAGES {
        serve_outlet_with_page(&server, name, Duration::ZERO).await;
    }
    env.poll(0).await;
    assert_eq!(
        env.number("SELECT COUNT(*) FROM entries WHERE processed_at IS NULL"),
        Some(0)
    );
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1, "{:?}", subjects(&smtp));
    let text = mails[0].parsed().body_text(0).unwrap().to_string();
    assert_contains(&text, "daily, wire (2 outlets)");
}

#[tokio::test(flavor = "multi_thread")]
async fn story_needs_an_entry_that_exists_and_batch_a_directory_of_its_own() {
    let env = Env::new();
    env.write_config("");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("batch.jsonl");
    let line = |id: &str, feed: &str, title: &str, text: &str| {
        serde_json::json!({"id": id, "feed": feed, "title": title, "text": text}).to_string()
    };
    std::fs::write(
        &file,
        [
            line(
                "a",
                "wire",
                "Ceasefire agreed",
                &copy("DOHA (Reuters) -", false),
            ),
            line("b", "daily", "Warring sides agree", &copy("DOHA -", true)),
            line("c", "wire", "Truce to begin", OTHER),
        ]
        .join("\n"),
    )
    .unwrap();
    let batch = env
        .newshound(&["story", "--batch", file.to_str().unwrap()])
        .await;
    assert_exit(&batch, 0);
    let stories: Vec<serde_json::Value> = stdout(&batch)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let story: Vec<&str> = stories
        .iter()
        .map(|s| s["story"].as_str().unwrap())
        .collect();
    assert_eq!(story, ["a", "a", "c"]);
    assert!(stories[1]["similarity"].as_f64().unwrap() > 0.9);
    assert!(stories[2]["similarity"].as_f64().unwrap_or(0.0) < 0.3);

    // Once more into the same directory: refused, nothing mixed.
    let again = env
        .newshound(&["story", "--batch", file.to_str().unwrap()])
        .await;
    assert_exit(&again, 2);
    assert_contains(&stderr(&again), "needs a state directory of its own");

    let missing = env.newshound(&["story", "999"]).await;
    assert_exit(&missing, 2);
    assert_contains(&stderr(&missing), "no entry 999");
}

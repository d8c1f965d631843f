//! Shared test harness: a real SMTP server on 127.0.0.1, feed documents,
//! a state directory, and the `newshound` binary run as a process.

#![allow(dead_code)]

use std::io;
use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// One mail as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parsable mail")
    }
}

#[derive(Clone, Default)]
struct Capture {
    mails: Arc<Mutex<Vec<Received>>>,
    /// SMTP sessions opened (greetings received).
    sessions: Arc<AtomicUsize>,
    /// A recipient refused for good (550) at RCPT.
    refused: Option<String>,
    current: Option<Received>,
}

impl Handler for Capture {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        match &self.refused {
            Some(refused) if to.contains(refused.as_str()) => response::NO_MAILBOX,
            _ => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            to: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(mail) = &mut self.current {
            mail.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(mail) = self.current.take() {
            self.mails.lock().unwrap().push(mail);
        }
        response::OK
    }
}

/// A real SMTP server on 127.0.0.1 (mailin-embedded, in a background
/// thread of the test process) that keeps every mail it accepts.
pub struct SmtpSink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Received>>>,
    sessions: Arc<AtomicUsize>,
}

impl SmtpSink {
    /// Starts on a free port.
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// Starts on `port`, which a test reserved earlier.
    pub fn start_at(port: u16) -> SmtpSink {
        SmtpSink::start_on(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    /// Starts on a free port, refusing mail to `recipient` for good (550).
    pub fn refusing(recipient: &str) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        SmtpSink::serve(listener, Some(recipient.to_string()))
    }

    fn start_on(listener: TcpListener) -> SmtpSink {
        SmtpSink::serve(listener, None)
    }

    fn serve(listener: TcpListener, refused: Option<String>) -> SmtpSink {
        let port = listener.local_addr().unwrap().port();
        let capture = Capture {
            refused,
            ..Capture::default()
        };
        let mails = Arc::clone(&capture.mails);
        let sessions = Arc::clone(&capture.sessions);
        let mut server = Server::new(capture);
        server
            .with_name("sink.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            // The server runs until the test process ends.
            let _ = server.serve();
        });
        SmtpSink {
            port,
            mails,
            sessions,
        }
    }

    pub fn mails(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
    }

    /// How many SMTP sessions clients have opened (EHLO or HELO sent).
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    /// The `[smtp]` section that sends to this server.
    pub fn config(&self) -> String {
        smtp_config(self.port)
    }
}

pub fn smtp_config(port: u16) -> String {
    format!(
        "[smtp]\nurl = \"smtp://127.0.0.1:{port}\"\nfrom = \"newshound <alerts@example.org>\"\n"
    )
}

/// A port on 127.0.0.1 where nothing listens (until a test starts something).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One RSS item.
pub struct Item<'a> {
    pub guid: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub published: DateTime<Utc>,
    /// The item's link; by default `BASE/story/GUID`.
    pub link: Option<String>,
}

impl<'a> Item<'a> {
    pub fn new(guid: &'a str, title: &'a str, description: &'a str) -> Item<'a> {
        Item {
            guid,
            title,
            description,
            published: Utc::now() - chrono::Duration::minutes(30),
            link: None,
        }
    }

    pub fn link(mut self, link: &str) -> Item<'a> {
        self.link = Some(link.to_string());
        self
    }

    pub fn published(mut self, at: DateTime<Utc>) -> Item<'a> {
        self.published = at;
        self
    }
}

/// An RSS 2.0 document holding `items`; links are under `base`.
pub fn rss(base: &str, items: &[Item]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Test wire</title>\
         <link>https://news.test/</link><description>t</description>\n",
    );
    for item in items {
        let link = item
            .link
            .clone()
            .unwrap_or_else(|| format!("{base}/story/{}", item.guid));
        xml.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{}</guid><title>{}</title><link>{link}</link>\
             <description>{}</description><pubDate>{}</pubDate></item>\n",
            item.guid,
            item.title,
            item.description,
            item.published.to_rfc2822()
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

/// A config file and a state directory in a temporary folder.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("newshound.toml")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Writes the config, with `per_host_delay = "0s"` added: every test
    /// server is 127.0.0.1, one host, and a delay would only slow tests.
    pub fn write_config(&self, text: &str) {
        let text = if text.contains("[daemon]\n") {
            text.replacen("[daemon]\n", "[daemon]\nper_host_delay = \"0s\"\n", 1)
        } else {
            format!("{text}\n[daemon]\nper_host_delay = \"0s\"\n")
        };
        std::fs::write(self.config_path(), text).unwrap();
    }

    /// Runs `newshound --config … --state-dir … ARGS` to completion.
    pub async fn newshound(&self, args: &[&str]) -> Output {
        self.newshound_with(&[("RUST_LOG", "warn")], args).await
    }

    /// Like [`Env::newshound`], with these environment variables.
    pub async fn newshound_with(&self, env: &[(&str, &str)], args: &[&str]) -> Output {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_newshound"))
            .arg("--config")
            .arg(self.config_path())
            .arg("--state-dir")
            .arg(self.state_dir())
            .args(args)
            .envs(env.iter().copied())
            .output();
        tokio::time::timeout(Duration::from_secs(120), output)
            .await
            .expect("newshound finished within two minutes")
            .unwrap()
    }

    /// Starts `newshound run` in the background (killed if the test panics).
    pub fn spawn_daemon(&self) -> tokio::process::Child {
        self.spawn_daemon_with(&[])
    }

    /// Starts `newshound run` with extra environment variables.
    pub fn spawn_daemon_with(&self, env: &[(&str, &str)]) -> tokio::process::Child {
        tokio::process::Command::new(env!("CARGO_BIN_EXE_newshound"))
            .envs(env.iter().copied())
            .arg("--config")
            .arg(self.config_path())
            .arg("--state-dir")
            .arg(self.state_dir())
            .arg("run")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    }

    /// Sends SIGTERM to a daemon and waits (at most a minute) for it to end.
    pub async fn stop_daemon(daemon: tokio::process::Child) -> Output {
        let pid = daemon.id().expect("the daemon is running").to_string();
        let kill = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(kill.success());
        tokio::time::timeout(Duration::from_secs(60), daemon.wait_with_output())
            .await
            .expect("the daemon stops after SIGTERM")
            .unwrap()
    }

    /// The files delivered to the Maildir's `new/`.
    pub fn maildir_new(&self) -> Vec<PathBuf> {
        let dir = self.state_dir().join("Maildir/new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    pub fn database(&self) -> PathBuf {
        self.state_dir().join("newshound.db")
    }
}

/// A `[[feed]]` section.
pub fn feed(name: &str, url: &str) -> String {
    format!("[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n")
}

/// A `[[rule]]` section notifying `immediate` to `to`.
pub fn rule(name: &str, query: &str, to: &[&str]) -> String {
    let to: Vec<String> = to.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "[[rule]]\nname = \"{name}\"\nquery = '{query}'\nnotify = [\"immediate\"]\nto = [{}]\n",
        to.join(", ")
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing the output when it differs.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// The usual test config: `smtp` (a section or ""), one feed "wire" at
/// `SERVER/feed.xml`, and a rule "ceasefire" mailing desk@example.org.
pub fn wire_config(smtp: &str, server_uri: &str) -> String {
    format!(
        "{smtp}{}{}",
        feed("wire", &format!("{server_uri}/feed.xml")),
        rule("ceasefire", "ceasefire", &["desk@example.org"]),
    )
}

/// The subjects of every mail the server received, in arrival order.
pub fn subjects(smtp: &SmtpSink) -> Vec<String> {
    smtp.mails()
        .iter()
        .map(|m| m.parsed().subject().unwrap_or_default().to_string())
        .collect()
}

/// Answers GET `route` on `server` with `response`.
pub async fn respond(
    server: &wiremock::MockServer,
    route: &str,
    response: wiremock::ResponseTemplate,
) {
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// The paths of every request `server` received, in order.
pub async fn paths(server: &wiremock::MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().map(|r| r.url.path().to_string()).collect()
}

/// Waits until `done` holds, looking every 50 ms for at most `limit`;
/// panics saying `what` did not happen otherwise.
pub async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + limit;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Serves an RSS document holding `items` at `route` on `server`.
pub async fn serve_rss(server: &wiremock::MockServer, route: &str, items: &[Item<'_>]) {
    let body = rss(&server.uri(), items);
    respond(
        server,
        route,
        wiremock::ResponseTemplate::new(200).set_body_raw(body, "application/rss+xml"),
    )
    .await;
}

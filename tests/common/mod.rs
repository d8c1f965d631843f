//! Shared test harness: a real SMTP server on 127.0.0.1, feed documents,
//! a state directory, and the `newshound` binary run as a process.

#![allow(dead_code)]

pub mod web_server;

use std::io;
use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use tokio::io::AsyncBufReadExt;
use tokio::net::UnixDatagram;
use wiremock::{MockServer, ResponseTemplate};

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

/// An RSS document of one item for each number of `guids` (its guid),
/// every one titled `title` and saying `description`.
pub fn rss_numbered(
    base: &str,
    guids: std::ops::Range<usize>,
    title: &str,
    description: &str,
) -> String {
    let guids: Vec<String> = guids.map(|i| i.to_string()).collect();
    let items: Vec<Item> = guids
        .iter()
        .map(|g| Item::new(g, title, description))
        .collect();
    rss(base, &items)
}

/// A 200 answer carrying `xml` as RSS.
pub fn rss_response(xml: impl Into<Vec<u8>>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(xml.into(), "application/rss+xml")
}

/// Answers GET `route` on `server` with `response`.
pub async fn respond(server: &MockServer, route: &str, response: ResponseTemplate) {
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Serves the document `xml` as RSS at `route` on `server`.
pub async fn serve_xml(server: &MockServer, route: &str, xml: impl Into<Vec<u8>>) {
    respond(server, route, rss_response(xml)).await;
}

/// Serves an RSS document holding `items` at `route` on `server`.
pub async fn serve_rss(server: &MockServer, route: &str, items: &[Item<'_>]) {
    serve_xml(server, route, rss(&server.uri(), items)).await;
}

/// Answers GET `route` on `server` with `response` the first `times`
/// times, before any other answer mounted there.
pub async fn respond_first(
    server: &MockServer,
    route: &str,
    times: u64,
    response: ResponseTemplate,
) {
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(route))
        .respond_with(response)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(server)
        .await;
}

/// A server on 127.0.0.1 serving an RSS document of `items` at `/feed.xml`.
pub async fn feed_server(items: &[Item<'_>]) -> MockServer {
    let server = MockServer::start().await;
    serve_rss(&server, "/feed.xml", items).await;
    server
}

/// The paths of every request `server` received, in order.
pub async fn paths(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap_or_default();
    requests.iter().map(|r| r.url.path().to_string()).collect()
}

/// How many requests for `route` `server` received.
pub async fn requests_for(server: &MockServer, route: &str) -> usize {
    paths(server).await.iter().filter(|p| *p == route).count()
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

    /// Runs `newshound poll` and asserts it exits with `code`; its output.
    pub async fn poll(&self, code: i32) -> Output {
        let output = self.newshound(&["poll"]).await;
        assert_exit(&output, code);
        output
    }

    /// `newshound status --json`, which must succeed, parsed.
    pub async fn status_json(&self) -> serde_json::Value {
        let output = self.newshound(&["status", "--json"]).await;
        assert_exit(&output, 0);
        serde_json::from_slice(&output.stdout).expect("status --json prints JSON")
    }

    /// Starts `newshound run` in the background (killed if the test panics).
    pub fn spawn_daemon(&self) -> Daemon {
        self.spawn_daemon_with(&[])
    }

    /// Starts `newshound run` with extra environment variables.
    pub fn spawn_daemon_with(&self, env: &[(&str, &str)]) -> Daemon {
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_newshound"))
            // Plain log lines, to be searched while the daemon runs.
            .env("NO_COLOR", "1")
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
            .unwrap();
        Daemon::reading(child)
    }

    /// Starts `newshound run` as systemd does, `NOTIFY_SOCKET` (and `env`)
    /// set, and waits until it says READY=1.
    pub async fn spawn_ready(&self, env: &[(&str, &str)]) -> (Daemon, Notifications) {
        let path = self.dir.path().join("notify");
        let socket = UnixDatagram::bind(&path).unwrap();
        let mut vars = vec![("NOTIFY_SOCKET", path.to_str().unwrap())];
        vars.extend_from_slice(env);
        let daemon = self.spawn_daemon_with(&vars);
        let mut notifications = Notifications {
            socket,
            ready: String::new(),
        };
        notifications.ready = notifications.expect("READY=1").await;
        (daemon, notifications)
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

    /// The number `sql` selects; None while there is no database, or the
    /// query fails.
    pub fn number(&self, sql: &str) -> Option<i64> {
        if !self.database().exists() {
            return None;
        }
        let db = rusqlite::Connection::open(self.database()).ok()?;
        db.query_row(sql, [], |r| r.get(0)).ok()
    }
}

/// `newshound run` in the background, its stderr read as it comes.
pub struct Daemon {
    child: tokio::process::Child,
    log: Arc<Mutex<String>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Daemon {
    fn reading(mut child: tokio::process::Child) -> Daemon {
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let lines = Arc::clone(&log);
        let reader = tokio::spawn(async move {
            let mut stderr = tokio::io::BufReader::new(stderr);
            let mut line = Vec::new();
            while stderr
                .read_until(b'\n', &mut line)
                .await
                .is_ok_and(|n| n > 0)
            {
                let text = String::from_utf8_lossy(&line);
                lines.lock().unwrap().push_str(&text);
                line.clear();
            }
        });
        Daemon { child, log, reader }
    }

    /// What the daemon wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// How many lines of the log so far contain `needle`.
    pub fn log_lines(&self, needle: &str) -> usize {
        self.log().lines().filter(|l| l.contains(needle)).count()
    }

    /// Waits until `times` lines of the log contain `needle`.
    pub async fn wait_for_log(&self, needle: &str, times: usize) {
        let what = format!("{times} log line(s) with {needle:?}");
        wait_until(&what, PATIENCE, || self.log_lines(needle) >= times).await;
    }

    /// Sends `kill NAME` (`-HUP`, `-TERM`) to the daemon.
    pub fn signal(&self, name: &str) {
        let pid = self.child.id().expect("the daemon is running").to_string();
        let sent = std::process::Command::new("kill")
            .args([name, &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill {name} {pid}");
    }

    /// Waits (at most a minute) for the daemon to end, as a signal told
    /// it to; its exit status and stderr.
    pub async fn wait(mut self) -> Output {
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("the daemon ended within a minute")
            .unwrap();
        // Its stderr is closed: the reader has read to the end.
        let _ = (&mut self.reader).await;
        Output {
            status,
            stdout: Vec::new(),
            stderr: self.log().into_bytes(),
        }
    }

    /// Sends SIGTERM and waits (at most a minute) for the daemon to end.
    pub async fn stop(self) -> Output {
        self.signal("-TERM");
        self.wait().await
    }

    /// Kills the daemon without warning (SIGKILL) and reaps it.
    pub async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }
}

/// The datagram socket a daemon's `NOTIFY_SOCKET` names, read as systemd
/// reads it.
pub struct Notifications {
    socket: UnixDatagram,
    /// The READY=1 the daemon sent first.
    pub ready: String,
}

impl Notifications {
    /// Reads notifications until one starts with or holds the line `line`
    /// (`READY=1`, `WATCHDOG=1`) and returns it; at most a minute.
    pub async fn expect(&self, line: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = vec![0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let received = tokio::time::timeout(left, self.socket.recv(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("no {line} within {PATIENCE:?}"))
                .unwrap();
            let message = String::from_utf8_lossy(&buf[..received]).into_owned();
            if message.lines().any(|l| l == line) {
                return message;
            }
        }
    }

    /// The notifications sent and not read yet.
    pub fn drain(&self) -> Vec<String> {
        let mut buf = vec![0u8; 4096];
        let mut sent = Vec::new();
        while let Ok(received) = self.socket.try_recv(&mut buf) {
            sent.push(String::from_utf8_lossy(&buf[..received]).into_owned());
        }
        sent
    }
}

/// How long a test waits for what should come soon: long enough for a
/// loaded machine, short enough that a test that hangs says so.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Waits until `probe` gives a value, asking every 50 ms for at most
/// `limit`; panics saying `what` did not happen otherwise.
pub async fn wait_for<T>(
    what: &str,
    limit: Duration,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `done` holds, as [`wait_for`] waits.
pub async fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    wait_for(what, limit, async || done().then_some(())).await
}

/// Waits until `server` was asked for `route` `times` times.
pub async fn wait_for_requests(server: &MockServer, route: &str, times: usize) {
    let what = format!("{times} request(s) for {route}");
    wait_for(&what, PATIENCE, async || {
        (requests_for(server, route).await >= times).then_some(())
    })
    .await
}

/// Waits until `sql` selects `wanted` from the env's database.
pub async fn wait_for_number(env: &Env, sql: &str, wanted: i64) {
    let what = format!("{sql} giving {wanted}");
    wait_until(&what, PATIENCE, || env.number(sql) == Some(wanted)).await
}

/// A `[[feed]]` section.
pub fn feed(name: &str, url: &str) -> String {
    format!("[[feed]]\nname = \"{name}\"\nurl = \"{url}\"\n")
}

/// A `[[feed]]` section for `route` on `server`.
pub fn feed_at(name: &str, server: &MockServer, route: &str) -> String {
    feed(name, &format!("{}{route}", server.uri()))
}

/// A `[[rule]]` section notifying `immediate` to `to`.
pub fn rule(name: &str, query: &str, to: &[&str]) -> String {
    let to: Vec<String> = to.iter().map(|a| format!("\"{a}\"")).collect();
    format!(
        "[[rule]]\nname = \"{name}\"\nquery = '{query}'\nnotify = [\"immediate\"]\nto = [{}]\n",
        to.join(", ")
    )
}

/// The rule most tests use: "ceasefire", mailed to desk@example.org.
pub fn ceasefire_rule() -> String {
    desk_rule("ceasefire")
}

/// A rule named `word` that mails desk@example.org what says `word`.
pub fn desk_rule(word: &str) -> String {
    rule(word, word, &["desk@example.org"])
}

/// A `[[feed]]` section for each (name, route on `server`).
pub fn feeds_at(server: &MockServer, feeds: &[(&str, &str)]) -> String {
    feeds
        .iter()
        .map(|(name, route)| feed_at(name, server, route))
        .collect()
}

/// The feed "wire" at `/feed.xml` on `server`.
pub fn wire_feed(server: &MockServer) -> String {
    feed_at("wire", server, "/feed.xml")
}

/// The usual test config: `smtp` (a section or ""), one feed "wire" at
/// `SERVER/feed.xml`, and a rule "ceasefire" mailing desk@example.org.
pub fn wire_config(smtp: &str, server_uri: &str) -> String {
    format!(
        "{smtp}{}{}",
        feed("wire", &format!("{server_uri}/feed.xml")),
        ceasefire_rule(),
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing the output when it differs.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// Asserts `text` contains `needle`, showing `text` when it does not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
}

/// Asserts `text` contains each of `needles`.
#[track_caller]
pub fn assert_contains_all(text: &str, needles: &[&str]) {
    for needle in needles {
        assert_contains(text, needle);
    }
}

/// The subjects of every mail the server received, in arrival order.
pub fn subjects(smtp: &SmtpSink) -> Vec<String> {
    smtp.mails()
        .iter()
        .map(|m| m.parsed().subject().unwrap_or_default().to_string())
        .collect()
}

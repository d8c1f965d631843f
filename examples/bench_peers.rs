//! The peers of the polling benchmark (`bench/polling.py`): an HTTP server
//! serving generated feeds (ETag and 304 supported, keep-alive) and an SMTP
//! sink that accepts and counts mails, both on 127.0.0.1. `GET /stats`
//! returns the number of mails received. Not part of newshound.
//!
//! cargo run --release --example bench_peers -- FEEDS ITEMS TEXT_BYTES MATCH_EVERY HTTP_PORT SMTP_PORT [PAGES]
//!
//! With PAGES = 1, item links lead to `/page/F/I`, an article page holding
//! the item's text amid navigation, share bar, related links and footer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const WORDS: &[&str] = &[
    "government",
    "officials",
    "said",
    "talks",
    "region",
    "security",
    "council",
    "minister",
    "report",
    "economy",
    "forces",
    "border",
    "agreement",
    "election",
    "protest",
    "court",
    "energy",
    "prices",
    "aid",
    "humanitarian",
];

/// Feed `f`: `items` items of about `text_bytes` each; every `match_every`-th
/// item carries the word "ceasefire" in its title. Item links go to
/// `link_base/F/I`.
fn feed(f: usize, items: usize, text_bytes: usize, match_every: usize, link_base: &str) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {f}</title><link>http://bench.test/{f}</link><description>d</description>"
    );
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    for i in 0..items {
        let text = item_text(f, i, text_bytes);
        let hit = if match_every > 0 && (f * items + i).is_multiple_of(match_every) {
            " ceasefire"
        } else {
            ""
        };
        let date = httpdate(now - (i as u64) * 60);
        xml.push_str(&format!(
            "<item><guid>bench-{f}-{i}</guid><title>Report {f}-{i}{hit}</title><link>{link_base}/{f}/{i}</link><pubDate>{date}</pubDate><description>{text}</description></item>"
        ));
    }
    xml.push_str("</channel></rss>");
    xml
}

/// The generated text of item `i` of feed `f`.
fn item_text(f: usize, i: usize, text_bytes: usize) -> String {
    let mut text = String::new();
    let mut k = f * 31 + i * 7;
    while text.len() < text_bytes {
        text.push_str(WORDS[k % WORDS.len()]);
        text.push(' ');
        k = k.wrapping_mul(1103515245).wrapping_add(12345) >> 3;
    }
    text
}

/// The article page of item `i` of feed `f`: its text in paragraphs of
/// about 400 bytes, between navigation, a share bar, related links and a
/// footer, as news sites serve them.
fn article_page(f: usize, i: usize, text_bytes: usize) -> String {
    let text = item_text(f, i, text_bytes);
    let mut paragraphs = String::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        current.push_str(word);
        current.push(' ');
        if current.len() > 400 {
            paragraphs.push_str(&format!("<p>{}.</p>\n", current.trim_end()));
            current.clear();
        }
    }
    if !current.is_empty() {
        paragraphs.push_str(&format!("<p>{}.</p>\n", current.trim_end()));
    }
    let links: String = (0..20)
        .map(|n| format!("<li><a href=\"/section/{n}\">Section {n} headlines and more</a></li>"))
        .collect();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Report {f}-{i}</title>\
         <script>window.analytics = {{}};</script><style>body {{ margin: 0 }}</style></head><body>\
         <header><nav><ul>{links}</ul></nav></header><main><article><h1>Report {f}-{i}</h1>\
         <div class=\"share\"><a href=\"#\">Share</a> <a href=\"#\">Tweet</a></div>\
         <div class=\"article-body\">{paragraphs}</div></article>\
         <aside class=\"related\"><ul>{links}</ul></aside></main>\
         <footer><p>Copyright, terms and privacy of the bench wire.</p></footer></body></html>"
    )
}

/// An RFC 2822 date, good enough for pubDate.
fn httpdate(secs: u64) -> String {
    let days = secs / 86_400;
    let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
    // Civil-from-days (Howard Hinnant).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let names = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{d:02} {} {year} {h:02}:{m:02}:{s:02} +0000",
        names[(month - 1) as usize]
    )
}

async fn serve_http(
    stream: TcpStream,
    feeds: Arc<Vec<String>>,
    text_bytes: usize,
    mails: Arc<AtomicU64>,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut head = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            match tokio::time::timeout(Duration::from_secs(30), reader.read_line(&mut line)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
                Ok(Ok(_)) => {}
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            head.push(line.trim_end().to_string());
        }
        let path = head
            .first()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_string();
        let etag_match = head
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("if-none-match:") && h.contains("\"v1\""));
        let close = head
            .iter()
            .any(|h| h.eq_ignore_ascii_case("connection: close"));
        let page = path.strip_prefix("/page/").and_then(|p| {
            let (f, i) = p.split_once('/')?;
            Some((f.parse::<usize>().ok()?, i.parse::<usize>().ok()?))
        });
        let content_type = if page.is_some() {
            "text/html; charset=utf-8"
        } else {
            "application/rss+xml"
        };
        let (status, body) = if path == "/stats" {
            ("200 OK", mails.load(Ordering::SeqCst).to_string())
        } else if let Some((f, i)) = page {
            ("200 OK", article_page(f, i, text_bytes))
        } else if let Some(f) = path
            .strip_prefix("/feed/")
            .and_then(|p| p.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|f| *f < feeds.len())
        {
            if etag_match {
                ("304 Not Modified", String::new())
            } else {
                ("200 OK", feeds[f].clone())
            }
        } else {
            ("404 Not Found", String::new())
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nETag: \"v1\"\r\nContent-Length: {}\r\n{}\r\n",
            body.len(),
            if close { "Connection: close\r\n" } else { "" }
        );
        // Head and body in one write: two small writes would wait on the
        // client's delayed ACK (Nagle), about 40 ms a response.
        let mut reply = reply.into_bytes();
        reply.extend_from_slice(body.as_bytes());
        if reader.get_mut().write_all(&reply).await.is_err() || close {
            return;
        }
    }
}

async fn serve_smtp(stream: TcpStream, mails: Arc<AtomicU64>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        match tokio::time::timeout(Duration::from_secs(60), reader.read_line(&mut line)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(_)) => {}
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
        } else if command.starts_with("DATA") {
            if write.write_all(b"354 go on\r\n").await.is_err() {
                return;
            }
            let mut data = Vec::new();
            loop {
                let mut chunk = [0u8; 8192];
                match reader.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => data.extend_from_slice(&chunk[..n]),
                }
                if data.ends_with(b"\r\n.\r\n") {
                    break;
                }
            }
            mails.fetch_add(1, Ordering::SeqCst);
            b"250 queued\r\n"
        } else if command.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 ok\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let (feeds, items, text_bytes, match_every, http_port, smtp_port, pages) = match args[..] {
        [a, b, c, d, e, f] => (a, b, c, d, e, f, 0),
        [a, b, c, d, e, f, g] => (a, b, c, d, e, f, g),
        _ => panic!(
            "usage: bench_peers FEEDS ITEMS TEXT_BYTES MATCH_EVERY HTTP_PORT SMTP_PORT [PAGES]"
        ),
    };
    // PAGES = 1: item links lead to article pages this server serves.
    let link_base = match pages {
        1 => format!("http://127.0.0.1:{http_port}/page"),
        _ => "http://bench.test".to_string(),
    };
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..feeds)
            .map(|f| feed(f, items, text_bytes, match_every, &link_base))
            .collect(),
    );
    let mails = Arc::new(AtomicU64::new(0));
    let http = TcpListener::bind(("127.0.0.1", http_port as u16))
        .await
        .expect("HTTP port");
    let smtp = TcpListener::bind(("127.0.0.1", smtp_port as u16))
        .await
        .expect("SMTP port");
    println!("ready");
    let sink = Arc::clone(&mails);
    tokio::spawn(async move {
        while let Ok((stream, _)) = smtp.accept().await {
            tokio::spawn(serve_smtp(stream, Arc::clone(&sink)));
        }
    });
    // Bounded: the benchmark stops this process; it also ends after an hour.
    let _ = tokio::time::timeout(Duration::from_secs(3600), async {
        while let Ok((stream, _)) = http.accept().await {
            tokio::spawn(serve_http(
                stream,
                Arc::clone(&bodies),
                text_bytes,
                Arc::clone(&mails),
            ));
        }
    })
    .await;
}

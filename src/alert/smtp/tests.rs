//! Sessions against a scripted SMTP server on 127.0.0.1 that hangs up
//! after every mail, or refuses connections beyond a limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use lettre::Message;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;

/// How the scripted SMTP server on 127.0.0.1 behaves.
#[derive(Clone, Copy)]
struct Script {
    /// Sessions open at once beyond this are refused with 421 at the greeting.
    limit: usize,
    /// Close each session after its first mail, as servers do with clients
    /// that sit idle or reach a per-session cap.
    hang_up_after_mail: bool,
}

/// Serves sessions concurrently as `script` says. Returns the port and the
/// count of mails accepted.
async fn scripted_server(script: Script) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&accepted);
    let active = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (count, active) = (Arc::clone(&count), Arc::clone(&active));
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                if active.fetch_add(1, Ordering::SeqCst) >= script.limit {
                    let _ = write.write_all(b"421 too many connections\r\n").await;
                    active.fetch_sub(1, Ordering::SeqCst);
                    return;
                }
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 test ready\r\n").await;
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line != "." {
                            continue;
                        }
                        in_data = false;
                        count.fetch_add(1, Ordering::SeqCst);
                        b"250 queued\r\n"
                    } else if line.starts_with("EHLO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if line == "DATA" {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if line == "QUIT" {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let queued = reply.starts_with(b"250 queued");
                    if write.write_all(reply).await.is_err()
                        || (queued && script.hang_up_after_mail)
                    {
                        break;
                    }
                }
                active.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    (port, accepted)
}

/// A mailer to 127.0.0.1:`port` with `connections` sessions at most.
fn mailer(port: u16, connections: usize) -> SmtpMailer {
    SmtpMailer::new(&SmtpConfig {
        security: SmtpSecurity::Plain,
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "newshound <alerts@example.org>".into(),
        connections,
    })
    .unwrap()
}

fn message(subject: &str) -> Message {
    Message::builder()
        .from("alerts@example.org".parse().unwrap())
        .to("desk@example.org".parse().unwrap())
        .subject(subject)
        .body(String::from("text"))
        .unwrap()
}

#[tokio::test]
async fn a_session_the_server_closed_is_replaced_for_the_next_mail() {
    let (port, accepted) = scripted_server(Script {
        limit: usize::MAX,
        hang_up_after_mail: true,
    })
    .await;
    let mailer = mailer(port, 2);
    for subject in ["first", "second", "third"] {
        mailer.send(&message(subject)).await.unwrap();
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_refused_connection_is_a_temporary_error_naming_the_server() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let error = mailer(port, 2).send(&message("x")).await.unwrap_err();
    assert!(!error.is_about_this_mail());
    let text = error.to_string();
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_refusing_extra_connections_still_gets_every_mail() {
    let (port, accepted) = scripted_server(Script {
        limit: 2,
        hang_up_after_mail: false,
    })
    .await;
    let mailer = mailer(port, 4);
    let messages: Vec<Message> = (0..12).map(|i| message(&format!("mail {i}"))).collect();
    let sends = messages.iter().map(|m| mailer.send(m));
    let results = futures_util::future::join_all(sends).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), 12);
    mailer.close_sessions().await;
}

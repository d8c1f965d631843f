//! The HTTP under `[metrics] listen`: HTTP/1.1 on hyper, one request per
//! connection. At most [`Limits::connections`] are served at once; the
//! next connection is accepted only when one ends, so the rest wait in the
//! listen backlog and a client that opens many and sends nothing holds a
//! bounded number of tasks and descriptors. Each gets `head_timeout` to
//! send its request head and `exchange_timeout` in all.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};

/// A request head may be this long at most (hyper's smallest buffer).
const MAX_HEAD: usize = 8192;

/// How much one server lets its clients take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once.
    pub connections: usize,
    /// How long a client has to send its request head.
    pub head_timeout: Duration,
    /// How long a connection may last, answer included.
    pub exchange_timeout: Duration,
}

/// Answers every request on `listener` with `answer` until the returned
/// task is aborted, which ends the connections in flight too.
pub fn serve<A, F>(listener: TcpListener, limits: Limits, answer: A) -> JoinHandle<()>
where
    A: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response<String>> + Send + 'static,
{
    let places = Arc::new(Semaphore::new(limits.connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.head_timeout)
        .keep_alive(false)
        .max_buf_size(MAX_HEAD);
    tokio::spawn(async move {
        // Owned here, so aborting this task drops (and aborts) them all.
        let mut connections = JoinSet::new();
        loop {
            let Ok(place) = Arc::clone(&places).acquire_owned().await else {
                return;
            };
            while connections.try_join_next().is_some() {}
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!("metrics: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let (http, answer) = (http.clone(), answer.clone());
            connections.spawn(async move {
                let service = service_fn(move |request| {
                    let answer = answer.clone();
                    async move { Ok::<_, Infallible>(answer(request).await) }
                });
                let exchange = http.serve_connection(TokioIo::new(stream), service);
                if let Ok(Err(e)) = tokio::time::timeout(limits.exchange_timeout, exchange).await {
                    tracing::debug!("metrics: a connection ended badly: {e}");
                }
                drop(place);
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::watch;

    const LIMITS: Limits = Limits {
        connections: 3,
        head_timeout: Duration::from_millis(300),
        exchange_timeout: Duration::from_secs(20),
    };

    /// Sends a GET and reads the whole answer (the server closes after it).
    async fn get(port: u16) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let request = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_connections_are_served_at_once_than_the_limit() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (active, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (release, released) = watch::channel(false);
        let server = serve(listener, LIMITS, {
            let (active, most) = (Arc::clone(&active), Arc::clone(&most));
            move |_| {
                let (active, most, mut released) =
                    (Arc::clone(&active), Arc::clone(&most), released.clone());
                async move {
                    let now = active.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let _ = released.wait_for(|r| *r).await;
                    active.fetch_sub(1, Ordering::SeqCst);
                    Response::new("ok\n".to_string())
                }
            }
        });
        // Three times the limit, all asking at once.
        let clients: Vec<_> = (0..3 * LIMITS.connections)
            .map(|_| tokio::spawn(get(port)))
            .collect();
        let deadline = Instant::now() + Duration::from_secs(20);
        while active.load(Ordering::SeqCst) < LIMITS.connections {
            assert!(Instant::now() < deadline, "the first requests never came");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The others are connected and have asked; none gets in meanwhile.
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert_eq!(active.load(Ordering::SeqCst), LIMITS.connections);
        }
        release.send(true).unwrap();
        for client in clients {
            let answer = tokio::time::timeout(Duration::from_secs(20), client)
                .await
                .expect("every request is answered once places free up")
                .unwrap();
            assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        }
        assert_eq!(most.load(Ordering::SeqCst), LIMITS.connections);
        server.abort();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_sends_nothing_is_dropped_and_frees_its_place() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = serve(listener, LIMITS, |_| async {
            Response::new("ok\n".to_string())
        });
        // Every place taken by a client that never finishes asking, one
        // of them sending the start of a head.
        let mut silent = Vec::new();
        for _ in 0..LIMITS.connections {
            silent.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        silent[0]
            .write_all(b"GET /x HTTP/1.1\r\nHost: 127")
            .await
            .unwrap();
        for mut stream in silent {
            let mut buf = [0u8; 64];
            let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buf))
                .await
                .expect("a silent client is dropped after the head timeout");
            assert_eq!(read.unwrap(), 0, "closed without an answer");
        }
        let answer = tokio::time::timeout(Duration::from_secs(20), get(port))
            .await
            .expect("answered once the silent clients are gone");
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        server.abort();
    }
}

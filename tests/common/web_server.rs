//! `newshound web` run by a test, and the GETs it answers.

use std::time::Duration;

use super::{Env, free_port};

/// `newshound web` in the background, killed when dropped.
pub struct WebServer {
    child: tokio::process::Child,
    pub base: String,
}

impl WebServer {
    /// Starts `newshound web` on a free port and waits until it answers.
    pub async fn start(env: &Env) -> WebServer {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_newshound"))
            .arg("--config")
            .arg(env.config_path())
            .arg("--state-dir")
            .arg(env.state_dir())
            .args(["web", "--listen", &listen])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        wait_for_port(port, &mut child).await;
        WebServer {
            child,
            base: format!("http://{listen}"),
        }
    }

    pub async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
        fetch(reqwest::Client::new().get(format!("{}{path}", self.base))).await
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Waits (at most a minute) until something listens on `port`.
async fn wait_for_port(port: u16, child: &mut tokio::process::Child) {
    for _ in 0..600 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the web server exited: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing listened on {port} within a minute");
}

pub async fn fetch(request: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, String) {
    let response = request
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

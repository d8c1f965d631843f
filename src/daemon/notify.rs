//! systemd's service notifications (sd_notify): a datagram to the socket
//! named by `$NOTIFY_SOCKET` saying the daemon is ready, alive, reloading or
//! stopping, with a one-line status `systemctl status` shows. Without the
//! variable (not started by systemd) every call does nothing.
//!
//! Written here rather than with the `sd-notify` crate: it connects to the
//! variable as a file path, so an abstract `@name` socket is unreachable,
//! and it reads the environment on every call, so tests cannot hand it a
//! socket without changing the process's environment.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// Where notifications go, and how often the watchdog wants to hear from us.
pub struct Notifier {
    socket: Option<(UnixDatagram, SocketAddr)>,
    watchdog: Option<Duration>,
}

impl Notifier {
    /// Reads `$NOTIFY_SOCKET` and `$WATCHDOG_USEC` (honoured only when
    /// `$WATCHDOG_PID` is unset or names this process).
    pub fn from_env() -> Notifier {
        let socket = std::env::var_os("NOTIFY_SOCKET").and_then(|path| {
            let addr = socket_addr(&path.to_string_lossy())
                .inspect_err(|e| tracing::warn!("NOTIFY_SOCKET {path:?} is unusable: {e}"))
                .ok()?;
            let socket = UnixDatagram::unbound()
                .inspect_err(|e| tracing::warn!("cannot notify systemd: {e}"))
                .ok()?;
            Some((socket, addr))
        });
        let for_us = std::env::var("WATCHDOG_PID")
            .map_or(true, |pid| pid.trim() == std::process::id().to_string());
        let watchdog = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|usec| usec.trim().parse::<u64>().ok())
            .filter(|&usec| usec > 0 && for_us)
            .map(Duration::from_micros);
        Notifier { socket, watchdog }
    }

    /// How often to send `WATCHDOG=1`: half systemd's timeout, so one late
    /// tick is not a restart.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog.map(|timeout| timeout / 2)
    }

    /// The config is loaded and the database migrated.
    pub fn ready(&self, status: &str) {
        self.send(&format!("READY=1\nSTATUS={}", one_line(status)));
    }

    /// The scheduler is running and the database answered.
    pub fn alive(&self, status: &str) {
        match self.watchdog {
            Some(_) => self.send(&format!("WATCHDOG=1\nSTATUS={}", one_line(status))),
            None => self.status(status),
        }
    }

    pub fn status(&self, status: &str) {
        self.send(&format!("STATUS={}", one_line(status)));
    }

    /// A reload began; `ready` ends it.
    pub fn reloading(&self) {
        self.send(&format!(
            "RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the config",
            monotonic_usec()
        ));
    }

    pub fn stopping(&self) {
        self.send("STOPPING=1\nSTATUS=stopping: finishing work in flight");
    }

    fn send(&self, message: &str) {
        if let Some((socket, addr)) = &self.socket
            && let Err(e) = socket.send_to_addr(message.as_bytes(), addr)
        {
            tracing::debug!("cannot notify systemd: {e}");
        }
    }
}

/// A filesystem path, or `@name` for a socket in the abstract namespace.
fn socket_addr(path: &str) -> std::io::Result<SocketAddr> {
    match path.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(name.as_bytes())
        }
        None => SocketAddr::from_pathname(path),
    }
}

/// A status is one line: systemd reads a newline as the next assignment.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n']).collect::<Vec<_>>().join(" ")
}

/// CLOCK_MONOTONIC in microseconds, which `RELOADING=1` must carry.
fn monotonic_usec() -> u128 {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    let (secs, nanos) = (u128::try_from(now.tv_sec), u128::try_from(now.tv_nsec));
    secs.unwrap_or(0) * 1_000_000 + nanos.unwrap_or(0) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A socket in `dir` standing in for systemd's, and a notifier that
    /// sends to it.
    fn listening(dir: &tempfile::TempDir, watchdog: Option<Duration>) -> (UnixDatagram, Notifier) {
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let notifier = Notifier {
            socket: Some((
                UnixDatagram::unbound().unwrap(),
                SocketAddr::from_pathname(&path).unwrap(),
            )),
            watchdog,
        };
        (listener, notifier)
    }

    #[test]
    fn messages_reach_the_socket_and_stay_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let (listener, notifier) = listening(&dir, Some(Duration::from_secs(30)));
        notifier.ready("3 feeds\nSTOPPING=1");
        notifier.alive("ok");
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=3 feeds STOPPING=1");
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1\nSTATUS=ok");
        assert_eq!(notifier.watchdog_interval(), Some(Duration::from_secs(15)));
    }

    #[test]
    fn a_reload_carries_the_monotonic_clock() {
        let dir = tempfile::tempdir().unwrap();
        let (listener, notifier) = listening(&dir, None);
        let before = monotonic_usec();
        notifier.reloading();
        let after = monotonic_usec();
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).unwrap();
        let message = std::str::from_utf8(&buf[..n]).unwrap();
        let mut lines = message.lines();
        assert_eq!(lines.next(), Some("RELOADING=1"));
        let usec: u128 = lines
            .next()
            .and_then(|l| l.strip_prefix("MONOTONIC_USEC="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no MONOTONIC_USEC in {message:?}"));
        assert!(before > 0 && (before..=after).contains(&usec), "{message}");
        assert_eq!(lines.next(), Some("STATUS=reloading the config"));
    }
}

//! The SMTP sessions open to the server between mails: idle ones kept for
//! the next mail, mails waiting for one, and how many are open at all.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use lettre::transport::smtp::client::AsyncSmtpConnection;
use tokio::sync::oneshot;

/// Open sessions not carrying a mail, and mails waiting for one.
#[derive(Default)]
pub struct Pool {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// With when each last carried a mail; most recently used last.
    idle: Vec<(AsyncSmtpConnection, Instant)>,
    /// Oldest first; a waiter that gave up has closed its receiver.
    waiting: VecDeque<oneshot::Sender<AsyncSmtpConnection>>,
    /// Sessions open, idle or carrying a mail.
    open: usize,
}

impl Pool {
    /// The most recently used idle session and when it was last used.
    pub fn take(&self) -> Option<(AsyncSmtpConnection, Instant)> {
        self.lock().idle.pop()
    }

    /// A place in line for the next session another mail is done with.
    pub fn wait(&self) -> oneshot::Receiver<AsyncSmtpConnection> {
        let (sender, receiver) = oneshot::channel();
        let mut inner = self.lock();
        inner.waiting.retain(|w| !w.is_closed());
        inner.waiting.push_back(sender);
        receiver
    }

    /// Counts a session just opened.
    pub fn opened(&self) {
        self.lock().open += 1;
    }

    /// Forgets a session that broke or was closed.
    pub fn discard(&self) {
        let mut inner = self.lock();
        inner.open = inner.open.saturating_sub(1);
    }

    /// How many sessions are open, idle or carrying a mail.
    pub fn open(&self) -> usize {
        self.lock().open
    }

    /// Hands `session` to the mail that has waited longest, or keeps it idle.
    pub fn release(&self, mut session: AsyncSmtpConnection) {
        let mut inner = self.lock();
        while let Some(waiter) = inner.waiting.pop_front() {
            match waiter.send(session) {
                Ok(()) => return,
                Err(returned) => session = returned,
            }
        }
        inner.idle.push((session, Instant::now()));
    }

    /// Every idle session, to be closed; they no longer count as open.
    pub fn drain(&self) -> Vec<AsyncSmtpConnection> {
        let mut inner = self.lock();
        let idle: Vec<_> = inner.idle.drain(..).map(|(s, _)| s).collect();
        inner.open = inner.open.saturating_sub(idle.len());
        idle
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Only pushes, pops and counts happen under the lock: a panic
        // cannot leave them half changed.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

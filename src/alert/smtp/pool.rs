//! The SMTP sessions open to the server between mails: idle ones kept for
//! the next mail, and mails that wait for one while a new session opens.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use lettre::transport::smtp::client::AsyncSmtpConnection;
use tokio::sync::oneshot;

/// Open sessions not carrying a mail, and mails waiting for one.
#[derive(Default)]
pub struct Pool {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Most recently used last.
    idle: Vec<AsyncSmtpConnection>,
    /// Oldest first; a waiter that gave up has dropped its receiver.
    waiting: VecDeque<oneshot::Sender<AsyncSmtpConnection>>,
}

impl Pool {
    /// The most recently used idle session, if any.
    pub fn take(&self) -> Option<AsyncSmtpConnection> {
        self.lock().idle.pop()
    }

    /// A place in line for the next session another mail is done with.
    pub fn wait(&self) -> oneshot::Receiver<AsyncSmtpConnection> {
        let (sender, receiver) = oneshot::channel();
        self.lock().waiting.push_back(sender);
        receiver
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
        inner.idle.push(session);
    }

    /// Every idle session, to be closed.
    pub fn drain(&self) -> Vec<AsyncSmtpConnection> {
        std::mem::take(&mut self.lock().idle)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Only pushes and pops happen under the lock: a panic cannot leave
        // the lists half changed.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

//! Alert mail: render an alert or a digest (text and HTML) and hand it to a transport,
//! SMTP when `[smtp]` is configured, else a Maildir in the state directory.
//!
//! Never fetches feeds or evaluates rules: it gets an [`Alert`] and reports
//! whether the server accepted it.

mod bars;
mod digest;
mod maildir;
mod outbound;
mod render;
mod smtp;
mod snippet;
mod surge;
mod webhook;

pub use bars::bars_png;
pub use digest::{digest_html, digest_subject, digest_text};
pub use outbound::Outbound;
pub use render::{escape, header_safe, outlets, render, render_test};
pub use snippet::{MARK_CLOSE, MARK_OPEN, snippet, snippet_marked, snippet_text};
pub use surge::{headline as surge_headline, span as surge_span};

use std::path::{Path, PathBuf};

use lettre::Message;
use lettre::message::Mailbox;

use crate::config::SmtpConfig;
use crate::model::Outgoing;

/// Why an alert could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// A recipient or sender address is not a valid mailbox.
    #[error("invalid mail address {0}")]
    Address(String),
    /// The message could not be assembled.
    #[error("cannot build the mail: {0}")]
    Build(String),
    /// The SMTP password could not be read.
    #[error("cannot read the SMTP password: {0}")]
    Secret(crate::config::SecretError),
    /// The SMTP server refused the mail or could not be reached.
    #[error("SMTP: {message}")]
    Smtp {
        message: String,
        /// True when the server rejected this mail for good (5xx); false
        /// when the server or the connection failed and may work later.
        permanent: bool,
    },
    /// The webhook could not be called, or answered with an error.
    #[error("{message}")]
    Webhook {
        message: String,
        /// True when the webhook refused this alert for good (a 4xx).
        permanent: bool,
    },
    /// The Maildir could not be written.
    #[error("cannot write to the Maildir {path}: {source}")]
    Maildir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl AlertError {
    /// True when the failure concerns this one mail, not the transport:
    /// sending the next mail may still work.
    pub fn is_about_this_mail(&self) -> bool {
        match self {
            AlertError::Address(_) | AlertError::Build(_) => true,
            AlertError::Smtp { permanent, .. } | AlertError::Webhook { permanent, .. } => {
                *permanent
            }
            AlertError::Secret(_) | AlertError::Maildir { .. } => false,
        }
    }
}

/// Where alerts go.
pub enum Mailer {
    Smtp(Box<smtp::SmtpMailer>),
    Maildir(maildir::Maildir),
}

/// Maildir deliveries written at once.
const MAILDIR_PARALLEL_WRITES: usize = 4;

/// The sender of mails delivered to the local Maildir.
const MAILDIR_FROM: &str = "newshound <newshound@localhost>";

impl Mailer {
    /// SMTP when configured, otherwise the Maildir `state_dir/Maildir`.
    pub fn new(smtp: Option<&SmtpConfig>, state_dir: &Path) -> Result<Mailer, AlertError> {
        match smtp {
            Some(config) => Ok(Mailer::Smtp(Box::new(smtp::SmtpMailer::new(config)?))),
            None => {
                let from = MAILDIR_FROM.parse().expect("the built-in sender is valid");
                Ok(Mailer::Maildir(maildir::Maildir::new(
                    state_dir.join("Maildir"),
                    from,
                )))
            }
        }
    }

    /// Renders and sends one alert or digest; Ok once the server (or the
    /// Maildir) has it.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<(), AlertError> {
        let message = match outgoing {
            Outgoing::Alert(alert) => render(alert, self.from())?,
            Outgoing::Digest(mail) => digest::render_digest(mail, self.from())?,
            Outgoing::Surge(mail) => surge::render_surge(mail, self.from())?,
        };
        self.send_message(&message, &outgoing.delivery().message_id)
            .await
            .map(|_| ())
    }

    /// Sends a test mail to `to`; Ok with what the server said (or where
    /// the Maildir put it).
    pub async fn send_test(&self, to: &str) -> Result<String, AlertError> {
        let (message, id) = render_test(to, self.from())?;
        self.send_message(&message, &id).await
    }

    /// Sends `message` whose Message-ID is `id`; Ok with what accepted it.
    async fn send_message(&self, message: &Message, id: &str) -> Result<String, AlertError> {
        match self {
            Mailer::Smtp(smtp) => smtp.send(message).await,
            Mailer::Maildir(maildir) => {
                // File writes and fsyncs block: keep them off the runtime.
                let (maildir, id, bytes) = (maildir.clone(), id.to_string(), message.formatted());
                let written = maildir.root.join("new").display().to_string();
                tokio::task::spawn_blocking(move || maildir.deliver(&id, &bytes))
                    .await
                    .map_err(|e| AlertError::Build(format!("maildir task failed: {e}")))??;
                Ok(format!("written to {written}"))
            }
        }
    }

    /// Ends a burst of sends: closes the SMTP sessions kept open for it.
    pub async fn finish(&self) {
        if let Mailer::Smtp(smtp) = self {
            smtp.close_sessions().await;
        }
    }

    /// How many mails may be in flight at once: one per SMTP session, and
    /// a few Maildir writes (each ends in an fsync).
    pub fn parallel_sends(&self) -> usize {
        match self {
            Mailer::Smtp(s) => s.connections,
            Mailer::Maildir(_) => MAILDIR_PARALLEL_WRITES,
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Mailer::Smtp(s) => &s.from,
            Mailer::Maildir(m) => &m.from,
        }
    }

    /// Where mail goes, for people: `SMTP mail.example.org:587` or the Maildir path.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Smtp(s) => format!("SMTP {}", s.server),
            Mailer::Maildir(m) => format!("Maildir {}", m.root.display()),
        }
    }
}

//! Delivery over SMTP with lettre: plain only to loopback hosts, STARTTLS
//! or implicit TLS elsewhere, AUTH when a username is set. Up to
//! `connections` sessions carry mail at once; each is kept open for the
//! next mail until the pass over the outbox ends.

mod pool;
mod stream;

use std::path::Path;
use std::time::Duration;

use lettre::Message;
use lettre::message::Mailbox;
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::Semaphore;
use tokio_rustls::TlsConnector;

use super::AlertError;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::config::{read_secret, systemd_credential};
use pool::Pool;

/// How long opening a session (connect, greeting, TLS, AUTH) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long one mail may take over an open session: RFC 5321 (4.5.3.2)
/// gives servers ten minutes to answer the end of the message.
const SEND_TIMEOUT: Duration = Duration::from_secs(600);

/// An idle session older than this is asked with NOOP before it carries a
/// mail; in a burst of mails it is not, which saves a round trip per mail.
const PROBE_AFTER: Duration = Duration::from_secs(1);

/// How long the NOOP probe and a polite QUIT may take.
const SHORT_TIMEOUT: Duration = Duration::from_secs(5);

/// The configured SMTP server and the sessions open to it.
pub struct SmtpMailer {
    host: String,
    port: u16,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// For `smtps://`: TLS from the first byte.
    tls: Option<TlsConnector>,
    /// For STARTTLS: built once, since it reads the system's certificates.
    starttls: Option<TlsParameters>,
    sessions: Pool,
    /// Held while a session is being opened: one at a time.
    opening: tokio::sync::Mutex<()>,
    /// One permit per session that may be open at once.
    permits: Semaphore,
    pub connections: usize,
    pub from: Mailbox,
    pub server: String,
}

impl SmtpMailer {
    /// A mailer for `config`; reads the password and sets up TLS now, so a
    /// missing one is reported at start. Connects when the first mail is sent.
    pub fn new(config: &SmtpConfig) -> Result<SmtpMailer, AlertError> {
        let credentials = match &config.username {
            Some(user) => {
                // Configured, else systemd's LoadCredential=smtp:…, else none.
                let credentials_directory = std::env::var_os("CREDENTIALS_DIRECTORY");
                let from_systemd =
                    || systemd_credential(credentials_directory.as_deref().map(Path::new), "smtp");
                let password = match &config.password {
                    Some(secret) => read_secret(secret).map_err(AlertError::Secret)?,
                    None => from_systemd()
                        .transpose()
                        .map_err(AlertError::Secret)?
                        .unwrap_or_default(),
                };
                Some(Credentials::new(user.clone(), password))
            }
            None => None,
        };
        let tls_error = |e: String| AlertError::Smtp {
            message: format!("cannot set up TLS: {e}"),
            permanent: false,
        };
        let (tls, starttls) = match config.security {
            SmtpSecurity::Implicit => (
                Some(stream::tls_connector().map_err(|e| tls_error(e.to_string()))?),
                None,
            ),
            SmtpSecurity::StartTls => (
                None,
                Some(
                    TlsParameters::new(config.host.clone())
                        .map_err(|e| tls_error(e.to_string()))?,
                ),
            ),
            SmtpSecurity::Plain => (None, None),
        };
        let from = super::render::mailbox(&config.from)?;
        let connections = config.connections.max(1);
        Ok(SmtpMailer {
            host: config.host.clone(),
            port: config.port,
            credentials,
            hello: ClientId::default(),
            tls,
            starttls,
            sessions: Pool::default(),
            opening: tokio::sync::Mutex::new(()),
            permits: Semaphore::new(connections),
            connections,
            from,
            server: format!("{}:{}", config.host, config.port),
        })
    }

    /// Sends one message; Ok, with the server's reply, once it accepted it.
    /// A session the
    /// server closed since its last mail (servers cap mails per session)
    /// is replaced once by a fresh one; should the server have accepted the
    /// mail before the session broke, the copy carries the same Message-ID.
    pub async fn send(&self, message: &Message) -> Result<String, AlertError> {
        let _permit = self.permits.acquire().await.expect("never closed");
        let bytes = message.formatted();
        if let Some(mut session) = self.reusable().await {
            match self.send_over(&mut session, message, &bytes).await {
                Ok(reply) => {
                    self.sessions.release(session);
                    return Ok(reply);
                }
                Err(e) => {
                    self.sessions.discard();
                    if e.is_about_this_mail() {
                        return Err(e);
                    }
                }
            }
        }
        let mut session = self.open_or_wait().await?;
        match self.send_over(&mut session, message, &bytes).await {
            Ok(reply) => {
                self.sessions.release(session);
                Ok(reply)
            }
            Err(e) => {
                self.sessions.discard();
                Err(e)
            }
        }
    }

    /// Closes the idle sessions (QUIT), as a client should once it has
    /// nothing more to send rather than leave the server to time them out.
    pub async fn close_sessions(&self) {
        for mut session in self.sessions.drain() {
            let _ = tokio::time::timeout(SHORT_TIMEOUT, session.quit()).await;
        }
    }

    /// An idle session that still answers; those that do not are dropped.
    async fn reusable(&self) -> Option<AsyncSmtpConnection> {
        while let Some((mut session, last_used)) = self.sessions.take() {
            if session.has_broken() {
                self.sessions.discard();
                continue;
            }
            if last_used.elapsed() < PROBE_AFTER {
                return Some(session);
            }
            match tokio::time::timeout(SHORT_TIMEOUT, session.test_connected()).await {
                Ok(true) => return Some(session),
                _ => self.sessions.discard(),
            }
        }
        None
    }

    async fn send_over(
        &self,
        session: &mut AsyncSmtpConnection,
        message: &Message,
        bytes: &[u8],
    ) -> Result<String, AlertError> {
        match tokio::time::timeout(SEND_TIMEOUT, session.send(message.envelope(), bytes)).await {
            Ok(Ok(reply)) => Ok(format!(
                "{} {}",
                reply.code(),
                reply.message().collect::<Vec<_>>().join(" ")
            )),
            Ok(Err(e)) => Err(self.error(e)),
            Err(_) => Err(self.timed_out(SEND_TIMEOUT, "sending")),
        }
    }

    /// A new session, or one another mail finished with first. Sessions
    /// are opened one at a time, so the count of open ones is known when
    /// one fails: a server that caps connections per client may hold a new
    /// one unanswered, or refuse it, while old ones are open; the mail then
    /// waits for one of those rather than fail.
    async fn open_or_wait(&self) -> Result<AsyncSmtpConnection, AlertError> {
        let mut released = self.sessions.wait();
        let turn = tokio::select! {
            turn = self.opening.lock() => turn,
            Ok(session) = &mut released => return Ok(session),
        };
        let opening = tokio::time::timeout(CONNECT_TIMEOUT, self.open());
        let opened = tokio::select! {
            opened = opening => opened,
            Ok(session) = &mut released => return Ok(session),
        };
        let failure = match opened {
            Ok(Ok(session)) => {
                self.sessions.opened();
                // A session may have been handed over meanwhile: keep it.
                released.close();
                if let Ok(handed) = released.try_recv() {
                    self.sessions.release(handed);
                }
                return Ok(session);
            }
            Ok(Err(e)) => self.error(e),
            Err(_) => self.timed_out(CONNECT_TIMEOUT, "connecting"),
        };
        drop(turn);
        if self.sessions.open() > 0
            && let Ok(Ok(session)) = tokio::time::timeout(SEND_TIMEOUT, &mut released).await
        {
            return Ok(session);
        }
        released.close();
        match released.try_recv() {
            Ok(handed) => Ok(handed),
            Err(_) => Err(failure),
        }
    }

    /// Opens a session: connect, greet, STARTTLS or TLS as configured, AUTH.
    async fn open(&self) -> Result<AsyncSmtpConnection, OpenError> {
        let tcp = stream::connect_tcp(&self.host, self.port).await?;
        let mut connection = match &self.tls {
            Some(connector) => {
                let tls = stream::wrap_tls(connector, &self.host, tcp).await?;
                AsyncSmtpConnection::connect_with_transport(Box::new(tls), &self.hello).await?
            }
            None => AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?,
        };
        if let Some(parameters) = &self.starttls {
            connection.starttls(parameters.clone(), &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            connection.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(connection)
    }

    fn error(&self, e: impl Into<OpenError>) -> AlertError {
        match e.into() {
            OpenError::Io(e) => AlertError::Smtp {
                message: format!("cannot connect to {}: {e}", self.server),
                permanent: false,
            },
            OpenError::Smtp(e) => AlertError::Smtp {
                message: format!("{e} ({})", self.server),
                permanent: e.is_permanent(),
            },
        }
    }

    fn timed_out(&self, limit: Duration, doing: &str) -> AlertError {
        AlertError::Smtp {
            message: format!(
                "no answer from {} after {} s while {doing}",
                self.server,
                limit.as_secs()
            ),
            permanent: false,
        }
    }
}

/// A failure while opening a session or sending over it.
enum OpenError {
    Io(std::io::Error),
    Smtp(SmtpError),
}

impl From<std::io::Error> for OpenError {
    fn from(e: std::io::Error) -> Self {
        OpenError::Io(e)
    }
}

impl From<SmtpError> for OpenError {
    fn from(e: SmtpError) -> Self {
        OpenError::Smtp(e)
    }
}

#[cfg(test)]
mod tests;

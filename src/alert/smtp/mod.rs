//! Delivery over SMTP with lettre: plain only to loopback hosts, STARTTLS
//! or implicit TLS elsewhere, AUTH when a username is set. Up to
//! `connections` sessions carry mail at once; each is kept open for the
//! next mail until the pass over the outbox ends.

mod pool;
mod stream;

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
use crate::secrets::read_secret;
use pool::Pool;

/// How long opening a session, or sending one mail, may take before the
/// attempt fails and the session is dropped.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// How long closing a session politely (QUIT) may take.
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The configured SMTP server and the sessions open to it.
pub struct SmtpMailer {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// For `smtps://` only.
    tls: Option<TlsConnector>,
    sessions: Pool,
    /// One permit per session that may be open at once.
    permits: Semaphore,
    pub connections: usize,
    pub from: Mailbox,
    pub server: String,
}

impl SmtpMailer {
    /// A mailer for `config`; reads the password now, so a missing one
    /// is reported at start. Connects only when the first mail is sent.
    pub fn new(config: &SmtpConfig) -> Result<SmtpMailer, AlertError> {
        let credentials = match &config.username {
            Some(user) => {
                let password = match &config.password {
                    Some(secret) => read_secret(secret).map_err(AlertError::Secret)?,
                    None => String::new(),
                };
                Some(Credentials::new(user.clone(), password))
            }
            None => None,
        };
        let tls = match config.security {
            SmtpSecurity::Implicit => {
                Some(stream::tls_connector().map_err(|e| AlertError::Smtp {
                    message: format!("cannot set up TLS: {e}"),
                    permanent: false,
                })?)
            }
            SmtpSecurity::Plain | SmtpSecurity::StartTls => None,
        };
        let from = config
            .from
            .parse()
            .map_err(|e| AlertError::Address(format!("{}: {e}", config.from)))?;
        Ok(SmtpMailer {
            host: config.host.clone(),
            port: config.port,
            security: config.security,
            credentials,
            hello: ClientId::default(),
            tls,
            sessions: Pool::default(),
            permits: Semaphore::new(config.connections),
            connections: config.connections,
            from,
            server: format!("{}:{}", config.host, config.port),
        })
    }

    /// Sends one message; Ok once the server accepted it. A session the
    /// server closed since its last mail (servers cap mails per session
    /// and drop idle ones) is replaced once by a fresh one.
    pub async fn send(&self, message: &Message) -> Result<(), AlertError> {
        let _permit = self.permits.acquire().await.expect("never closed");
        let bytes = message.formatted();
        if let Some(mut session) = self.sessions.take() {
            match self.send_over(&mut session, message, &bytes).await {
                Ok(()) => {
                    self.sessions.release(session);
                    return Ok(());
                }
                Err(e) if e.is_about_this_mail() => return Err(e),
                // The session failed, not the mail: try a fresh one.
                Err(_) => {}
            }
        }
        let mut session = self.open_or_wait().await?;
        self.send_over(&mut session, message, &bytes).await?;
        self.sessions.release(session);
        Ok(())
    }

    /// Closes the idle sessions (QUIT), as a client should once it has
    /// nothing more to send rather than leave the server to time them out.
    pub async fn close_sessions(&self) {
        for mut session in self.sessions.drain() {
            let _ = tokio::time::timeout(QUIT_TIMEOUT, session.quit()).await;
        }
    }

    async fn send_over(
        &self,
        session: &mut AsyncSmtpConnection,
        message: &Message,
        bytes: &[u8],
    ) -> Result<(), AlertError> {
        match tokio::time::timeout(SMTP_TIMEOUT, session.send(message.envelope(), bytes)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(self.error(e)),
            Err(_) => Err(self.timed_out("sending")),
        }
    }

    /// A new session, or one another mail finished with first: a server
    /// that caps connections per client may hold a new one unanswered
    /// until an old one closes, and the mail should not wait for that.
    async fn open_or_wait(&self) -> Result<AsyncSmtpConnection, AlertError> {
        let mut released = self.sessions.wait();
        let opening = tokio::time::timeout(SMTP_TIMEOUT, self.open());
        tokio::select! {
            opened = opening => {
                // A session may have been handed over meanwhile: keep it.
                released.close();
                if let Ok(session) = released.try_recv() {
                    self.sessions.release(session);
                }
                match opened {
                    Ok(Ok(session)) => Ok(session),
                    Ok(Err(e)) => Err(self.error(e)),
                    Err(_) => Err(self.timed_out("connecting")),
                }
            }
            Ok(session) = &mut released => Ok(session),
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
        if self.security == SmtpSecurity::StartTls {
            let parameters = TlsParameters::new(self.host.clone())?;
            connection.starttls(parameters, &self.hello).await?;
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

    fn timed_out(&self, doing: &str) -> AlertError {
        AlertError::Smtp {
            message: format!(
                "no answer from {} after {} s while {doing}",
                self.server,
                SMTP_TIMEOUT.as_secs()
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

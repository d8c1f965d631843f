//! Delivery over SMTP with lettre: plain only to loopback hosts, STARTTLS
//! or implicit TLS elsewhere, AUTH when a username is set.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::AlertError;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::secrets::read_secret;

/// How long one SMTP command may take before the attempt fails.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A pooled SMTP connection to the configured server.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    pub from: Mailbox,
    pub server: String,
}

impl SmtpMailer {
    /// A transport for `config`; reads the password now, so a missing one
    /// is reported at start.
    pub fn new(config: &SmtpConfig) -> Result<SmtpMailer, AlertError> {
        let smtp_error = |e: lettre::transport::smtp::Error| AlertError::Smtp {
            message: e.to_string(),
            permanent: false,
        };
        let builder = match config.security {
            SmtpSecurity::Plain => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(smtp_error)?
            }
            SmtpSecurity::Implicit => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host).map_err(smtp_error)?
            }
        };
        let mut builder = builder.port(config.port).timeout(Some(SMTP_TIMEOUT));
        if let Some(user) = &config.username {
            let password = match &config.password {
                Some(secret) => read_secret(secret).map_err(AlertError::Secret)?,
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let from = config
            .from
            .parse()
            .map_err(|e| AlertError::Address(format!("{}: {e}", config.from)))?;
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
            server: format!("{}:{}", config.host, config.port),
        })
    }

    /// Sends one message; Ok once the server accepted it.
    pub async fn send(&self, message: &Message) -> Result<(), AlertError> {
        self.transport
            .send(message.clone())
            .await
            .map(|_| ())
            .map_err(|e| AlertError::Smtp {
                message: format!("{e} ({})", self.server),
                permanent: e.is_permanent(),
            })
    }
}

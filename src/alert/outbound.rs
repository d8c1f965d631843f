//! Everything alerts leave by: mail (SMTP or the Maildir) and webhooks,
//! chosen per delivery by its channel.

use std::path::Path;

use super::webhook::Webhooks;
use super::{AlertError, Mailer};
use crate::config::Config;
use crate::model::{Channel, Outgoing};

/// The mailer and the webhooks of a config.
pub struct Outbound {
    pub mail: Mailer,
    webhooks: Webhooks,
}

impl Outbound {
    /// The transports `config` names; secrets are read now.
    pub fn new(config: &Config, state_dir: &Path) -> Result<Outbound, AlertError> {
        Ok(Outbound {
            mail: Mailer::new(config.smtp.as_ref(), state_dir)?,
            webhooks: Webhooks::new(&config.webhooks)?,
        })
    }

    /// Sends one alert or digest by its channel; Ok once it was accepted.
    /// Digests are mail only.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<(), AlertError> {
        match outgoing {
            Outgoing::Alert(alert) if alert.delivery.channel == Channel::Webhook => {
                self.webhooks.send(alert).await
            }
            _ => self.mail.send(outgoing).await,
        }
    }

    /// How many alerts may be in flight at once.
    pub fn parallel_sends(&self) -> usize {
        self.mail.parallel_sends()
    }

    /// Ends a burst of sends.
    pub async fn finish(&self) {
        self.mail.finish().await;
    }

    /// Where alerts go, for people.
    pub fn describe(&self) -> String {
        match self.webhooks.len() {
            0 => self.mail.describe(),
            1 => format!("{} and 1 webhook", self.mail.describe()),
            n => format!("{} and {n} webhooks", self.mail.describe()),
        }
    }
}

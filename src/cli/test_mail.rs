//! `newshound test-mail [--to ADDR]`: one test message through the
//! configured transport, and exactly what the server said, so a setup can
//! be checked before alerts depend on it.

use std::path::Path;

use crate::alert::Mailer;
use crate::config::Config;

/// Sends the test mail; returns the exit code.
pub async fn test_mail(config: &Config, state_dir: &Path, to: Option<&str>) -> super::Outcome {
    // Without --to: the first recipient of the rules or digests.
    let first_recipient = config
        .rules
        .iter()
        .flat_map(|r| r.to.iter())
        .chain(config.digests.iter().flat_map(|d| d.to.iter()))
        .next();
    let Some(to) = to.or(first_recipient.map(String::as_str)) else {
        return Err(super::invalid(
            "no rule has a recipient; name one with --to ADDR".to_string(),
        ));
    };
    let mailer = match Mailer::new(config.smtp.as_ref(), state_dir) {
        Ok(mailer) => mailer,
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    let outcome = mailer.send_test(to).await;
    mailer.finish().await;
    match outcome {
        Ok(reply) => {
            println!(
                "test mail to {to}: accepted by {}: {reply}",
                mailer.describe()
            );
            Ok(0)
        }
        Err(e) => {
            println!("test mail to {to}: not sent via {}: {e}", mailer.describe());
            Ok(super::FAILED)
        }
    }
}

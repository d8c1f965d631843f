//! Webhooks: an alert POSTed as JSON to a configured URL (ntfy, Slack or
//! Matrix bridges), through the same queue, retries and dead state as mail.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::json;
use url::Url;

use super::AlertError;
use super::snippet::snippet_plain;
use crate::config::read_secret;
use crate::config::{HeaderValue, WebhookConfig};
use crate::fetch::{error_causes, header_map};
use crate::model::Alert;

/// How long one webhook call may take.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);

/// The configured webhooks, by name.
pub struct Webhooks {
    client: reqwest::Client,
    hooks: HashMap<String, Hook>,
}

struct Hook {
    url: Url,
    headers: HeaderMap,
}

impl Webhooks {
    /// Reads each webhook's URL and headers now, so a missing token file is
    /// reported at start.
    pub fn new(configs: &[WebhookConfig]) -> Result<Webhooks, AlertError> {
        let mut hooks = HashMap::new();
        for config in configs {
            let fail = |e: String| AlertError::Webhook {
                message: format!("webhook \"{}\": {e}", config.name),
                permanent: false,
            };
            let url = match &config.url {
                HeaderValue::Text(text) => text.clone(),
                HeaderValue::Secret(secret) => {
                    read_secret(secret).map_err(|e| fail(e.to_string()))?
                }
            };
            let url = Url::parse(url.trim()).map_err(|e| fail(format!("invalid URL: {e}")))?;
            let headers = header_map(&format!("webhook \"{}\"", config.name), &config.headers)
                .map_err(|e| fail(e.to_string()))?;
            hooks.insert(config.name.clone(), Hook { url, headers });
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("newshound/", env!("CARGO_PKG_VERSION")))
            .timeout(WEBHOOK_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AlertError::Webhook {
                message: format!("cannot build the HTTP client: {e}"),
                permanent: false,
            })?;
        Ok(Webhooks { client, hooks })
    }

    /// How many webhooks are configured.
    pub fn len(&self) -> usize {
        self.hooks.len()
    }

    /// POSTs `alert` to the webhook it names; Ok on a 2xx answer. A 4xx
    /// (but 408 and 429) is a refusal for good; anything else is retried.
    pub async fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let Some(hook) = self.hooks.get(&alert.delivery.recipient) else {
            return Err(AlertError::Webhook {
                message: format!(
                    "no webhook named \"{}\" in the config",
                    alert.delivery.recipient
                ),
                permanent: true,
            });
        };
        let answer = self
            .client
            .post(hook.url.clone())
            .headers(hook.headers.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(payload(alert).to_string())
            .send()
            .await
            .map_err(|e| AlertError::Webhook {
                // A webhook's URL is its secret (Slack and ntfy put the
                // token in the path): the error names the webhook instead,
                // as it reaches the output, the log and the database.
                message: format!(
                    "webhook \"{}\": {}",
                    alert.delivery.recipient,
                    error_causes(&e.without_url())
                ),
                permanent: false,
            })?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        let permanent = status.is_client_error() && !matches!(status.as_u16(), 408 | 429);
        Err(AlertError::Webhook {
            message: format!("webhook \"{}\" answered {status}", alert.delivery.recipient),
            permanent,
        })
    }
}

/// The JSON document a webhook receives: the same content as the mail.
fn payload(alert: &Alert) -> serde_json::Value {
    let snippet = snippet_plain(&alert.snippet);
    let rules: Vec<_> = alert
        .rules
        .iter()
        .map(|r| json!({"name": r.name, "terms": r.terms}))
        .collect();
    json!({
        "id": alert.delivery.message_id,
        "title": alert.title,
        "link": alert.link,
        "feeds": alert.sources,
        "published": alert.published.map(|t| t.to_rfc3339()),
        "rules": rules,
        "snippet": snippet,
        "text": format!("{}: {}", alert.title, snippet),
    })
}

//! The TLS client settings every connection shares: the platform's
//! certificate verifier over aws-lc-rs, built once, since loading the
//! system's root certificates is the costliest part of starting up.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls_platform_verifier::BuilderVerifierExt;

/// Client settings offering `alpn` (e.g. `h2`, `http/1.1`; none for SMTP).
pub fn client_config(alpn: &[&[u8]]) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(config)
}

//! Opening the TCP (and, for `smtps://`, TLS) stream an SMTP session runs
//! over, with Nagle's algorithm off.
//!
//! SMTP is a conversation of small writes each waiting for a reply. lettre
//! writes a message body and its closing `\r\n.\r\n` separately; with Nagle
//! on, the second write waits for the server's delayed ACK of the first,
//! about 40 ms per mail. lettre never sets `TCP_NODELAY`, so the stream is
//! opened here and handed to it.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// A TCP connection to `host:port` with `TCP_NODELAY` set.
pub async fn connect_tcp(host: &str, port: u16) -> io::Result<TcpStream> {
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// The TLS settings for `smtps://`: the platform's certificate verifier,
/// as lettre uses for STARTTLS.
pub fn tls_connector() -> Result<TlsConnector, rustls::Error> {
    Ok(TlsConnector::from(Arc::new(
        crate::fetch::tls::client_config(&[])?,
    )))
}

/// TLS from the first byte over `tcp`, verifying the certificate for `host`.
pub async fn wrap_tls(
    connector: &TlsConnector,
    host: &str,
    tcp: TcpStream,
) -> io::Result<ImplicitTls> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    Ok(ImplicitTls(connector.connect(name, tcp).await?))
}

/// A TLS stream lettre can run a session over. A new type, because
/// lettre's stream trait cannot be implemented on tokio-rustls's type here.
#[derive(Debug)]
pub struct ImplicitTls(TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

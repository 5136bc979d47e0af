//! HTTPS: a self-signed certificate for `localhost`/`127.0.0.1` and every region's AKS API server
//! names (`*.hcp.<region>.azmk8s.io`; kept beside the state file so it survives restarts), and a
//! listener that completes TLS handshakes off the accept loop.

use crate::contract::error::EmulatorError;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The certificate and key, PEM encoded.
#[derive(Debug, Clone)]
pub struct Identity {
    pub cert_pem: String,
    pub key_pem: String,
}

/// Loads `<state>.cert.pem`/`<state>.key.pem`, or makes and saves a new pair.
pub fn identity(state_path: Option<&Path>) -> Result<Identity, EmulatorError> {
    let paths = state_path.map(|p| (p.with_extension("cert.pem"), p.with_extension("key.pem")));
    if let Some((cert, key)) = &paths
        && let (Ok(cert_pem), Ok(key_pem)) =
            (std::fs::read_to_string(cert), std::fs::read_to_string(key))
    {
        return Ok(Identity { cert_pem, key_pem });
    }
    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    // Every cluster's API server stand-in (`<prefix>-<hash>.hcp.<region>.azmk8s.io`, AKS's names).
    names.extend(crate::contract::regions::all().map(|r| format!("*.hcp.{}.azmk8s.io", r.name)));
    let made =
        rcgen::generate_simple_self_signed(names).map_err(|e| EmulatorError::Tls(e.to_string()))?;
    let id = Identity {
        cert_pem: made.cert.pem(),
        key_pem: made.signing_key.serialize_pem(),
    };
    if let Some((cert, key)) = &paths {
        std::fs::write(cert, &id.cert_pem)?;
        std::fs::write(key, &id.key_pem)?;
    }
    Ok(id)
}

pub fn acceptor(id: &Identity) -> Result<TlsAcceptor, EmulatorError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let tls = |e: &dyn std::fmt::Display| EmulatorError::Tls(e.to_string());
    let cert = CertificateDer::from_pem_slice(id.cert_pem.as_bytes()).map_err(|e| tls(&e))?;
    let key = PrivateKeyDer::from_pem_slice(id.key_pem.as_bytes()).map_err(|e| tls(&e))?;
    // TLS 1.3 with AES-128-GCM/SHA-256 first, chosen by the server whatever the client's order: its
    // handshake hashes with the CPU's SHA-256 instructions where SHA-384 runs in software (a tenth of
    // a handshake's CPU, and an apply opens one connection per concurrent request).
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    provider
        .cipher_suites
        .sort_by_key(|s| s.suite() != rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
    let provider = Arc::new(provider);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls(&e))?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|e| tls(&e))?;
    config.ignore_client_order = true;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener for `axum::serve` that yields connections whose TLS handshake has completed.
#[derive(Debug)]
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = tcp.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let (acceptor, conn_tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(
                        std::time::Duration::from_secs(10),
                        acceptor.accept(stream),
                    )
                    .await
                    {
                        Ok(Ok(tls)) => {
                            let _ = conn_tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, %peer, "tls handshake failed"),
                        Err(_) => tracing::debug!(%peer, "tls handshake timed out"),
                    }
                });
                if tx.is_closed() {
                    break;
                }
            }
        });
        Ok(Self { rx, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

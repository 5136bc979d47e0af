//! The go-plugin handshake as Terraform performs it, and the mutual TLS that follows: the provider
//! refuses to run outside Terraform, prints the handshake line in go-plugin's format (unpadded base64
//! DER), and accepts a TLS client only when it presents exactly the certificate Terraform announced.

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-bcdr");
const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// A client certificate like Terraform's: self-signed ECDSA P-521 / SHA-512, marked CA.
fn terraform_like_cert() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("p-521 key");
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("self-signed");
    (
        cert.pem(),
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

struct Plugin {
    child: Child,
    line: String,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[(&str, &str)]) -> Plugin {
    let mut cmd = Command::new(BIN);
    cmd.env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env_remove("TF_DISABLE_PLUGIN_TLS");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("provider starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("handshake line");
    Plugin {
        child,
        line: line.trim_end().to_owned(),
    }
}

#[test]
fn refuses_to_run_outside_terraform() {
    let out = Command::new(BIN)
        .env_remove(COOKIE.0)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a Terraform plugin"));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: Terraform would read it as a handshake"
    );
}

#[test]
fn handshake_line_has_go_plugins_format() {
    let (pem, _, _) = terraform_like_cert();
    let plugin = start(&[("PLUGIN_CLIENT_CERT", &pem)]);
    let parts: Vec<&str> = plugin.line.split('|').collect();
    assert_eq!(parts.len(), 6, "{}", plugin.line);
    assert_eq!(&parts[..3], ["1", "6", "tcp"]);
    let port: u16 = parts[3]
        .strip_prefix("127.0.0.1:")
        .expect("loopback")
        .parse()
        .expect("port");
    assert!(
        (10000..=25000).contains(&port),
        "port {port} honours PLUGIN_MIN_PORT/PLUGIN_MAX_PORT"
    );
    assert_eq!(parts[4], "grpc");
    assert!(
        !parts[5].contains('='),
        "certificate must be unpadded base64"
    );
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("base64 DER");
    assert_eq!(der[0], 0x30, "a DER certificate");
}

#[test]
fn plaintext_when_terraform_disables_tls() {
    let plugin = start(&[("TF_DISABLE_PLUGIN_TLS", "1")]);
    assert!(
        plugin.line.starts_with("1|6|tcp|127.0.0.1:") && plugin.line.ends_with("|grpc|"),
        "{}",
        plugin.line
    );
}

#[derive(Debug)]
struct PinnedServer(
    CertificateDer<'static>,
    rustls::crypto::WebPkiSupportedAlgorithms,
);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(
            end_entity.as_ref(),
            self.0.as_ref(),
            "the server presents the certificate of its handshake line"
        );
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(m, c, d, &self.1)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(m, c, d, &self.1)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.1.supported_schemes()
    }
}

/// Connects, completes TLS, and reads what the server sends first (HTTP/2's SETTINGS frame when accepted).
async fn first_bytes(
    plugin: &Plugin,
    client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
) -> Result<Vec<u8>, String> {
    let parts: Vec<&str> = plugin.line.split('|').collect();
    let server_der = CertificateDer::from(
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("der"),
    );
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedServer(
        server_der,
        provider.signature_verification_algorithms,
    ));
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match client {
        Some((cert, key)) => builder
            .with_client_auth_cert(vec![cert], key)
            .expect("client cert"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = tokio::net::TcpStream::connect(parts[3])
        .await
        .map_err(|e| e.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        tls.get_ref().1.alpn_protocol(),
        Some(&b"h2"[..]),
        "ALPN h2 negotiated"
    );
    tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 64];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tls.read(&mut buf))
        .await
        .map_err(|_| "timeout".to_owned())?
        .map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("connection closed".into());
    }
    Ok(buf[..n].to_vec())
}

#[tokio::test]
async fn only_terraforms_client_certificate_is_accepted() {
    let (pem, terraform_cert, terraform_key) = terraform_like_cert();
    let (_, intruder_cert, intruder_key) = terraform_like_cert();
    let plugin = start(&[("PLUGIN_CLIENT_CERT", &pem)]);

    let accepted = first_bytes(&plugin, Some((terraform_cert, terraform_key)))
        .await
        .expect("Terraform's certificate is accepted");
    assert_eq!(
        accepted[3], 0x04,
        "the server's first HTTP/2 frame is SETTINGS"
    );

    let intruder = first_bytes(&plugin, Some((intruder_cert, intruder_key))).await;
    assert!(
        intruder.is_err(),
        "another certificate is refused, got {intruder:?}"
    );
    let anonymous = first_bytes(&plugin, None).await;
    assert!(
        anonymous.is_err(),
        "a client without a certificate is refused, got {anonymous:?}"
    );
}

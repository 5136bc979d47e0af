//! go-plugin's AutoMTLS as Terraform runs it: we present a fresh self-signed P-256 certificate for
//! `localhost` (its DER goes into the handshake line) and accept exactly one client certificate, the one
//! Terraform put in `PLUGIN_CLIENT_CERT`, checking the handshake signature with rustls' own helpers.
//! aws-lc-rs is the crypto provider because Terraform's certificate is ECDSA P-521 / SHA-512.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use std::sync::Arc;

/// The server's certificate (DER) and key.
#[derive(Debug)]
pub struct ServerIdentity {
    pub cert_der: CertificateDer<'static>,
    key_der: Vec<u8>,
}

pub fn server_identity() -> Result<ServerIdentity, String> {
    let key =
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "bcdr");
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: key.serialize_der(),
    })
}

/// Accepts one client certificate, byte for byte.
#[derive(Debug)]
pub struct PinnedClient {
    der: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

/// The TLS server configuration: our identity, only `client_pem`'s certificate, ALPN `h2`.
pub fn server_config(
    identity: &ServerIdentity,
    client_pem: &str,
) -> Result<rustls::ServerConfig, String> {
    let client = CertificateDer::from_pem_slice(client_pem.as_bytes())
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedClient {
        der: client.into_owned(),
        algorithms: provider.signature_verification_algorithms,
    });
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(identity.key_der.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![identity.cert_der.clone()], key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

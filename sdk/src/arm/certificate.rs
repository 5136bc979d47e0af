//! Client-certificate authentication: a client assertion (a JWT signed with the certificate's RSA key,
//! RS256, naming the certificate by its SHA-1 thumbprint in `x5t`) as Entra ID's client credentials
//! flow accepts it. Signed with aws-lc-rs, the crypto the TLS stack already uses.

use azure_core::http::ClientMethodOptions;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// How long a signed assertion is valid.
const LIFETIME_S: u64 = 600;

/// The key and certificate of a service principal's certificate credential.
pub(crate) struct CertificateAssertion {
    key: aws_lc_rs::signature::RsaKeyPair,
    thumbprint: String,
    audience: String,
    client_id: String,
}

impl fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateAssertion")
            .field("thumbprint", &self.thumbprint)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl CertificateAssertion {
    /// Reads a PEM file holding the certificate and its unencrypted RSA private key (PKCS#8 or PKCS#1).
    pub(crate) fn from_pem_file(
        path: &Path,
        authority: &str,
        tenant_id: &str,
        client_id: &str,
    ) -> Result<Self, String> {
        let shown = path.display();
        let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
        if !bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            return Err(format!(
                "{shown} is not PEM (a PKCS#12 .pfx file?): convert it with `openssl pkcs12 -in {shown} -nodes -out sp.pem` and give sp.pem"
            ));
        }
        let cert = CertificateDer::from_pem_file(path)
            .map_err(|e| format!("{shown}: no certificate: {e}"))?;
        let key = PrivateKeyDer::from_pem_file(path)
            .map_err(|e| format!("{shown}: no private key: {e}"))?;
        let key = match &key {
            PrivateKeyDer::Pkcs8(der) => {
                aws_lc_rs::signature::RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
            }
            PrivateKeyDer::Pkcs1(der) => {
                aws_lc_rs::signature::RsaKeyPair::from_der(der.secret_pkcs1_der())
            }
            _ => {
                return Err(format!(
                    "{shown}: the private key must be RSA (PKCS#8 or PKCS#1)"
                ));
            }
        }
        .map_err(|e| format!("{shown}: the private key is not a usable RSA key: {e}"))?;
        let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert);
        Ok(Self {
            key,
            thumbprint: B64.encode(sha1.as_ref()),
            audience: format!(
                "{}/{tenant_id}/oauth2/v2.0/token",
                authority.trim_end_matches('/')
            ),
            client_id: client_id.to_owned(),
        })
    }

    /// A fresh assertion valid from `now_s` for ten minutes.
    pub(crate) fn sign(&self, now_s: u64) -> Result<String, String> {
        let header = serde_json::json!({ "alg": "RS256", "typ": "JWT", "x5t": self.thumbprint });
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now_s,
            "iat": now_s,
            "exp": now_s + LIFETIME_S,
        });
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| "could not sign the client assertion".to_owned())?;
        Ok(format!("{signing_input}.{}", B64.encode(signature)))
    }
}

#[async_trait::async_trait]
impl azure_identity::ClientAssertion for CertificateAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let now_s = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.sign(now_s).map_err(|e| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem_file() -> std::path::PathBuf {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("rsa key");
        let cert = rcgen::CertificateParams::new(vec!["bcdr-test".into()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        let path = std::env::temp_dir().join(format!(
            "bcdr-cert-{}-{}.pem",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).expect("write");
        path
    }

    #[test]
    fn the_assertion_is_an_rs256_jwt_for_the_token_endpoint_that_the_public_key_verifies() {
        let path = pem_file();
        let assertion =
            CertificateAssertion::from_pem_file(&path, "https://login.example/", "tenant", "app")
                .expect("reads");
        let _ = std::fs::remove_file(&path);
        let jwt = assertion.sign(1_700_000_000).expect("signs");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let json = |s: &str| -> serde_json::Value {
            serde_json::from_slice(&B64.decode(s).expect("base64url")).expect("json")
        };
        let (header, claims) = (json(parts[0]), json(parts[1]));
        assert_eq!(header["alg"], "RS256");
        assert_eq!(
            B64.decode(header["x5t"].as_str().expect("x5t"))
                .expect("b64")
                .len(),
            20
        );
        assert_eq!(
            claims["aud"],
            "https://login.example/tenant/oauth2/v2.0/token"
        );
        assert_eq!(
            (claims["iss"].as_str(), claims["sub"].as_str()),
            (Some("app"), Some("app"))
        );
        assert_eq!(claims["exp"], 1_700_000_600);
        use aws_lc_rs::signature::KeyPair;
        aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            assertion.key.public_key().as_ref(),
        )
        .verify(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &B64.decode(parts[2]).expect("signature"),
        )
        .expect("the signature verifies");
    }

    #[test]
    fn a_file_without_a_key_names_the_file() {
        let path = std::env::temp_dir().join(format!("bcdr-nokey-{}.pem", std::process::id()));
        std::fs::write(&path, "-----BEGIN NOTHING-----\n-----END NOTHING-----\n").expect("write");
        let err =
            CertificateAssertion::from_pem_file(&path, "https://l", "t", "c").expect_err("no cert");
        let _ = std::fs::remove_file(&path);
        assert!(
            err.contains("bcdr-nokey") && err.contains("no certificate"),
            "{err}"
        );
    }

    #[test]
    fn a_pkcs12_file_says_how_to_convert_it() {
        let path = std::env::temp_dir().join(format!("bcdr-sp-{}.pfx", std::process::id()));
        std::fs::write(&path, [0x30, 0x82, 0x0a, 0x01, 0x02, 0x01, 0x03]).expect("write");
        let err =
            CertificateAssertion::from_pem_file(&path, "https://l", "t", "c").expect_err("not pem");
        let _ = std::fs::remove_file(&path);
        assert!(
            err.contains("openssl pkcs12 -in") && err.contains("-nodes"),
            "{err}"
        );
    }
}

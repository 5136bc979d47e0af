//! Clouds and credentials: where ARM and Entra ID are, and how the SDK gets a token (through
//! `azure_identity`).

use crate::error::{Error, Result};
use azure_core::credentials::{Secret, TokenCredential};
use std::fmt;
use std::sync::Arc;
use url::Url;

/// Where a cloud's Resource Manager and Entra ID live.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cloud {
    /// Resource Manager's endpoint (`https://management.azure.com` in the public cloud).
    pub resource_manager: Url,
    /// Entra ID's authority host, where tokens come from (`https://login.microsoftonline.com`).
    pub authority_host: Url,
    /// The token scope for ARM, e.g. `https://management.azure.com/.default`.
    pub scope: String,
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap_or_else(|_| Url::parse("https://invalid.invalid").expect("static url"))
}

impl Cloud {
    /// Azure's public cloud.
    pub fn public() -> Self {
        Self {
            resource_manager: url("https://management.azure.com"),
            authority_host: url("https://login.microsoftonline.com"),
            scope: "https://management.azure.com/.default".into(),
        }
    }

    /// Azure operated by 21Vianet (Azure China).
    pub fn china() -> Self {
        Self {
            resource_manager: url("https://management.chinacloudapi.cn"),
            authority_host: url("https://login.chinacloudapi.cn"),
            scope: "https://management.chinacloudapi.cn/.default".into(),
        }
    }

    /// Azure Government (US).
    pub fn us_government() -> Self {
        Self {
            resource_manager: url("https://management.usgovcloudapi.net"),
            authority_host: url("https://login.microsoftonline.us"),
            scope: "https://management.usgovcloudapi.net/.default".into(),
        }
    }

    /// A custom cloud (Azure Stack, or the local emulator): both endpoints must be HTTPS.
    pub fn custom(resource_manager: &str, authority_host: &str) -> Result<Self> {
        let parse = |what: &str, s: &str| {
            let u = Url::parse(s)
                .map_err(|e| Error::Config(format!("{what} \"{s}\" is not a URL: {e}")))?;
            if u.scheme() != "https" {
                return Err(Error::Config(format!("{what} \"{s}\" must use https")));
            }
            Ok(u)
        };
        Ok(Self {
            resource_manager: parse("resource manager endpoint", resource_manager)?,
            authority_host: parse("authority host", authority_host)?,
            scope: "https://management.azure.com/.default".into(),
        })
    }

    /// By the names azurerm uses: `public`, `china`, `usgovernment`.
    pub fn named(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "public" | "" => Ok(Self::public()),
            "china" => Ok(Self::china()),
            "usgovernment" => Ok(Self::us_government()),
            other => Err(Error::Config(format!(
                "unknown environment \"{other}\"; valid: public, china, usgovernment"
            ))),
        }
    }
}

/// How the SDK authenticates.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credential {
    /// A service principal with a client secret.
    ClientSecret {
        /// The Entra ID tenant of the service principal.
        tenant_id: String,
        /// The service principal's application (client) ID.
        client_id: String,
        /// The client secret; never logged (`Debug` hides it).
        client_secret: Secret,
    },
    /// A service principal with a certificate: a PEM file holding the certificate and its unencrypted
    /// RSA private key. Each token request carries a fresh assertion signed with the key.
    ClientCertificate {
        /// The Entra ID tenant of the service principal.
        tenant_id: String,
        /// The service principal's application (client) ID.
        client_id: String,
        /// The PEM file with the certificate and its unencrypted RSA private key.
        certificate_path: std::path::PathBuf,
    },
    /// Workload identity federation (OIDC): a signed token from another identity provider (a
    /// Kubernetes service account, GitHub Actions, Terraform Cloud), read from a file before each token
    /// request, exchanged for an Entra token. No secret is stored anywhere.
    WorkloadIdentity {
        /// The Entra ID tenant the federated credential is trusted in.
        tenant_id: String,
        /// The application (client) ID of the app registration or user-assigned identity holding the federation.
        client_id: String,
        /// The file holding the other provider's signed token, read again before each token request.
        token_file: std::path::PathBuf,
    },
    /// The signed-in Azure CLI (`az login`): each token comes from `az account get-access-token`,
    /// in `tenant_id` when given, else the CLI's default tenant.
    AzureCli {
        /// The tenant to get tokens in; the CLI's default tenant when `None`.
        tenant_id: Option<String>,
    },
    /// The managed identity of the VM, container or App Service the program runs in: system-assigned,
    /// or the user-assigned identity with `client_id`. The host's identity endpoint (IMDS, or
    /// `IDENTITY_ENDPOINT` with `IDENTITY_HEADER`) hands out the tokens.
    ManagedIdentity {
        /// The client ID of a user-assigned identity; the system-assigned identity when `None`.
        client_id: Option<String>,
    },
    /// Any `azure_core` token credential the caller built.
    Custom(Arc<dyn TokenCredential>),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::ClientSecret {
                tenant_id,
                client_id,
                ..
            } => f
                .debug_struct("ClientSecret")
                .field("tenant_id", tenant_id)
                .field("client_id", client_id)
                .field("client_secret", &"<redacted>")
                .finish(),
            Credential::WorkloadIdentity {
                tenant_id,
                client_id,
                token_file,
            } => f
                .debug_struct("WorkloadIdentity")
                .field("tenant_id", tenant_id)
                .field("client_id", client_id)
                .field("token_file", token_file)
                .finish(),
            Credential::AzureCli { tenant_id } => f
                .debug_struct("AzureCli")
                .field("tenant_id", tenant_id)
                .finish(),
            Credential::ManagedIdentity { client_id } => f
                .debug_struct("ManagedIdentity")
                .field("client_id", client_id)
                .finish(),
            Credential::ClientCertificate {
                tenant_id,
                client_id,
                certificate_path,
            } => f
                .debug_struct("ClientCertificate")
                .field("tenant_id", tenant_id)
                .field("client_id", client_id)
                .field("certificate_path", certificate_path)
                .finish(),
            Credential::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl Credential {
    /// A service principal with a client secret.
    pub fn client_secret(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Credential::ClientSecret {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret.into()),
        }
    }

    /// A service principal with a certificate: `certificate_path` is a PEM file with the certificate
    /// and its unencrypted RSA private key.
    pub fn client_certificate(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        certificate_path: impl Into<std::path::PathBuf>,
    ) -> Self {
        Credential::ClientCertificate {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            certificate_path: certificate_path.into(),
        }
    }

    /// Workload identity federation: `token_file` holds the federated (OIDC) token, e.g. the file
    /// `AZURE_FEDERATED_TOKEN_FILE` names in a pod with workload identity.
    pub fn workload_identity(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        token_file: impl Into<std::path::PathBuf>,
    ) -> Self {
        Credential::WorkloadIdentity {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            token_file: token_file.into(),
        }
    }

    /// The signed-in Azure CLI, optionally in another tenant than its default.
    pub fn azure_cli(tenant_id: Option<String>) -> Self {
        Credential::AzureCli { tenant_id }
    }

    /// The host's managed identity: system-assigned, or the user-assigned one with `client_id`.
    pub fn managed_identity(client_id: Option<String>) -> Self {
        Credential::ManagedIdentity { client_id }
    }

    pub(crate) fn build(
        &self,
        cloud: &Cloud,
        options: azure_core::http::ClientOptions,
    ) -> Result<Arc<dyn TokenCredential>> {
        let with_authority = |mut options: azure_core::http::ClientOptions| {
            let mut custom = azure_core::cloud::CustomConfiguration::default();
            custom.authority_host = cloud
                .authority_host
                .as_str()
                .trim_end_matches('/')
                .to_owned();
            options.cloud = Some(Arc::new(custom.into()));
            options
        };
        match self {
            Credential::ClientSecret {
                tenant_id,
                client_id,
                client_secret,
            } => {
                let options = with_authority(options);
                let credential = azure_identity::ClientSecretCredential::new(
                    tenant_id,
                    client_id.clone(),
                    client_secret.clone(),
                    Some(azure_identity::ClientSecretCredentialOptions {
                        client_options: options,
                    }),
                )
                .map_err(|e| Error::Credential(e.to_string()))?;
                Ok(credential)
            }
            Credential::WorkloadIdentity {
                tenant_id,
                client_id,
                token_file,
            } => {
                if !token_file.is_file() {
                    return Err(Error::Credential(format!(
                        "federated token file {} does not exist",
                        token_file.display()
                    )));
                }
                let credential = azure_identity::WorkloadIdentityCredential::new(Some(
                    azure_identity::WorkloadIdentityCredentialOptions {
                        credential_options: azure_identity::ClientAssertionCredentialOptions {
                            client_options: with_authority(options),
                        },
                        client_id: Some(client_id.clone()),
                        tenant_id: Some(tenant_id.clone()),
                        token_file_path: Some(token_file.clone()),
                    },
                ))
                .map_err(|e| Error::Credential(e.to_string()))?;
                Ok(credential)
            }
            Credential::AzureCli { tenant_id } => {
                let credential = azure_identity::AzureCliCredential::new(Some(
                    azure_identity::AzureCliCredentialOptions {
                        tenant_id: tenant_id.clone(),
                        ..Default::default()
                    },
                ))
                .map_err(|e| Error::Credential(e.to_string()))?;
                Ok(credential)
            }
            Credential::ManagedIdentity { client_id } => {
                let credential = azure_identity::ManagedIdentityCredential::new(Some(
                    azure_identity::ManagedIdentityCredentialOptions {
                        user_assigned_id: client_id
                            .clone()
                            .map(azure_identity::UserAssignedId::ClientId),
                        client_options: options,
                    },
                ))
                .map_err(|e| Error::Credential(e.to_string()))?;
                Ok(credential)
            }
            Credential::ClientCertificate {
                tenant_id,
                client_id,
                certificate_path,
            } => {
                let assertion = super::certificate::CertificateAssertion::from_pem_file(
                    certificate_path,
                    cloud.authority_host.as_str(),
                    tenant_id,
                    client_id,
                )
                .map_err(Error::Credential)?;
                let credential = azure_identity::ClientAssertionCredential::new(
                    tenant_id.clone(),
                    client_id.clone(),
                    assertion,
                    Some(azure_identity::ClientAssertionCredentialOptions {
                        client_options: with_authority(options),
                    }),
                )
                .map_err(|e| Error::Credential(e.to_string()))?;
                Ok(credential)
            }
            Credential::Custom(c) => Ok(c.clone()),
        }
    }
}

/// AKS's Microsoft Entra server application: the audience of every token a managed-Entra cluster's
/// API server accepts, the same in every tenant (the `--server-id` of the kubeconfigs AKS issues;
/// learn.microsoft.com/azure/aks/kubelogin-authentication).
pub const AKS_SERVER_APP: &str = "6dae42f8-4368-4678-94ff-3960e28e3630";

/// The scope to ask Entra ID for a token an AKS API server accepts (`<server app>/.default`).
pub const AKS_SCOPE: &str = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

/// An Entra access token for a scope other than ARM's: a secret. `Debug` shows only its expiry;
/// [`AccessToken::expose`] gives it.
#[derive(Clone)]
pub struct AccessToken {
    token: Secret,
    /// When Entra ID said the token stops working.
    pub expires_on: azure_core::time::OffsetDateTime,
}

impl AccessToken {
    /// A token with its secret value and its expiry.
    pub fn new(token: impl Into<String>, expires_on: azure_core::time::OffsetDateTime) -> Self {
        Self {
            token: Secret::new(token.into()),
            expires_on,
        }
    }

    /// The bearer token; never log it.
    pub fn expose(&self) -> &str {
        self.token.secret()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"<redacted>")
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

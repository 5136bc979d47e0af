//! Connection settings by name, as Terraform's azurerm takes them, each from its `ARM_*` environment
//! variable when not given, resolved into an [`ArmConfig`]: which credential (the Azure CLI, else a
//! managed identity, else workload identity, else a certificate, else a client secret), which cloud
//! (a named one, or a custom endpoint), which extra root certificate. The provider fills these from its
//! block; a Rust program calls [`ArmConfig::from_env`].

use super::ArmConfig;
use super::auth::{Cloud, Credential};
use crate::error::{Error, Result};
use std::fmt;

/// Each setting and the environment variable it falls back to.
pub const ENV: &[(&str, &str)] = &[
    ("subscription_id", "ARM_SUBSCRIPTION_ID"),
    ("tenant_id", "ARM_TENANT_ID"),
    ("client_id", "ARM_CLIENT_ID"),
    ("client_secret", "ARM_CLIENT_SECRET"),
    ("use_oidc", "ARM_USE_OIDC"),
    ("use_cli", "ARM_USE_CLI"),
    ("use_msi", "ARM_USE_MSI"),
    ("client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH"),
    ("oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH"),
    ("environment", "ARM_ENVIRONMENT"),
    ("endpoint", "ARM_ENDPOINT"),
    ("authority_host", "ARM_AUTHORITY_HOST"),
    ("ca_certificate_file", "ARM_CA_CERTIFICATE_FILE"),
    (
        "skip_provider_registration",
        "ARM_SKIP_PROVIDER_REGISTRATION",
    ),
    ("max_retries", "ARM_MAX_RETRIES"),
    ("poll_interval_scale", "ARM_POLL_INTERVAL_SCALE"),
];

/// The settings that each choose a way to authenticate.
pub const CREDENTIAL_SETTINGS: &[&str] = &[
    "client_secret",
    "client_certificate_path",
    "use_oidc",
    "use_cli",
    "use_msi",
];

/// The environment variable of `setting`, if it has one.
pub fn env_var(setting: &str) -> Option<&'static str> {
    ENV.iter().find(|(s, _)| *s == setting).map(|(_, v)| *v)
}

/// How to reach ARM, setting by setting; `None` is unset.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ConnectionSettings {
    /// The Azure subscription to deploy into (`ARM_SUBSCRIPTION_ID`).
    pub subscription_id: Option<String>,
    /// The Entra ID tenant of the service principal, or the tenant to get tokens in (`ARM_TENANT_ID`).
    pub tenant_id: Option<String>,
    /// The application (client) ID of the service principal or user-assigned identity (`ARM_CLIENT_ID`).
    pub client_id: Option<String>,
    /// Never shown by `Debug`.
    pub client_secret: Option<String>,
    /// A PEM file holding the service principal's certificate and unencrypted RSA key (`ARM_CLIENT_CERTIFICATE_PATH`).
    pub client_certificate_path: Option<String>,
    /// Authenticate with workload identity federation, from `oidc_token_file_path` (`ARM_USE_OIDC`).
    pub use_oidc: Option<bool>,
    /// Authenticate as the signed-in Azure CLI (`ARM_USE_CLI`); chosen before any other way.
    pub use_cli: Option<bool>,
    /// Authenticate as the host's managed identity (`ARM_USE_MSI`).
    pub use_msi: Option<bool>,
    /// The file of the federated token for `use_oidc` (`ARM_OIDC_TOKEN_FILE_PATH`, else `AZURE_FEDERATED_TOKEN_FILE`).
    pub oidc_token_file_path: Option<String>,
    /// `public` (the default), `china` or `usgovernment`.
    pub environment: Option<String>,
    /// A custom cloud's Resource Manager (overrides `environment`).
    pub endpoint: Option<String>,
    /// A custom cloud's Entra ID authority (defaults to `endpoint`).
    pub authority_host: Option<String>,
    /// A PEM file of an extra root certificate to trust.
    pub ca_certificate_file: Option<String>,
    /// Never register the subscription for a resource provider it lacks (see
    /// [`ArmConfig::register_providers`]); azurerm's setting of the same name.
    pub skip_provider_registration: Option<bool>,
    /// How often a request that found a service unavailable is sent again (see
    /// [`ArmConfig::max_retries`](ArmConfig#structfield.max_retries)); the Azure SDK's 8 when unset.
    pub max_retries: Option<u32>,
    /// Multiplies each resource provider's polling interval (see
    /// [`ArmConfig::poll_interval_scale`](ArmConfig#structfield.poll_interval_scale)): for the ARM
    /// emulator run with a latency scale, that scale; unset (1.0) against Azure.
    pub poll_interval_scale: Option<f64>,
}

impl fmt::Debug for ConnectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionSettings")
            .field("subscription_id", &self.subscription_id)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("client_certificate_path", &self.client_certificate_path)
            .field("use_oidc", &self.use_oidc)
            .field("use_cli", &self.use_cli)
            .field("use_msi", &self.use_msi)
            .field("oidc_token_file_path", &self.oidc_token_file_path)
            .field("environment", &self.environment)
            .field("endpoint", &self.endpoint)
            .field("authority_host", &self.authority_host)
            .field("ca_certificate_file", &self.ca_certificate_file)
            .field(
                "skip_provider_registration",
                &self.skip_provider_registration,
            )
            .field("max_retries", &self.max_retries)
            .field("poll_interval_scale", &self.poll_interval_scale)
            .finish()
    }
}

/// A setting that is missing or wrong, by its name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {detail}")]
#[non_exhaustive]
pub struct SettingError {
    /// The setting's name, as the provider block spells it (`tenant_id`, say).
    pub setting: &'static str,
    /// `Missing tenant_id`, `Invalid endpoint`, ...
    pub summary: String,
    /// What is wrong and what would do.
    pub detail: String,
}

impl SettingError {
    fn missing(setting: &'static str, alternative: &str) -> Self {
        let var = env_var(setting).unwrap_or_default();
        Self {
            setting,
            summary: format!("Missing {setting}"),
            detail: format!("set {setting} or the {var} environment variable{alternative}"),
        }
    }
}

/// `true` or `1`, in any case.
fn truthy(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s == "1"
}

impl ConnectionSettings {
    /// Whether a subscription and a way to authenticate are given (one of [`CREDENTIAL_SETTINGS`]):
    /// the least an attempt to reach Azure needs. Whether they are complete is [`resolve`]'s to say.
    ///
    /// [`resolve`]: Self::resolve
    pub fn names_a_connection(&self) -> bool {
        self.subscription_id.is_some()
            && (self.client_secret.is_some()
                || self.client_certificate_path.is_some()
                || self.use_oidc.is_some()
                || self.use_cli.is_some()
                || self.use_msi.is_some())
    }

    /// Every setting from its `ARM_*` variable.
    pub fn from_env() -> Self {
        Self::default().or_env()
    }

    /// Each unset setting from its `ARM_*` variable (the OIDC token file also from
    /// `AZURE_FEDERATED_TOKEN_FILE`, as AKS workload identity sets it).
    #[must_use]
    pub fn or_env(self) -> Self {
        self.or_env_with(|name| std::env::var(name).ok())
    }

    /// [`or_env`](Self::or_env) with `var` standing in for the environment.
    #[must_use]
    pub fn or_env_with(mut self, var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.is_empty());
        let text = |slot: &mut Option<String>, setting: &str| {
            if slot.is_none() {
                *slot = env_var(setting).and_then(var);
            }
        };
        text(&mut self.subscription_id, "subscription_id");
        text(&mut self.tenant_id, "tenant_id");
        text(&mut self.client_id, "client_id");
        text(&mut self.client_secret, "client_secret");
        text(&mut self.client_certificate_path, "client_certificate_path");
        text(&mut self.oidc_token_file_path, "oidc_token_file_path");
        text(&mut self.environment, "environment");
        text(&mut self.endpoint, "endpoint");
        text(&mut self.authority_host, "authority_host");
        text(&mut self.ca_certificate_file, "ca_certificate_file");
        if self.oidc_token_file_path.is_none() {
            self.oidc_token_file_path = var("AZURE_FEDERATED_TOKEN_FILE");
        }
        let flag = |slot: &mut Option<bool>, setting: &str| {
            if slot.is_none() {
                *slot = env_var(setting).and_then(var).map(|v| truthy(&v));
            }
        };
        flag(&mut self.use_oidc, "use_oidc");
        flag(&mut self.use_cli, "use_cli");
        flag(&mut self.use_msi, "use_msi");
        flag(
            &mut self.skip_provider_registration,
            "skip_provider_registration",
        );
        if self.max_retries.is_none() {
            self.max_retries = env_var("max_retries")
                .and_then(var)
                .and_then(|v| v.trim().parse().ok());
        }
        if self.poll_interval_scale.is_none() {
            // Unreadable is NaN, which `resolve` names, rather than silently Azure's pace.
            self.poll_interval_scale = env_var("poll_interval_scale")
                .and_then(var)
                .map(|v| v.trim().parse().unwrap_or(f64::NAN));
        }
        self
    }

    /// The credential these settings choose: the Azure CLI, else a managed identity, else workload
    /// identity, else a certificate, else a client secret. Every missing setting is reported.
    pub fn credential(&self) -> std::result::Result<Credential, Vec<SettingError>> {
        let mut errors = Vec::new();
        let mut need = |value: &Option<String>, setting: &'static str, alternative: &str| {
            value.clone().unwrap_or_else(|| {
                errors.push(SettingError::missing(setting, alternative));
                String::new()
            })
        };
        let credential = if self.use_cli == Some(true) {
            Credential::azure_cli(self.tenant_id.clone())
        } else if self.use_msi == Some(true) {
            Credential::managed_identity(self.client_id.clone())
        } else if self.use_oidc == Some(true) {
            let tenant = need(&self.tenant_id, "tenant_id", "");
            let client = need(&self.client_id, "client_id", "");
            let file = need(
                &self.oidc_token_file_path,
                "oidc_token_file_path",
                " (or AZURE_FEDERATED_TOKEN_FILE) with use_oidc",
            );
            Credential::workload_identity(tenant, client, file)
        } else if let Some(path) = &self.client_certificate_path {
            let tenant = need(&self.tenant_id, "tenant_id", "");
            let client = need(&self.client_id, "client_id", "");
            Credential::client_certificate(tenant, client, path)
        } else {
            let tenant = need(&self.tenant_id, "tenant_id", "");
            let client = need(&self.client_id, "client_id", "");
            let secret = need(
                &self.client_secret,
                "client_secret",
                ", or choose another way to authenticate (use_cli, use_msi, use_oidc, client_certificate_path)",
            );
            Credential::client_secret(tenant, client, secret)
        };
        if errors.is_empty() {
            Ok(credential)
        } else {
            Err(errors)
        }
    }

    /// The cloud: a custom one when `endpoint` is set (its authority `authority_host`, else the
    /// endpoint itself, as the emulator serves both), else the named `environment`.
    pub fn cloud(&self) -> std::result::Result<Cloud, SettingError> {
        match &self.endpoint {
            Some(endpoint) => {
                let authority = self.authority_host.as_deref().unwrap_or(endpoint);
                Cloud::custom(endpoint, authority).map_err(|e| SettingError {
                    setting: "endpoint",
                    summary: "Invalid endpoint".into(),
                    detail: e.to_string(),
                })
            }
            None => Cloud::named(self.environment.as_deref().unwrap_or_default()).map_err(|e| {
                SettingError {
                    setting: "environment",
                    summary: "Invalid environment".into(),
                    detail: e.to_string(),
                }
            }),
        }
    }

    /// The [`ArmConfig`] these settings describe (reads `ca_certificate_file`, checks that a
    /// certificate file holds a certificate and an RSA key and that a federated token file can be
    /// opened); every missing or wrong setting is reported, each by its name.
    pub fn resolve(&self) -> std::result::Result<ArmConfig, Vec<SettingError>> {
        let mut errors = Vec::new();
        match &self.subscription_id {
            None => errors.push(SettingError::missing("subscription_id", "")),
            Some(id) => errors.extend(subscription_problem(id).map(|detail| SettingError {
                setting: "subscription_id",
                summary: "Invalid subscription_id".into(),
                detail,
            })),
        }
        let credential = self.credential().map_err(|e| errors.extend(e)).ok();
        errors.extend(credential.as_ref().and_then(unusable_file));
        let cloud = self.cloud().map_err(|e| errors.push(e)).ok();
        if let Some(scale) = self
            .poll_interval_scale
            .filter(|s| !(s.is_finite() && *s > 0.0))
        {
            errors.push(SettingError {
                setting: "poll_interval_scale",
                summary: "Invalid poll_interval_scale".into(),
                detail: format!(
                    "{scale} is not a number greater than 0 (the ARM emulator's latency scale, e.g. 0.001; leave it unset against Azure)"
                ),
            });
        }
        let pem = self.ca_certificate_file.as_ref().and_then(|path| {
            std::fs::read_to_string(path)
                .map_err(|e| {
                    errors.push(SettingError {
                        setting: "ca_certificate_file",
                        summary: "Unreadable CA certificate".into(),
                        detail: format!("{path}: {e}"),
                    });
                })
                .ok()
        });
        match (&self.subscription_id, credential, cloud) {
            (Some(subscription), Some(credential), Some(cloud)) if errors.is_empty() => {
                let mut config = ArmConfig::new(subscription.clone(), cloud, credential)
                    .register_providers(self.skip_provider_registration != Some(true));
                if let Some(retries) = self.max_retries {
                    config = config.max_retries(retries);
                }
                if let Some(scale) = self.poll_interval_scale {
                    config = config.poll_interval_scale(scale);
                }
                Ok(match pem {
                    Some(pem) => config.trust_root_pem(pem),
                    None => config,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What is wrong with `id` as a subscription id, if anything (ARM's ids are GUIDs).
pub(crate) fn subscription_problem(id: &str) -> Option<String> {
    uuid::Uuid::parse_str(id).is_err().then(|| {
        format!(
            "\"{id}\" is not a subscription id: a GUID such as 00000000-0000-0000-0000-000000000000 (`az account show --query id`)"
        )
    })
}

/// What is wrong with the file a credential reads, if anything, named by its setting: a certificate
/// file must hold a certificate and an RSA key, a federated token file must open.
fn unusable_file(credential: &Credential) -> Option<SettingError> {
    let (setting, summary, detail) = match credential {
        Credential::ClientCertificate {
            tenant_id,
            client_id,
            certificate_path,
        } => (
            "client_certificate_path",
            "Unusable certificate file",
            super::certificate::CertificateAssertion::from_pem_file(
                certificate_path,
                "",
                tenant_id,
                client_id,
            )
            .err()?,
        ),
        Credential::WorkloadIdentity { token_file, .. } => (
            "oidc_token_file_path",
            "Unreadable federated token file",
            std::fs::File::open(token_file)
                .err()
                .map(|e| format!("{}: {e}", token_file.display()))?,
        ),
        _ => return None,
    };
    Some(SettingError {
        setting,
        summary: summary.into(),
        detail,
    })
}

impl ArmConfig {
    /// The connection the `ARM_*` environment variables describe, as Terraform's azurerm reads them
    /// (`ARM_SUBSCRIPTION_ID`, `ARM_TENANT_ID`, `ARM_CLIENT_ID`, then `ARM_CLIENT_SECRET`, or
    /// `ARM_CLIENT_CERTIFICATE_PATH`, `ARM_USE_OIDC`, `ARM_USE_CLI`, `ARM_USE_MSI`; `ARM_ENVIRONMENT`
    /// or `ARM_ENDPOINT` for the cloud). The error names every variable that is missing or wrong.
    pub fn from_env() -> Result<Self> {
        ConnectionSettings::from_env().resolve().map_err(|errors| {
            let text: Vec<String> = errors
                .iter()
                .map(|e| match env_var(e.setting) {
                    Some(var) => format!("{var} ({}): {}", e.setting, e.detail),
                    None => e.to_string(),
                })
                .collect();
            Error::Config(text.join("; "))
        })
    }
}

#[cfg(test)]
mod tests;

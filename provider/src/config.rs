//! The provider block: its schema, validation, and the SDK connection it configures. Each setting falls
//! back to its `ARM_*` environment variable, as azurerm's do.

use crate::diag;
use crate::proto::tfplugin6 as pb;
use crate::schema::{Block, Mode, Ty, attr, secret};
use crate::value::Value;
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, TopologyClient};

/// (attribute, environment variable).
const ENV: &[(&str, &str)] = &[
    ("subscription_id", "ARM_SUBSCRIPTION_ID"),
    ("tenant_id", "ARM_TENANT_ID"),
    ("client_id", "ARM_CLIENT_ID"),
    ("client_secret", "ARM_CLIENT_SECRET"),
    ("environment", "ARM_ENVIRONMENT"),
    ("endpoint", "ARM_ENDPOINT"),
    ("authority_host", "ARM_AUTHORITY_HOST"),
    ("ca_certificate_file", "ARM_CA_CERTIFICATE_FILE"),
];

pub fn schema() -> Block {
    Block {
        description: "Connects to Azure Resource Manager with a service principal. Every setting may instead come from its `ARM_*` environment variable.",
        attributes: vec![
            attr(
                "subscription_id",
                Ty::String,
                Mode::Optional,
                "Subscription the topology lives in (`ARM_SUBSCRIPTION_ID`).",
            ),
            attr(
                "tenant_id",
                Ty::String,
                Mode::Optional,
                "Entra ID tenant of the service principal (`ARM_TENANT_ID`).",
            ),
            attr(
                "client_id",
                Ty::String,
                Mode::Optional,
                "Application (client) id of the service principal (`ARM_CLIENT_ID`).",
            ),
            secret(
                "client_secret",
                "Client secret of the service principal (`ARM_CLIENT_SECRET`). Sensitive: never logged.",
            ),
            attr(
                "environment",
                Ty::String,
                Mode::Optional,
                "Azure cloud: `public` (default), `china` or `usgovernment` (`ARM_ENVIRONMENT`).",
            ),
            attr(
                "endpoint",
                Ty::String,
                Mode::Optional,
                "Resource Manager endpoint of a custom cloud, e.g. the ARM emulator's `https://127.0.0.1:8443` (`ARM_ENDPOINT`). Overrides `environment`.",
            ),
            attr(
                "authority_host",
                Ty::String,
                Mode::Optional,
                "Entra ID authority host of a custom cloud (`ARM_AUTHORITY_HOST`). Defaults to `endpoint` when that is set (the emulator serves both).",
            ),
            attr(
                "ca_certificate_file",
                Ty::String,
                Mode::Optional,
                "PEM file of an extra root certificate to trust, e.g. the emulator's `<state>.cert.pem` (`ARM_CA_CERTIFICATE_FILE`).",
            ),
        ],
        blocks: vec![],
    }
}

fn setting(config: &Value, name: &str) -> Option<String> {
    if let Some(s) = config.get(name).as_str().filter(|s| !s.is_empty()) {
        return Some(s.to_owned());
    }
    let var = ENV.iter().find(|(a, _)| *a == name).map(|(_, v)| *v)?;
    std::env::var(var).ok().filter(|s| !s.is_empty())
}

/// Checks what can be checked before configuring: values that are set and known.
pub fn validate(config: &Value) -> Vec<pb::Diagnostic> {
    let mut diags = Vec::new();
    if let Some(env) = config.get("environment").as_str()
        && let Err(e) = Cloud::named(env)
    {
        diags.push(diag::error_at(
            &["environment"],
            "Invalid environment",
            e.to_string(),
        ));
    }
    for key in ["endpoint", "authority_host"] {
        if let Some(url) = config.get(key).as_str()
            && !url.starts_with("https://")
        {
            diags.push(diag::error_at(
                &[key],
                "Endpoint must use HTTPS",
                format!(
                    "\"{url}\" is not an https:// URL; Azure (and the emulator) speak only HTTPS"
                ),
            ));
        }
    }
    diags
}

/// Builds the SDK client from the provider block and the environment.
pub fn configure(config: &Value) -> Result<TopologyClient, Vec<pb::Diagnostic>> {
    let mut diags = validate(config);
    let mut need = |name: &str| {
        let v = setting(config, name);
        if v.is_none() {
            let var = ENV.iter().find(|(a, _)| *a == name).map_or("", |(_, v)| *v);
            diags.push(diag::error_at(
                &[name],
                format!("Missing {name}"),
                format!("set {name} in the provider block or the {var} environment variable"),
            ));
        }
        v.unwrap_or_default()
    };
    let (subscription, tenant, client_id, client_secret) = (
        need("subscription_id"),
        need("tenant_id"),
        need("client_id"),
        need("client_secret"),
    );
    if !diags.is_empty() {
        return Err(diags);
    }
    let cloud = match setting(config, "endpoint") {
        Some(endpoint) => {
            let authority = setting(config, "authority_host").unwrap_or_else(|| endpoint.clone());
            Cloud::custom(&endpoint, &authority)
        }
        None => Cloud::named(&setting(config, "environment").unwrap_or_default()),
    };
    let cloud = cloud.map_err(|e| {
        vec![diag::error_at(
            &["endpoint"],
            "Invalid endpoint",
            e.to_string(),
        )]
    })?;
    let mut arm = ArmConfig::new(
        subscription,
        cloud,
        Credential::client_secret(tenant, client_id, client_secret),
    );
    if let Some(path) = setting(config, "ca_certificate_file") {
        let pem = std::fs::read_to_string(&path).map_err(|e| {
            vec![diag::error_at(
                &["ca_certificate_file"],
                "Unreadable CA certificate",
                format!("{path}: {e}"),
            )]
        })?;
        arm = arm.trust_root_pem(pem);
    }
    let client = ArmClient::new(arm)
        .map_err(|e| vec![diag::error("Invalid provider configuration", e.to_string())])?;
    Ok(TopologyClient::new(client))
}

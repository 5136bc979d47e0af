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
    ("use_oidc", "ARM_USE_OIDC"),
    ("use_cli", "ARM_USE_CLI"),
    ("use_msi", "ARM_USE_MSI"),
    ("client_certificate_path", "ARM_CLIENT_CERTIFICATE_PATH"),
    ("oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH"),
    ("environment", "ARM_ENVIRONMENT"),
    ("endpoint", "ARM_ENDPOINT"),
    ("authority_host", "ARM_AUTHORITY_HOST"),
    ("ca_certificate_file", "ARM_CA_CERTIFICATE_FILE"),
];

pub fn schema() -> Block {
    Block {
        description: "Connects to Azure Resource Manager as a service principal (with a client secret or with workload identity federation, OIDC), as the host's managed identity, or as whoever is signed in to the Azure CLI. Every setting may instead come from its `ARM_*` environment variable.",
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
                "Client secret of the service principal (`ARM_CLIENT_SECRET`). Sensitive: never logged. Not needed with `use_oidc`.",
            ),
            attr(
                "client_certificate_path",
                Ty::String,
                Mode::Optional,
                "PEM file with the service principal's certificate and its unencrypted RSA private key, instead of a client secret (`ARM_CLIENT_CERTIFICATE_PATH`). Each token request carries a fresh assertion signed with the key. A PKCS#12 (`.pfx`) bundle is not read: convert it with `openssl pkcs12 -in sp.pfx -nodes -out sp.pem`.",
            ),
            attr(
                "use_oidc",
                Ty::Bool,
                Mode::Optional,
                "Authenticate with workload identity federation (OIDC) instead of a client secret (`ARM_USE_OIDC`): a federated token, e.g. from AKS workload identity, GitHub Actions or Terraform Cloud, is exchanged for an Entra token.",
            ),
            attr(
                "use_cli",
                Ty::Bool,
                Mode::Optional,
                "Authenticate as whoever is signed in to the Azure CLI (`az login`) instead of a service principal (`ARM_USE_CLI`): each token comes from `az account get-access-token`. `client_id` is not needed; `tenant_id`, when set, selects the tenant.",
            ),
            attr(
                "use_msi",
                Ty::Bool,
                Mode::Optional,
                "Authenticate as the managed identity of the VM, container or App Service Terraform runs in (`ARM_USE_MSI`): system-assigned, or the user-assigned identity whose client id is `client_id`. No secret is needed.",
            ),
            attr(
                "oidc_token_file_path",
                Ty::String,
                Mode::Optional,
                "File holding the federated token, read again before each token request (`ARM_OIDC_TOKEN_FILE_PATH`, else `AZURE_FEDERATED_TOKEN_FILE` as AKS workload identity sets it). Used with `use_oidc`.",
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
    let set = |name: &str| match config.get(name) {
        Value::Bool(b) => *b,
        Value::String(s) => !s.is_empty(),
        _ => false,
    };
    let ways = [
        "use_cli",
        "use_msi",
        "use_oidc",
        "client_certificate_path",
        "client_secret",
    ];
    if let Some(way) = ways.into_iter().find(|w| set(w)) {
        for other in ways.into_iter().filter(|w| *w != way && set(w)) {
            diags.push(diag::error_at(
                &[other],
                "Conflicting credentials",
                format!("{other} and {way} are exclusive: set one way to authenticate"),
            ));
        }
    }
    diags
}

/// A boolean setting: the block's value, else its environment variable (`true` or `1`).
fn flag(config: &Value, name: &str) -> bool {
    match config.get(name).as_bool() {
        Some(b) => b,
        None => setting(config, name).is_some_and(|s| s.eq_ignore_ascii_case("true") || s == "1"),
    }
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
    let subscription = need("subscription_id");
    let mut missing_token_file = false;
    let credential = if flag(config, "use_cli") {
        Credential::azure_cli(setting(config, "tenant_id"))
    } else if flag(config, "use_msi") {
        Credential::managed_identity(setting(config, "client_id"))
    } else if flag(config, "use_oidc") {
        let (tenant, client_id) = (need("tenant_id"), need("client_id"));
        let file = setting(config, "oidc_token_file_path").or_else(|| {
            std::env::var("AZURE_FEDERATED_TOKEN_FILE")
                .ok()
                .filter(|s| !s.is_empty())
        });
        if file.is_none() {
            missing_token_file = true;
        }
        Credential::workload_identity(tenant, client_id, file.unwrap_or_default())
    } else if let Some(path) = setting(config, "client_certificate_path") {
        let (tenant, client_id) = (need("tenant_id"), need("client_id"));
        Credential::client_certificate(tenant, client_id, path)
    } else {
        let (tenant, client_id) = (need("tenant_id"), need("client_id"));
        let client_secret = need("client_secret");
        Credential::client_secret(tenant, client_id, client_secret)
    };
    if missing_token_file {
        diags.push(diag::error_at(
            &["oidc_token_file_path"],
            "Missing oidc_token_file_path",
            "with use_oidc, set oidc_token_file_path in the provider block, or the ARM_OIDC_TOKEN_FILE_PATH or AZURE_FEDERATED_TOKEN_FILE environment variable",
        ));
    }
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
    let mut arm = ArmConfig::new(subscription, cloud, credential);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn block(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn summaries(diags: &[pb::Diagnostic]) -> Vec<&str> {
        diags.iter().map(|d| d.summary.as_str()).collect()
    }

    #[test]
    fn a_secret_and_oidc_together_are_refused_at_client_secret() {
        let diags = validate(&block(&[
            ("use_oidc", Value::Bool(true)),
            ("client_secret", Value::string("s")),
        ]));
        assert_eq!(summaries(&diags), ["Conflicting credentials"]);
        assert!(diags[0].detail.contains("exclusive"));
    }

    #[test]
    fn the_cli_with_another_credential_is_refused_at_that_attribute() {
        let diags = validate(&block(&[
            ("use_cli", Value::Bool(true)),
            ("use_oidc", Value::Bool(true)),
        ]));
        assert_eq!(summaries(&diags), ["Conflicting credentials"]);
        assert!(diags[0].detail.starts_with("use_oidc and use_cli"));
        let diags = validate(&block(&[
            ("use_msi", Value::Bool(true)),
            ("client_secret", Value::string("s")),
        ]));
        assert_eq!(summaries(&diags), ["Conflicting credentials"]);
        assert!(diags[0].detail.starts_with("client_secret and use_msi"));
        let diags = validate(&block(&[
            ("client_certificate_path", Value::string("sp.pem")),
            ("client_secret", Value::string("s")),
        ]));
        assert_eq!(summaries(&diags), ["Conflicting credentials"]);
        assert_eq!(diags[0].attribute.as_ref().map(|a| a.steps.len()), Some(1));
        assert!(validate(&block(&[("use_cli", Value::Bool(true))])).is_empty());
    }

    #[test]
    fn the_cli_needs_no_client_id_or_secret() {
        let config = block(&[
            (
                "subscription_id",
                Value::string("00000000-0000-0000-0000-000000000001"),
            ),
            ("use_cli", Value::Bool(true)),
            ("endpoint", Value::string("https://127.0.0.1:1")),
        ]);
        if let Err(diags) = configure(&config) {
            panic!("the CLI signs in: {diags:?}");
        }
    }

    #[test]
    fn oidc_needs_a_token_file_and_no_secret() {
        let config = block(&[
            (
                "subscription_id",
                Value::string("00000000-0000-0000-0000-000000000001"),
            ),
            (
                "tenant_id",
                Value::string("00000000-0000-0000-0000-00000000aaaa"),
            ),
            ("client_id", Value::string("app")),
            ("use_oidc", Value::Bool(true)),
            ("endpoint", Value::string("https://127.0.0.1:1")),
        ]);
        if std::env::var_os("ARM_OIDC_TOKEN_FILE_PATH").is_some()
            || std::env::var_os("AZURE_FEDERATED_TOKEN_FILE").is_some()
        {
            eprintln!(
                "NOTE: a federated token file is set in the environment; skipping the missing-file half"
            );
        } else {
            let Err(diags) = configure(&config) else {
                panic!("a token file is required");
            };
            assert_eq!(summaries(&diags), ["Missing oidc_token_file_path"]);
        }
        let file = std::env::temp_dir().join(format!("bcdr-oidc-{}", std::process::id()));
        std::fs::write(&file, "a.b.c").expect("token file");
        let mut with_file = config.clone();
        if let Value::Map(m) = &mut with_file {
            m.insert(
                "oidc_token_file_path".into(),
                Value::string(file.display().to_string()),
            );
        }
        let configured = configure(&with_file);
        let _ = std::fs::remove_file(&file);
        if let Err(diags) = configured {
            panic!("no client_secret is needed with use_oidc: {diags:?}");
        }
    }
}

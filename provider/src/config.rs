//! The provider block: its schema, validation, and the SDK connection it configures. Each setting falls
//! back to its `ARM_*` environment variable, as azurerm's do.

use crate::diag::{self, Diagnostics};

use crate::schema::{Block, Mode, Ty, attr, secret};
use crate::value::Value;
use bcdr::arm::settings::ConnectionSettings;
use bcdr::{ArmClient, Cloud, TopologyClient};

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
            attr(
                "skip_provider_registration",
                Ty::Bool,
                Mode::Optional,
                "Never register the subscription for a resource provider (`ARM_SKIP_PROVIDER_REGISTRATION`). By default, when Azure answers a write `MissingSubscriptionRegistration` (a new subscription is registered for few providers), the provider registers that namespace (`Microsoft.ContainerService`, `Microsoft.Cdn`, ...), waits until it is registered and sends the write again, as the Azure CLI does; that needs the `*/register/action` permission (Contributor or Owner). With this set, the apply stops instead and names the namespace to register.",
            ),
            attr(
                "max_retries",
                Ty::Number,
                Mode::Optional,
                "How often a request that found an Azure service unavailable (a server error, throttling, no answer) is sent again, with exponential backoff, before it fails (`ARM_MAX_RETRIES`; default 8, within about a minute). A region that does not answer is given up on after three failed tries in a row whatever this is, and left as it is and reported (see the disaster-recovery guide).",
            ),
            attr(
                "poll_interval_scale",
                Ty::Number,
                Mode::Optional,
                "For the ARM emulator run with a latency scale; leave unset against Azure (`ARM_POLL_INTERVAL_SCALE`). Azure mostly sends no `Retry-After` on a long-running operation, and the provider then polls it at the resource provider's usual pace (AKS and Front Door every 30 s, storage and resource groups 15 s, networks and registries 10 s); this number multiplies those intervals. Set it to the emulator's latency scale (e.g. `0.001`), whose operations take milliseconds. Must be greater than 0.",
            ),
        ],
        blocks: vec![],
    }
}

/// Checks what can be checked before configuring: values that are set and known.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
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
    if let Some(n) = config
        .get("max_retries")
        .as_f64()
        .filter(|n| *n < 0.0 || n.fract() != 0.0 || *n > 20.0)
    {
        diags.push(diag::error_at(
            &["max_retries"],
            "Invalid max_retries",
            format!("{n} must be a whole number from 0 (no retry) to 20"),
        ));
    }
    diags
}

/// The provider block as connection settings, each one the block leaves unset from its `ARM_*`
/// environment variable (the SDK resolves them: [`ConnectionSettings`]).
pub fn settings(config: &Value) -> ConnectionSettings {
    settings_with(config, |name| std::env::var(name).ok())
}

fn settings_with(config: &Value, var: impl Fn(&str) -> Option<String>) -> ConnectionSettings {
    let text = |name: &str| {
        config
            .get(name)
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let flag = |name: &str| config.get(name).as_bool();
    let mut settings = ConnectionSettings::default();
    settings.subscription_id = text("subscription_id");
    settings.tenant_id = text("tenant_id");
    settings.client_id = text("client_id");
    settings.client_secret = text("client_secret");
    settings.client_certificate_path = text("client_certificate_path");
    settings.use_oidc = flag("use_oidc");
    settings.use_cli = flag("use_cli");
    settings.use_msi = flag("use_msi");
    settings.oidc_token_file_path = text("oidc_token_file_path");
    settings.environment = text("environment");
    settings.endpoint = text("endpoint");
    settings.authority_host = text("authority_host");
    settings.ca_certificate_file = text("ca_certificate_file");
    settings.skip_provider_registration = flag("skip_provider_registration");
    settings.max_retries = config
        .get("max_retries")
        .as_f64()
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map(|n| n.min(f64::from(u32::MAX)) as u32);
    settings.poll_interval_scale = config.get("poll_interval_scale").as_f64();
    settings.or_env_with(var)
}

/// Builds the SDK client from the provider block and the environment.
pub fn configure(config: &Value) -> Result<TopologyClient, Diagnostics> {
    let settings = settings(config);
    if let Some(secret) = &settings.client_secret {
        // Whatever prints it (an error echoing a request, a dependency's trace), the log does not.
        crate::log::keep_secret(secret);
    }
    connect(config, &settings)
}

fn connect(config: &Value, settings: &ConnectionSettings) -> Result<TopologyClient, Diagnostics> {
    let mut diags = validate(config);
    match settings.resolve() {
        Ok(arm) if diags.is_empty() => {
            return ArmClient::new(arm)
                .map(TopologyClient::new)
                .map_err(|e| diag::error("Invalid provider configuration", e.to_string()).into());
        }
        Ok(_) => {}
        Err(errors) => {
            for e in errors {
                // Said of the provider block: where a Terraform user sets it.
                let detail = e.detail.replacen(
                    &format!("set {} or ", e.setting),
                    &format!("set {} in the provider block or ", e.setting),
                    1,
                );
                let d = diag::error_at(&[e.setting], e.summary, detail);
                // One diagnostic an attribute: `validate` may have said it already.
                if !diags.iter().any(|seen| seen.attribute == d.attribute) {
                    diags.push(d);
                }
            }
        }
    }
    Err(diags)
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

    fn summaries(diags: &Diagnostics) -> Vec<&str> {
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
        assert_eq!(diags[0].attribute.as_ref().map(|a| a.0.len()), Some(1));
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
        if let Err(diags) = connect(&config, &settings_with(&config, |_| None)) {
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
        let no_env = |_: &str| None;
        let Err(diags) = connect(&config, &settings_with(&config, no_env)) else {
            panic!("a token file is required");
        };
        assert_eq!(summaries(&diags), ["Missing oidc_token_file_path"]);
        assert!(
            diags[0].detail.starts_with(
                "set oidc_token_file_path in the provider block or the ARM_OIDC_TOKEN_FILE_PATH environment variable (or AZURE_FEDERATED_TOKEN_FILE)"
            ),
            "{}",
            diags[0].detail
        );
        let file = std::env::temp_dir().join(format!("bcdr-oidc-{}", std::process::id()));
        std::fs::write(&file, "a.b.c").expect("token file");
        let mut with_file = config.clone();
        if let Value::Map(m) = &mut with_file {
            m.insert(
                "oidc_token_file_path".into(),
                Value::string(file.display().to_string()),
            );
        }
        let configured = connect(&with_file, &settings_with(&with_file, no_env));
        // AKS workload identity's variable is enough.
        let path = file.display().to_string();
        let aks = |name: &str| (name == "AZURE_FEDERATED_TOKEN_FILE").then(|| path.clone());
        let through_aks = connect(&config, &settings_with(&config, aks));
        let _ = std::fs::remove_file(&file);
        if let Err(diags) = configured {
            panic!("no client_secret is needed with use_oidc: {diags:?}");
        }
        if let Err(diags) = through_aks {
            panic!("AZURE_FEDERATED_TOKEN_FILE names the token file: {diags:?}");
        }
    }

    #[test]
    fn the_environment_fills_what_the_block_leaves_unset() {
        let config = block(&[("tenant_id", Value::string("from-block"))]);
        let env = |name: &str| match name {
            "ARM_TENANT_ID" => Some("from-env".to_owned()),
            "ARM_CLIENT_ID" => Some("app".to_owned()),
            "ARM_USE_CLI" => Some("true".to_owned()),
            _ => None,
        };
        let settings = settings_with(&config, env);
        assert_eq!(settings.tenant_id.as_deref(), Some("from-block"));
        assert_eq!(settings.client_id.as_deref(), Some("app"));
        assert_eq!(settings.use_cli, Some(true));
        let Err(diags) = connect(&config, &settings) else {
            panic!("no subscription");
        };
        assert_eq!(summaries(&diags), ["Missing subscription_id"]);
        assert_eq!(
            diags[0].detail,
            "set subscription_id in the provider block or the ARM_SUBSCRIPTION_ID environment variable"
        );
    }

    #[test]
    fn a_wrong_cloud_is_said_once_at_its_attribute() {
        // The CLI signs in: only the cloud can be wrong.
        let summaries_with = |attribute: &str, value: &str| {
            let config = block(&[
                (attribute, Value::string(value)),
                (
                    "subscription_id",
                    Value::string("00000000-0000-0000-0000-000000000001"),
                ),
                ("use_cli", Value::Bool(true)),
            ]);
            match connect(&config, &settings_with(&config, |_| None)) {
                Ok(_) => Vec::new(),
                Err(diags) => diags.into_iter().map(|d| d.summary).collect(),
            }
        };
        assert_eq!(
            summaries_with("environment", "mars"),
            ["Invalid environment"]
        );
        assert_eq!(
            summaries_with("endpoint", "http://127.0.0.1:8443"),
            ["Endpoint must use HTTPS"]
        );
    }

    #[test]
    fn the_poll_interval_scale_is_passed_to_the_sdk_which_refuses_a_wrong_one() {
        let config = |scale: f64| {
            block(&[
                (
                    "subscription_id",
                    Value::string("00000000-0000-0000-0000-000000000001"),
                ),
                ("use_cli", Value::Bool(true)),
                ("poll_interval_scale", Value::Number(scale)),
            ])
        };
        let good = config(0.0005);
        let settings = settings_with(&good, |_| None);
        assert_eq!(settings.poll_interval_scale, Some(0.0005));
        assert_eq!(
            settings.resolve().map(|c| c.poll_interval_scale).ok(),
            Some(0.0005)
        );
        let from_env = settings_with(&Value::Null, |name| {
            (name == "ARM_POLL_INTERVAL_SCALE").then(|| "0.01".to_owned())
        });
        assert_eq!(from_env.poll_interval_scale, Some(0.01));
        let wrong = config(0.0);
        let Err(diags) = connect(&wrong, &settings_with(&wrong, |_| None)) else {
            panic!("0 is refused");
        };
        assert_eq!(summaries(&diags), ["Invalid poll_interval_scale"]);
        assert_eq!(diags[0].attribute.as_ref().map(|a| a.0.len()), Some(1));
    }

    #[test]
    fn a_subscription_that_is_no_guid_is_refused_at_subscription_id() {
        let config = block(&[
            ("subscription_id", Value::string("prod")),
            ("use_cli", Value::Bool(true)),
        ]);
        let Err(diags) = connect(&config, &settings_with(&config, |_| None)) else {
            panic!("prod is no GUID");
        };
        assert_eq!(summaries(&diags), ["Invalid subscription_id"]);
        assert_eq!(diags[0].attribute.as_ref().map(|a| a.0.len()), Some(1));
    }
}

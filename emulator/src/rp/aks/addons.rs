//! A managed cluster's add-ons (`properties.addonProfiles`) as AKS answers them (the Azure CLI's
//! recorded AKS tests, `Azure/azure-cli`, `src/azure-cli/azure/cli/command_modules/acs/tests/latest/
//! recordings/`, cited by test name):
//!
//! - Each add-on is echoed under the key it was sent with, `config` as sent (its keys' casing
//!   included: `logAnalyticsWorkspaceResourceID`, `useAADAuth`), `config: null` when none was sent,
//!   and a disabled add-on as `{"enabled": false, "config": null}` without its identity
//!   (test_aks_create_default_service_with_monitoring_addon_msi, `aks disable-addons`).
//! - An enabled `omsagent` (Container insights) or `azurepolicy` gets a user-assigned identity in the
//!   node resource group, `…/resourcegroups/{node rg}/providers/Microsoft.ManagedIdentity/
//!   userAssignedIdentities/{omsagent|azurepolicy}-{cluster, lower-cased}` with its client and object
//!   ids, once the write's operation has ended: neither the create's 201 nor an update's 200 shows
//!   it, the cluster read after the operation does (same recording, create and `aks enable-addons`).
//!   It stays while the add-on stays enabled; disabled and enabled again, the add-on gets a new one
//!   (same recording: new client and object ids). `omsagent` with `useAADAuth: "true"` gets none
//!   (test_aks_approuting_update_with_monitoring_addon_enabled, 2024).
//! - An `omsagent` naming a workspace that does not exist is refused, on any write of the cluster:
//!   400, "Unable to get log analytics workspace info. …" (Azure/AKS #787, on `aks disable-addons` of
//!   another add-on; Azure/AKS #1380, on an upgrade).

use crate::contract::error::ArmError;
use crate::contract::request::Ctx;
use crate::rp::log_analytics;
use serde_json::{Map, Value, json};

/// The add-ons AKS gives an identity of their own, as their identities are named.
const WITH_IDENTITY: [&str; 2] = ["omsagent", "azurepolicy"];

/// The `omsagent` config key naming its workspace.
const WORKSPACE_KEY: &str = "logAnalyticsWorkspaceResourceID";

/// A cluster's add-ons after a write: as its answer (and reads while the operation runs) show them,
/// and as they read once the operation has ended.
#[derive(Debug, Clone)]
pub(crate) struct Addons {
    pub now: Value,
    pub after: Value,
}

/// A config value by its key, whatever the key's casing: clients must look keys up so (the portal
/// rewrites their casing: hashicorp/terraform-provider-azurerm `kubernetesAddonProfilelocateInConfig`,
/// Azure/azure-rest-api-specs #10716).
fn config_value<'a>(config: &'a Value, key: &str) -> Option<&'a str> {
    config
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
}

fn is_enabled(profile: &Value) -> bool {
    profile["enabled"].as_bool() == Some(true)
}

/// The identity name prefix of an add-on that has an identity as `profile` sets it, if it has one.
fn identity_prefix(name: &str, profile: &Value) -> Option<&'static str> {
    if !is_enabled(profile) {
        return None;
    }
    let prefix = WITH_IDENTITY
        .into_iter()
        .find(|p| p.eq_ignore_ascii_case(name))?;
    let aad_auth = config_value(&profile["config"], "useAADAuth")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    (prefix != "omsagent" || !aad_auth).then_some(prefix)
}

/// The resource group and name of an ARM id (`…/resourcegroups/{rg}/…/{name}`), for messages.
fn group_and_name(id: &str) -> (&str, &str) {
    let parts: Vec<&str> = id.split('/').collect();
    let rg = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourcegroups"))
        .and_then(|i| parts.get(i + 1).copied())
        .unwrap_or_default();
    (rg, parts.last().copied().unwrap_or_default())
}

/// Refuses add-ons AKS refuses: an enabled `omsagent` whose workspace does not exist.
pub(crate) fn check(ctx: &Ctx<'_>, sent: &Value) -> Result<(), ArmError> {
    let Value::Object(addons) = sent else {
        return Ok(());
    };
    for (name, profile) in addons {
        if !name.eq_ignore_ascii_case("omsagent") || !is_enabled(profile) {
            continue;
        }
        let Some(workspace) = config_value(&profile["config"], WORKSPACE_KEY) else {
            continue;
        };
        if log_analytics::exists(ctx.state, workspace) {
            continue;
        }
        let (rg, ws) = group_and_name(workspace);
        tracing::info!(
            workspace,
            "refused: the omsagent add-on names a missing workspace"
        );
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "Unable to get log analytics workspace info. Resource ID: {workspace}. Detail: operationalinsights.WorkspacesClient#GetSharedKeys: Failure responding to request: StatusCode=404 -- Original Error: autorest/azure: Service returned an error. Status=404 Code=\"ResourceNotFound\" Message=\"The Resource 'Microsoft.OperationalInsights/workspaces/{ws}' under resource group '{rg}' was not found.\". For more details about how to create and use log analytics workspace, please refer to: https://aka.ms/new-log-analytics"
            ),
        ));
    }
    Ok(())
}

/// A new identity for add-on `prefix` of cluster `cluster`, made in `node_rg`.
fn new_identity(ctx: &mut Ctx<'_>, prefix: &str, cluster: &str, node_rg: &str) -> Value {
    let object_id = uuid::Uuid::new_v4().to_string();
    ctx.state.identities.insert(object_id.clone(), ctx.now);
    json!({
        "resourceId": format!(
            "/subscriptions/{}/resourcegroups/{node_rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{prefix}-{}",
            ctx.subscription,
            cluster.to_ascii_lowercase()
        ),
        "clientId": uuid::Uuid::new_v4().to_string(),
        "objectId": object_id,
    })
}

/// The add-ons a write of `sent` leaves on cluster `cluster` (node resource group `node_rg`), whose
/// add-ons were `old`; `None` when none are sent.
pub(crate) fn profiles(
    ctx: &mut Ctx<'_>,
    cluster: &str,
    node_rg: &str,
    sent: &Value,
    old: Option<&Value>,
) -> Option<Addons> {
    let Value::Object(sent) = sent else {
        return None;
    };
    let mut now = Map::new();
    let mut after = Map::new();
    for (name, profile) in sent {
        let config = match &profile["config"] {
            Value::Object(c) => Value::Object(c.clone()),
            _ => Value::Null,
        };
        let mut shown = json!({ "enabled": is_enabled(profile), "config": config });
        let mut ends = shown.clone();
        if let Some(prefix) = identity_prefix(name, profile) {
            // The identity it already has, when it was enabled with one before this write.
            let kept = old
                .and_then(Value::as_object)
                .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                .filter(|(k, v)| identity_prefix(k, v).is_some())
                .map(|(_, v)| v["identity"].clone())
                .filter(Value::is_object);
            match kept {
                Some(identity) => {
                    shown["identity"] = identity.clone();
                    ends["identity"] = identity;
                }
                None => ends["identity"] = new_identity(ctx, prefix, cluster, node_rg),
            }
        }
        now.insert(name.clone(), shown);
        after.insert(name.clone(), ends);
    }
    Some(Addons {
        now: Value::Object(now),
        after: Value::Object(after),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_enabled_identity_addons_get_one_and_aad_auth_omsagent_none() {
        let on = json!({ "enabled": true });
        assert_eq!(identity_prefix("omsAgent", &on), Some("omsagent"));
        assert_eq!(identity_prefix("azurepolicy", &on), Some("azurepolicy"));
        assert_eq!(identity_prefix("httpApplicationRouting", &on), None);
        assert_eq!(
            identity_prefix("azurepolicy", &json!({ "enabled": false })),
            None
        );
        let aad = json!({ "enabled": true, "config": { "useAADAuth": "true" } });
        assert_eq!(identity_prefix("omsagent", &aad), None);
        let keys = json!({ "enabled": true, "config": { "useaadauth": "False" } });
        assert_eq!(identity_prefix("omsagent", &keys), Some("omsagent"));
    }

    #[test]
    fn config_keys_are_found_whatever_their_casing() {
        let config = json!({ "loganalyticsworkspaceresourceid": "/x" });
        assert_eq!(config_value(&config, WORKSPACE_KEY), Some("/x"));
        assert_eq!(
            group_and_name("/subscriptions/s/resourcegroups/G/providers/P/workspaces/W"),
            ("G", "W")
        );
    }
}

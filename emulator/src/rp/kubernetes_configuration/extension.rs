//! Cluster extensions (`{clusterId}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`,
//! extensions.json 2023-05-01): PUT, GET, PATCH, DELETE and the list, long-running as the family
//! answers them (`profile::KUBERNETES_CONFIGURATION`). An extension is `Creating` until its install
//! ends on the emulator's clock, then `Succeeded`. On an AKS cluster it runs as an identity of its
//! own, `aksAssignedIdentity` (learn.microsoft.com, azure-kubernetes-service-cluster-backup: the
//! backup extension's `aksAssignedIdentity.principalId` is granted Storage Blob Data Contributor),
//! made when the extension is and known to the authorization RP as any managed identity is.
//!
//! The extension types are the ones registered with the provider; any other is refused
//! `ExtensionTypeRegistrationGetFailed` (learn.microsoft.com troubleshooting, cluster extension
//! deployment errors). Protected settings are write-only: never stored, never answered (the spec's
//! examples answer none).
//!
//! What other providers read (the Data Protection RP's preconditions of a backup instance):
//! [`installed`], the extension of a type on a cluster once it has succeeded.

use super::cluster::{NAMESPACE, Request, cluster, operation, require_running};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::store::{Kind, Resource, State, rfc3339};
use serde_json::{Map, Value, json};

/// ARM's name of the type.
pub const TYPE: &str = "Microsoft.KubernetesConfiguration/extensions";

/// AKS Backup's extension (learn.microsoft.com, azure-kubernetes-service-cluster-manage-backups).
pub const DATA_PROTECTION: &str = "microsoft.dataprotection.kubernetes";
/// GitOps with Flux v2 (learn.microsoft.com, azure/azure-arc/kubernetes/conceptual-gitops-flux2).
pub const FLUX: &str = "microsoft.flux";

/// A registered extension type: its name and the namespace a cluster-scoped install lands in
/// (`scope.cluster.releaseNamespace` when the request names none).
struct ExtensionType {
    name: &'static str,
    release_namespace: &'static str,
    /// Configuration settings the type cannot install without.
    required: &'static [&'static str],
}

/// The types the emulator knows: the two a BC/DR topology installs, with what their docs require,
/// and Microsoft's other AKS cluster extensions (learn.microsoft.com/azure/aks/cluster-extensions,
/// "Currently available extensions"), accepted with no settings checked.
const TYPES: &[ExtensionType] = &[
    // The storage it writes to, as ARM receives it: `az k8s-extension create --configuration-settings
    // blobContainer=… storageAccount=… storageAccountResourceGroup=… storageAccountSubscriptionId=…`
    // (azure-kubernetes-service-cluster-manage-backups) sends these long keys, as
    // azurerm_kubernetes_cluster_extension users write them; it installs in
    // `dataprotection-microsoft` (same docs).
    ExtensionType {
        name: DATA_PROTECTION,
        release_namespace: "dataprotection-microsoft",
        required: &[
            "configuration.backupStorageLocation.bucket",
            "configuration.backupStorageLocation.config.storageAccount",
            "configuration.backupStorageLocation.config.resourceGroup",
            "configuration.backupStorageLocation.config.subscriptionId",
        ],
    },
    // Flux installs in `flux-system` (conceptual-gitops-flux2).
    ExtensionType {
        name: FLUX,
        release_namespace: "flux-system",
        required: &[],
    },
    ExtensionType {
        name: "microsoft.dapr",
        release_namespace: "dapr-system",
        required: &[],
    },
    ExtensionType {
        name: "microsoft.azureml.kubernetes",
        release_namespace: "azureml",
        required: &[],
    },
    ExtensionType {
        name: "microsoft.azurekeyvaultsecretsprovider",
        release_namespace: "kube-system",
        required: &[],
    },
    ExtensionType {
        name: "microsoft.azurecontainerstorage",
        release_namespace: "acstor",
        required: &[],
    },
    ExtensionType {
        name: "microsoft.azure.secretstore",
        release_namespace: "azure-secret-operator",
        required: &[],
    },
];

fn registered(extension_type: &str) -> Option<&'static ExtensionType> {
    TYPES
        .iter()
        .find(|t| t.name.eq_ignore_ascii_case(extension_type))
}

fn invalid(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidRequestContent", message).with_target(target)
}

/// The extension of type `extension_type` on the cluster `cluster_id` once its install succeeded:
/// what the Data Protection RP checks before a backup instance or a restore (AKS Backup needs its
/// extension on the cluster). Its `properties.aksAssignedIdentity.principalId` is the identity the
/// storage account's role assignment names; `properties.configurationSettings` names the storage.
pub fn installed<'s>(
    state: &'s State,
    cluster_id: &str,
    extension_type: &str,
) -> Option<&'s Resource> {
    let prefix = format!("{cluster_id}/providers/{NAMESPACE}/extensions/").to_ascii_lowercase();
    state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(_, r)| r)
        .filter(|r| r.kind == Kind::ClusterExtension && r.pending.is_none())
        .filter(|r| r.provisioning_state() == "Succeeded")
        .find(|r| {
            r.body["properties"]["extensionType"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(extension_type))
        })
}

#[derive(Debug)]
struct Extension;

/// The settings a request sends, all strings (spec: `additionalProperties: string`).
fn settings(props: &Value, key: &str) -> Result<Map<String, Value>, ArmError> {
    match &props[key] {
        Value::Null => Ok(Map::new()),
        Value::Object(m) if m.values().all(Value::is_string) => Ok(m.clone()),
        _ => Err(invalid(
            &format!("properties.{key}"),
            format!("'properties.{key}' must be an object whose values are strings."),
        )),
    }
}

/// The settings the type cannot install without (guess: the refusal's code and words are not
/// documented; the install needs them to reach its storage).
fn check_required(kind: &ExtensionType, config: &Map<String, Value>) -> Result<(), ArmError> {
    for key in kind.required {
        let present = config
            .get(*key)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty());
        if !present {
            return Err(invalid(
                "properties.configurationSettings",
                format!(
                    "Extension type '{}' requires the configuration setting '{key}': set it in 'properties.configurationSettings'.",
                    kind.name
                ),
            ));
        }
    }
    Ok(())
}

impl ResourceType for Extension {
    fn profile(&self) -> &'static Profile {
        &profile::KUBERNETES_CONFIGURATION
    }
    fn kind(&self) -> Kind {
        Kind::ClusterExtension
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "clusterExtension.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let parent = at.parent.as_ref().ok_or_else(|| {
            ArmError::new(500, "InternalServerError", "extension without its cluster")
        })?;
        require_running(parent)?;
        let props = &body["properties"];
        let Some(sent_type) = props["extensionType"].as_str() else {
            return Err(invalid(
                "properties.extensionType",
                "'properties.extensionType' is required: the type of extension to install (e.g. 'microsoft.dataprotection.kubernetes').".into(),
            ));
        };
        let Some(kind) = registered(sent_type) else {
            // learn.microsoft.com troubleshooting: "(ExtensionTypeRegistrationGetFailed) Extension
            // type microsoft.azurecontainerstorage is not registered."
            return Err(ArmError::bad_request(
                "ExtensionTypeRegistrationGetFailed",
                format!("Extension type {sent_type} is not registered."),
            ));
        };
        if let Some(old) = existing
            .and_then(|r| r.body["properties"]["extensionType"].as_str())
            .filter(|old| !old.eq_ignore_ascii_case(sent_type))
        {
            // Guess: the type of an installed extension cannot change.
            return Err(invalid(
                "properties.extensionType",
                format!(
                    "'properties.extensionType' cannot change from '{old}' to '{sent_type}': delete the extension and create it again."
                ),
            ));
        }
        let auto_upgrade = match &props["autoUpgradeMinorVersion"] {
            Value::Null => true,
            Value::Bool(b) => *b,
            other => {
                return Err(invalid(
                    "properties.autoUpgradeMinorVersion",
                    format!("'properties.autoUpgradeMinorVersion' must be a boolean, got {other}."),
                ));
            }
        };
        let version = props["version"].as_str();
        if version.is_some() && auto_upgrade {
            // The spec: "To use 'version', autoUpgradeMinorVersion must be 'false'."
            return Err(invalid(
                "properties.version",
                "'properties.version' pins the extension's version, which needs 'properties.autoUpgradeMinorVersion' set to false.".into(),
            ));
        }
        let config = settings(props, "configurationSettings")?;
        settings(props, "configurationProtectedSettings")?;
        check_required(kind, &config)?;
        let scope = match props["scope"].as_object() {
            Some(s) if s.contains_key("cluster") && s.contains_key("namespace") => {
                return Err(invalid(
                    "properties.scope",
                    "'properties.scope' is either 'cluster' or 'namespace', not both.".into(),
                ));
            }
            Some(s) if !s.is_empty() => props["scope"].clone(),
            _ => json!({ "cluster": { "releaseNamespace": kind.release_namespace } }),
        };
        let now = rfc3339(ctx.now);
        let created = existing
            .and_then(|r| r.body["systemData"]["createdAt"].as_str())
            .map_or_else(|| now.clone(), str::to_owned);
        // The extension's own identity stays for its life (an update keeps it).
        let identity = match existing.map(|r| &r.body["properties"]["aksAssignedIdentity"]) {
            Some(i) if i.is_object() => i.clone(),
            _ => {
                let principal = uuid::Uuid::new_v4().to_string();
                ctx.state.identities.insert(principal.clone(), ctx.now);
                json!({ "principalId": principal, "tenantId": ctx.tenant, "type": "SystemAssigned" })
            }
        };
        let mut properties = json!({
            "extensionType": sent_type,
            "autoUpgradeMinorVersion": auto_upgrade,
            "releaseTrain": props["releaseTrain"].as_str().unwrap_or("Stable"),
            "scope": scope,
            "configurationSettings": config,
            "provisioningState": "Creating",
            "statuses": [],
            "aksAssignedIdentity": identity,
            "isSystemExtension": false,
        });
        if let Some(v) = version {
            properties["version"] = json!(v);
        }
        let written = json!({
            "id": at.id,
            "name": at.name,
            "type": TYPE,
            "properties": properties,
            "systemData": { "createdAt": created, "lastModifiedAt": now },
        });
        Ok(Written {
            body: written,
            location: parent.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: "clusterExtension.put",
            completes: None,
            unchanged: false,
        })
    }
}

/// `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions[/{name}[/operations/{id}]]`.
pub fn serve(ctx: &mut Ctx<'_>, req: &Request) -> Result<Resp, ArmError> {
    let parent = cluster(ctx, req)?;
    let Some(name) = &req.name else {
        return list(ctx, &parent);
    };
    let id = format!("{}/providers/{NAMESPACE}/extensions/{name}", parent.id);
    if let Some(op) = &req.operation {
        return operation(ctx, &id, op);
    }
    let at = At::new(ctx.state, &req.rg, id, name, Some(parent));
    let force = ctx
        .query
        .get("forceDelete")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if ctx.method == axum::http::Method::DELETE && force {
        // `forceDelete=true` removes the resource at once, 200 (recorded: test_k8s_extension, the
        // delete; its body there, a serialized HTTP message, is not what the spec declares: none).
        return Ok(match ctx.state.get(&at.id) {
            Some(_) => {
                crud::remove(ctx.state, &at.id);
                Resp::empty(200)
            }
            None => Resp::empty(204),
        });
    }
    crud::serve(ctx, &at, &Extension)
}

/// The cluster's extensions, as each one's GET shows it.
fn list(ctx: &mut Ctx<'_>, parent: &Resource) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::GET {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let prefix = format!("{}/providers/{NAMESPACE}/extensions/", parent.id).to_ascii_lowercase();
    let value: Vec<Value> = ctx
        .state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, r)| !k[prefix.len()..].contains('/') && r.kind == Kind::ClusterExtension)
        .map(|(_, r)| r.body.clone())
        .collect();
    Ok(crate::contract::list::page(ctx, value))
}

#[cfg(test)]
mod tests {
    use crate::rp::kubernetes_configuration::extension::{check_required, registered};
    use serde_json::{Map, Value, json};

    #[test]
    fn the_backup_extension_needs_its_storage() {
        let kind = registered("Microsoft.DataProtection.Kubernetes").expect("registered");
        let all: Map<String, Value> = kind
            .required
            .iter()
            .map(|k| ((*k).to_owned(), json!("x")))
            .collect();
        assert!(check_required(kind, &all).is_ok());
        let mut missing = all.clone();
        missing.remove("configuration.backupStorageLocation.config.storageAccount");
        let refused = check_required(kind, &missing).expect_err("storage account missing");
        assert!(
            refused.message.contains("storageAccount"),
            "{}",
            refused.message
        );
        assert!(registered("microsoft.nosuch").is_none());
    }
}

//! AKS trusted access: `managedClusters/{c}/trustedAccessRoleBindings/{name}` binds a resource (a
//! Backup vault) to roles on the cluster, and `locations/{l}/trustedAccessRoles` lists the roles each
//! source resource type offers (managedClusters.json 2024-09-01).
//!
//! A binding's source must exist, and each of its roles must be one its source's type offers
//! (`{sourceResourceType}/{name}`, as the roles list names them): AKS refuses a Data Protection role
//! for a Recovery Services vault (Azure/azure-cli #27174, 400; its code and words are not shown
//! there: guess). Writes run as AKS's operations (`profile::AKS_TRUSTED_ACCESS`, recorded).
//!
//! What other providers read (the Data Protection RP's preconditions of a backup instance):
//! [`bound`], whether a cluster trusts a source with a role.

use super::CLUSTER_TYPE;
use super::pools::invalid;
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::{self, Profile};
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

/// ARM's name of the type.
pub const TYPE: &str = "Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings";

/// The role AKS Backup's vault is bound with (learn.microsoft.com,
/// azure-kubernetes-service-cluster-backup-using-cli: `az aks trustedaccess rolebinding create
/// --roles Microsoft.DataProtection/backupVaults/backup-operator`).
pub const BACKUP_OPERATOR: &str = "Microsoft.DataProtection/backupVaults/backup-operator";

/// The roles a source resource type offers: the Backup vault's, with its rules as AKS lists them
/// (recorded: Azure/azure-powershell Az.Aks Get-AzAksTrustedAccessRole, eastus, 2025-08-01). The same
/// answer lists Azure Machine Learning's and Defender's roles, for types the emulator does not host.
fn roles() -> Value {
    json!([
        {
            "sourceResourceType": "Microsoft.DataProtection/backupVaults",
            "name": "backup-operator",
            "rules": [
                {
                    "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
                    "apiGroups": ["clusterbackup.dataprotection.microsoft.com"],
                    "resources": ["backups", "validateforbackups", "restores", "validateforrestores", "deletebackups"],
                },
                {
                    "verbs": ["create", "get", "list", "patch", "update", "delete"],
                    "apiGroups": [""],
                    "resources": ["configmaps"],
                },
            ],
        },
    ])
}

/// Whether `role` (`{type}/{name}`) is one the type `source_type` offers.
fn offered(source_type: &str, role: &str) -> bool {
    roles().as_array().into_iter().flatten().any(|r| {
        let t = r["sourceResourceType"].as_str().unwrap_or_default();
        let n = r["name"].as_str().unwrap_or_default();
        t.eq_ignore_ascii_case(source_type) && role.eq_ignore_ascii_case(&format!("{t}/{n}"))
    })
}

/// The `{namespace}/{type}[/{child type}…]` of a resource id.
fn type_of(id: &str) -> Option<String> {
    let (_, below) = id.rsplit_once("/providers/")?;
    let parts: Vec<&str> = below.split('/').collect();
    let (namespace, rest) = parts.split_first()?;
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    (!types.is_empty() && rest.len() % 2 == 0).then(|| format!("{namespace}/{}", types.join("/")))
}

/// Whether the cluster `cluster_id` has a binding (done, not going) of `source_id` with `role`: what
/// the Data Protection RP checks before a backup instance or a restore into the cluster.
#[allow(dead_code)] // read by the Data Protection RP (issue #21), merged separately
pub fn bound(state: &State, cluster_id: &str, source_id: &str, role: &str) -> bool {
    let prefix = format!("{cluster_id}/trustedAccessRoleBindings/").to_ascii_lowercase();
    state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(_, r)| r)
        .filter(|r| r.kind == Kind::TrustedAccessRoleBinding && r.pending.is_none())
        .filter(|r| r.provisioning_state() == "Succeeded")
        .any(|r| {
            let p = &r.body["properties"];
            p["sourceResourceId"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(source_id))
                && p["roles"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(role)))
        })
}

/// The binding name's pattern (spec: `^([A-Za-z0-9-])+$`, 1-24 characters).
fn valid_name(name: &str) -> bool {
    (1..=24).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[derive(Debug)]
struct Binding;

impl ResourceType for Binding {
    fn profile(&self) -> &'static Profile {
        &profile::AKS_TRUSTED_ACCESS
    }
    fn kind(&self) -> Kind {
        Kind::TrustedAccessRoleBinding
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "trustedAccess.delete"
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let parent = at.parent.as_ref().ok_or_else(|| {
            ArmError::new(500, "InternalServerError", "binding without its cluster")
        })?;
        if !valid_name(&at.name) {
            return Err(invalid(
                "trustedAccessRoleBindingName",
                format!(
                    "The binding name '{}' is invalid: 1 to 24 letters, digits or hyphens.",
                    at.name
                ),
            ));
        }
        let props = &body["properties"];
        let Some(source) = props["sourceResourceId"].as_str() else {
            return Err(invalid(
                "properties.sourceResourceId",
                "'properties.sourceResourceId' is required: the ARM id of the resource to trust (a Backup vault's).".into(),
            ));
        };
        let Some(source_type) = type_of(source) else {
            return Err(invalid(
                "properties.sourceResourceId",
                format!("'properties.sourceResourceId' '{source}' is not a resource id."),
            ));
        };
        if let Some(old) = existing
            .and_then(|r| r.body["properties"]["sourceResourceId"].as_str())
            .filter(|old| !old.eq_ignore_ascii_case(source))
        {
            // Guess: a binding keeps its source (it is the binding's identity on the cluster).
            return Err(invalid(
                "properties.sourceResourceId",
                format!(
                    "'properties.sourceResourceId' cannot change from '{old}': delete the binding and create another."
                ),
            ));
        }
        let Some(source_resource) = ctx.state.get(source) else {
            return Err(ArmError::bad_request(
                "SourceResourceNotFound",
                format!(
                    "The source resource '{source}' of trusted access role binding '{}' was not found.",
                    at.name
                ),
            )
            .with_target("properties.sourceResourceId"));
        };
        let source_id = source_resource.id.clone();
        let roles: Vec<&str> = props["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if roles.is_empty() {
            return Err(invalid(
                "properties.roles",
                format!(
                    "'properties.roles' is required: at least one role of '{source_type}' (e.g. '{BACKUP_OPERATOR}')."
                ),
            ));
        }
        if let Some(role) = roles.iter().find(|r| !offered(&source_type, r)) {
            return Err(invalid(
                "properties.roles",
                format!(
                    "Role '{role}' is not a trusted access role of source resource type '{source_type}': list them with GET …/providers/Microsoft.ContainerService/locations/{{location}}/trustedAccessRoles."
                ),
            ));
        }
        let written = json!({
            "id": at.id,
            "name": at.name,
            "type": TYPE,
            "properties": {
                "provisioningState": "Updating",
                "sourceResourceId": source_id,
                "roles": roles,
            },
        });
        Ok(Written {
            body: written,
            location: parent.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: "trustedAccess.put",
            completes: None,
            unchanged: false,
        })
    }
}

/// `managedClusters/{cluster}/trustedAccessRoleBindings/{name}`.
pub fn binding(ctx: &mut Ctx<'_>, rg: &str, cluster: &str, name: &str) -> Result<Resp, ArmError> {
    if ctx.method == axum::http::Method::PATCH {
        // The spec declares GET, PUT and DELETE only.
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    let rg_id = require_group(ctx, rg)?;
    let cluster_id = format!("{rg_id}/providers/{CLUSTER_TYPE}/{cluster}");
    let Some(parent) = ctx.state.get(&cluster_id).cloned() else {
        return Err(not_found(CLUSTER_TYPE, cluster, rg));
    };
    let id = format!("{}/trustedAccessRoleBindings/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &Binding)
}

/// `GET /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{location}/trustedAccessRoles`.
pub fn list_roles(ctx: &mut Ctx<'_>, location: &str) -> Result<Resp, ArmError> {
    if ctx.method != axum::http::Method::GET {
        return Err(crate::contract::resource::method_not_allowed(&ctx.method));
    }
    if crate::contract::regions::canonical(location).is_none() {
        return Err(ArmError::bad_request(
            "InvalidLocation",
            format!("The location '{location}' is not a region."),
        ));
    }
    Ok(Resp::json(200, json!({ "value": roles() })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_belong_to_their_source_type() {
        assert!(offered(
            "Microsoft.DataProtection/backupVaults",
            BACKUP_OPERATOR
        ));
        assert!(offered(
            "microsoft.dataprotection/BACKUPVAULTS",
            "Microsoft.DataProtection/backupVaults/backup-operator"
        ));
        assert!(!offered(
            "Microsoft.RecoveryServices/vaults",
            BACKUP_OPERATOR
        ));
        assert!(!offered(
            "Microsoft.DataProtection/backupVaults",
            "Microsoft.DataProtection/backupVaults/reader"
        ));
    }

    #[test]
    fn a_source_type_is_read_from_its_id() {
        let vault =
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.DataProtection/backupVaults/v";
        assert_eq!(
            type_of(vault).as_deref(),
            Some("Microsoft.DataProtection/backupVaults")
        );
        assert_eq!(type_of("/subscriptions/s/resourceGroups/g"), None);
        assert!(valid_name("backup-binding-1") && !valid_name("no_underscores"));
        assert!(!valid_name(&"a".repeat(25)));
    }
}

//! Backup instances: an AKS cluster protected by a vault under one of its policies. The PUT is a
//! long-running create (`ConfiguringProtection`, then `ProtectionConfigured` when its operation
//! ends) that first checks what Azure requires of the cluster ([`super::prerequisites`]): in the
//! vault's region, the backup extension installed, Trusted Access with the vault, the vault identity
//! reading the cluster and the snapshot resource group. Protection starts the recovery points'
//! schedule ([`super::recovery`]).

use super::common::{AKS, HIDDEN, PROFILE, shown, user_error, vault_id};
use super::prerequisites as pre;
use super::vault::{self, principal};
use crate::contract::crud::{self, At, ResourceType, Written};
use crate::contract::error::ArmError;
use crate::contract::profile::Profile;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource, State};
use serde_json::{Value, json};

pub const TYPE: &str = "Microsoft.DataProtection/backupVaults/backupInstances";
const LATENCY: &str = "backupInstance.put";

/// `…/backupVaults/{vault}/backupInstances/{name}`.
pub fn instance(
    ctx: &mut Ctx<'_>,
    rg: &str,
    vault_name: &str,
    name: &str,
) -> Result<Resp, ArmError> {
    require_group(ctx, rg)?;
    let vault_id = vault_id(ctx, rg, vault_name);
    let Some(parent) = ctx.state.get(&vault_id).cloned() else {
        return Err(vault::missing(vault_name, rg));
    };
    let id = format!("{}/backupInstances/{name}", parent.id);
    let at = At::new(ctx.state, rg, id, name, Some(parent));
    crud::serve(ctx, &at, &Instance)
}

/// When protection was configured (the create's operation ended), if it has been by `now`.
pub fn protected_since(instance: &Resource, now: u64) -> Option<u64> {
    let since = instance.body[HIDDEN]["since"].as_u64()?;
    (since <= now
        && instance
            .pending
            .as_ref()
            .is_none_or(|p| p.state != "Deleting"))
    .then_some(since)
}

/// The snapshot resource group the instance's policy parameters name.
fn snapshot_group(props: &Value) -> Option<&str> {
    props["policyInfo"]["policyParameters"]["dataStoreParametersList"]
        .as_array()?
        .iter()
        .find(|p| p["objectType"] == "AzureOperationalStoreParameters")?["resourceGroupId"]
        .as_str()
}

/// Everything but what Azure checks against other resources: the spec's required shapes.
fn check_shape(props: &Value) -> Result<(), ArmError> {
    if props["objectType"] != "BackupInstance" {
        return Err(user_error(
            "InvalidRequestContent",
            "properties.objectType",
            "properties.objectType must be BackupInstance.",
        ));
    }
    let source = &props["dataSourceInfo"];
    if source["resourceID"].as_str().is_none_or(str::is_empty) {
        return Err(user_error(
            "InvalidRequestContent",
            "properties.dataSourceInfo.resourceID",
            "dataSourceInfo.resourceID (the cluster's id) is required.",
        ));
    }
    if !source["datasourceType"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(AKS))
    {
        return Err(user_error(
            "UserErrorDataSourceTypeNotSupported",
            "properties.dataSourceInfo.datasourceType",
            format!("dataSourceInfo.datasourceType must be {AKS}."),
        ));
    }
    if props["policyInfo"]["policyId"].as_str().is_none() {
        return Err(user_error(
            "InvalidRequestContent",
            "properties.policyInfo.policyId",
            "policyInfo.policyId is required.",
        ));
    }
    if snapshot_group(props).is_none() {
        return Err(user_error(
            "InvalidRequestContent",
            "properties.policyInfo.policyParameters.dataStoreParametersList",
            "An AKS backup instance names its snapshot resource group: {objectType: AzureOperationalStoreParameters, dataStoreType: OperationalStore, resourceGroupId}.",
        ));
    }
    let params = props["policyInfo"]["policyParameters"]["backupDatasourceParametersList"]
        .as_array()
        .and_then(|l| l.first());
    if let Some(p) = params
        && (p["objectType"] != "KubernetesClusterBackupDatasourceParameters"
            || !p["snapshotVolumes"].is_boolean()
            || !p["includeClusterScopeResources"].is_boolean())
    {
        return Err(user_error(
            "InvalidRequestContent",
            "properties.policyInfo.policyParameters.backupDatasourceParametersList[0]",
            "KubernetesClusterBackupDatasourceParameters need snapshotVolumes and includeClusterScopeResources.",
        ));
    }
    Ok(())
}

/// What Azure checks against the vault, the policy and the cluster.
fn check_prerequisites(ctx: &Ctx<'_>, vault: &Resource, props: &Value) -> Result<(), ArmError> {
    let policy_id = props["policyInfo"]["policyId"].as_str().unwrap_or_default();
    let policy = ctx
        .state
        .get(policy_id)
        .filter(|p| p.kind == Kind::BackupPolicy)
        .filter(|p| {
            p.id.to_ascii_lowercase()
                .starts_with(&format!("{}/", vault.id.to_ascii_lowercase()))
        });
    if policy.is_none() {
        return Err(user_error(
            "UserErrorPolicyNotFound",
            "properties.policyInfo.policyId",
            format!(
                "The backup policy '{policy_id}' is not a policy of vault '{}'.",
                vault.id
            ),
        ));
    }
    let cluster_id = props["dataSourceInfo"]["resourceID"]
        .as_str()
        .unwrap_or_default();
    let Some(cluster) = ctx
        .state
        .get(cluster_id)
        .filter(|c| c.kind == Kind::ManagedCluster)
    else {
        return Err(user_error(
            "UserErrorDataSourceNotFound",
            "properties.dataSourceInfo.resourceID",
            format!("The cluster '{cluster_id}' does not exist."),
        ));
    };
    let (at, vault_at) = (
        cluster.body["location"]
            .as_str()
            .and_then(regions::canonical),
        vault.body["location"].as_str().and_then(regions::canonical),
    );
    if at != vault_at {
        return Err(user_error(
            "UserErrorVaultAndDataSourceInDifferentRegions",
            "properties.dataSourceInfo.resourceID",
            format!(
                "The cluster is in '{}' and the vault in '{}': AKS Backup needs the vault in the cluster's region.",
                at.unwrap_or_default(),
                vault_at.unwrap_or_default()
            ),
        ));
    }
    let group = snapshot_group(props).unwrap_or_default();
    if ctx
        .state
        .get(group)
        .filter(|g| g.kind == Kind::ResourceGroup)
        .is_none()
    {
        return Err(user_error(
            "UserErrorSnapshotResourceGroupNotFound",
            "properties.policyInfo.policyParameters.dataStoreParametersList[0].resourceGroupId",
            format!("The snapshot resource group '{group}' does not exist."),
        ));
    }
    let target = "properties.dataSourceInfo.resourceID";
    pre::extension(ctx.state, &cluster.id, target)?;
    pre::trusted_access(ctx.state, &cluster.id, &vault.id, target)?;
    let principal = principal(&vault.body);
    pre::reader(ctx.state, principal, &cluster.id, target)?;
    pre::reader(
        ctx.state,
        principal,
        group,
        "properties.policyInfo.policyParameters.dataStoreParametersList[0].resourceGroupId",
    )
}

#[derive(Debug)]
struct Instance;

impl ResourceType for Instance {
    fn profile(&self) -> &'static Profile {
        &PROFILE
    }
    fn kind(&self) -> Kind {
        Kind::BackupInstance
    }
    fn type_name(&self) -> &'static str {
        TYPE
    }
    fn delete_latency(&self) -> &'static str {
        "backupInstance.delete"
    }
    fn render(&self, _state: &State, resource: &Resource) -> Value {
        shown(&resource.body)
    }
    fn not_found(&self, at: &At) -> ArmError {
        not_found(TYPE, &at.name, &at.rg)
    }

    fn put(
        &self,
        ctx: &mut Ctx<'_>,
        at: &At,
        existing: Option<&Resource>,
        body: &Value,
    ) -> Result<Written, ArmError> {
        let Some(vault) = at.parent.clone() else {
            return Err(not_found(TYPE, &at.name, &at.rg));
        };
        let props = &body["properties"];
        check_shape(props)?;
        check_prerequisites(ctx, &vault, props)?;
        let source = &props["dataSourceInfo"];
        let mut properties = json!({
            "friendlyName": props["friendlyName"].as_str().unwrap_or(&at.name),
            "dataSourceInfo": source,
            "dataSourceSetInfo": props.get("dataSourceSetInfo").filter(|s| s.is_object()).cloned().unwrap_or_else(|| source.clone()),
            "policyInfo": {
                "policyId": props["policyInfo"]["policyId"],
                "policyVersion": "",
                "policyParameters": props["policyInfo"]["policyParameters"],
            },
            "protectionStatus": { "status": "ConfiguringProtection" },
            "currentProtectionState": "ConfiguringProtection",
            "provisioningState": "Succeeded",
            "objectType": "BackupInstance",
        });
        if let Some(v) = props.get("validationType").filter(|v| v.is_string()) {
            properties["validationType"] = v.clone();
        }
        let since = existing
            .and_then(|r| r.body[HIDDEN]["since"].as_u64())
            .unwrap_or_else(|| ctx.now + ctx.latency(LATENCY));
        let configured = existing.and_then(|r| protected_since(r, ctx.now)).is_some();
        if configured {
            properties["protectionStatus"] = json!({ "status": "ProtectionConfigured" });
            properties["currentProtectionState"] = json!("ProtectionConfigured");
        }
        Ok(Written {
            body: json!({
                "id": at.id,
                "name": at.name,
                "type": TYPE,
                "properties": properties,
                HIDDEN: { "since": since },
            }),
            location: vault.body["location"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            latency: if existing.is_some() {
                "backupInstance.update"
            } else {
                LATENCY
            },
            completes: Some(json!({
                "protectionStatus": { "status": "ProtectionConfigured" },
                "currentProtectionState": "ProtectionConfigured",
            })),
            unchanged: false,
        })
    }
}

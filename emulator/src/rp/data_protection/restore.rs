//! Restores: `POST …/backupInstances/{bi}/restore` (in the vault's region, from the Operational or
//! the Vault tier) and `POST …/locations/{pair}/crossRegionRestore` (from the Vault-tier copy in the
//! vault region's Azure pair, which works while the vault's own region is down). Both answer 202
//! with an operation and start a job; the target cluster needs the backup extension and Trusted
//! Access with the vault, and a Vault-tier restore a staging resource group and storage account.

use super::common::{user_error, vault_id};
use super::instance::{self, protected_since};
use super::jobs::{self, Restore};
use super::prerequisites as pre;
use super::recovery::{self, Point};
use crate::contract::error::ArmError;
use crate::contract::regions;
use crate::contract::request::{Ctx, Resp};
use crate::contract::resource::{not_found, require_group};
use crate::contract::store::{Kind, Resource};
use serde_json::Value;

/// The restore request's checks against the instance, its recovery points and the target cluster;
/// the point and the target cluster's id.
fn check(
    ctx: &Ctx<'_>,
    instance: &Resource,
    vault: &Resource,
    req: &Value,
    at: &str,
    region: &str,
    cross_region: bool,
) -> Result<(Point, &'static str, String), ArmError> {
    if protected_since(instance, ctx.now).is_none() {
        return Err(user_error(
            "UserErrorBackupInstanceNotProtected",
            at,
            "The backup instance is not protected yet: restore once protection is configured.",
        ));
    }
    if req["objectType"] != "AzureBackupRecoveryPointBasedRestoreRequest" {
        return Err(user_error(
            "InvalidRequestContent",
            &format!("{at}.objectType"),
            "AKS restores are AzureBackupRecoveryPointBasedRestoreRequest.",
        ));
    }
    let store = match req["sourceDataStoreType"].as_str() {
        Some("OperationalStore") if !cross_region => "OperationalStore",
        Some("VaultStore") => "VaultStore",
        _ => {
            return Err(user_error(
                "InvalidRequestContent",
                &format!("{at}.sourceDataStoreType"),
                if cross_region {
                    "A cross-region restore reads the Vault tier: sourceDataStoreType VaultStore."
                } else {
                    "sourceDataStoreType must be OperationalStore or VaultStore."
                },
            ));
        }
    };
    let wanted = req["recoveryPointId"].as_str().unwrap_or_default();
    let point = recovery::points(ctx.state, instance, ctx.now, ctx.config.latency_scale)
        .into_iter()
        .find(|p| p.id.eq_ignore_ascii_case(wanted))
        .filter(|p| {
            if store == "VaultStore" {
                p.vault
            } else {
                p.operational
            }
        })
        .ok_or_else(|| {
            user_error(
                "UserErrorRecoveryPointNotFound",
                &format!("{at}.recoveryPointId"),
                format!("No recovery point '{wanted}' in the {store} of this backup instance."),
            )
        })?;
    let target = &req["restoreTargetInfo"];
    if target["objectType"] != "ItemLevelRestoreTargetInfo"
        || target["recoveryOption"] != "FailIfExists"
    {
        return Err(user_error(
            "InvalidRequestContent",
            &format!("{at}.restoreTargetInfo"),
            "An AKS restore target is {objectType: ItemLevelRestoreTargetInfo, recoveryOption: FailIfExists, datasourceInfo, restoreCriteria}.",
        ));
    }
    let criteria_type = if store == "VaultStore" {
        "KubernetesClusterVaultTierRestoreCriteria"
    } else {
        "KubernetesClusterRestoreCriteria"
    };
    let criteria = target["restoreCriteria"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["objectType"] == criteria_type))
        .ok_or_else(|| {
            user_error(
                "InvalidRequestContent",
                &format!("{at}.restoreTargetInfo.restoreCriteria"),
                format!("A restore from the {store} takes a {criteria_type}."),
            )
        })?;
    if !criteria["includeClusterScopeResources"].is_boolean() {
        return Err(user_error(
            "InvalidRequestContent",
            &format!("{at}.restoreTargetInfo.restoreCriteria"),
            "includeClusterScopeResources is required.",
        ));
    }
    if store == "VaultStore" {
        for (field, kind) in [
            ("stagingResourceGroupId", Kind::ResourceGroup),
            ("stagingStorageAccountId", Kind::StorageAccount),
        ] {
            let id = criteria[field].as_str().unwrap_or_default();
            if ctx.state.get(id).is_none_or(|r| r.kind != kind) {
                return Err(user_error(
                    "UserErrorStagingLocationNotFound",
                    &format!("{at}.restoreTargetInfo.restoreCriteria.{field}"),
                    format!(
                        "A Vault-tier restore stages its data in an existing resource group and storage account: '{id}' does not exist."
                    ),
                ));
            }
        }
    }
    let cluster_id = target["datasourceInfo"]["resourceID"]
        .as_str()
        .unwrap_or_default();
    let Some(cluster) = ctx
        .state
        .get(cluster_id)
        .filter(|c| c.kind == Kind::ManagedCluster)
    else {
        return Err(user_error(
            "UserErrorDataSourceNotFound",
            &format!("{at}.restoreTargetInfo.datasourceInfo.resourceID"),
            format!("The target cluster '{cluster_id}' does not exist."),
        ));
    };
    let cluster_region = cluster.body["location"]
        .as_str()
        .and_then(regions::canonical);
    if cluster_region != regions::canonical(region) {
        return Err(user_error(
            "UserErrorRestoreTargetInDifferentRegion",
            &format!("{at}.restoreTargetInfo.datasourceInfo.resourceID"),
            format!(
                "The target cluster is in '{}': this restore runs in '{region}'{}.",
                cluster_region.unwrap_or_default(),
                if cross_region {
                    " (the source vault region's pair)"
                } else {
                    " (the vault's region; restore into another region with crossRegionRestore)"
                }
            ),
        ));
    }
    let target_at = format!("{at}.restoreTargetInfo.datasourceInfo.resourceID");
    pre::extension(ctx.state, &cluster.id, &target_at)?;
    pre::trusted_access(ctx.state, &cluster.id, &vault.id, &target_at)?;
    Ok((point, store, cluster.id.clone()))
}

/// `POST …/backupVaults/{v}/backupInstances/{bi}/restore`.
pub fn restore(ctx: &mut Ctx<'_>, rg: &str, vault: &str, name: &str) -> Result<Resp, ArmError> {
    require_group(ctx, rg)?;
    let vault_id = vault_id(ctx, rg, vault);
    let vault = ctx
        .state
        .get(&vault_id)
        .cloned()
        .ok_or_else(|| super::vault::missing(vault, rg))?;
    let instance = ctx
        .state
        .get(&format!("{vault_id}/backupInstances/{name}"))
        .filter(|r| r.kind == Kind::BackupInstance)
        .cloned()
        .ok_or_else(|| not_found(instance::TYPE, name, rg))?;
    let req = ctx.json_body()?.clone();
    let region = vault.body["location"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (point, store, target) = check(ctx, &instance, &vault, &req, "parameters", &region, false)?;
    Ok(jobs::start(
        ctx,
        Restore {
            vault,
            instance,
            recovery_point: point.id,
            recovery_point_ms: point.at_ms,
            target_cluster: target,
            source_store: store,
            location: region,
            cross_region: false,
        },
    ))
}

/// `POST …/resourceGroups/{rg}/providers/Microsoft.DataProtection/locations/{l}/crossRegionRestore`.
pub fn cross_region(ctx: &mut Ctx<'_>, rg: &str, location: &str) -> Result<Resp, ArmError> {
    require_group(ctx, rg)?;
    let body = ctx.json_body()?.clone();
    let details = &body["crossRegionRestoreDetails"];
    let (instance, vault) = recovery::cross_region_source(
        ctx.state,
        location,
        details["sourceRegion"].as_str(),
        details["sourceBackupInstanceId"].as_str(),
        "parameters.crossRegionRestoreDetails",
    )?;
    let region = regions::canonical(location).unwrap_or(location).to_owned();
    let (point, store, target) = check(
        ctx,
        &instance,
        &vault,
        &body["restoreRequestObject"],
        "parameters.restoreRequestObject",
        &region,
        true,
    )?;
    Ok(jobs::start(
        ctx,
        Restore {
            vault,
            instance,
            recovery_point: point.id,
            recovery_point_ms: point.at_ms,
            target_cluster: target,
            source_store: store,
            location: region,
            cross_region: true,
        },
    ))
}

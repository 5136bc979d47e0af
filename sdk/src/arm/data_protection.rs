//! `Microsoft.DataProtection` (Azure Backup's Backup vaults) at api-version 2024-04-01: vaults,
//! backup policies, backup instances, recovery points, restores and Cross Region Restore
//! (`specification/dataprotection/resource-manager/Microsoft.DataProtection/stable/2024-04-01/dataprotection.json`).

use serde_json::{Value, json};

/// The `Microsoft.DataProtection` api-version every request uses.
pub const API_VERSION: &str = "2024-04-01";

/// The datasource type of an AKS cluster, as policies and backup instances name it.
pub const AKS_DATASOURCE: &str = "Microsoft.ContainerService/managedClusters";

/// The ARM resource ID of the Backup vault `name` in `resource_group`.
pub fn vault_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.DataProtection/backupVaults/{name}"
    )
}

/// The ARM resource ID of the backup policy `name` in the vault `vault_id`.
pub fn policy_id(vault_id: &str, name: &str) -> String {
    format!("{vault_id}/backupPolicies/{name}")
}

/// The ARM resource ID of the backup instance `name` in the vault `vault_id`.
pub fn instance_id(vault_id: &str, name: &str) -> String {
    format!("{vault_id}/backupInstances/{name}")
}

/// The recovery points of a backup instance (a list, newest first is not promised).
pub fn recovery_points_path(instance_id: &str) -> String {
    format!("{instance_id}/recoveryPoints")
}

/// `BackupInstances_TriggerRestore`: a restore from the vault's own (primary) copy.
pub fn restore_path(instance_id: &str) -> String {
    format!("{instance_id}/restore")
}

/// `BackupInstances_TriggerCrossRegionRestore`, in the region the vault's data is restored to
/// (the vault's pair), under a resource group (`group_id`; the spec's path has one), one in that
/// region so that the request needs nothing of the source region.
pub fn cross_region_restore_path(group_id: &str, location: &str) -> String {
    format!("{group_id}/providers/Microsoft.DataProtection/locations/{location}/crossRegionRestore")
}

/// `FetchSecondaryRecoveryPoints_List`: the recovery points of a vault's copy in its paired region,
/// under a resource group (`group_id`) in that region.
pub fn secondary_recovery_points_path(group_id: &str, location: &str) -> String {
    format!(
        "{group_id}/providers/Microsoft.DataProtection/locations/{location}/fetchSecondaryRecoveryPoints"
    )
}

/// A `Datasource` (or `DatasourceSet`, `object_type`) naming an AKS cluster.
pub fn cluster_datasource(object_type: &str, cluster_id: &str, location: &str) -> Value {
    let name = cluster_id.rsplit('/').next().unwrap_or(cluster_id);
    json!({
        "objectType": object_type,
        "datasourceType": AKS_DATASOURCE,
        "resourceID": cluster_id,
        "resourceLocation": location,
        "resourceName": name,
        "resourceType": AKS_DATASOURCE,
        "resourceUri": cluster_id,
    })
}

/// One recovery point as a list answers it: its id, time and the data stores that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryPoint {
    /// `properties.recoveryPointId`.
    pub id: String,
    /// `properties.recoveryPointTime` (RFC 3339).
    pub time: String,
    /// `properties.recoveryPointDataStoresDetails[].type` (`OperationalStore`, `VaultStore`).
    pub stores: Vec<String>,
}

impl RecoveryPoint {
    /// The recovery point in a list item (`AzureBackupRecoveryPointResource`), if it has an id.
    pub fn from_resource(resource: &Value) -> Option<Self> {
        let p = &resource["properties"];
        let id = p["recoveryPointId"]
            .as_str()
            .or_else(|| resource["name"].as_str())?
            .to_owned();
        let stores = p["recoveryPointDataStoresDetails"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["type"].as_str().map(str::to_owned))
            .collect();
        Some(Self {
            id,
            time: p["recoveryPointTime"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            stores,
        })
    }
}

/// The newest of `points` (RFC 3339 times in UTC sort as text), optionally only those in `store`.
pub fn latest(points: &[RecoveryPoint], store: Option<&str>) -> Option<RecoveryPoint> {
    points
        .iter()
        .filter(|p| store.is_none_or(|s| p.stores.iter().any(|x| x.eq_ignore_ascii_case(s))))
        .max_by(|a, b| a.time.cmp(&b.time))
        .cloned()
}

/// What a restore into an AKS cluster takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreInto<'a> {
    /// The recovery point restored.
    pub recovery_point: &'a str,
    /// `OperationalStore` (the snapshots in the source region) or `VaultStore` (the vault's copy).
    pub source_store: &'a str,
    /// The region restored into (the target cluster's).
    pub location: &'a str,
    /// The target cluster's ARM id.
    pub cluster_id: &'a str,
    /// From the Vault tier: the resource group the volumes are hydrated in.
    pub staging_group_id: Option<&'a str>,
    /// From the Vault tier: the storage account the Kubernetes resources are hydrated in.
    pub staging_account_id: Option<&'a str>,
}

/// An `AzureBackupRecoveryPointBasedRestoreRequest` restoring a whole cluster (`ItemLevelRestoreTargetInfo`
/// with `KubernetesClusterRestoreCriteria`, or `KubernetesClusterVaultTierRestoreCriteria` from the
/// Vault tier, as `az dataprotection backup-instance restore
/// initialize-for-data-recovery` writes it for AKS): existing resources are skipped, volumes
/// restored with their data.
pub fn restore_request(r: &RestoreInto<'_>) -> Value {
    // The staging location exists only on the Vault tier's criteria (2024-04-01 spec).
    let kind = if r.source_store == "VaultStore" {
        "KubernetesClusterVaultTierRestoreCriteria"
    } else {
        "KubernetesClusterRestoreCriteria"
    };
    let mut criteria = json!({
        "objectType": kind,
        "includeClusterScopeResources": true,
        "persistentVolumeRestoreMode": "RestoreWithVolumeData",
        "conflictPolicy": "Skip",
    });
    if let Some(g) = r.staging_group_id {
        criteria["stagingResourceGroupId"] = json!(g);
    }
    if let Some(a) = r.staging_account_id {
        criteria["stagingStorageAccountId"] = json!(a);
    }
    json!({
        "objectType": "AzureBackupRecoveryPointBasedRestoreRequest",
        "recoveryPointId": r.recovery_point,
        "sourceDataStoreType": r.source_store,
        "restoreTargetInfo": {
            "objectType": "ItemLevelRestoreTargetInfo",
            "recoveryOption": "FailIfExists",
            "restoreLocation": r.location,
            "datasourceInfo": cluster_datasource("Datasource", r.cluster_id, r.location),
            "restoreCriteria": [criteria],
        },
    })
}

/// A `CrossRegionRestoreRequestObject`: `restore` from the secondary copy of the backup instance
/// `source_instance_id`, whose vault is in `source_region`.
pub fn cross_region_restore_request(
    restore: Value,
    source_instance_id: &str,
    source_region: &str,
) -> Value {
    json!({
        "restoreRequestObject": restore,
        "crossRegionRestoreDetails": {
            "sourceBackupInstanceId": source_instance_id,
            "sourceRegion": source_region,
        },
    })
}

/// A `FetchSecondaryRPsRequestParameters`.
pub fn secondary_recovery_points_request(source_instance_id: &str, source_region: &str) -> Value {
    json!({
        "sourceRegion": source_region,
        "sourceBackupInstanceId": source_instance_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_recovery_point_is_the_newest_in_the_store_asked_for() {
        let point = |id: &str, time: &str, stores: &[&str]| RecoveryPoint {
            id: id.into(),
            time: time.into(),
            stores: stores.iter().map(|s| (*s).to_owned()).collect(),
        };
        let points = [
            point(
                "a",
                "2026-12-07T08:00:00Z",
                &["OperationalStore", "VaultStore"],
            ),
            point("b", "2026-12-07T12:00:00Z", &["OperationalStore"]),
        ];
        assert_eq!(latest(&points, None).map(|p| p.id), Some("b".into()));
        assert_eq!(
            latest(&points, Some("VaultStore")).map(|p| p.id),
            Some("a".into())
        );
        assert_eq!(latest(&[], None), None);
        let parsed = RecoveryPoint::from_resource(&json!({"name": "x", "properties": {
            "objectType": "AzureBackupDiscreteRecoveryPoint",
            "recoveryPointId": "rp1", "recoveryPointTime": "2026-12-07T08:00:00Z",
            "recoveryPointDataStoresDetails": [{"type": "VaultStore"}]}}));
        assert_eq!(
            parsed,
            Some(point("rp1", "2026-12-07T08:00:00Z", &["VaultStore"]))
        );
    }
}

//! The bodies of AKS Backup's resources (vault, policy, extension storage, extension, backup
//! instance) as Microsoft's walkthrough writes them, and the settings read back from a vault and
//! its policy (for import).

use crate::arm::{data_protection, k8s_extension};
use crate::model::Backup;
use crate::names;
use serde_json::{Value, json};

pub(super) fn vault_body(topology: &str, region: &str, backup: &Backup) -> Value {
    let state = if backup.cross_region_restore {
        "Enabled"
    } else {
        "Disabled"
    };
    json!({
        "location": region,
        "tags": names::tags(topology, region),
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "storageSettings": [{"datastoreType": "VaultStore", "type": "GeoRedundant"}],
            "featureSettings": {"crossRegionRestoreSettings": {"state": state}},
        },
    })
}

fn store(kind: &str) -> Value {
    json!({"dataStoreType": kind, "objectType": "DataStoreInfoBase"})
}

fn delete_after(days: u32) -> Value {
    json!({"objectType": "AbsoluteDeleteOption", "duration": format!("P{days}D")})
}

/// The policy: a backup every `frequency_hours` in the operational tier (snapshots in the region)
/// kept `retention_days`, and, with a Vault tier, the first backup of each day copied at once to
/// the vault and kept there `vault_retention_days` (the shape `az dataprotection backup-policy
/// get-default-policy-template --datasource-type AzureKubernetesService` and `retention-rule
/// create-lifecycle --copy-option ImmediateCopyOption --target-datastore VaultStore` write).
pub(super) fn policy_body(backup: &Backup) -> Value {
    let interval = if backup.frequency_hours == 24 {
        "P1D".to_owned()
    } else {
        format!("PT{}H", backup.frequency_hours)
    };
    let mut tagging = vec![json!({
        "isDefault": true,
        "tagInfo": {"tagName": "Default"},
        "taggingPriority": 99,
    })];
    let mut rules = vec![json!({
        "objectType": "AzureRetentionRule",
        "name": "Default",
        "isDefault": true,
        "lifecycles": [{
            "deleteAfter": delete_after(backup.retention_days),
            "sourceDataStore": store("OperationalStore"),
            "targetDataStoreCopySettings": [],
        }],
    })];
    if backup.vault_retention_days > 0 {
        tagging.push(json!({
            "isDefault": false,
            "tagInfo": {"tagName": "Daily"},
            "taggingPriority": 25,
            "criteria": [{"objectType": "ScheduleBasedBackupCriteria", "absoluteCriteria": ["FirstOfDay"]}],
        }));
        rules.push(json!({
            "objectType": "AzureRetentionRule",
            "name": "Daily",
            "isDefault": false,
            "lifecycles": [
                {
                    "deleteAfter": delete_after(backup.retention_days),
                    "sourceDataStore": store("OperationalStore"),
                    "targetDataStoreCopySettings": [{
                        "copyAfter": {"objectType": "ImmediateCopyOption"},
                        "dataStore": store("VaultStore"),
                    }],
                },
                {
                    "deleteAfter": delete_after(backup.vault_retention_days),
                    "sourceDataStore": store("VaultStore"),
                    "targetDataStoreCopySettings": [],
                },
            ],
        }));
    }
    let mut policy_rules = vec![json!({
        "objectType": "AzureBackupRule",
        "name": "BackupHourly",
        "backupParameters": {"objectType": "AzureBackupParams", "backupType": "Incremental"},
        "dataStore": store("OperationalStore"),
        "trigger": {
            "objectType": "ScheduleBasedTriggerContext",
            "schedule": {
                "repeatingTimeIntervals": [format!("R/2024-01-01T00:00:00+00:00/{interval}")],
                "timeZone": "UTC",
            },
            "taggingCriteria": tagging,
        },
    })];
    policy_rules.extend(rules);
    json!({"properties": {
        "objectType": "BackupPolicy",
        "datasourceTypes": [data_protection::AKS_DATASOURCE],
        "policyRules": policy_rules,
    }})
}

pub(super) fn storage_body(topology: &str, region: &str) -> Value {
    json!({
        "location": region,
        "tags": names::tags(topology, region),
        "sku": {"name": "Standard_LRS"},
        "kind": "StorageV2",
        "properties": {
            "minimumTlsVersion": "TLS1_2",
            "allowBlobPublicAccess": false,
            "supportsHttpsTrafficOnly": true,
        },
    })
}

/// The extension with the four inputs `az k8s-extension create ... --configuration-settings
/// blobContainer= storageAccount= storageAccountResourceGroup= storageAccountSubscriptionId=`
/// passes on, under the names the extension reads.
pub(super) fn extension_body(subscription: &str, group: &str, account: &str) -> Value {
    json!({"properties": {
        "extensionType": k8s_extension::BACKUP_EXTENSION_TYPE,
        "autoUpgradeMinorVersion": true,
        "releaseTrain": "stable",
        "scope": {"cluster": {"releaseNamespace": k8s_extension::BACKUP_NAMESPACE}},
        "configurationSettings": {
            "configuration.backupStorageLocation.bucket": names::AKS_BACKUP_CONTAINER,
            "configuration.backupStorageLocation.config.storageAccount": account,
            "configuration.backupStorageLocation.config.resourceGroup": group,
            "configuration.backupStorageLocation.config.subscriptionId": subscription,
        },
    }})
}

/// The backup instance: the whole cluster (cluster-scoped resources and volume snapshots, as
/// `az dataprotection backup-instance initialize-backupconfig` defaults), snapshots in the region's
/// group.
pub(super) fn instance_body(
    cluster_id: &str,
    region: &str,
    policy_id: &str,
    snapshot_group: &str,
) -> Value {
    let name = cluster_id.rsplit('/').next().unwrap_or(cluster_id);
    json!({"properties": {
        "objectType": "BackupInstance",
        "friendlyName": name,
        "dataSourceInfo": data_protection::cluster_datasource("Datasource", cluster_id, region),
        "dataSourceSetInfo": data_protection::cluster_datasource("DatasourceSet", cluster_id, region),
        "policyInfo": {
            "policyId": policy_id,
            "policyParameters": {
                "backupDatasourceParametersList": [{
                    "objectType": "KubernetesClusterBackupDatasourceParameters",
                    "snapshotVolumes": true,
                    "includeClusterScopeResources": true,
                }],
                "dataStoreParametersList": [{
                    "objectType": "AzureOperationalStoreParameters",
                    "dataStoreType": "OperationalStore",
                    "resourceGroupId": snapshot_group,
                }],
            },
        },
    }})
}

/// The backup settings a vault and its policy say (the inverse of the bodies above), over `base`
/// (the global account's redundancy, say): for import.
pub fn settings_from(base: Backup, vault: &Value, policy: Option<&Value>) -> Backup {
    let mut backup = base;
    backup.cross_region_restore =
        vault["properties"]["featureSettings"]["crossRegionRestoreSettings"]["state"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("Enabled"));
    let days = |v: &Value| {
        v["deleteAfter"]["duration"]
            .as_str()
            .and_then(|d| d.strip_prefix('P')?.strip_suffix('D')?.parse::<u32>().ok())
    };
    backup.vault_retention_days = 0;
    let rules = policy.and_then(|p| p["properties"]["policyRules"].as_array());
    for rule in rules.into_iter().flatten() {
        if let Some(interval) = rule["trigger"]["schedule"]["repeatingTimeIntervals"][0].as_str() {
            let period = interval.rsplit('/').next().unwrap_or_default();
            if period == "P1D" {
                backup.frequency_hours = 24;
            } else if let Some(h) = period
                .strip_prefix("PT")
                .and_then(|p| p.strip_suffix('H'))
                .and_then(|h| h.parse().ok())
            {
                backup.frequency_hours = h;
            }
        }
        for lifecycle in rule["lifecycles"].as_array().into_iter().flatten() {
            let source = lifecycle["sourceDataStore"]["dataStoreType"].as_str();
            match (source, days(lifecycle)) {
                (Some("OperationalStore"), Some(d)) => backup.retention_days = d,
                (Some("VaultStore"), Some(d)) => backup.vault_retention_days = d,
                _ => {}
            }
        }
    }
    backup
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_read_back_from_the_bodies_are_the_settings_written() {
        for backup in [
            Backup::default(),
            Backup::default()
                .frequency_hours(24)
                .retention_days(14)
                .vault_retention_days(90),
            Backup::default()
                .frequency_hours(8)
                .cross_region_restore(false)
                .vault_retention_days(0),
        ] {
            let read = settings_from(
                Backup::default(),
                &vault_body("shop", "eastus", &backup),
                Some(&policy_body(&backup)),
            );
            assert_eq!(read, backup);
        }
    }
}

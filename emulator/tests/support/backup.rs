//! AKS Backup fixtures shared by `data_protection.rs` and `data_protection_restore.rs`: request
//! bodies after the spec's examples (PutBackupVaultWithMSI, CreateOrUpdateBackupPolicy,
//! PutBackupInstance, TriggerRestore, TriggerCrossRegionRestore, FetchSecondaryRPs) adapted to an
//! AKS cluster, each checked against the kept spec before it is sent, and a protected cluster.
//!
//! The backup extension and the trusted access role binding are written straight into the store
//! (`Emulator::seed`) where helper E-ext's routes would write them:
//! `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}` and
//! `{cluster}/trustedAccessRoleBindings/{name}`. Role assignments go through the authorization
//! provider.

#![allow(dead_code)]

use crate::support::{Arm, SUB, rg_path};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

pub const AKS: &str = "Microsoft.ContainerService/managedClusters";
pub const READER: &str = "acdd72a7-3374-48ba-a1d3-f7e3e5a2e9b4";

/// Everything runs at this latency scale: a 4-hour backup interval lasts 144 ms, a day 864 ms.
pub fn config() -> arm_emulator::Config {
    arm_emulator::Config {
        latency_scale: 0.00001,
        ..arm_emulator::Config::default()
    }
}

/// A Microsoft.DataProtection path in group `rg` at the pinned api-version.
pub fn dp(rg: &str, rest: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.DataProtection/{rest}?api-version=2024-04-01"
    )
}

pub fn group_id(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

pub fn cluster_id(rg: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/{name}",
        group_id(rg)
    )
}

pub fn vault_id(rg: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.DataProtection/backupVaults/{name}",
        group_id(rg)
    )
}

/// Fails the test when a request body does not match its operation's spec.
pub fn request_conforms(method: &str, path: &str, body: &Value) {
    static SPECS: std::sync::OnceLock<Option<armspec::Specs>> = std::sync::OnceLock::new();
    let Some(specs) = SPECS.get_or_init(|| armspec::Specs::load("AKS Backup request bodies"))
    else {
        return;
    };
    let path = path.split('?').next().unwrap_or_default();
    let errors = specs.check_request(armspec::files::DATA_PROTECTION, method, path, body);
    assert!(errors.is_empty(), "{method} {path}: {errors:#?}");
}

/// A request checked against the spec, then sent; the status and body.
pub async fn send(arm: &Arm, method: Method, path: &str, body: Value) -> (u16, Value) {
    request_conforms(method.as_str(), path, &body);
    arm.req(method, path, Some(body)).await
}

/// PutBackupVaultWithMSI: a vault with a system-assigned identity.
pub fn vault_body(location: &str, redundancy: &str, crr: &str) -> Value {
    json!({
        "location": location,
        "identity": { "type": "SystemAssigned" },
        "tags": { "key1": "val1" },
        "properties": {
            "monitoringSettings": { "azureMonitorAlertSettings": { "alertsForAllJobFailures": "Enabled" } },
            "storageSettings": [{ "datastoreType": "VaultStore", "type": redundancy }],
            "featureSettings": { "crossRegionRestoreSettings": { "state": crr } },
        },
    })
}

/// An AKS policy: backups every 4 hours kept 7 days, the first of each day copied to the Vault
/// tier and kept 30 days.
pub fn policy_body() -> Value {
    let store = |t: &str| json!({ "objectType": "DataStoreInfoBase", "dataStoreType": t });
    json!({ "properties": {
        "objectType": "BackupPolicy",
        "datasourceTypes": [AKS],
        "policyRules": [
            {
                "objectType": "AzureBackupRule",
                "name": "BackupHourly",
                "backupParameters": { "objectType": "AzureBackupParams", "backupType": "Incremental" },
                "dataStore": store("OperationalStore"),
                "trigger": {
                    "objectType": "ScheduleBasedTriggerContext",
                    "schedule": { "repeatingTimeIntervals": ["R/2024-01-01T00:00:00+00:00/PT4H"], "timeZone": "UTC" },
                    "taggingCriteria": [
                        { "isDefault": true, "tagInfo": { "tagName": "Default" }, "taggingPriority": 99 },
                        { "isDefault": false, "tagInfo": { "tagName": "Vault" }, "taggingPriority": 20,
                          "criteria": [{ "objectType": "ScheduleBasedBackupCriteria", "absoluteCriteria": ["FirstOfDay"] }] },
                    ],
                },
            },
            {
                "objectType": "AzureRetentionRule",
                "name": "Default",
                "isDefault": true,
                "lifecycles": [{
                    "deleteAfter": { "objectType": "AbsoluteDeleteOption", "duration": "P7D" },
                    "sourceDataStore": store("OperationalStore"),
                    "targetDataStoreCopySettings": [{ "copyAfter": { "objectType": "ImmediateCopyOption" }, "dataStore": store("VaultStore") }],
                }],
            },
            {
                "objectType": "AzureRetentionRule",
                "name": "Vault",
                "isDefault": false,
                "lifecycles": [{
                    "deleteAfter": { "objectType": "AbsoluteDeleteOption", "duration": "P30D" },
                    "sourceDataStore": store("VaultStore"),
                }],
            },
        ],
    } })
}

/// PutBackupInstance for an AKS cluster.
pub fn instance_body(policy: &str, cluster: &str, location: &str, snapshot_rg: &str) -> Value {
    let name = cluster.rsplit('/').next().unwrap_or_default();
    let source = |object: &str| {
        json!({ "objectType": object, "resourceID": cluster, "resourceName": name, "resourceType": AKS,
                "resourceUri": cluster, "resourceLocation": location, "datasourceType": AKS })
    };
    json!({ "properties": {
        "objectType": "BackupInstance",
        "friendlyName": name,
        "dataSourceInfo": source("Datasource"),
        "dataSourceSetInfo": source("DatasourceSet"),
        "policyInfo": {
            "policyId": policy,
            "policyParameters": {
                "dataStoreParametersList": [{ "objectType": "AzureOperationalStoreParameters", "dataStoreType": "OperationalStore", "resourceGroupId": snapshot_rg }],
                "backupDatasourceParametersList": [{ "objectType": "KubernetesClusterBackupDatasourceParameters", "snapshotVolumes": true, "includeClusterScopeResources": true }],
            },
        },
    } })
}

/// TriggerRestore for an AKS cluster: recovery point `rp` of the `store` tier into `target`.
pub fn restore_body(
    rp: &str,
    store: &str,
    target: &str,
    location: &str,
    staging: Option<(&str, &str)>,
) -> Value {
    let mut criteria = json!({ "includeClusterScopeResources": true, "persistentVolumeRestoreMode": "RestoreWithVolumeData", "conflictPolicy": "Skip" });
    criteria["objectType"] = json!(match staging {
        Some(_) => "KubernetesClusterVaultTierRestoreCriteria",
        None => "KubernetesClusterRestoreCriteria",
    });
    if let Some((rg, account)) = staging {
        criteria["stagingResourceGroupId"] = json!(rg);
        criteria["stagingStorageAccountId"] = json!(account);
    }
    let name = target.rsplit('/').next().unwrap_or_default();
    json!({
        "objectType": "AzureBackupRecoveryPointBasedRestoreRequest",
        "recoveryPointId": rp,
        "sourceDataStoreType": store,
        "restoreTargetInfo": {
            "objectType": "ItemLevelRestoreTargetInfo",
            "recoveryOption": "FailIfExists",
            "restoreLocation": location,
            "datasourceInfo": { "objectType": "Datasource", "resourceID": target, "resourceName": name,
                "resourceType": AKS, "resourceUri": target, "resourceLocation": location, "datasourceType": AKS },
            "restoreCriteria": [criteria],
        },
    })
}

/// A resource group in `location`.
pub async fn group(arm: &Arm, name: &str, location: &str) {
    let (status, body) = arm
        .req(
            Method::PUT,
            &rg_path(name),
            Some(json!({ "location": location })),
        )
        .await;
    assert!(status == 200 || status == 201, "{name}: {status} {body}");
}

/// Waits for an operation announced by `Azure-AsyncOperation` to end; its document.
pub async fn finished(arm: &Arm, op: &str) -> Value {
    for _ in 0..400 {
        let (status, doc) = arm.get(op).await;
        assert_eq!(status, 200, "{doc}");
        if doc["status"] != "InProgress" {
            return doc;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{op} never finished");
}

/// A running cluster `name` in group `rg` (in `location`).
pub async fn cluster(arm: &Arm, rg: &str, name: &str, location: &str) -> String {
    let body = json!({ "location": location, "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": name, "agentPoolProfiles": [
            { "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    let id = cluster_id(rg, name);
    let (status, headers, answer) = arm.put(&format!("{id}?api-version=2024-09-01"), body).await;
    assert_eq!(status, 201, "{answer}");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    assert_eq!(finished(arm, &op).await["status"], "Succeeded");
    id
}

/// A vault; its principal id.
pub async fn vault(arm: &Arm, rg: &str, name: &str, body: Value) -> String {
    let path = dp(rg, &format!("backupVaults/{name}"));
    request_conforms("PUT", &path, &body);
    let (status, headers, answer) = arm.put(&path, body).await;
    assert_eq!(status, 201, "{answer}");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    assert_eq!(finished(arm, &op).await["status"], "Succeeded");
    answer["identity"]["principalId"]
        .as_str()
        .expect("principal")
        .to_owned()
}

/// The backup extension on `cluster`, in `state`.
pub fn extension(arm: &Arm, cluster: &str, state: &str) {
    let id = format!(
        "{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/azure-aks-backup"
    );
    arm.emulator.seed(&id, json!({ "id": id, "name": "azure-aks-backup",
        "type": "Microsoft.KubernetesConfiguration/extensions",
        "properties": { "extensionType": "microsoft.dataprotection.kubernetes", "provisioningState": state,
            "aksAssignedIdentity": { "type": "SystemAssigned", "principalId": uuid_like(cluster) } } }));
}

/// A trusted access role binding on `cluster` from `vault`.
pub fn binding(arm: &Arm, cluster: &str, vault: &str) {
    let name = format!("backup-{}", vault.rsplit('/').next().unwrap_or_default());
    let id = format!("{cluster}/trustedAccessRoleBindings/{name}");
    arm.emulator.seed(&id, json!({ "id": id, "name": name,
        "type": "Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings",
        "properties": { "sourceResourceId": vault, "roles": ["Microsoft.DataProtection/backupVaults/backup-operator"],
            "provisioningState": "Succeeded" } }));
}

fn uuid_like(seed: &str) -> String {
    let h = seed
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!(
        "{:08x}-0000-4000-8000-{:012x}",
        h >> 32,
        h & 0xffff_ffff_ffff
    )
}

/// Reader for `principal` on `scope`, through the authorization provider.
pub async fn reader(arm: &Arm, principal: &str, scope: &str) {
    let name = uuid_like(&format!("{principal}{scope}"));
    let path = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"
    );
    let body = json!({ "properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "principalId": principal, "principalType": "ServicePrincipal" } });
    let (status, answer) = arm.req(Method::PUT, &path, Some(body)).await;
    assert_eq!(status, 201, "{answer}");
}

/// A protected cluster and what it took.
pub struct Protected {
    pub rg: String,
    pub cluster: String,
    pub vault: String,
    pub principal: String,
    pub policy: String,
    pub instance: String,
    pub instance_path: String,
}

/// In group `rg` (in `location`): a cluster, a vault (`body`), the AKS policy, every prerequisite,
/// and the cluster's backup instance, protection configured.
pub async fn protect(arm: &Arm, rg: &str, location: &str, body: Value) -> Protected {
    group(arm, rg, location).await;
    let snapshots = format!("{rg}-snapshots");
    group(arm, &snapshots, location).await;
    let cluster = cluster(arm, rg, "aks", location).await;
    let principal = vault(arm, rg, "vault", body).await;
    let vault = vault_id(rg, "vault");
    let policy_path = dp(rg, "backupVaults/vault/backupPolicies/aks");
    let (status, answer) = send(arm, Method::PUT, &policy_path, policy_body()).await;
    assert_eq!(status, 200, "{answer}");
    let policy = answer["id"].as_str().expect("policy id").to_owned();
    extension(arm, &cluster, "Succeeded");
    binding(arm, &cluster, &vault);
    reader(arm, &principal, &cluster).await;
    reader(arm, &principal, &group_id(&snapshots)).await;
    let instance_path = dp(rg, "backupVaults/vault/backupInstances/aks");
    let body = instance_body(&policy, &cluster, location, &group_id(&snapshots));
    request_conforms("PUT", &instance_path, &body);
    let (status, headers, answer) = arm.put(&instance_path, body).await;
    assert_eq!(status, 201, "{answer}");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("op")
        .to_owned();
    assert_eq!(finished(arm, &op).await["status"], "Succeeded");
    Protected {
        rg: rg.to_owned(),
        cluster,
        vault,
        principal,
        policy,
        instance: answer["id"].as_str().expect("instance id").to_owned(),
        instance_path,
    }
}

//! AKS Backup: per running region a vault, policy, extension storage, extension, trusted access and
//! the documented roles, a backup instance per hot cluster, the pair's vault granted what a Cross
//! Region Restore needs; existing `backup {}` topologies migrated without a delete; nothing holding
//! backups deleted when a region changes mode; everything deleted in order when the block goes.

use super::*;
use crate::layout::{BackupPart, Grant};
use crate::model::{Backup, RegionMode};

/// East US hot, West US warm (an Azure pair), with backups.
fn backed_up() -> Topology {
    let mut t = two().backup(Backup::default());
    t.regions[1].mode = RegionMode::Warm;
    t
}

fn part(region: &str, part: BackupPart) -> ResourceKey {
    ResourceKey::AksBackup {
        region: region.into(),
        part,
    }
}

fn grant(region: &str, vault: &str, grant: Grant) -> ResourceKey {
    part(
        region,
        BackupPart::Grant {
            vault: vault.into(),
            grant,
        },
    )
}

fn backup_keys(t: &Topology) -> Vec<ResourceKey> {
    layout::desired(t, SUB)
        .into_iter()
        .map(|d| d.key)
        .filter(|k| matches!(k, ResourceKey::AksBackup { .. }))
        .collect()
}

#[test]
fn each_running_region_gets_its_vault_extension_and_roles_and_each_hot_cluster_an_instance() {
    let keys = backup_keys(&backed_up());
    // Per region: vault, policy, storage, container, extension, two roles, and six grants for its
    // own vault and six for its pair's; an instance for the hot cluster only.
    assert_eq!(keys.len(), 2 * (7 + 6 + 6) + 1, "{keys:#?}");
    for r in ["eastus", "westus"] {
        for p in [
            BackupPart::Vault,
            BackupPart::Policy,
            BackupPart::Storage,
            BackupPart::Container,
            BackupPart::Extension,
            BackupPart::ExtensionBlobData,
            BackupPart::ClusterSnapshots,
        ] {
            assert!(keys.contains(&part(r, p.clone())), "{r} {p}");
        }
    }
    assert!(keys.contains(&part("eastus", BackupPart::Instance)));
    assert!(
        !keys.contains(&part("westus", BackupPart::Instance)),
        "warm: no instance"
    );
    // West US is East US's pair: East US's vault restores into it, and the reverse.
    assert!(keys.contains(&grant("westus", "eastus", Grant::TrustedAccess)));
    assert!(keys.contains(&grant("eastus", "westus", Grant::StagingBlobOwner)));
    // A cold region has nothing.
    let mut t = backed_up();
    t.regions[1].mode = RegionMode::Cold;
    let keys = backup_keys(&t);
    assert_eq!(keys.len(), 7 + 6 + 1, "{keys:#?}");
}

#[test]
fn the_bodies_follow_microsofts_walkthrough() {
    let t = backed_up();
    let desired = layout::desired(&t, SUB);
    let d = |k: &ResourceKey| {
        desired
            .iter()
            .find(|d| d.key == *k)
            .unwrap_or_else(|| panic!("{k}"))
    };
    let vault = d(&part("eastus", BackupPart::Vault));
    assert_eq!(vault.body["location"], "eastus");
    assert_eq!(vault.body["identity"]["type"], "SystemAssigned");
    assert_eq!(
        vault.body["properties"]["storageSettings"],
        json!([{"datastoreType": "VaultStore", "type": "GeoRedundant"}])
    );
    assert_eq!(
        vault.body["properties"]["featureSettings"]["crossRegionRestoreSettings"]["state"],
        "Enabled"
    );
    let policy = &d(&part("eastus", BackupPart::Policy)).body["properties"];
    assert_eq!(
        policy["datasourceTypes"],
        json!(["Microsoft.ContainerService/managedClusters"])
    );
    assert_eq!(
        policy["policyRules"][0]["trigger"]["schedule"]["repeatingTimeIntervals"][0],
        "R/2024-01-01T00:00:00+00:00/PT4H"
    );
    assert_eq!(
        policy["policyRules"][2]["lifecycles"][1]["deleteAfter"]["duration"], "P30D",
        "the daily Vault-tier copy"
    );
    let ext = d(&part("eastus", BackupPart::Extension));
    assert!(ext.id.ends_with(
        "/managedClusters/aks-shop-eastus/providers/Microsoft.KubernetesConfiguration/extensions/azure-aks-backup"
    ));
    assert_eq!(
        ext.body["properties"]["extensionType"],
        "microsoft.dataprotection.kubernetes"
    );
    let settings = &ext.body["properties"]["configurationSettings"];
    assert_eq!(
        settings["configuration.backupStorageLocation.bucket"],
        "aks-backup"
    );
    assert_eq!(
        settings["configuration.backupStorageLocation.config.resourceGroup"],
        "rg-shop-eastus"
    );
    let blob = d(&part("eastus", BackupPart::ExtensionBlobData));
    assert_eq!(
        blob.bindings[0].source_pointer,
        "/properties/aksAssignedIdentity/principalId"
    );
    assert!(blob.id.contains("/storageAccounts/"));
    let ta = d(&grant("westus", "eastus", Grant::TrustedAccess));
    assert!(
        ta.id
            .ends_with("/managedClusters/aks-shop-westus/trustedAccessRoleBindings/bv-eastus")
    );
    assert_eq!(
        ta.body["properties"]["roles"],
        json!(["Microsoft.DataProtection/backupVaults/backup-operator"])
    );
    assert_eq!(
        ta.body["properties"]["sourceResourceId"],
        d(&part("eastus", BackupPart::Vault)).id
    );
    let instance = d(&part("eastus", BackupPart::Instance));
    let info = &instance.body["properties"];
    assert_eq!(
        info["dataSourceInfo"]["resourceID"],
        ResourceKey::ManagedCluster("eastus".into()).id(SUB, "shop")
    );
    assert_eq!(
        info["policyInfo"]["policyId"],
        d(&part("eastus", BackupPart::Policy)).id
    );
    // The instance waits for everything the vault needs to reach the cluster.
    for dep in [
        part("eastus", BackupPart::Policy),
        part("eastus", BackupPart::ExtensionBlobData),
        part("eastus", BackupPart::ClusterSnapshots),
        grant("eastus", "eastus", Grant::TrustedAccess),
        grant("eastus", "eastus", Grant::ClusterReader),
        grant("eastus", "eastus", Grant::GroupReader),
    ] {
        assert!(instance.depends_on.contains(&dep), "{dep}");
    }
}

#[test]
fn an_applied_topology_plans_nothing() {
    let t = backed_up();
    let plan = plan(&layout::desired(&t, SUB), &observed_after(&t));
    assert_eq!(summary(&plan), Vec::<String>::new());
}

#[test]
fn an_old_backup_topology_migrates_with_creates_only() {
    // The state before AKS Backup: the RA-GRS account with a container per cluster, no vault.
    let t = backed_up();
    let mut old = observed_after(&t);
    old.resources
        .retain(|k, _| !matches!(k, ResourceKey::AksBackup { .. }));
    assert!(old.resources.contains_key(&ResourceKey::StorageAccount));
    let plan = plan(&layout::desired(&t, SUB), &old);
    let changes = summary(&plan);
    assert_eq!(changes.len(), backup_keys(&t).len(), "{changes:#?}");
    assert!(
        changes.iter().all(|c| c.starts_with("create ")),
        "the old account and containers stay as they are: {changes:#?}"
    );
}

#[test]
fn a_failover_backs_up_the_new_hot_cluster_and_keeps_the_old_ones_backups() {
    let t = backed_up();
    let before = observed_after(&t);
    let mut switched = t.clone();
    switched.regions[0].mode = RegionMode::Warm;
    switched.regions[1].mode = RegionMode::Hot;
    let planned = plan(&layout::desired(&switched, SUB), &before);
    let changes = summary(&planned);
    assert!(changes.contains(&"create backup instance (westus)".to_owned()));
    assert!(
        !changes.iter().any(|c| c.starts_with("delete ")),
        "the East US instance holds its backups: {changes:#?}"
    );
    // Cold: the cluster goes, its vault, policy, instance and storage stay.
    let mut cold = t.clone();
    cold.regions[1].mode = RegionMode::Cold;
    let plan = plan(&layout::desired(&cold, SUB), &observed_after(&t));
    let deletes: Vec<String> = summary(&plan)
        .into_iter()
        .filter(|c| c.starts_with("delete "))
        .collect();
    assert!(
        deletes.iter().all(|d| !d.contains("vault (")
            && !d.contains("policy")
            && !d.contains("instance")
            && !d.contains("storage")),
        "{deletes:#?}"
    );
}

#[test]
fn removing_the_backup_block_deletes_in_order() {
    let t = backed_up();
    let before = observed_after(&t);
    let mut gone = t.clone();
    gone.backup = None;
    let plan = plan(&layout::desired(&gone, SUB), &before);
    let ops = &plan.operations;
    let at = |k: &ResourceKey| {
        ops.iter()
            .position(|o| o.key == *k && o.action == Action::Delete)
            .unwrap_or_else(|| panic!("no delete of {k}"))
    };
    let instance = at(&part("eastus", BackupPart::Instance));
    let waits = |later: &ResourceKey, first: usize| {
        assert!(
            ops[at(later)].depends_on.contains(&first),
            "{later} waits for {}",
            ops[first].key
        )
    };
    waits(&part("eastus", BackupPart::Extension), instance);
    waits(&grant("eastus", "eastus", Grant::TrustedAccess), instance);
    waits(&part("eastus", BackupPart::Policy), instance);
    waits(&part("eastus", BackupPart::Vault), instance);
    waits(
        &part("eastus", BackupPart::Vault),
        at(&part("eastus", BackupPart::Policy)),
    );
    waits(
        &part("eastus", BackupPart::Vault),
        at(&grant("westus", "eastus", Grant::TrustedAccess)),
    );
    waits(
        &part("westus", BackupPart::Storage),
        at(&part("westus", BackupPart::Extension)),
    );
}

#[test]
fn a_cluster_made_anew_gets_its_backup_roles_made_again() {
    let t = backed_up();
    let mut observed = observed_after(&t);
    // The East US cluster was deleted by hand: the extension went with it, and the roles of its
    // identities name principals that are gone.
    observed
        .resources
        .remove(&ResourceKey::ManagedCluster("eastus".into()));
    observed
        .resources
        .remove(&part("eastus", BackupPart::Extension));
    let planned = plan(&layout::desired(&t, SUB), &observed);
    let action = |k: &ResourceKey| {
        planned
            .operations
            .iter()
            .find(|o| o.key == *k)
            .map(|o| o.action)
    };
    assert_eq!(
        action(&part("eastus", BackupPart::ClusterSnapshots)),
        Some(Action::Replace)
    );
    assert_eq!(
        action(&part("eastus", BackupPart::ExtensionBlobData)),
        Some(Action::Replace)
    );
    assert_eq!(
        action(&part("eastus", BackupPart::Extension)),
        Some(Action::Create)
    );
}

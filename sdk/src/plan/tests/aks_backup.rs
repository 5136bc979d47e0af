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

/// The policy the default settings want.
fn policy() -> BackupPart {
    let b = Backup::default();
    BackupPart::Policy(crate::names::aks_backup_policy(
        b.frequency_hours,
        b.retention_days,
        b.vault_retention_days,
    ))
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
            policy(),
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
    let policy_body = &d(&part("eastus", policy())).body["properties"];
    assert_eq!(
        policy_body["datasourceTypes"],
        json!(["Microsoft.ContainerService/managedClusters"])
    );
    assert_eq!(
        policy_body["policyRules"][0]["trigger"]["schedule"]["repeatingTimeIntervals"][0],
        "R/2024-01-01T00:00:00+00:00/PT4H"
    );
    assert_eq!(
        policy_body["policyRules"][2]["lifecycles"][1]["deleteAfter"]["duration"], "P30D",
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
        d(&part("eastus", policy())).id
    );
    // The instance waits for everything the vault needs to reach the cluster.
    for dep in [
        part("eastus", policy()),
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
    waits(&part("eastus", policy()), instance);
    waits(&part("eastus", BackupPart::Vault), instance);
    waits(
        &part("eastus", BackupPart::Vault),
        at(&part("eastus", policy())),
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

/// Where `key`'s operation of `action` is in `plan`.
fn position(plan: &Plan, key: &ResourceKey, action: Action) -> usize {
    plan.operations
        .iter()
        .position(|o| o.key == *key && o.action == action)
        .unwrap_or_else(|| panic!("no {action} of {key}: {:#?}", summary(plan)))
}

#[test]
fn new_policy_settings_make_a_new_policy_the_instance_moves_to_before_the_old_one_goes() {
    let t = backed_up();
    let before = observed_after(&t);
    let mut changed = t.clone();
    if let Some(b) = changed.backup.as_mut() {
        b.frequency_hours = 8;
    }
    let new = BackupPart::Policy(crate::names::aks_backup_policy(8, 7, 30));
    let b = Backup::default();
    assert_eq!(
        (b.retention_days, b.vault_retention_days),
        (7, 30),
        "the defaults the new name is made of"
    );
    assert_ne!(new, policy());
    let planned = plan(&layout::desired(&changed, SUB), &before);
    let mut changes = summary(&planned);
    changes.sort();
    let mut expected = vec![
        format!("create {}", part("eastus", new.clone())),
        format!("create {}", part("westus", new.clone())),
        format!("update {}", part("eastus", BackupPart::Instance)),
        format!("delete {}", part("eastus", policy())),
        format!("delete {}", part("westus", policy())),
    ];
    expected.sort();
    assert_eq!(changes, expected, "nothing else is replaced");
    let created = position(&planned, &part("eastus", new.clone()), Action::Create);
    let moved = position(
        &planned,
        &part("eastus", BackupPart::Instance),
        Action::Update,
    );
    let deleted = position(&planned, &part("eastus", policy()), Action::Delete);
    assert!(planned.operations[moved].depends_on.contains(&created));
    assert!(planned.operations[deleted].depends_on.contains(&moved));
    let new_id = part("eastus", new).id(SUB, "shop");
    assert_eq!(
        planned.operations[moved]
            .body
            .as_ref()
            .map(|b| b["properties"]["policyInfo"]["policyId"].clone()),
        Some(json!(new_id))
    );
    // Once applied, the next plan is empty.
    let after = observed_after(&changed);
    assert_eq!(
        summary(&plan(&layout::desired(&changed, SUB), &after)),
        Vec::<String>::new()
    );
}

#[test]
fn a_policy_named_before_settings_were_in_its_name_migrates_once_in_order() {
    let t = backed_up();
    let mut before = observed_after(&t);
    // The topology as applied before: the policy named `aks-backup`, the instance under it.
    let legacy = BackupPart::Policy(crate::names::AKS_BACKUP_POLICY.to_owned());
    for r in ["eastus", "westus"] {
        let found = before
            .resources
            .remove(&part(r, policy()))
            .expect("policy observed");
        let id = part(r, legacy.clone()).id(SUB, "shop");
        let mut body = found.body;
        body["id"] = json!(id);
        before
            .resources
            .insert(part(r, legacy.clone()), ObservedResource { id, body });
    }
    let legacy_id = part("eastus", legacy.clone()).id(SUB, "shop");
    if let Some(i) = before
        .resources
        .get_mut(&part("eastus", BackupPart::Instance))
    {
        i.body["properties"]["policyInfo"]["policyId"] = json!(legacy_id);
    }
    let planned = plan(&layout::desired(&t, SUB), &before);
    let mut changes = summary(&planned);
    changes.sort();
    let mut expected = vec![
        format!("create {}", part("eastus", policy())),
        format!("create {}", part("westus", policy())),
        format!("update {}", part("eastus", BackupPart::Instance)),
        format!("delete {}", part("eastus", legacy.clone())),
        format!("delete {}", part("westus", legacy.clone())),
    ];
    expected.sort();
    assert_eq!(changes, expected);
    let created = position(&planned, &part("eastus", policy()), Action::Create);
    let moved = position(
        &planned,
        &part("eastus", BackupPart::Instance),
        Action::Update,
    );
    let deleted = position(&planned, &part("eastus", legacy), Action::Delete);
    assert!(planned.operations[moved].depends_on.contains(&created));
    assert!(planned.operations[deleted].depends_on.contains(&moved));
}

#[test]
fn an_old_policy_a_kept_instance_still_uses_stays() {
    // East US goes warm (its instance stays as it is, holding its backups) while the settings
    // change: its old policy, still in use, is not deleted; West US's, unused, is.
    let t = backed_up();
    let before = observed_after(&t);
    let mut changed = t.clone();
    changed.regions[0].mode = RegionMode::Warm;
    if let Some(b) = changed.backup.as_mut() {
        b.retention_days = 14;
    }
    let changes = summary(&plan(&layout::desired(&changed, SUB), &before));
    assert!(
        !changes.contains(&format!("delete {}", part("eastus", policy()))),
        "{changes:#?}"
    );
    assert!(
        changes.contains(&format!("delete {}", part("westus", policy()))),
        "{changes:#?}"
    );
    assert!(
        !changes.iter().any(|c| c.contains("instance")),
        "{changes:#?}"
    );
}

//! AKS Backup (Azure's managed Velero) for every running cluster, as Microsoft's walkthrough builds
//! it (learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup-using-cli and
//! ...-restore-using-cli): per region with a running cluster a Backup vault in the region (AKS
//! Backup needs the vault, the extension's storage and the cluster in one region: support matrix),
//! geo-redundant with Cross Region Restore, a policy for AKS, a storage account and blob container
//! for the extension, the extension, and the roles the docs list; per hot cluster a backup
//! instance. A restore into another region reads the source vault's copy in its Azure pair, so a
//! cluster whose region is the pair of another running region's also gets that vault's grants:
//! trusted access, and the roles the vault needs on the target cluster and the staging resource
//! group and storage account (the region's group and its extension account).

use super::backup_bodies::{extension_body, instance_body, policy_body, storage_body, vault_body};
use super::{Binding, ResourceKey};
use crate::arm::{
    data_protection, k8s_extension, managed_cluster, resource_group, role_assignment, storage,
    trusted_access,
};
use crate::model::{RegionMode, Topology};
use crate::names;
use azure_facts::roles;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;

/// One resource of a region's AKS Backup.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BackupPart {
    /// The region's Backup vault.
    Vault,
    /// The vault's backup policy for AKS, by name: [`names::aks_backup_policy`] for the wanted
    /// settings; an observed one of another name (other settings, or the name before settings were
    /// in it) is deleted once no instance uses it.
    Policy(String),
    /// The storage account the region's backup extension writes cluster resources to.
    Storage,
    /// The blob container in it.
    Container,
    /// The backup extension on the region's cluster.
    Extension,
    /// Storage Blob Data Contributor for the extension's identity on the storage account.
    ExtensionBlobData,
    /// Contributor for the cluster's identity on the snapshot resource group (the region's group).
    ClusterSnapshots,
    /// What the vault of region `vault` holds on this region's cluster (its own region's, or the
    /// vault whose Azure pair this region is, for restores from its copy).
    Grant {
        /// The region whose vault the grant is for.
        vault: String,
        /// What it grants.
        grant: Grant,
    },
    /// The backup instance of the region's (hot) cluster in the region's vault.
    Instance,
}

/// What a vault is granted on a region's cluster and resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grant {
    /// Trusted access: the cluster binds the vault to `backup-operator`.
    TrustedAccess,
    /// Reader on the cluster.
    ClusterReader,
    /// Reader on the snapshot resource group.
    GroupReader,
    /// Contributor on the staging resource group (restores from the Vault tier).
    StagingContributor,
    /// Storage Account Contributor on the staging storage account.
    StagingAccount,
    /// Storage Blob Data Owner on the staging storage account.
    StagingBlobOwner,
}

impl Grant {
    /// Every grant, trusted access first.
    pub const ALL: [Grant; 6] = [
        Grant::TrustedAccess,
        Grant::ClusterReader,
        Grant::GroupReader,
        Grant::StagingContributor,
        Grant::StagingAccount,
        Grant::StagingBlobOwner,
    ];

    /// The built-in role the grant assigns (none for trusted access).
    fn role(self) -> Option<&'static str> {
        match self {
            Grant::TrustedAccess => None,
            Grant::ClusterReader | Grant::GroupReader => Some(roles::READER.id),
            Grant::StagingContributor => Some(roles::CONTRIBUTOR.id),
            Grant::StagingAccount => Some(roles::STORAGE_ACCOUNT_CONTRIBUTOR.id),
            Grant::StagingBlobOwner => Some(roles::STORAGE_BLOB_DATA_OWNER.id),
        }
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Grant::TrustedAccess => "trusted access",
            Grant::ClusterReader => "Reader on the cluster",
            Grant::GroupReader => "Reader on the snapshot group",
            Grant::StagingContributor => "Contributor on the staging group",
            Grant::StagingAccount => "Storage Account Contributor on the staging account",
            Grant::StagingBlobOwner => "Storage Blob Data Owner on the staging account",
        })
    }
}

impl BackupPart {
    /// The api-version the part is read and written with.
    pub(super) fn api_version(&self) -> &'static str {
        match self {
            BackupPart::Vault | BackupPart::Policy(_) | BackupPart::Instance => {
                data_protection::API_VERSION
            }
            BackupPart::Storage | BackupPart::Container => storage::API_VERSION,
            BackupPart::Extension => k8s_extension::API_VERSION,
            BackupPart::Grant {
                grant: Grant::TrustedAccess,
                ..
            } => trusted_access::API_VERSION,
            BackupPart::ExtensionBlobData
            | BackupPart::ClusterSnapshots
            | BackupPart::Grant { .. } => role_assignment::API_VERSION,
        }
    }

    /// Whether the part is a role assignment (its principal cannot change: a new identity's role
    /// is made again).
    pub fn is_role_assignment(&self) -> bool {
        match self {
            BackupPart::ExtensionBlobData | BackupPart::ClusterSnapshots => true,
            BackupPart::Grant { grant, .. } => grant.role().is_some(),
            _ => false,
        }
    }

    /// Whether the part holds backups (the vault, its policy's instance) or the extension's
    /// backed-up cluster resources (the storage): never deleted unless the user removes the backup
    /// block or the region.
    pub fn holds_backups(&self) -> bool {
        matches!(
            self,
            BackupPart::Vault
                | BackupPart::Policy(_)
                | BackupPart::Instance
                | BackupPart::Storage
                | BackupPart::Container
        )
    }

    /// The ARM id of the part of `region` in `topology`.
    pub(super) fn id(&self, subscription: &str, topology: &str, region: &str) -> String {
        let group = names::resource_group(topology, region);
        let group_id = resource_group::id(subscription, &group);
        let vault = |r: &str| vault_id(subscription, topology, r);
        let cluster = managed_cluster::id(subscription, &group, &names::cluster(topology, region));
        let account = storage::account_id(
            subscription,
            &group,
            &names::cluster_backup_account(subscription, topology, region),
        );
        let role = |scope: &str, role: &str, purpose: String| {
            role_assignment::id(scope, &role_assignment::name(scope, role, &purpose))
        };
        match self {
            BackupPart::Vault => vault(region),
            BackupPart::Policy(name) => data_protection::policy_id(&vault(region), name),
            BackupPart::Instance => {
                data_protection::instance_id(&vault(region), &names::cluster(topology, region))
            }
            BackupPart::Storage => account,
            BackupPart::Container => storage::container_id(&account, names::AKS_BACKUP_CONTAINER),
            BackupPart::Extension => k8s_extension::id(&cluster, names::AKS_BACKUP_EXTENSION),
            BackupPart::ExtensionBlobData => role(
                &account,
                roles::STORAGE_BLOB_DATA_CONTRIBUTOR.id,
                format!("backup-extension:{topology}:{region}"),
            ),
            BackupPart::ClusterSnapshots => role(
                &group_id,
                roles::CONTRIBUTOR.id,
                format!("backup-snapshots:{topology}:{region}"),
            ),
            BackupPart::Grant { vault: v, grant } => {
                let purpose = format!("backup-vault:{topology}:{v}:{grant:?}");
                match grant {
                    Grant::TrustedAccess => trusted_access::id(&cluster, &names::backup_binding(v)),
                    Grant::ClusterReader => role(&cluster, roles::READER.id, purpose),
                    Grant::GroupReader => role(&group_id, roles::READER.id, purpose),
                    Grant::StagingContributor => role(&group_id, roles::CONTRIBUTOR.id, purpose),
                    Grant::StagingAccount => {
                        role(&account, roles::STORAGE_ACCOUNT_CONTRIBUTOR.id, purpose)
                    }
                    Grant::StagingBlobOwner => {
                        role(&account, roles::STORAGE_BLOB_DATA_OWNER.id, purpose)
                    }
                }
            }
        }
    }
}

impl fmt::Display for BackupPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupPart::Vault => write!(f, "Backup vault"),
            BackupPart::Policy(name) => write!(f, "AKS backup policy {name}"),
            BackupPart::Storage => write!(f, "backup extension storage"),
            BackupPart::Container => write!(f, "backup extension container"),
            BackupPart::Extension => write!(f, "backup extension"),
            BackupPart::ExtensionBlobData => write!(f, "backup extension storage role"),
            BackupPart::ClusterSnapshots => write!(f, "cluster snapshot role"),
            BackupPart::Grant { vault, grant } => write!(f, "{vault} vault's {grant}"),
            BackupPart::Instance => write!(f, "backup instance"),
        }
    }
}

/// The ARM id of region `region`'s Backup vault.
pub fn vault_id(subscription: &str, topology: &str, region: &str) -> String {
    data_protection::vault_id(
        subscription,
        &names::resource_group(topology, region),
        &names::backup_vault(topology, region),
    )
}

/// The regions whose vaults are granted access to `region`'s cluster: its own, and every other
/// running region whose Azure pair `region` is (Cross Region Restore restores there).
pub fn vaults_for(topology: &Topology, region: &str) -> Vec<String> {
    let mut out = vec![region.to_owned()];
    for other in topology.sorted_regions() {
        if other.name != region && other.mode.has_cluster() && restores_into(&other.name, region) {
            out.push(other.name.clone());
        }
    }
    out
}

/// Whether a restore from `from`'s vault into `into`'s cluster is one Azure does: the same
/// region, or `into` is `from`'s Azure pair (the region its geo-redundant copy lives in).
pub fn restores_into(from: &str, into: &str) -> bool {
    from == into || crate::regions::lookup(from).is_some_and(|i| i.paired.contains(&into))
}

/// Every AKS Backup resource that may exist in the regions of `topology` for which `has_vault`
/// holds (any other region's vault may hold grants there): what a plan reads to delete them.
pub fn parts_to_read(topology: &Topology, has_vault: impl Fn(&str) -> bool) -> Vec<ResourceKey> {
    let regions: Vec<&str> = topology.regions.iter().map(|r| r.name.as_str()).collect();
    let mut out = Vec::new();
    for r in regions.iter().copied().filter(|r| has_vault(r)) {
        for part in [
            BackupPart::Policy(names::AKS_BACKUP_POLICY.to_owned()),
            BackupPart::Instance,
            BackupPart::Storage,
            BackupPart::Extension,
            BackupPart::ExtensionBlobData,
            BackupPart::ClusterSnapshots,
        ] {
            out.push(key(r, part));
        }
        for v in &regions {
            for grant in Grant::ALL {
                out.push(key(
                    r,
                    BackupPart::Grant {
                        vault: (*v).to_owned(),
                        grant,
                    },
                ));
            }
        }
    }
    out
}

/// A resource of a region's AKS Backup: key, body, what it waits for, what it takes from others.
pub(super) type Part = (ResourceKey, Value, Vec<ResourceKey>, Vec<Binding>);

fn key(region: &str, part: BackupPart) -> ResourceKey {
    ResourceKey::AksBackup {
        region: region.to_owned(),
        part,
    }
}

fn role_body(subscription: &str, role: &str) -> Value {
    json!({
        "properties": {
            "roleDefinitionId": role_assignment::role_definition_id(subscription, role),
            "principalId": "",
            "principalType": "ServicePrincipal",
        }
    })
}

fn principal(source: ResourceKey, pointer: &str) -> Binding {
    Binding {
        target: "/properties/principalId".into(),
        source,
        source_pointer: pointer.into(),
    }
}

/// Every region's AKS Backup resources, in dependency order.
pub(super) fn parts(topology: &Topology, subscription: &str) -> Vec<Part> {
    let Some(backup) = &topology.backup else {
        return Vec::new();
    };
    let name = topology.name.as_str();
    let policy_name = names::aks_backup_policy(
        backup.frequency_hours,
        backup.retention_days,
        backup.vault_retention_days,
    );
    let mut out: Vec<Part> = Vec::new();
    for region in topology
        .sorted_regions()
        .into_iter()
        .filter(|r| r.mode.has_cluster())
    {
        let r = region.name.as_str();
        let group = ResourceKey::ResourceGroup(r.to_owned());
        let cluster = ResourceKey::ManagedCluster(r.to_owned());
        // AKS takes one operation per cluster at a time: trusted access (a cluster child) waits
        // for the cluster's own writes, which end with its maintenance window.
        let cluster_done = ResourceKey::MaintenanceWindow(r.to_owned());
        let k = |p: BackupPart| key(r, p);
        out.push((
            k(BackupPart::Vault),
            vault_body(name, r, backup),
            vec![group.clone()],
            vec![],
        ));
        out.push((
            k(BackupPart::Policy(policy_name.clone())),
            policy_body(backup),
            vec![k(BackupPart::Vault)],
            vec![],
        ));
        out.push((
            k(BackupPart::Storage),
            storage_body(name, r),
            vec![group.clone()],
            vec![],
        ));
        out.push((
            k(BackupPart::Container),
            json!({"properties": {"publicAccess": "None"}}),
            vec![k(BackupPart::Storage)],
            vec![],
        ));
        let account = names::cluster_backup_account(subscription, name, r);
        out.push((
            k(BackupPart::Extension),
            extension_body(subscription, &names::resource_group(name, r), &account),
            vec![
                cluster.clone(),
                cluster_done.clone(),
                k(BackupPart::Container),
            ],
            vec![],
        ));
        out.push((
            k(BackupPart::ExtensionBlobData),
            role_body(subscription, roles::STORAGE_BLOB_DATA_CONTRIBUTOR.id),
            vec![k(BackupPart::Storage), k(BackupPart::Extension)],
            vec![principal(
                k(BackupPart::Extension),
                "/properties/aksAssignedIdentity/principalId",
            )],
        ));
        out.push((
            k(BackupPart::ClusterSnapshots),
            role_body(subscription, roles::CONTRIBUTOR.id),
            vec![group.clone(), cluster.clone()],
            vec![principal(cluster.clone(), "/identity/principalId")],
        ));
        let mut previous_binding = k(BackupPart::Extension);
        for v in vaults_for(topology, r) {
            let vault = key(&v, BackupPart::Vault);
            for grant in Grant::ALL {
                let part = k(BackupPart::Grant {
                    vault: v.clone(),
                    grant,
                });
                match grant.role() {
                    None => {
                        let body = json!({"properties": {
                            "sourceResourceId": vault_id(subscription, name, &v),
                            "roles": [trusted_access::BACKUP_OPERATOR],
                        }});
                        // One cluster operation at a time: the bindings follow the extension and
                        // each other.
                        out.push((
                            part.clone(),
                            body,
                            vec![
                                cluster_done.clone(),
                                vault.clone(),
                                previous_binding.clone(),
                            ],
                            vec![],
                        ));
                        previous_binding = part;
                    }
                    Some(role) => {
                        let mut deps = vec![vault.clone(), cluster.clone()];
                        if matches!(grant, Grant::StagingAccount | Grant::StagingBlobOwner) {
                            deps.push(k(BackupPart::Storage));
                        }
                        out.push((
                            part,
                            role_body(subscription, role),
                            deps,
                            vec![principal(vault.clone(), "/identity/principalId")],
                        ));
                    }
                }
            }
        }
        if region.mode == RegionMode::Hot {
            let own = |grant| {
                k(BackupPart::Grant {
                    vault: r.to_owned(),
                    grant,
                })
            };
            let cluster_id = cluster.id(subscription, name);
            let snapshot_group = resource_group::id(subscription, &names::resource_group(name, r));
            // A new policy for new settings: the instance moves to it once it exists, and the
            // old one is deleted after (`plan/backup_deletes.rs`).
            let policy = k(BackupPart::Policy(policy_name.clone())).id(subscription, name);
            out.push((
                k(BackupPart::Instance),
                instance_body(&cluster_id, r, &policy, &snapshot_group),
                vec![
                    k(BackupPart::Policy(policy_name.clone())),
                    k(BackupPart::ExtensionBlobData),
                    k(BackupPart::ClusterSnapshots),
                    own(Grant::TrustedAccess),
                    own(Grant::ClusterReader),
                    own(Grant::GroupReader),
                ],
                vec![],
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_goes_into_the_same_region_or_the_vault_regions_azure_pair() {
        assert!(restores_into("eastus", "eastus"));
        assert!(restores_into("eastus", "westus"));
        assert!(restores_into("westus", "eastus"));
        assert!(!restores_into("eastus", "centralus"));
    }
}

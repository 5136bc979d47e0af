//! `Microsoft.ContainerService/managedClusters/trustedAccessRoleBindings` at the AKS api-version
//! (2024-09-01): lets an Azure resource's system identity (a Backup vault) reach the cluster with
//! a role the resource's type defines.

/// The api-version trusted access role bindings are written with: the pinned AKS one.
pub const API_VERSION: &str = super::managed_cluster::API_VERSION;

/// The role a Backup vault needs on a cluster it backs up or restores into.
pub const BACKUP_OPERATOR: &str = "Microsoft.DataProtection/backupVaults/backup-operator";

/// The ARM resource ID of the binding `name` on the cluster `cluster_id`.
pub fn id(cluster_id: &str, name: &str) -> String {
    format!("{cluster_id}/trustedAccessRoleBindings/{name}")
}

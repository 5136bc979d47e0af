//! How the clusters are reached, against the AKS baseline (PSRule `Azure.AKS.LocalAccounts`,
//! `Azure.AKS.ManagedAAD`, `Azure.AKS.AzureRBAC`): Entra ID with Azure RBAC is always on; local
//! accounts are the one opt-out, and the check that says so.

use super::{Finding, Level, finding};
use crate::model::Topology;

/// `local-accounts`: a static admin kubeconfig bypasses Entra ID, Azure RBAC and their audit.
pub(super) fn local_accounts(t: &Topology) -> Finding {
    if t.access.local_accounts {
        finding(
            "local-accounts",
            Level::Warn,
            "local accounts are on: anyone who gets a cluster's admin kubeconfig (listClusterAdminCredential) is cluster-admin without Entra ID, Azure RBAC or conditional access, until the cluster's certificates are rotated; set local_accounts = false and give admins a group in admin_group_object_ids",
        )
    } else if t.access.admin_group_object_ids.is_empty() {
        finding(
            "local-accounts",
            Level::Pass,
            "Entra ID with Azure RBAC, local accounts off; no admin group is named (admin_group_object_ids): cluster access comes from Azure role assignments on each cluster",
        )
    } else {
        finding(
            "local-accounts",
            Level::Pass,
            "Entra ID with Azure RBAC, local accounts off; the admin groups administer every cluster through kubelogin",
        )
    }
}

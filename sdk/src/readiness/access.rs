//! How the clusters are reached, against the AKS baseline (PSRule `Azure.AKS.LocalAccounts`,
//! `Azure.AKS.ManagedAAD`, `Azure.AKS.AzureRBAC`): Entra ID with Azure RBAC is always on; local
//! accounts are the one opt-out, and the check that says so.

use super::{Finding, Level, finding};
use crate::model::{NetworkPolicy, Topology};

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

/// `network-policy`: pods reach only what Kubernetes network policies allow (PSRule
/// `Azure.AKS.NetworkPolicy`).
pub(super) fn network_policy(t: &Topology) -> Finding {
    match t.access.network_policy {
        NetworkPolicy::None => finding(
            "network-policy",
            Level::Warn,
            "no network policy engine: every pod can reach every other pod, whatever NetworkPolicy objects say; set network_policy = \"calico\" (rolled out region by region)",
        ),
        NetworkPolicy::Azure => finding(
            "network-policy",
            Level::Warn,
            "Azure Network Policy Manager enforces network policy, and AKS is retiring it (learn.microsoft.com, use-network-policies); set network_policy = \"calico\" to move (removing one engine and installing another re-images every node: do it with network_policy = \"none\" first, region by region)",
        ),
        NetworkPolicy::Calico => finding(
            "network-policy",
            Level::Pass,
            "Calico enforces Kubernetes network policy on every cluster",
        ),
    }
}

/// `private-api-server`: whether the API servers have public endpoints.
pub(super) fn api_server(t: &Topology) -> Finding {
    if t.access.private_cluster {
        finding(
            "private-api-server",
            Level::Pass,
            "clusters are made with private API servers; a cluster made public stays public until it is made anew (fail over from its region, set mode = \"cold\", apply, set the mode back)",
        )
    } else if t.access.authorized_ip_ranges.is_empty() {
        finding(
            "private-api-server",
            Level::Pass,
            "the API servers are public, behind Entra ID and Azure RBAC, from any address: narrow them with api_server_authorized_ip_ranges (your pipeline's and operators' ranges) or private_cluster = true",
        )
    } else {
        finding(
            "private-api-server",
            Level::Pass,
            "the API servers are public, reachable only from api_server_authorized_ip_ranges",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClusterAccess, Region};

    fn shop(access: ClusterAccess) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16"))
            .access(access)
    }

    #[test]
    fn calico_passes_and_no_engine_or_npm_is_warned() {
        assert_eq!(
            network_policy(&shop(ClusterAccess::default())).level,
            Level::Pass
        );
        for policy in [NetworkPolicy::None, NetworkPolicy::Azure] {
            let f = network_policy(&shop(ClusterAccess::default().with_network_policy(policy)));
            assert_eq!(f.level, Level::Warn, "{policy:?}");
            assert!(f.detail.contains("network_policy = \"calico\""), "{f:?}");
        }
    }

    #[test]
    fn private_api_servers_say_how_existing_clusters_get_there() {
        let f = api_server(&shop(ClusterAccess::default().with_private_clusters()));
        assert_eq!(f.level, Level::Pass);
        assert!(f.detail.contains("made anew"), "{f:?}");
        let open = api_server(&shop(ClusterAccess::default()));
        assert!(
            open.detail.contains("api_server_authorized_ip_ranges"),
            "{open:?}"
        );
    }
}

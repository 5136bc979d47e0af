//! Who may reach the clusters' API servers, and how, as Microsoft's AKS baseline asks: Entra ID
//! integration with Azure RBAC for Kubernetes authorization, local accounts off, and the OIDC issuer
//! with workload identity for the applications' own identities.

use serde::{Deserialize, Serialize};

/// How every cluster of the topology is reached. Entra ID (managed) with Azure RBAC, the OIDC issuer
/// and workload identity are always on: AKS cannot turn managed Entra ID off once it is on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClusterAccess {
    /// Entra ID groups (object IDs) whose members administer every cluster (AKS's
    /// `aadProfile.adminGroupObjectIDs`). Their kubeconfig is the credential-free kind: `kubelogin`
    /// gets each member a token of their own.
    #[serde(default)]
    pub admin_group_object_ids: Vec<String>,
    /// Local accounts: a static admin kubeconfig (`listClusterAdminCredential`) that bypasses Entra
    /// ID and Azure RBAC and is revoked only by rotating the cluster's certificates. Off unless set;
    /// `readiness` warns when on.
    #[serde(default)]
    pub local_accounts: bool,
    /// The only addresses (CIDRs) that may reach the clusters' API servers; any when empty. Include
    /// wherever failovers are run from (the pipeline's runners, the operators' networks): a
    /// failover applied from elsewhere cannot reach the new region's cluster.
    #[serde(default)]
    pub authorized_ip_ranges: Vec<String>,
}

impl ClusterAccess {
    /// Adds an Entra ID group whose members administer every cluster.
    #[must_use]
    pub fn admin_group(mut self, object_id: impl Into<String>) -> Self {
        self.admin_group_object_ids.push(object_id.into());
        self
    }

    /// Lets `cidr` reach the clusters' API servers (see [`ClusterAccess::authorized_ip_ranges`]).
    #[must_use]
    pub fn authorized_range(mut self, cidr: impl Into<String>) -> Self {
        self.authorized_ip_ranges.push(cidr.into());
        self
    }

    /// Turns local accounts on (see [`ClusterAccess::local_accounts`]).
    #[must_use]
    pub fn with_local_accounts(mut self) -> Self {
        self.local_accounts = true;
        self
    }
}

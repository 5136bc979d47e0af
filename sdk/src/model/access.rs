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
    /// The engine enforcing Kubernetes network policies between pods (PSRule
    /// `Azure.AKS.NetworkPolicy`). Calico unless set.
    #[serde(default)]
    pub network_policy: NetworkPolicy,
    /// Private API servers: each cluster's API server gets a private endpoint in its VNet and no
    /// public one. AKS fixes this when it makes a cluster, so a cluster that exists keeps what it was
    /// made with until it is made anew (region by region, behind a failover); new clusters follow.
    #[serde(default)]
    pub private_cluster: bool,
}

/// The network policy engine of every cluster. The clusters use Azure CNI with node-subnet
/// addressing, where AKS offers Azure Network Policy Manager and Calico; Cilium needs the overlay or
/// a pod subnet (learn.microsoft.com, azure-cni-powered-by-cilium).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum NetworkPolicy {
    /// Calico, installed and managed by AKS: the default (Azure Network Policy Manager's support
    /// ends; learn.microsoft.com, use-network-policies).
    #[default]
    Calico,
    /// Azure Network Policy Manager (NPM), being retired by AKS: `readiness` warns.
    Azure,
    /// No network policy: every pod reaches every pod; `readiness` warns.
    None,
}

impl NetworkPolicy {
    /// Every network policy engine, Calico first.
    pub const ALL: [Self; 3] = [Self::Calico, Self::Azure, Self::None];

    /// The value users write (`calico`, `azure`, `none`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calico => "calico",
            Self::Azure => "azure",
            Self::None => "none",
        }
    }

    /// Case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    /// AKS's `networkProfile.networkPolicy` (`none` removes an engine).
    pub fn engine(self) -> &'static str {
        self.as_str()
    }
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

    /// The network policy engine (see [`ClusterAccess::network_policy`]).
    #[must_use]
    pub fn with_network_policy(mut self, policy: NetworkPolicy) -> Self {
        self.network_policy = policy;
        self
    }

    /// Private API servers for the clusters made from now on (see [`ClusterAccess::private_cluster`]).
    #[must_use]
    pub fn with_private_clusters(mut self) -> Self {
        self.private_cluster = true;
        self
    }

    /// Turns local accounts on (see [`ClusterAccess::local_accounts`]).
    #[must_use]
    pub fn with_local_accounts(mut self) -> Self {
        self.local_accounts = true;
        self
    }
}

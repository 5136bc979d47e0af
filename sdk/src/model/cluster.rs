//! A region's AKS cluster in the model: the system pool, user pools, autoscaling, zones, the Kubernetes
//! version and the pricing tier (the API server's uptime SLA).

use serde::{Deserialize, Serialize};

/// Per-region AKS cluster settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClusterSettings {
    /// `x.y` or `x.y.z`; AKS picks its default when `None`.
    pub kubernetes_version: Option<String>,
    /// Nodes in the system pool (1-1000); where it starts when it autoscales.
    pub node_count: u32,
    /// The system pool's VM size (`Standard_D4ds_v5` by default).
    pub vm_size: String,
    /// Autoscaling of the system pool; AKS then owns its node count.
    pub autoscale: Option<Autoscale>,
    /// Availability zones of the system pool (`"1"`, `"2"`, `"3"`); fixed once the cluster exists.
    pub zones: Vec<String>,
    /// Node pools for workloads, beside the system pool.
    pub user_pools: Vec<NodePool>,
    /// AKS pricing tier: whether the API server has an uptime SLA. Standard by default.
    #[serde(default)]
    pub tier: ClusterTier,
}

/// The AKS pricing tier (`sku.tier` of the cluster, with `sku.name` `Base`). It can change in place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ClusterTier {
    /// No uptime SLA for the API server; Microsoft's guidance: not for production. AKS's own default.
    Free,
    /// A financially backed uptime SLA for the API server (99.95% with availability zones, 99.9%
    /// without), control plane autoscaling, up to 5,000 nodes. What production and its recovery
    /// regions need, so the default here.
    #[default]
    Standard,
    /// Standard, plus long-term support of Kubernetes versions.
    Premium,
}

impl ClusterTier {
    /// Every tier, Free first.
    pub const ALL: [Self; 3] = [Self::Free, Self::Standard, Self::Premium];

    /// ARM's spelling (`Free`, `Standard`, `Premium`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "Free",
            Self::Standard => "Standard",
            Self::Premium => "Premium",
        }
    }

    /// Case-insensitive, as ARM reads it.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether the API server has an uptime SLA.
    pub fn has_sla(self) -> bool {
        self != Self::Free
    }
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            kubernetes_version: None,
            node_count: 3,
            vm_size: "Standard_D4ds_v5".to_owned(),
            autoscale: None,
            zones: Vec::new(),
            user_pools: Vec::new(),
            tier: ClusterTier::default(),
        }
    }
}

/// The cluster autoscaler's bounds for a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autoscale {
    /// The fewest nodes the autoscaler leaves in the pool.
    pub min: u32,
    /// The most nodes the autoscaler grows the pool to.
    pub max: u32,
}

/// A user node pool (an AKS `agentPools` child of the cluster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodePool {
    /// 1-12 lowercase letters and digits, a letter first.
    pub name: String,
    /// The pool's VM size (`Standard_D4ds_v5`, say).
    pub vm_size: String,
    /// 0-1000 nodes; where it starts when it autoscales.
    pub node_count: u32,
    /// Autoscaling of the pool; AKS then owns its node count.
    pub autoscale: Option<Autoscale>,
    /// Fixed once the pool exists.
    pub zones: Vec<String>,
}

impl NodePool {
    /// A user pool `name` of `node_count` nodes of `vm_size`, not autoscaled, in no particular zone.
    pub fn new(name: impl Into<String>, vm_size: impl Into<String>, node_count: u32) -> Self {
        Self {
            name: name.into(),
            vm_size: vm_size.into(),
            node_count,
            autoscale: None,
            zones: Vec::new(),
        }
    }

    /// Lets the cluster autoscaler size the pool between `min` and `max` nodes.
    #[must_use]
    pub fn autoscale(mut self, min: u32, max: u32) -> Self {
        self.autoscale = Some(Autoscale { min, max });
        self
    }

    /// Spreads the pool's nodes over these availability zones (`"1"`, `"2"`, `"3"`).
    #[must_use]
    pub fn zones(mut self, zones: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.zones = zones.into_iter().map(Into::into).collect();
        self
    }
}

impl ClusterSettings {
    /// Pins the Kubernetes version (`x.y`, or `x.y.z`).
    #[must_use]
    pub fn kubernetes_version(mut self, version: impl Into<String>) -> Self {
        self.kubernetes_version = Some(version.into());
        self
    }

    /// Sets the system pool's node count.
    #[must_use]
    pub fn node_count(mut self, count: u32) -> Self {
        self.node_count = count;
        self
    }

    /// Sets the system pool's VM size.
    #[must_use]
    pub fn vm_size(mut self, size: impl Into<String>) -> Self {
        self.vm_size = size.into();
        self
    }

    /// Lets the cluster autoscaler size the system pool between `min` and `max` nodes.
    #[must_use]
    pub fn autoscale(mut self, min: u32, max: u32) -> Self {
        self.autoscale = Some(Autoscale { min, max });
        self
    }

    /// Spreads the system pool over these availability zones (`"1"`, `"2"`, `"3"`).
    #[must_use]
    pub fn zones(mut self, zones: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.zones = zones.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the AKS pricing tier.
    #[must_use]
    pub fn tier(mut self, tier: ClusterTier) -> Self {
        self.tier = tier;
        self
    }

    /// Adds a user node pool.
    #[must_use]
    pub fn user_pool(mut self, pool: NodePool) -> Self {
        self.user_pools.push(pool);
        self
    }
}

//! The topology model: pure data, serde, builder-friendly. What the user wants, not what Azure has.

use serde::{Deserialize, Serialize};

/// A multi-region AKS BC/DR topology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Topology {
    /// Short name all Azure names derive from: 2-24 lowercase letters, digits and hyphens.
    pub name: String,
    /// The regions; a set keyed by region name (order carries no meaning).
    pub regions: Vec<Region>,
}

impl Topology {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            regions: Vec::new(),
        }
    }

    /// Adds a region.
    #[must_use]
    pub fn region(mut self, region: Region) -> Self {
        self.regions.push(region);
        self
    }

    /// Regions sorted by name: the order every plan and output uses.
    pub fn sorted_regions(&self) -> Vec<&Region> {
        let mut regions: Vec<&Region> = self.regions.iter().collect();
        regions.sort_by(|a, b| a.name.cmp(&b.name));
        regions
    }
}

/// One region of the topology: its network and its cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Region {
    /// Azure region name, e.g. `eastus`.
    pub name: String,
    /// The VNet's address space, e.g. `10.1.0.0/16` (/8 to /24); must not overlap another region's.
    pub vnet_cidr: String,
    pub cluster: ClusterSettings,
}

impl Region {
    pub fn new(name: impl Into<String>, vnet_cidr: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            vnet_cidr: vnet_cidr.into(),
            cluster: ClusterSettings::default(),
        }
    }

    #[must_use]
    pub fn with_cluster(mut self, cluster: ClusterSettings) -> Self {
        self.cluster = cluster;
        self
    }
}

/// Per-region AKS cluster settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClusterSettings {
    /// `x.y` or `x.y.z`; AKS picks its default when `None`.
    pub kubernetes_version: Option<String>,
    /// Nodes in the system pool (1-1000).
    pub node_count: u32,
    pub vm_size: String,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            kubernetes_version: None,
            node_count: 3,
            vm_size: "Standard_D4ds_v5".to_owned(),
        }
    }
}

impl ClusterSettings {
    #[must_use]
    pub fn kubernetes_version(mut self, version: impl Into<String>) -> Self {
        self.kubernetes_version = Some(version.into());
        self
    }

    #[must_use]
    pub fn node_count(mut self, count: u32) -> Self {
        self.node_count = count;
        self
    }

    #[must_use]
    pub fn vm_size(mut self, size: impl Into<String>) -> Self {
        self.vm_size = size.into();
        self
    }
}

//! The `database` block: Azure Database for PostgreSQL flexible server, the primary in the
//! topology's home region and a geo read replica in each region that asks for one, failing over with
//! the traffic.

use serde::{Deserialize, Serialize};

/// The compute tier of the database servers (`sku.tier`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DatabaseTier {
    /// General Purpose (D-series): the default.
    #[default]
    GeneralPurpose,
    /// Memory Optimized (E-series).
    MemoryOptimized,
    /// Burstable (B-series): no read replicas (Azure offers none on this tier).
    Burstable,
}

impl DatabaseTier {
    /// Every tier, the default first.
    pub const ALL: [Self; 3] = [Self::GeneralPurpose, Self::MemoryOptimized, Self::Burstable];

    /// The tier as ARM's `sku.tier` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GeneralPurpose => "GeneralPurpose",
            Self::MemoryOptimized => "MemoryOptimized",
            Self::Burstable => "Burstable",
        }
    }

    /// The tier named `s` (any case); `None` for another word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// The prefix every SKU name of the tier has (`Standard_D`, `Standard_E`, `Standard_B`).
    pub fn sku_prefix(self) -> &'static str {
        match self {
            Self::GeneralPurpose => "Standard_D",
            Self::MemoryOptimized => "Standard_E",
            Self::Burstable => "Standard_B",
        }
    }
}

/// The PostgreSQL major versions flexible server offers at the pinned api-version (the spec's
/// `ServerVersion` enum, 2024-08-01).
pub const DATABASE_VERSIONS: [&str; 6] = ["16", "15", "14", "13", "12", "11"];

/// An Azure Database for PostgreSQL flexible server per database region: the primary in the home
/// region (the primary-role region, else the first hot region by priority), a geo read replica in
/// each of `replica_regions`. Private access only (a delegated subnet in each region's VNet, one
/// private DNS zone linked to every VNet), Entra ID authentication only (no password exists), a
/// read-write virtual endpoint that follows the primary. Which server is primary follows the
/// traffic: a failover (the modes swapped) promotes the new hot region's replica before the traffic
/// moves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Database {
    /// The regions holding a geo read replica (each one of the topology's regions, not the home).
    pub replica_regions: Vec<String>,
    /// The compute size (`sku.name`), `Standard_D2ds_v5` by default.
    pub sku_name: String,
    /// The compute tier (`sku.tier`).
    pub tier: DatabaseTier,
    /// The PostgreSQL major version, `16` by default.
    pub version: String,
    /// Storage per server in GiB (32 to 32768), 128 by default.
    pub storage_gb: u32,
    /// Days of backups kept (7 to 35), 7 by default.
    pub backup_retention_days: u32,
    /// The Entra ID group administering the servers: its object ID.
    pub admin_group_object_id: String,
    /// The Entra ID group's display name (the role name PostgreSQL gives it).
    pub admin_group_name: String,
}

impl Database {
    /// A database administered by the Entra group `admin_group_object_id` (`admin_group_name`),
    /// with no replica yet and the defaults: General Purpose `Standard_D2ds_v5`, PostgreSQL 16,
    /// 128 GiB, 7 days of backups.
    pub fn new(
        admin_group_object_id: impl Into<String>,
        admin_group_name: impl Into<String>,
    ) -> Self {
        Self {
            replica_regions: Vec::new(),
            sku_name: "Standard_D2ds_v5".into(),
            tier: DatabaseTier::GeneralPurpose,
            version: "16".into(),
            storage_gb: 128,
            backup_retention_days: 7,
            admin_group_object_id: admin_group_object_id.into(),
            admin_group_name: admin_group_name.into(),
        }
    }

    /// Adds a geo read replica in `region`.
    #[must_use]
    pub fn replica(mut self, region: impl Into<String>) -> Self {
        self.replica_regions.push(region.into());
        self
    }

    /// Sets the compute tier and size.
    #[must_use]
    pub fn sku(mut self, tier: DatabaseTier, name: impl Into<String>) -> Self {
        self.tier = tier;
        self.sku_name = name.into();
        self
    }
}

impl super::Topology {
    /// Adds the PostgreSQL database (see [`Database`]).
    #[must_use]
    pub fn database(mut self, database: Database) -> Self {
        self.database = Some(database);
        self
    }
}

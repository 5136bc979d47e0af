//! The `backup` block: AKS Backup (Azure's managed Velero) for every running cluster, with a Backup
//! vault per cluster region whose Vault-tier copy Cross Region Restore reads from the region's Azure
//! pair, and the geo-redundant storage account (a container per cluster) kept from before.

use serde::{Deserialize, Serialize};

/// How backup storage is replicated: always to the home region's Azure pair, which Azure chooses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StorageRedundancy {
    /// Geo-redundant: three copies locally, three in the paired region, readable there only after a
    /// storage account failover.
    Grs,
    /// Geo-redundant with read access to the secondary: backups can be restored from the paired
    /// region's copy while the home region is down. The default.
    #[default]
    RaGrs,
    /// Zone-redundant locally, geo-redundant to the pair.
    Gzrs,
    /// Zone- and geo-redundant with read access to the secondary.
    RaGzrs,
}

impl StorageRedundancy {
    /// Every redundancy, GRS first.
    pub const ALL: [Self; 4] = [Self::Grs, Self::RaGrs, Self::Gzrs, Self::RaGzrs];

    /// The redundancy's name as Terraform spells it (`GRS`, `RA-GRS`, `GZRS`, `RA-GZRS`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grs => "GRS",
            Self::RaGrs => "RA-GRS",
            Self::Gzrs => "GZRS",
            Self::RaGzrs => "RA-GZRS",
        }
    }

    /// The redundancy named `s` (any case); `None` for another word.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether the copy in the paired region can be read without a storage account failover.
    pub fn readable_secondary(self) -> bool {
        matches!(self, Self::RaGrs | Self::RaGzrs)
    }

    /// The storage SKU, e.g. `Standard_RAGRS`.
    pub fn sku(self) -> String {
        format!("Standard_{}", self.as_str().replace('-', ""))
    }
}

/// Cluster backups. Per region with a running cluster (hot or warm): a Backup vault (geo-redundant,
/// Cross Region Restore on), a backup policy for AKS, a storage account and blob container for the
/// backup extension, the extension, trusted access from the cluster to the vault and the roles
/// Microsoft documents; per hot cluster a backup instance. Also the geo-redundant storage account
/// in the global group with a blob container per cluster (kept for existing topologies and for
/// copies of one's own: Velero's Azure plugin cannot read its `-secondary` endpoint, velero #6420).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Backup {
    /// How the global backup account is replicated (RA-GRS by default).
    pub redundancy: StorageRedundancy,
    /// Hours between scheduled backups: 4, 6, 8, 12 or 24 (4 by default, AKS Backup's default).
    #[serde(default = "default_frequency_hours")]
    pub frequency_hours: u32,
    /// Days each backup is kept in the operational tier (snapshots in the cluster's region), 1 to
    /// 360 (7 by default).
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
    /// Days the first backup of each day is kept in the Vault tier (the geo-redundant copy Cross
    /// Region Restore reads), 0 for none (30 by default).
    #[serde(default = "default_vault_retention_days")]
    pub vault_retention_days: u32,
    /// Cross Region Restore on each vault: the Vault-tier copy restorable in the Azure-paired region
    /// while the cluster's region is down (on by default).
    #[serde(default = "default_true")]
    pub cross_region_restore: bool,
}

fn default_frequency_hours() -> u32 {
    4
}

fn default_retention_days() -> u32 {
    7
}

fn default_vault_retention_days() -> u32 {
    30
}

fn default_true() -> bool {
    true
}

impl Default for Backup {
    fn default() -> Self {
        Self {
            redundancy: StorageRedundancy::default(),
            frequency_hours: default_frequency_hours(),
            retention_days: default_retention_days(),
            vault_retention_days: default_vault_retention_days(),
            cross_region_restore: true,
        }
    }
}

impl Backup {
    /// Backups every `hours` hours (4, 6, 8, 12 or 24).
    #[must_use]
    pub fn frequency_hours(mut self, hours: u32) -> Self {
        self.frequency_hours = hours;
        self
    }

    /// Keeps operational-tier backups `days` days.
    #[must_use]
    pub fn retention_days(mut self, days: u32) -> Self {
        self.retention_days = days;
        self
    }

    /// Keeps the daily Vault-tier copy `days` days (0: no Vault tier).
    #[must_use]
    pub fn vault_retention_days(mut self, days: u32) -> Self {
        self.vault_retention_days = days;
        self
    }

    /// Turns Cross Region Restore on or off.
    #[must_use]
    pub fn cross_region_restore(mut self, on: bool) -> Self {
        self.cross_region_restore = on;
        self
    }

    /// Sets the global account's redundancy.
    #[must_use]
    pub fn redundancy(mut self, redundancy: StorageRedundancy) -> Self {
        self.redundancy = redundancy;
        self
    }
}

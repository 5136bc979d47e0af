//! Azure Backup for AKS: where it offers what, and the schedules a backup policy may ask for.
//! Source: learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-backup-support-matrix
//! ("Supported regions", ms.date 2024-09-09; MicrosoftDocs/azure-docs
//! articles/backup/azure-kubernetes-service-cluster-backup-support-matrix.md at 006f437f) and
//! .../azure-kubernetes-service-cluster-backup-using-cli ("Create a backup policy").

/// Regions where the Vault tier and Cross Region Restore are offered for AKS backups (the support
/// matrix's second list; its "Japan East South India" is two regions). Cross Region Restore
/// restores into the vault region's Azure pair ("Disaster Recovery feature is only available
/// between Azure Paired Regions").
pub const VAULT_TIER_REGIONS: &[&str] = &[
    "eastus",
    "westus",
    "westus3",
    "northeurope",
    "westeurope",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "eastus2",
    "centralus",
    "uksouth",
    "ukwest",
    "eastasia",
    "southeastasia",
    "japaneast",
    "southindia",
    "centralindia",
    "canadacentral",
    "norwayeast",
];

/// The hours between two scheduled backups a policy may ask for: every 4, 6, 8 or 12 hours
/// ("Hourly backup frequency"), or once a day.
pub const FREQUENCY_HOURS: &[u32] = &[4, 6, 8, 12, 24];

/// The longest an operational-tier backup is kept ("retain your data for restore for up to 360
/// days").
pub const MAX_RETENTION_DAYS: u32 = 360;

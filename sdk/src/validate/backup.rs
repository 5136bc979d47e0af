//! The `backup` block: a schedule AKS Backup offers, retentions it keeps, a running cluster to back
//! up, and the Vault tier and Cross Region Restore only where Azure offers them for AKS
//! (`azure_facts::aks_backup`, from the AKS backup support matrix).

use super::{AttributePath, Diagnostic, PathStep};
use crate::model::{Backup, Topology};
use azure_facts::aks_backup::{FREQUENCY_HOURS, MAX_RETENTION_DAYS, VAULT_TIER_REGIONS};

fn path(attribute: &str) -> AttributePath {
    AttributePath(vec![
        PathStep::Attribute("backup".into()),
        PathStep::Attribute(attribute.into()),
    ])
}

/// Whether Azure offers the Vault tier and Cross Region Restore for AKS backups in `region`.
pub fn vault_tier_offered(region: &str) -> bool {
    VAULT_TIER_REGIONS.contains(&region)
}

pub(super) fn validate(topology: &Topology, out: &mut Vec<Diagnostic>) {
    let Some(backup) = &topology.backup else {
        return;
    };
    schedule(backup, out);
    let running: Vec<&str> = topology
        .sorted_regions()
        .into_iter()
        .filter(|r| r.mode.has_cluster())
        .map(|r| r.name.as_str())
        .collect();
    if running.is_empty() && !topology.regions.is_empty() {
        out.push(Diagnostic::error(
            AttributePath::attr("backup"),
            "Nothing to back up",
            "AKS Backup backs up running clusters, and every region is cold: make a region hot or warm, or remove the backup block".into(),
        ));
    }
    let unsupported: Vec<&str> = running
        .iter()
        .copied()
        .filter(|r| !vault_tier_offered(r))
        .collect();
    if unsupported.is_empty() {
        return;
    }
    let offered = VAULT_TIER_REGIONS.join(", ");
    let regions = unsupported.join(", ");
    if backup.cross_region_restore {
        out.push(Diagnostic::error(
            path("cross_region_restore"),
            "Cross Region Restore not offered there",
            format!("Azure Backup offers Cross Region Restore (and the Vault tier it reads) for AKS only in {offered}; {regions} runs a cluster: set cross_region_restore = false and vault_retention_days = 0 (operational-tier backups only, lost with the region), or run the clusters in those regions"),
        ));
    } else if backup.vault_retention_days > 0 {
        out.push(Diagnostic::error(
            path("vault_retention_days"),
            "Vault tier not offered there",
            format!("Azure Backup offers the Vault tier for AKS only in {offered}; {regions} runs a cluster: set vault_retention_days = 0 (operational-tier backups only), or run the clusters in those regions"),
        ));
    }
}

fn schedule(backup: &Backup, out: &mut Vec<Diagnostic>) {
    if !FREQUENCY_HOURS.contains(&backup.frequency_hours) {
        out.push(Diagnostic::error(
            path("frequency_hours"),
            "Backup frequency AKS Backup does not offer",
            format!(
                "{} hours: AKS Backup backs up every 4, 6, 8 or 12 hours, or once a day (24)",
                backup.frequency_hours
            ),
        ));
    }
    if !(1..=MAX_RETENTION_DAYS).contains(&backup.retention_days) {
        out.push(Diagnostic::error(
            path("retention_days"),
            "Retention AKS Backup does not offer",
            format!(
                "{} days: operational-tier backups are kept 1 to {MAX_RETENTION_DAYS} days",
                backup.retention_days
            ),
        ));
    }
    if backup.vault_retention_days > 3650 {
        out.push(Diagnostic::error(
            path("vault_retention_days"),
            "Vault retention too long",
            format!(
                "{} days: keep the daily Vault-tier copy at most 3650 days (10 years), or 0 for none",
                backup.vault_retention_days
            ),
        ));
    }
    if backup.cross_region_restore && backup.vault_retention_days == 0 {
        out.push(Diagnostic::error(
            path("cross_region_restore"),
            "Cross Region Restore without a Vault tier",
            "Cross Region Restore restores the Vault-tier copy, and vault_retention_days = 0 keeps none: set vault_retention_days (30, say), or cross_region_restore = false".into(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Region, RegionMode};

    fn topology(backup: Backup) -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16"))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
            .backup(backup)
    }

    fn findings(t: &Topology) -> Vec<String> {
        let mut out = Vec::new();
        validate(t, &mut out);
        out.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_defaults_in_a_vault_tier_pair_pass() {
        assert_eq!(findings(&topology(Backup::default())), Vec::<String>::new());
    }

    #[test]
    fn a_schedule_aks_backup_does_not_offer_is_refused_at_its_attribute() {
        let f = findings(&topology(
            Backup::default().frequency_hours(5).retention_days(400),
        ));
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].starts_with("backup.frequency_hours") && f[0].contains("4, 6, 8 or 12"));
        assert!(f[1].starts_with("backup.retention_days") && f[1].contains("1 to 360"));
    }

    #[test]
    fn cross_region_restore_needs_a_vault_tier_copy() {
        let f = findings(&topology(Backup::default().vault_retention_days(0)));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].starts_with("backup.cross_region_restore")
                && f[0].contains("set vault_retention_days")
        );
    }

    #[test]
    fn a_backup_with_no_running_cluster_is_refused() {
        let mut t = topology(Backup::default());
        for r in &mut t.regions {
            r.mode = RegionMode::Cold;
        }
        let f = findings(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].starts_with("backup: Nothing to back up")
                && f[0].contains("remove the backup block")
        );
    }

    #[test]
    fn a_region_without_the_vault_tier_is_refused_naming_the_attribute_and_the_fix() {
        let t = Topology::new("shop")
            .region(Region::new("francecentral", "10.1.0.0/16"))
            .region(Region::new("francesouth", "10.2.0.0/16").mode(RegionMode::Cold))
            .backup(Backup::default());
        let f = findings(&t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with("backup.cross_region_restore"), "{f:?}");
        assert!(
            f[0].contains("francecentral runs a cluster")
                && f[0].contains("cross_region_restore = false")
        );
        let t = t.backup(Backup::default().cross_region_restore(false));
        let f = findings(&t);
        assert!(
            f.len() == 1 && f[0].starts_with("backup.vault_retention_days"),
            "{f:?}"
        );
        let t = t.backup(
            Backup::default()
                .cross_region_restore(false)
                .vault_retention_days(0),
        );
        assert_eq!(findings(&t), Vec::<String>::new());
    }
}

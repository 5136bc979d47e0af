//! Restore as an operation: a region's latest cluster backup into a region's cluster, as
//! learn.microsoft.com/azure/backup/azure-kubernetes-service-cluster-restore-using-cli describes
//! it. Into the region's own cluster, its vault restores the operational tier
//! (`backupInstances/{bi}/restore`; the vault restores only in its own region). Into another
//! region, Cross Region Restore reads the vault's geo-redundant Vault-tier copy in its Azure pair
//! (`locations/{pair}/fetchSecondaryRecoveryPoints`, then `locations/{pair}/crossRegionRestore`,
//! "--restore-location ... the secondary region and --source-datastore VaultStore"), staged in the
//! target region's group and extension storage: it needs nothing of the source region, so it works
//! as well while that region is down, and only into the pair ("Disaster Recovery feature is only
//! available between Azure Paired Regions", AKS backup support matrix).

use super::Step;
use crate::arm::data_protection::{self, RecoveryPoint, RestoreInto};
use crate::engine::CancelSignal;
use crate::error::{Error, Result};
use crate::layout::{BackupPart, ResourceKey};
use crate::model::Topology;
use crate::names;
use crate::topology::TopologyClient;
use std::time::{Duration, Instant};

/// A restore that was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restore {
    /// The region whose cluster's backup was restored.
    pub from_region: String,
    /// The region whose cluster it was restored into.
    pub into_region: String,
    /// The recovery point restored (`properties.recoveryPointId`) and when it was taken.
    pub recovery_point: String,
    /// When the recovery point was taken (RFC 3339), as the vault reports it.
    pub recovery_point_time: String,
    /// `OperationalStore` or `VaultStore`.
    pub source_store: String,
    /// Whether it came from the vault's copy in the paired region (Cross Region Restore).
    pub cross_region: bool,
    /// What the vault answered when the restore ended (its job id, say), if anything.
    pub result: Option<serde_json::Value>,
    /// Each step with its time.
    pub steps: Vec<Step>,
    /// From the start until the restore request ended.
    pub total: Duration,
}

/// Why `topology` cannot restore `from`'s backups into `into`, if it cannot.
pub fn check(topology: &Topology, from: &str, into: &str) -> Result<()> {
    let config = |m: String| Err(Error::Config(m));
    let Some(backup) = &topology.backup else {
        return config(format!(
            "topology \"{}\" has no backup block: add one to back its clusters up",
            topology.name
        ));
    };
    let region = |r: &str| topology.regions.iter().find(|x| x.name == r);
    if region(from).is_none() {
        return config(format!(
            "region \"{from}\" is not in topology \"{}\"",
            topology.name
        ));
    }
    match region(into) {
        None => {
            return config(format!(
                "region \"{into}\" is not in topology \"{}\"",
                topology.name
            ));
        }
        Some(r) if !r.mode.has_cluster() => {
            return config(format!(
                "region \"{into}\" is cold: a restore needs its cluster running (make it warm or hot first)"
            ));
        }
        Some(_) => {}
    }
    if from != into && !crate::layout::restores_into(from, into) {
        let pairs = crate::regions::lookup(from)
            .map(|i| i.paired.join(", "))
            .unwrap_or_default();
        return config(format!(
            "a cross-region restore reads {from}'s vault copy in its Azure pair and restores there only: restore into {} instead of \"{into}\"",
            if pairs.is_empty() {
                "the same region".to_owned()
            } else {
                pairs
            }
        ));
    }
    if from != into && backup.vault_retention_days == 0 {
        return config(format!(
            "restoring {from}'s backups into {into} needs the Vault-tier copy, and backup.vault_retention_days = 0 keeps none: set it (30, say)"
        ));
    }
    Ok(())
}

impl TopologyClient {
    /// Restores the latest recovery point of `from`'s cluster into `into`'s cluster: the vault's own
    /// restore into `from` itself, Cross Region Restore from its paired copy into the pair (whether
    /// `from` answers or not).
    pub async fn restore(
        &self,
        topology: &Topology,
        from: &str,
        into: &str,
        cancel: CancelSignal,
    ) -> Result<Restore> {
        check(topology, from, into)?;
        let this = self.with_cancel(&cancel);
        let arm = this.arm();
        let sub = arm.subscription_id().to_owned();
        let name = topology.name.as_str();
        for r in [from, into] {
            arm.breaker()
                .learn_group(&names::resource_group(name, r), r);
        }
        let key = |region: &str, part| ResourceKey::AksBackup {
            region: region.to_owned(),
            part,
        };
        let instance = key(from, BackupPart::Instance).id(&sub, name);
        let cluster = ResourceKey::ManagedCluster(into.to_owned()).id(&sub, name);
        // Cross Region Restore is asked of the pair, under a group there (the target's, which is
        // also the staging group): nothing of it waits on the source region.
        let staging_group = ResourceKey::ResourceGroup(into.to_owned()).id(&sub, name);
        let staging_account = key(into, BackupPart::Storage).id(&sub, name);
        let began = Instant::now();
        let mut steps = Vec::new();
        let mut step = |what: String, started: Duration| {
            steps.push(Step {
                what,
                started,
                took: began.elapsed().saturating_sub(started),
            });
        };
        let cross_region = from != into;
        let started = began.elapsed();
        let points = if cross_region {
            if topology
                .backup
                .as_ref()
                .is_some_and(|b| !b.cross_region_restore)
            {
                return Err(Error::Config(format!(
                    "restoring {from}'s backups into {into} reads the vault's copy in its pair, and backup.cross_region_restore is off: turn it on"
                )));
            }
            let points = arm
                .post(
                    &data_protection::secondary_recovery_points_path(&staging_group, into),
                    data_protection::API_VERSION,
                    Some(&data_protection::secondary_recovery_points_request(
                        &instance, from,
                    )),
                )
                .await?
                .and_then(|b| b.get("value").and_then(|v| v.as_array()).cloned())
                .unwrap_or_default();
            step(
                format!("list {from}'s recovery points in its pair ({into})"),
                started,
            );
            points
        } else {
            let points = arm
                .list(
                    &data_protection::recovery_points_path(&instance),
                    data_protection::API_VERSION,
                    &[],
                )
                .await?;
            step(format!("list recovery points ({from})"), started);
            points
        };
        let points: Vec<RecoveryPoint> = points
            .iter()
            .filter_map(RecoveryPoint::from_resource)
            .collect();
        // Snapshots stay in their region: another region restores the Vault-tier copy.
        let store = if from == into {
            "OperationalStore"
        } else {
            "VaultStore"
        };
        let point =
            data_protection::latest(&points, (from != into).then_some(store)).ok_or_else(|| {
                Error::Config(format!(
                    "{from}'s cluster has no recovery point{} to restore yet",
                    if from == into {
                        String::new()
                    } else {
                        " in the Vault tier".to_owned()
                    }
                ))
            })?;
        let staged = from != into;
        let request = data_protection::restore_request(&RestoreInto {
            recovery_point: &point.id,
            source_store: store,
            location: into,
            cluster_id: &cluster,
            staging_group_id: staged.then_some(staging_group.as_str()),
            staging_account_id: staged.then_some(staging_account.as_str()),
        });
        let started = began.elapsed();
        let result = if cross_region {
            arm.post(
                &data_protection::cross_region_restore_path(&staging_group, into),
                data_protection::API_VERSION,
                Some(&data_protection::cross_region_restore_request(
                    request, &instance, from,
                )),
            )
            .await?
        } else {
            arm.post(
                &data_protection::restore_path(&instance),
                data_protection::API_VERSION,
                Some(&request),
            )
            .await?
        };
        let how = if cross_region {
            "cross-region restore"
        } else {
            "restore"
        };
        step(format!("{how} {from} -> {into} ({})", point.id), started);
        tracing::info!(from, into, recovery_point = %point.id, cross_region, "restore requested");
        Ok(Restore {
            from_region: from.to_owned(),
            into_region: into.to_owned(),
            recovery_point: point.id,
            recovery_point_time: point.time,
            source_store: store.to_owned(),
            cross_region,
            result,
            steps,
            total: began.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Backup, Region, RegionMode};

    fn pair() -> Topology {
        Topology::new("shop")
            .region(Region::new("eastus", "10.1.0.0/16"))
            .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
            .region(Region::new("centralus", "10.3.0.0/16").mode(RegionMode::Warm))
            .backup(Backup::default())
    }

    #[test]
    fn a_restore_goes_into_the_same_region_or_the_azure_pair_only() {
        assert!(check(&pair(), "eastus", "westus").is_ok());
        assert!(check(&pair(), "eastus", "eastus").is_ok());
        let refused = check(&pair(), "eastus", "centralus").expect_err("not the pair");
        assert!(
            refused
                .to_string()
                .contains("restore into westus instead of \"centralus\""),
            "{refused}"
        );
    }

    #[test]
    fn a_restore_needs_a_backup_block_a_running_target_and_a_vault_copy() {
        let mut t = pair();
        t.regions[1].mode = RegionMode::Cold;
        assert!(
            check(&t, "eastus", "westus")
                .expect_err("cold")
                .to_string()
                .contains("is cold")
        );
        let t = pair().backup(
            Backup::default()
                .cross_region_restore(false)
                .vault_retention_days(0),
        );
        assert!(
            check(&t, "eastus", "westus")
                .expect_err("no copy")
                .to_string()
                .contains("vault_retention_days")
        );
        let mut t = pair();
        t.backup = None;
        assert!(
            check(&t, "eastus", "westus")
                .expect_err("none")
                .to_string()
                .contains("no backup block")
        );
        assert!(check(&pair(), "eastus", "moon").is_err());
    }
}

//! Deletes of AKS Backup's resources: only when the user removes the `backup` block (a region
//! going cold or warm keeps its vault, policy, backup instance and storage, which hold its
//! backups, and a removed region's go with its group). In order: the backup instances first
//! (Azure refuses to delete a vault or policy that still protects something), then the extension,
//! trusted access and roles, then the policies, the vaults and the extension storage.

use super::deletes::delete;
use super::{Observed, PlannedOperation};
use crate::layout::{BackupPart, DesiredResource, ResourceKey};
use std::collections::BTreeSet;

pub(super) fn plan(
    ops: &mut Vec<PlannedOperation>,
    desired: &[DesiredResource],
    observed: &Observed,
) {
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
    if wanted
        .iter()
        .any(|k| matches!(k, ResourceKey::AksBackup { .. }))
    {
        return;
    }
    let region_stays = |r: &str| wanted.contains(&ResourceKey::ResourceGroup(r.to_owned()));
    let found: Vec<(&ResourceKey, &str, &BackupPart, String)> = observed
        .resources
        .iter()
        .filter_map(|(k, r)| match k {
            ResourceKey::AksBackup { region, part } if region_stays(region) => {
                Some((k, region.as_str(), part, r.id.clone()))
            }
            _ => None,
        })
        .collect();
    let reason = "the topology no longer has a backup block".to_owned();
    let rank = |p: &BackupPart| match p {
        BackupPart::Instance => 0,
        BackupPart::Policy
        | BackupPart::Extension
        | BackupPart::ExtensionBlobData
        | BackupPart::ClusterSnapshots
        | BackupPart::Grant { .. } => 1,
        // The container goes with its account.
        BackupPart::Container => 3,
        BackupPart::Vault | BackupPart::Storage => 2,
    };
    let mut by_rank: [Vec<usize>; 3] = Default::default();
    for wave in 0..3 {
        for (key, region, part, id) in &found {
            if rank(part) != wave {
                continue;
            }
            let deps: Vec<usize> = (0..wave)
                .flat_map(|w| by_rank[w].iter().copied())
                .filter(|&i| {
                    // A vault waits for everything of every region (grants name it); the rest for
                    // their own region's earlier waves and every instance.
                    matches!(part, BackupPart::Vault)
                        || ops[i].key.region() == *region
                        || matches!(
                            &ops[i].key,
                            ResourceKey::AksBackup {
                                part: BackupPart::Instance,
                                ..
                            }
                        )
                })
                .collect();
            by_rank[wave].push(ops.len());
            ops.push(delete(key, id, reason.clone(), deps));
        }
    }
}

//! Deletes of AKS Backup's resources: only when the user removes the `backup` block (a region
//! going cold or warm keeps its vault, policy, backup instance and storage, which hold its
//! backups, and a removed region's go with its group). In order: the backup instances first
//! (Azure refuses to delete a vault or policy that still protects something), then the extension,
//! trusted access and roles, then the policies, the vaults and the extension storage.
//!
//! With the block, new policy settings are a new policy (its name carries them): Azure refuses to
//! change or delete a policy that backup instances use (400 `UserErrorDppPolicyObjectInUse`,
//! hashicorp/terraform-provider-azurerm#20774), so the region's instance moves to the new policy
//! first and the old one is deleted after.

use super::deletes::delete;
use super::{Action, Observed, PlannedOperation};
use crate::layout::{BackupPart, DesiredResource, ResourceKey};
use std::collections::BTreeSet;

pub(super) fn plan(
    ops: &mut Vec<PlannedOperation>,
    desired: &[DesiredResource],
    observed: &Observed,
) {
    let wanted: BTreeSet<&ResourceKey> = desired.iter().map(|d| &d.key).collect();
    let region_stays = |r: &str| wanted.contains(&ResourceKey::ResourceGroup(r.to_owned()));
    if wanted
        .iter()
        .any(|k| matches!(k, ResourceKey::AksBackup { .. }))
    {
        old_policies(ops, &wanted, observed, &region_stays);
        return;
    }
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
        BackupPart::Policy(_)
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

/// With the backup block: every AKS backup policy found that is not wanted (earlier settings, or
/// the name before settings were in it) in a region that stays and wants a policy is deleted after the region's
/// backup instance has moved to the wanted one; one that an instance still uses and that no write
/// moves (a region gone warm keeps its instance as it is) stays.
fn old_policies(
    ops: &mut Vec<PlannedOperation>,
    wanted: &BTreeSet<&ResourceKey>,
    observed: &Observed,
    region_stays: &dyn Fn(&str) -> bool,
) {
    for (key, found) in &observed.resources {
        let ResourceKey::AksBackup {
            region,
            part: BackupPart::Policy(_),
        } = key
        else {
            continue;
        };
        // A region that goes cold (no policy wanted) keeps its policy with its backups.
        let region_has_policy = wanted.iter().any(|k| {
            matches!(k, ResourceKey::AksBackup { region: r, part: BackupPart::Policy(_) } if r == region)
        });
        if wanted.contains(key) || !region_stays(region) || !region_has_policy {
            continue;
        }
        let instance = ResourceKey::AksBackup {
            region: region.clone(),
            part: BackupPart::Instance,
        };
        let used = observed
            .body(&instance)
            .and_then(|i| i["properties"]["policyInfo"]["policyId"].as_str())
            .is_some_and(|p| p.eq_ignore_ascii_case(&found.id));
        let moves: Vec<usize> = ops
            .iter()
            .enumerate()
            .filter(|(_, o)| o.key == instance && o.action != Action::NoOp)
            .map(|(i, _)| i)
            .collect();
        if used && (moves.is_empty() || !wanted.contains(&instance)) {
            continue;
        }
        let reason = if used {
            "the backup settings changed: the backup instance moves to the new policy first"
        } else {
            "the backup settings changed: no backup instance uses it"
        };
        ops.push(delete(key, &found.id, reason.to_owned(), moves));
    }
}

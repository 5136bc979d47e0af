//! Kubernetes upgrades roll across the regions: standby clusters first, then the serving ones one at
//! a time, the primary last, each wave waiting for the one before. A bad upgrade then fails in one
//! region, and the apply stops there, instead of taking every region down at once (the guidance:
//! upgrade regions one at a time).

use super::{Action, Plan};
use crate::layout::ResourceKey;
use crate::model::{RegionMode, RegionRole, Topology};

/// The waves upgrades go in: every region that does not serve traffic together (a cold region has no
/// cluster to upgrade), then each hot region alone, secondaries by name, the primary last.
pub fn upgrade_waves(topology: &Topology) -> Vec<Vec<String>> {
    let mut standby = Vec::new();
    let mut hot: Vec<(bool, String)> = Vec::new();
    for r in topology.sorted_regions() {
        if r.mode == RegionMode::Hot {
            hot.push((r.role == RegionRole::Primary, r.name.clone()));
        } else {
            standby.push(r.name.clone());
        }
    }
    hot.sort();
    let mut waves = vec![standby];
    waves.extend(hot.into_iter().map(|(_, name)| vec![name]));
    waves.retain(|w| !w.is_empty());
    waves
}

/// The changes that re-image every node of a cluster, and so roll region by region: the Kubernetes
/// version, a network policy engine installed or removed ("a rolling update of all cluster nodes,
/// similar to performing a cluster upgrade", learn.microsoft.com use-network-policies), and a
/// cluster left mid-operation.
const ROLLED: &[&str] = &[
    "properties.kubernetesVersion",
    "properties.networkProfile.networkPolicy",
    "properties.provisioningState",
];

/// Makes each wave's cluster upgrades wait for the previous wave's, and says so in their reasons. An
/// upgrade is an update that changes `kubernetesVersion` or the network policy engine, or that writes again a cluster whose last
/// operation did not succeed (AKS then reports the version it was asked for, not the one running: a
/// failed upgrade is finished before the next region's starts). Other operations are untouched.
pub fn roll_upgrades(plan: &mut Plan, waves: &[Vec<String>]) {
    let ops = &plan.operations;
    let upgrade = |region: &str| {
        ops.iter().position(|o| {
            o.key == ResourceKey::ManagedCluster(region.to_owned())
                && o.action == Action::Update
                && o.drift.iter().any(|d| ROLLED.contains(&d.path.as_str()))
        })
    };
    let rolled: Vec<Vec<(usize, &str)>> = waves
        .iter()
        .map(|wave| {
            wave.iter()
                .filter_map(|r| upgrade(r).map(|i| (i, r.as_str())))
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let mut before: &[(usize, &str)] = &[];
    for now in &rolled {
        for &(i, _) in now {
            if before.is_empty() {
                continue;
            }
            let op = &mut plan.operations[i];
            op.depends_on.extend(before.iter().map(|(j, _)| *j));
            let after: Vec<&str> = before.iter().map(|(_, r)| *r).collect();
            op.reason = format!(
                "{}; upgraded after {} (one serving region at a time)",
                op.reason,
                after.join(", ")
            );
        }
        before = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClusterSettings, Region};
    use crate::plan::{Observed, ObservedResource, plan};
    use serde_json::json;

    const SUB: &str = "00000000-0000-0000-0000-000000000001";

    fn topology(version: &str) -> Topology {
        let cluster = ClusterSettings::default().kubernetes_version(version);
        Topology::new("shop")
            .region(
                Region::new("eastus", "10.1.0.0/16")
                    .role(RegionRole::Primary)
                    .with_cluster(cluster.clone()),
            )
            .region(Region::new("centralus", "10.3.0.0/16").with_cluster(cluster.clone()))
            .region(
                Region::new("westus", "10.2.0.0/16")
                    .mode(RegionMode::Warm)
                    .with_cluster(cluster.clone()),
            )
            .region(
                Region::new("westus2", "10.4.0.0/16")
                    .mode(RegionMode::Warm)
                    .with_cluster(cluster),
            )
    }

    fn observed_after(t: &Topology) -> Observed {
        let mut observed = Observed::default();
        for d in crate::layout::desired(t, SUB) {
            let mut body = d.body.clone();
            body["properties"]["provisioningState"] = json!("Succeeded");
            observed
                .resources
                .insert(d.key, ObservedResource { id: d.id, body });
        }
        observed
    }

    /// Where `region`'s cluster operation is in `p`.
    fn cluster_at(p: &Plan, region: &str) -> usize {
        p.operations
            .iter()
            .position(|o| o.key == ResourceKey::ManagedCluster(region.to_owned()))
            .expect("cluster")
    }

    #[test]
    fn standbys_upgrade_first_then_each_serving_region_alone_the_primary_last() {
        let t = topology("1.31");
        assert_eq!(
            upgrade_waves(&t),
            [
                vec!["westus".to_owned(), "westus2".to_owned()],
                vec!["centralus".to_owned()],
                vec!["eastus".to_owned()],
            ]
        );
        let mut p = plan(
            &crate::layout::desired(&t, SUB),
            &observed_after(&topology("1.30")),
        );
        roll_upgrades(&mut p, &upgrade_waves(&t));
        let at = |r: &str| cluster_at(&p, r);
        let deps = |r: &str| {
            let mut d = p.operations[at(r)].depends_on.clone();
            d.retain(|i| matches!(p.operations[*i].key, ResourceKey::ManagedCluster(_)));
            d
        };
        assert_eq!(deps("westus"), Vec::<usize>::new());
        assert_eq!(deps("westus2"), Vec::<usize>::new());
        assert_eq!(deps("centralus"), [at("westus"), at("westus2")]);
        assert_eq!(deps("eastus"), [at("centralus")]);
        assert!(
            p.operations[at("eastus")]
                .reason
                .ends_with("upgraded after centralus (one serving region at a time)"),
            "{}",
            p.operations[at("eastus")].reason
        );
    }

    #[test]
    fn other_cluster_updates_run_at_once() {
        let mut t = topology("1.30");
        for r in &mut t.regions {
            r.cluster.node_count = 5;
        }
        let mut p = plan(
            &crate::layout::desired(&t, SUB),
            &observed_after(&topology("1.30")),
        );
        let before = p.clone();
        roll_upgrades(&mut p, &upgrade_waves(&t));
        assert_eq!(p, before, "a scale is no upgrade");
    }

    #[test]
    fn a_failed_upgrade_is_finished_before_the_next_region_starts() {
        let t = topology("1.31");
        let mut observed = observed_after(&topology("1.30"));
        // West US's upgrade failed: AKS reports the version asked for, and the failure.
        if let Some(west) = observed
            .resources
            .get_mut(&ResourceKey::ManagedCluster("westus".into()))
        {
            west.body["properties"]["kubernetesVersion"] = json!("1.31");
            west.body["properties"]["provisioningState"] = json!("Failed");
        }
        let mut p = plan(&crate::layout::desired(&t, SUB), &observed);
        roll_upgrades(&mut p, &upgrade_waves(&t));
        let at = |r: &str| cluster_at(&p, r);
        assert!(
            p.operations[at("centralus")]
                .depends_on
                .contains(&at("westus"))
        );
    }
}

//! The admin groups' Azure RBAC role on every cluster: made with the cluster, revoked when a group
//! leaves (before the cluster forgets the group), and gone before a cluster that goes.

use super::*;
use crate::arm::role_assignment;
use crate::model::{ClusterAccess, NetworkPolicy, RegionMode};

const OPS: &str = "1b2c3d4e-0000-4000-8000-00000000000a";
const SRE: &str = "1b2c3d4e-0000-4000-8000-00000000000b";

fn administered(groups: &[&str]) -> Topology {
    let access = groups
        .iter()
        .fold(ClusterAccess::default(), |a, g| a.admin_group(*g));
    two().access(access)
}

fn admin(region: &str, group: &str) -> ResourceKey {
    ResourceKey::ClusterAdmin {
        region: region.into(),
        group: group.into(),
    }
}

#[test]
fn each_admin_group_gets_the_cluster_admin_role_on_every_cluster() {
    let t = administered(&[OPS, SRE]);
    let desired = layout::desired(&t, SUB);
    for region in ["eastus", "westus"] {
        for group in [OPS, SRE] {
            let role = desired
                .iter()
                .find(|d| d.key == admin(region, group))
                .expect("an admin role per group and cluster");
            let cluster = ResourceKey::ManagedCluster(region.into()).id(SUB, "shop");
            assert!(
                role.id.starts_with(&format!(
                    "{cluster}/providers/Microsoft.Authorization/roleAssignments/"
                )),
                "scoped to the cluster: {}",
                role.id
            );
            assert_eq!(role.body["properties"]["principalId"], json!(group));
            assert_eq!(role.body["properties"]["principalType"], json!("Group"));
            assert_eq!(
                role.body["properties"]["roleDefinitionId"],
                json!(role_assignment::role_definition_id(
                    SUB,
                    role_assignment::AKS_RBAC_CLUSTER_ADMIN
                ))
            );
            assert_eq!(
                role.depends_on,
                [ResourceKey::ManagedCluster(region.into())]
            );
        }
    }
    // A re-run finds the same assignments: the names are derived, not random.
    assert_eq!(desired, layout::desired(&t, SUB));
    let noop = plan(&desired, &observed_after(&t));
    assert_eq!(summary(&noop), Vec::<String>::new());
}

#[test]
fn a_cold_region_has_no_admin_role_to_grant() {
    let mut t = administered(&[OPS]);
    t.regions[1].mode = RegionMode::Cold;
    let desired = layout::desired(&t, SUB);
    assert!(desired.iter().any(|d| d.key == admin("eastus", OPS)));
    assert!(!desired.iter().any(|d| d.key == admin("westus", OPS)));
}

#[test]
fn a_group_that_leaves_loses_its_role_before_the_clusters_forget_it() {
    let before = administered(&[OPS, SRE]);
    let after = administered(&[OPS]);
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    let ops = &plan.operations;
    for region in ["eastus", "westus"] {
        let revoke = ops
            .iter()
            .position(|o| o.key == admin(region, SRE) && o.action == Action::Delete)
            .expect("the group's role is revoked");
        assert!(ops[revoke].reason.contains(SRE), "{}", ops[revoke].reason);
        let cluster = ops
            .iter()
            .find(|o| o.key == ResourceKey::ManagedCluster(region.into()))
            .expect("cluster");
        assert_eq!(
            cluster.action,
            Action::Update,
            "the group leaves aadProfile"
        );
        // If the revocation fails, the cluster still names the group and the next run finds it.
        assert!(cluster.depends_on.contains(&revoke), "{cluster:?}");
    }
    // The group that stays keeps its role.
    assert!(
        ops.iter()
            .filter(|o| matches!(&o.key, ResourceKey::ClusterAdmin { group, .. } if group == OPS))
            .all(|o| o.action == Action::NoOp)
    );
}

#[test]
fn a_cluster_that_goes_cold_loses_its_admin_roles_first() {
    let before = administered(&[OPS]);
    let mut after = administered(&[OPS]);
    after.regions[1].mode = RegionMode::Cold;
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    let ops = &plan.operations;
    let revoke = ops
        .iter()
        .position(|o| o.key == admin("westus", OPS))
        .expect("the admin role is deleted");
    assert_eq!(ops[revoke].action, Action::Delete);
    let cluster = ops
        .iter()
        .find(|o| o.key == ResourceKey::ManagedCluster("westus".into()))
        .expect("cluster delete");
    assert_eq!(cluster.action, Action::Delete);
    assert!(cluster.depends_on.contains(&revoke));
}

#[test]
fn upper_case_object_ids_name_the_same_assignment() {
    let lower = layout::desired(&administered(&[OPS]), SUB);
    let upper = layout::desired(&administered(&[&OPS.to_ascii_uppercase()]), SUB);
    let ids = |d: &[layout::DesiredResource]| {
        d.iter()
            .filter(|r| matches!(r.key, ResourceKey::ClusterAdmin { .. }))
            .map(|r| r.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&lower), ids(&upper));
}

/// What ARM reports of `t`'s clusters when they were made before network policy and private API
/// servers: no engine, public.
fn made_before(t: &Topology) -> Observed {
    let mut observed = observed_after(t);
    for (key, found) in &mut observed.resources {
        if matches!(key, ResourceKey::ManagedCluster(_)) {
            let props = &mut found.body["properties"];
            if let Some(network) = props["networkProfile"].as_object_mut() {
                network.remove("networkPolicy");
            }
            if let Some(api) = props["apiServerAccessProfile"].as_object_mut() {
                api.remove("enablePrivateCluster");
            }
        }
    }
    observed
}

#[test]
fn every_new_cluster_enforces_network_policy_with_calico() {
    let desired = layout::desired(&two(), SUB);
    for d in desired
        .iter()
        .filter(|d| matches!(d.key, ResourceKey::ManagedCluster(_)))
    {
        assert_eq!(
            d.body["properties"]["networkProfile"]["networkPolicy"],
            json!("calico")
        );
        assert_eq!(
            d.body["properties"]["apiServerAccessProfile"]["enablePrivateCluster"],
            json!(false)
        );
    }
}

#[test]
fn network_policy_comes_to_existing_clusters_one_serving_region_at_a_time() {
    let t = topo(&[
        ("centralus", "10.3.0.0/16"),
        ("eastus", "10.1.0.0/16"),
        ("westus", "10.2.0.0/16"),
    ]);
    let mut planned = plan(&layout::desired(&t, SUB), &made_before(&t));
    roll_upgrades(&mut planned, &upgrade_waves(&t));
    let updates: Vec<&PlannedOperation> = planned
        .changes()
        .filter(|o| matches!(o.key, ResourceKey::ManagedCluster(_)))
        .collect();
    assert_eq!(updates.len(), 3, "{:#?}", summary(&planned));
    for u in &updates {
        assert_eq!(u.action, Action::Update);
        assert!(
            u.drift
                .iter()
                .any(|d| d.path == "properties.networkProfile.networkPolicy"),
            "{u:?}"
        );
    }
    // Each region's re-image waits for the one before: never two regions' nodes at once.
    let cluster_ops: Vec<usize> = planned
        .operations
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o.key, ResourceKey::ManagedCluster(_)))
        .map(|(i, _)| i)
        .collect();
    let waiting = updates
        .iter()
        .filter(|u| u.depends_on.iter().any(|d| cluster_ops.contains(d)))
        .count();
    assert_eq!(waiting, 2, "{updates:#?}");
    assert!(
        updates
            .iter()
            .all(|u| u.reason.contains("one serving region at a time")
                || !u.depends_on.iter().any(|d| cluster_ops.contains(d))),
        "{updates:#?}"
    );
    // Once there, nothing more to do.
    let after = plan(&layout::desired(&t, SUB), &observed_after(&t));
    assert_eq!(summary(&after), Vec::<String>::new());
}

#[test]
fn no_network_policy_is_no_drift_on_a_cluster_without_one() {
    let t = two().access(ClusterAccess::default().with_network_policy(NetworkPolicy::None));
    let planned = plan(&layout::desired(&t, SUB), &made_before(&t));
    assert_eq!(summary(&planned), Vec::<String>::new());
    // And removes an engine a cluster has.
    let removed = plan(&layout::desired(&t, SUB), &observed_after(&two()));
    let cluster = removed
        .changes()
        .find(|o| o.key == ResourceKey::ManagedCluster("eastus".into()))
        .expect("the engine is removed");
    assert_eq!(
        cluster.body.as_ref().expect("body")["properties"]["networkProfile"]["networkPolicy"],
        json!("none")
    );
}

#[test]
fn private_api_servers_come_with_new_clusters_and_existing_ones_are_left_as_made() {
    let public = two();
    let private = two().access(ClusterAccess::default().with_private_clusters());
    // Existing public clusters: AKS fixed that when it made them; nothing to write.
    let planned = plan(&layout::desired(&private, SUB), &observed_after(&public));
    assert_eq!(summary(&planned), Vec::<String>::new());
    // A cluster being made (a region that was cold) is private.
    let mut observed = observed_after(&public);
    observed
        .resources
        .remove(&ResourceKey::ManagedCluster("westus".into()));
    let planned = plan(&layout::desired(&private, SUB), &observed);
    let made = planned
        .changes()
        .find(|o| o.key == ResourceKey::ManagedCluster("westus".into()))
        .expect("west's cluster is made");
    assert_eq!(made.action, Action::Create);
    assert_eq!(
        made.body.as_ref().expect("body")["properties"]["apiServerAccessProfile"]["enablePrivateCluster"],
        json!(true)
    );
    // Another change to a public cluster keeps it public (AKS refuses the change).
    let upgraded = {
        let mut t = private.clone();
        t.regions[0].cluster.node_count += 1;
        t
    };
    let planned = plan(&layout::desired(&upgraded, SUB), &observed_after(&public));
    let east = planned
        .changes()
        .find(|o| o.key == ResourceKey::ManagedCluster("eastus".into()))
        .expect("east is updated");
    assert_eq!(
        east.body.as_ref().expect("body")["properties"]["apiServerAccessProfile"]["enablePrivateCluster"],
        json!(false)
    );
}

#[test]
fn a_role_granted_by_hand_under_another_name_is_left_as_it_is() {
    let t = administered(&[OPS]);
    let mut observed = observed_after(&t);
    let by_hand = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/3a1f0c2e-7d4b-4e8a-9c6f-5b2d1e0f9a8c",
        ResourceKey::ManagedCluster("eastus".into()).id(SUB, "shop")
    );
    let found = observed
        .resources
        .get_mut(&admin("eastus", OPS))
        .expect("observed");
    found.id = by_hand;
    found.body["properties"]["principalType"] = json!("User");
    let planned = plan(&layout::desired(&t, SUB), &observed);
    let op = planned
        .operations
        .iter()
        .find(|o| o.key == admin("eastus", OPS))
        .expect("op");
    assert_eq!(op.action, Action::NoOp, "{op:?}");
    assert!(op.reason.contains("by hand"), "{}", op.reason);
}

//! Golden plans: create, no-op, reorder, attribute updates, region added and removed, destroy, and the
//! peering schedule's guarantee that no two writes on one VNet can run at once.

use super::*;
use crate::layout::{self, ResourceKey};
use crate::model::{ClusterSettings, Region, Topology};
use serde_json::json;
use std::collections::BTreeSet;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn topo(regions: &[(&str, &str)]) -> Topology {
    regions.iter().fold(Topology::new("shop"), |t, (n, c)| {
        t.region(Region::new(*n, *c))
    })
}

/// What ARM would report after applying `t` (desired bodies plus read-only extras).
fn observed_after(t: &Topology) -> Observed {
    let mut observed = Observed::default();
    for d in layout::desired(t, SUB) {
        let mut body = d.body.clone();
        body["id"] = json!(d.id.to_ascii_lowercase());
        body["properties"]["provisioningState"] = json!("Succeeded");
        observed
            .resources
            .insert(d.key, ObservedResource { id: d.id, body });
    }
    observed
}

fn summary(plan: &Plan) -> Vec<String> {
    plan.changes()
        .map(|o| format!("{} {}", o.action, o.key))
        .collect()
}

fn two() -> Topology {
    topo(&[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")])
}

#[test]
fn create_from_nothing() {
    let plan = plan(&layout::desired(&two(), SUB), &Observed::default());
    assert_eq!(
        summary(&plan),
        [
            "create resource group (global)",
            "create resource group (eastus)",
            "create resource group (westus)",
            "create virtual network (eastus)",
            "create ingress public IP (eastus)",
            "create monitoring workspace (eastus)",
            "create virtual network (westus)",
            "create ingress public IP (westus)",
            "create monitoring workspace (westus)",
            "create AKS cluster (eastus)",
            "create node OS maintenance window (eastus)",
            "create cluster identity role (eastus)",
            "create AKS cluster (westus)",
            "create node OS maintenance window (westus)",
            "create cluster identity role (westus)",
            "create peering (eastus -> westus)",
            "create peering (westus -> eastus)",
        ]
    );
    let ops = &plan.operations;
    let at = |key: &str| {
        ops.iter()
            .position(|o| o.key.to_string() == key)
            .expect(key)
    };
    let deps = |key: &str| ops[at(key)].depends_on.clone();
    assert_eq!(
        deps("virtual network (eastus)"),
        [at("resource group (eastus)")],
        "vnet waits for its group"
    );
    assert_eq!(
        deps("AKS cluster (eastus)"),
        [
            at("resource group (eastus)"),
            at("virtual network (eastus)"),
            at("monitoring workspace (eastus)")
        ],
        "AKS refuses a monitoring add-on whose workspace does not exist"
    );
    assert_eq!(
        deps("cluster identity role (eastus)"),
        [at("resource group (eastus)"), at("AKS cluster (eastus)")]
    );
    let role = &ops[at("cluster identity role (eastus)")];
    assert_eq!(
        role.bindings.len(),
        1,
        "the principal is bound at apply time"
    );
    assert_eq!(
        (
            role.bindings[0].source,
            role.bindings[0].source_pointer.as_str()
        ),
        (at("AKS cluster (eastus)"), "/identity/principalId")
    );
    assert_eq!(
        deps("peering (eastus -> westus)"),
        [
            at("virtual network (eastus)"),
            at("virtual network (westus)")
        ]
    );
    let reverse = deps("peering (westus -> eastus)");
    assert!(
        reverse.contains(&at("peering (eastus -> westus)")),
        "the reverse peering waits for the first"
    );
}

#[test]
fn applied_topology_plans_nothing_and_order_does_not_matter() {
    let t = two();
    assert!(!plan(&layout::desired(&t, SUB), &observed_after(&t)).has_changes());
    let reversed = topo(&[("westus", "10.2.0.0/16"), ("eastus", "10.1.0.0/16")]);
    assert!(!plan(&layout::desired(&reversed, SUB), &observed_after(&t)).has_changes());
}

#[test]
fn node_count_change_updates_only_that_cluster() {
    let before = two();
    let mut after = two();
    after.regions[1].cluster = ClusterSettings::default().node_count(5);
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    assert_eq!(summary(&plan), ["update AKS cluster (westus)"]);
    let op = plan.changes().next().expect("one change");
    assert_eq!(
        op.drift[0].path,
        "properties.agentPoolProfiles[system].count"
    );
    assert!(op.reason.contains("want 5, have 3"), "{}", op.reason);
}

#[test]
fn cidr_change_updates_the_vnet_and_its_peerings_follow() {
    let before = two();
    let mut after = two();
    after.regions[0].vnet_cidr = "10.9.0.0/16".into();
    let plan = plan(&layout::desired(&after, SUB), &observed_after(&before));
    assert_eq!(
        summary(&plan),
        [
            "update virtual network (eastus)",
            "update peering (eastus -> westus)",
            "update peering (westus -> eastus)"
        ]
    );
    let vnet = plan.changes().next().expect("vnet update");
    assert!(plan.changes().skip(1).all(|p| {
        p.depends_on.contains(
            &plan
                .operations
                .iter()
                .position(|o| o.key == vnet.key)
                .expect("vnet"),
        )
    }));
}

#[test]
fn adding_a_region_touches_only_new_resources_and_its_peerings() {
    let before = two();
    let after = topo(&[
        ("eastus", "10.1.0.0/16"),
        ("westus", "10.2.0.0/16"),
        ("centralus", "10.3.0.0/16"),
    ]);
    let changes = summary(&plan(
        &layout::desired(&after, SUB),
        &observed_after(&before),
    ));
    assert_eq!(
        changes,
        [
            "create resource group (centralus)",
            "create virtual network (centralus)",
            "create ingress public IP (centralus)",
            "create monitoring workspace (centralus)",
            "create AKS cluster (centralus)",
            "create node OS maintenance window (centralus)",
            "create cluster identity role (centralus)",
            // The maintenance windows are handed out by region name: Central US takes Sunday, the
            // others move one day on (an update of the configuration, not of the cluster).
            "update node OS maintenance window (eastus)",
            "update node OS maintenance window (westus)",
            "create peering (centralus -> eastus)",
            "create peering (centralus -> westus)",
            "create peering (eastus -> centralus)",
            "create peering (westus -> centralus)",
        ]
    );
}

#[test]
fn removing_a_region_deletes_its_group_after_the_peerings_to_it() {
    let before = topo(&[
        ("eastus", "10.1.0.0/16"),
        ("westus", "10.2.0.0/16"),
        ("centralus", "10.3.0.0/16"),
    ]);
    let plan = plan(&layout::desired(&two(), SUB), &observed_after(&before));
    assert_eq!(
        summary(&plan),
        [
            "update node OS maintenance window (eastus)",
            "update node OS maintenance window (westus)",
            "delete peering (eastus -> centralus)",
            "delete peering (westus -> centralus)",
            "delete resource group (centralus)"
        ]
    );
    let rg = plan.operations.last().expect("rg delete");
    assert_eq!(rg.depends_on.len(), 2);
}

#[test]
fn out_of_sync_peering_is_resynced() {
    let t = two();
    let mut observed = observed_after(&t);
    let key = ResourceKey::Peering {
        from: "westus".into(),
        to: "eastus".into(),
    };
    observed.resources.get_mut(&key).expect("peering").body["properties"]["peeringSyncLevel"] =
        json!("RemoteNotInSync");
    let plan = plan(&layout::desired(&t, SUB), &observed);
    assert_eq!(summary(&plan), ["update peering (westus -> eastus)"]);
    assert!(
        plan.changes()
            .next()
            .expect("one")
            .reason
            .contains("RemoteNotInSync")
    );
}

#[test]
fn destroy_deletes_every_group() {
    let plan = destroy(&observed_after(&two()));
    assert_eq!(
        summary(&plan),
        [
            "delete resource group (eastus)",
            "delete resource group (global)",
            "delete resource group (westus)"
        ]
    );
}

/// Whether `a` is reachable from `b` through depends_on.
fn ordered_before(ops: &[PlannedOperation], a: usize, b: usize) -> bool {
    let mut stack = vec![b];
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        for &d in &ops[n].depends_on {
            if d == a {
                return true;
            }
            if seen.insert(d) {
                stack.push(d);
            }
        }
    }
    false
}

#[test]
fn no_two_peering_writes_on_one_vnet_can_overlap() {
    for n in 2..=8 {
        let regions = [
            "eastus",
            "westus",
            "centralus",
            "eastus2",
            "northeurope",
            "westeurope",
            "uksouth",
            "ukwest",
        ];
        let t = regions[..n]
            .iter()
            .enumerate()
            .fold(Topology::new("shop"), |t, (i, r)| {
                t.region(Region::new(*r, format!("10.{}.0.0/16", i + 1)))
            });
        let plan = plan(&layout::desired(&t, SUB), &Observed::default());
        let peerings: Vec<usize> = plan
            .operations
            .iter()
            .enumerate()
            .filter(|(_, o)| matches!(o.key, ResourceKey::Peering { .. }))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(peerings.len(), n * (n - 1));
        let touches = |i: usize| match &plan.operations[i].key {
            ResourceKey::Peering { from, to } => [from.clone(), to.clone()],
            _ => unreachable!(),
        };
        for (x, &a) in peerings.iter().enumerate() {
            for &b in &peerings[x + 1..] {
                if touches(a).iter().any(|v| touches(b).contains(v)) {
                    let ops = &plan.operations;
                    assert!(
                        ordered_before(ops, a, b) || ordered_before(ops, b, a),
                        "{} and {} may overlap",
                        ops[a].key,
                        ops[b].key
                    );
                }
            }
        }
    }
}

#[test]
fn round_robin_pairs_every_region_once_per_round() {
    let regions: Vec<String> = (0..6).map(|i| format!("r{i}")).collect();
    let rounds = round_robin(&regions);
    assert_eq!(rounds.len(), 15);
    for r in 0..5 {
        let in_round: Vec<_> = rounds
            .iter()
            .filter(|(_, v)| **v == r)
            .flat_map(|((a, b), _)| [a.clone(), b.clone()])
            .collect();
        let unique: BTreeSet<_> = in_round.iter().collect();
        assert_eq!(in_round.len(), unique.len());
        assert_eq!(in_round.len(), 6);
    }
}

#[test]
fn a_role_whose_principal_changes_is_replaced_not_updated() {
    let t = two();
    // The cluster is gone: made anew, its identity is only known at apply.
    let mut observed = observed_after(&t);
    observed
        .resources
        .remove(&ResourceKey::ManagedCluster("westus".into()));
    let remade = plan(&layout::desired(&t, SUB), &observed);
    assert_eq!(
        summary(&remade),
        [
            "create AKS cluster (westus)",
            "replace cluster identity role (westus)"
        ]
    );
    // The cluster reports another identity than the assignment holds.
    let mut observed = observed_after(&t);
    let role = ResourceKey::RoleAssignment("eastus".into());
    if let Some(r) = observed.resources.get_mut(&role) {
        r.body["properties"]["principalId"] = json!("11111111-1111-1111-1111-111111111111");
    }
    if let Some(c) = observed
        .resources
        .get_mut(&ResourceKey::ManagedCluster("eastus".into()))
    {
        c.body["identity"]["principalId"] = json!("22222222-2222-2222-2222-222222222222");
    }
    let other = plan(&layout::desired(&t, SUB), &observed);
    let op = other.changes().next().expect("a change");
    assert_eq!((op.action, &op.key), (Action::Replace, &role));
    assert!(
        op.reason.contains("principal cannot change"),
        "{}",
        op.reason
    );
}

#[test]
fn drift_is_case_insensitive_and_ignores_extras() {
    let want = json!({"location": "eastus", "properties": {"networkProfile": {"loadBalancerSku": "standard"}}});
    let have = json!({"location": "EastUS", "extra": 1, "properties": {"networkProfile": {"loadBalancerSku": "Standard", "x": 2}}});
    assert!(drift(&want, &have).is_empty());
    let have = json!({"location": "westus"});
    let d = drift(&want, &have);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].path, "location");
}

#[test]
fn a_boolean_wanted_false_and_absent_is_no_drift() {
    let want = json!({"properties": {"agentPoolProfiles": [{"name": "system", "enableAutoScaling": false}]}});
    let have = json!({"properties": {"agentPoolProfiles": [{"name": "system", "count": 3}]}});
    assert!(
        drift(&want, &have).is_empty(),
        "as AKS's own examples answer"
    );
    let have = json!({"properties": {"agentPoolProfiles": [{"name": "system", "enableAutoScaling": true}]}});
    assert_eq!(
        drift(&want, &have)[0].path,
        "properties.agentPoolProfiles[system].enableAutoScaling"
    );
}

#[test]
fn a_tag_wanted_empty_and_absent_is_no_drift() {
    let want = json!({"tags": {"bcdr-primary-region": "", "bcdr-topology": "shop"}});
    let have = json!({"tags": {"bcdr-topology": "shop"}});
    assert!(
        drift(&want, &have).is_empty(),
        "a group made before the tag existed"
    );
    let have = json!({"tags": {"bcdr-topology": "shop", "bcdr-primary-region": "eastus"}});
    assert_eq!(
        drift(&want, &have)[0].path,
        "tags.bcdr-primary-region",
        "a primary no longer wanted is written away"
    );
}

mod access;
mod aks_backup;
mod attributes;
mod database;
mod geo;
mod global;
mod outage;
mod peering;
mod pools;
mod private_link;
mod waf;

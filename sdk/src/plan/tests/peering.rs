//! Golden plans for peerings: hub and spoke (the hub peers with every spoke, spokes not with each other;
//! a full mesh becoming hub and spoke deletes only the spoke-to-spoke peerings), and a side left
//! Disconnected written again before its remote side is made.

use super::*;

fn three() -> Topology {
    topo(&[
        ("eastus", "10.1.0.0/16"),
        ("westus", "10.2.0.0/16"),
        ("centralus", "10.3.0.0/16"),
    ])
}

fn peerings(plan: &Plan, action: Action) -> Vec<String> {
    plan.operations
        .iter()
        .filter(|o| o.action == action && matches!(o.key, ResourceKey::Peering { .. }))
        .map(|o| o.key.to_string())
        .collect()
}

#[test]
fn the_hub_peers_with_every_spoke_and_spokes_not_with_each_other() {
    let t = three().peering_hub("eastus");
    let plan = plan(&layout::desired(&t, SUB), &Observed::default());
    let mut created = peerings(&plan, Action::Create);
    created.sort();
    assert_eq!(
        created,
        [
            "peering (centralus -> eastus)",
            "peering (eastus -> centralus)",
            "peering (eastus -> westus)",
            "peering (westus -> eastus)"
        ]
    );
}

#[test]
fn a_mesh_becoming_hub_and_spoke_drops_only_spoke_to_spoke_peerings() {
    let plan = plan(
        &layout::desired(&three().peering_hub("eastus"), SUB),
        &observed_after(&three()),
    );
    assert_eq!(
        summary(&plan),
        [
            "delete peering (centralus -> westus)",
            "delete peering (westus -> centralus)"
        ]
    );
    let reasons: Vec<&str> = plan.changes().map(|o| o.reason.as_str()).collect();
    assert_eq!(
        reasons[0], "hub and spoke: centralus and westus are both spokes",
        "{reasons:?}"
    );
    let first = plan
        .operations
        .iter()
        .position(|o| o.action == Action::Delete)
        .expect("delete");
    let second = plan
        .operations
        .iter()
        .rposition(|o| o.action == Action::Delete)
        .expect("delete");
    assert!(
        ordered_before(&plan.operations, first, second),
        "the two writes touch the same VNets: one after the other"
    );
}

#[test]
fn the_hub_is_one_of_the_regions() {
    let d = crate::validate::validate(&three().peering_hub("northeurope"));
    let errors: Vec<String> = d
        .iter()
        .filter(|d| d.severity == crate::validate::Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("peering_hub: Unknown peering hub"),
        "{errors:?}"
    );
}

#[test]
fn a_side_left_disconnected_is_written_again_before_its_remote_side_is_made() {
    let t = two();
    let mut observed = observed_after(&t);
    let gone = ResourceKey::Peering {
        from: "eastus".into(),
        to: "westus".into(),
    };
    observed.resources.remove(&gone);
    let left = ResourceKey::Peering {
        from: "westus".into(),
        to: "eastus".into(),
    };
    if let Some(r) = observed.resources.get_mut(&left) {
        r.body["properties"]["peeringState"] = json!("Disconnected");
    }
    let plan = plan(&layout::desired(&t, SUB), &observed);
    assert_eq!(
        summary(&plan),
        [
            "create peering (eastus -> westus)",
            "update peering (westus -> eastus)"
        ]
    );
    let at = |k: &ResourceKey| plan.operations.iter().position(|o| &o.key == k);
    let (create, rejoin) = (at(&gone).expect("create"), at(&left).expect("update"));
    assert!(plan.operations[rejoin].reason.contains("Disconnected"));
    assert!(
        ordered_before(&plan.operations, rejoin, create),
        "Azure answers RemotePeeringIsDisconnected to the new side until the old one is re-PUT"
    );
}

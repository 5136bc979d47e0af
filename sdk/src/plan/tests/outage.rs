//! Golden plans during a regional outage: a region the observation could not read is left as it is
//! (no-ops naming the error), the rest is planned as usual, and a global resource that takes a value
//! from the failed region keeps the value Azure already holds.

use super::*;
use crate::model::{RegionMode, Registry, RoutingMethod, TrafficManager};

fn shop(east: RegionMode, west: RegionMode) -> Topology {
    Topology::new("shop")
        .region(Region::new("eastus", "10.1.0.0/16").mode(east))
        .region(Region::new("westus", "10.2.0.0/16").mode(west))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
        .registry(Registry::default())
}

/// What the observation reports of `t` applied, with East US down: nothing read in its group (the
/// group itself comes from the subscription's list), and the pull role's principal as Azure has it.
fn east_down(t: &Topology) -> Observed {
    let mut observed = observed_after(t);
    observed
        .resources
        .retain(|k, _| k.group_region() != "eastus" || matches!(k, ResourceKey::ResourceGroup(_)));
    if let Some(pull) = observed
        .resources
        .get_mut(&ResourceKey::RegistryPull("eastus".into()))
    {
        pull.body["properties"]["principalId"] = json!("11111111-2222-3333-4444-555555555555");
    }
    observed.unreachable.insert(
        "eastus".into(),
        "GET ... failed with 503 ServiceUnavailable".into(),
    );
    observed
}

#[test]
fn a_failover_away_from_a_region_that_does_not_answer_writes_only_the_rest() {
    let before = shop(RegionMode::Hot, RegionMode::Warm);
    let after = shop(RegionMode::Warm, RegionMode::Hot);
    let plan = plan(&layout::desired(&after, SUB), &east_down(&before));
    assert_eq!(summary(&plan), ["update Traffic Manager profile"]);
    for op in plan
        .operations
        .iter()
        .filter(|o| o.key.group_region() == "eastus")
        .filter(|o| !matches!(o.key, ResourceKey::ResourceGroup(_)))
    {
        assert_eq!(op.action, Action::NoOp, "{}", op.key);
        assert_eq!(
            op.reason,
            "not read: eastus did not answer (GET ... failed with 503 ServiceUnavailable); left as it is"
        );
    }
    let pull = plan
        .operations
        .iter()
        .find(|o| o.key == ResourceKey::RegistryPull("eastus".into()))
        .expect("pull role");
    assert_eq!(pull.action, Action::NoOp, "{}", pull.reason);
    assert_eq!(
        pull.body
            .as_ref()
            .map(|b| b["properties"]["principalId"].clone()),
        Some(json!("11111111-2222-3333-4444-555555555555")),
        "the principal Azure holds, not a placeholder"
    );
}

#[test]
fn a_global_resource_whose_value_only_the_failed_region_holds_is_left_as_it_is() {
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let mut observed = east_down(&t);
    observed
        .resources
        .remove(&ResourceKey::RegistryPull("eastus".into()));
    let plan = plan(&layout::desired(&t, SUB), &observed);
    let pull = plan
        .operations
        .iter()
        .find(|o| o.key == ResourceKey::RegistryPull("eastus".into()))
        .expect("pull role");
    assert_eq!(pull.action, Action::NoOp);
    assert_eq!(
        pull.reason,
        "needs a value from eastus, which did not answer; left as it is"
    );
}

/// The global group, whose region must answer for the routing profile to change, lives outside the
/// topology's regions: near the home (its pair, else another region's pair, else the nearest in the
/// same part of the table), never in an access-restricted region; as configured when configured; and
/// where Azure has it once it exists, whatever the configuration says now.
#[test]
fn the_global_group_lives_outside_the_topologys_regions() {
    use crate::regions::outside;
    assert_eq!(outside("eastus", &["eastus", "westus3"]), Some("westus"));
    assert_eq!(outside("eastus", &["eastus", "westus"]), Some("eastus2"));
    assert_eq!(
        outside("northeurope", &["northeurope", "westeurope"]),
        Some("uksouth"),
        "the nearest in the table, the later on a tie"
    );
    assert_eq!(
        outside("germanywestcentral", &["germanywestcentral", "westeurope"]),
        Some("northeurope"),
        "the restricted pair is skipped for the other region's pair"
    );
    assert_eq!(outside("atlantis", &["atlantis"]), None);

    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let group = |t: &Topology| {
        layout::desired(t, SUB)
            .into_iter()
            .find(|d| d.key == ResourceKey::ResourceGroup("global".into()))
            .map(|d| d.body["location"].clone())
    };
    assert_eq!(group(&t), Some(json!("eastus2")));
    assert_eq!(
        layout::global_location(&t).as_deref(),
        Some("eastus"),
        "the registry's home stays with the first region"
    );
    let chosen = t.clone().global_group_region("centralus");
    assert_eq!(group(&chosen), Some(json!("centralus")));

    // A group made before (in East US, one of the topology's regions) stays there.
    let mut observed = observed_after(&t);
    if let Some(g) = observed
        .resources
        .get_mut(&ResourceKey::ResourceGroup("global".into()))
    {
        g.body["location"] = json!("eastus");
    }
    let homed = crate::topology::with_existing_home(&t, &observed);
    assert_eq!(homed.global_group_region.as_deref(), Some("eastus"));
    let planned = plan(&layout::desired(&homed, SUB), &observed);
    assert!(
        planned
            .operations
            .iter()
            .all(|o| o.key != ResourceKey::ResourceGroup("global".into())
                || o.action == Action::NoOp),
        "the group is not re-made elsewhere"
    );
}

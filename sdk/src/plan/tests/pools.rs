//! Golden plans for node pools: user pools after their cluster and one another, a removed pool
//! deleted on its own, a pool going with its cluster, the autoscaler owning the count.

use super::*;
use crate::model::{NodePool, RegionMode};

fn pooled() -> Topology {
    let mut t = two();
    t.regions[0].cluster = ClusterSettings::default()
        .autoscale(2, 6)
        .zones(["1", "2", "3"])
        .user_pool(NodePool::new("apps", "Standard_D8ds_v5", 2))
        .user_pool(NodePool::new("batch", "Standard_D8ds_v5", 0).autoscale(0, 10));
    t
}

fn at(plan: &Plan, key: &ResourceKey) -> usize {
    plan.operations
        .iter()
        .position(|o| &o.key == key)
        .expect("operation")
}

fn pool(name: &str) -> ResourceKey {
    ResourceKey::NodePool {
        region: "eastus".into(),
        pool: name.into(),
    }
}

#[test]
fn user_pools_follow_their_cluster_one_at_a_time() {
    let plan = plan(&layout::desired(&pooled(), SUB), &observed_after(&two()));
    assert_eq!(
        summary(&plan),
        [
            "update AKS cluster (eastus)",
            "create node pool apps (eastus)",
            "create node pool batch (eastus)"
        ]
    );
    let cluster = at(&plan, &ResourceKey::ManagedCluster("eastus".into()));
    let apps = at(&plan, &pool("apps"));
    assert_eq!(plan.operations[apps].depends_on, [cluster]);
    assert_eq!(
        plan.operations[at(&plan, &pool("batch"))].depends_on,
        [cluster, apps]
    );
    let body = plan.operations[cluster].body.clone().expect("body");
    let system = &body["properties"]["agentPoolProfiles"][0];
    assert_eq!(system["enableAutoScaling"], true);
    assert!(
        system.get("count").is_none(),
        "the autoscaler owns the count: {system}"
    );
    assert_eq!(system["availabilityZones"], json!(["1", "2", "3"]));
    let batch = plan.operations[at(&plan, &pool("batch"))]
        .body
        .clone()
        .expect("body");
    assert_eq!(batch["properties"]["mode"], "User");
    assert_eq!(batch["properties"]["maxCount"], 10);
}

#[test]
fn the_autoscaled_count_is_not_drift() {
    let mut observed = observed_after(&pooled());
    if let Some(c) = observed
        .resources
        .get_mut(&ResourceKey::ManagedCluster("eastus".into()))
    {
        c.body["properties"]["agentPoolProfiles"][0]["count"] = json!(5);
    }
    let plan = plan(&layout::desired(&pooled(), SUB), &observed);
    assert!(!plan.has_changes(), "{:?}", summary(&plan));
}

#[test]
fn a_removed_pool_is_deleted_alone() {
    let mut t = pooled();
    t.regions[0].cluster.user_pools.pop();
    let plan = plan(&layout::desired(&t, SUB), &observed_after(&pooled()));
    assert_eq!(summary(&plan), ["delete node pool batch (eastus)"]);
}

#[test]
fn pools_go_with_a_cluster_that_goes_cold() {
    let mut t = pooled();
    t.regions[0].mode = RegionMode::Cold;
    t.regions[1].mode = RegionMode::Hot;
    let plan = plan(&layout::desired(&t, SUB), &observed_after(&pooled()));
    let changes = summary(&plan);
    assert!(
        changes.contains(&"delete AKS cluster (eastus)".to_owned()),
        "{changes:?}"
    );
    assert!(
        !changes.iter().any(|c| c.contains("node pool")),
        "deleted with the cluster: {changes:?}"
    );
}

//! AKS node pools over raw HTTPS: autoscaling bounds and availability zones on a cluster's pools
//! (zones fixed once created), and `agentPools` children (the cluster must be idle; its GET lists
//! them; they go with it). Every answer is checked against its operation's spec.

mod support;

use arm_emulator::Config;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

fn cluster_path() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c?api-version=2024-09-01"
    )
}

fn pool_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerService/managedClusters/c/agentPools/{name}?api-version=2024-09-01"
    )
}

fn cluster(system: Value) -> Value {
    json!({ "location": "eastus", "identity": { "type": "SystemAssigned" },
        "properties": { "dnsPrefix": "c", "agentPoolProfiles": [system] } })
}

fn autoscaled(min: u32, max: u32, zones: &[&str]) -> Value {
    json!({ "name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5",
        "enableAutoScaling": true, "minCount": min, "maxCount": max, "availabilityZones": zones })
}

/// Waits until the cluster and its pools are done provisioning.
async fn idle(arm: &Arm) {
    for _ in 0..400 {
        let (_, b) = arm.req(Method::GET, &cluster_path(), None).await;
        let pools = b["properties"]["agentPoolProfiles"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let (_, child) = arm.req(Method::GET, &pool_path("apps"), None).await;
        if b["properties"]["provisioningState"] == "Succeeded"
            && pools.iter().all(|p| p["provisioningState"] == "Succeeded")
            && child["properties"]["provisioningState"]
                .as_str()
                .is_none_or(|s| s == "Succeeded")
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("the cluster never settled");
}

#[tokio::test]
async fn autoscaling_needs_bounds_and_zones_are_fixed() {
    let arm = Arm::start(Config {
        latency_scale: 0.002,
        ..fast()
    })
    .await;
    arm.group("g").await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &cluster_path(),
            Some(cluster(autoscaled(4, 2, &[]))),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidParameter"), "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &cluster_path(),
            Some(cluster(autoscaled(1, 3, &["1", "4"]))),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidParameter"), "{b}");
    let mut stray = autoscaled(1, 3, &[]);
    stray["enableAutoScaling"] = json!(false);
    let (s, b) = arm
        .req(Method::PUT, &cluster_path(), Some(cluster(stray)))
        .await;
    assert_eq!(s, 400, "bounds without autoscaling: {b}");

    let (s, b) = arm
        .req(
            Method::PUT,
            &cluster_path(),
            Some(cluster(autoscaled(2, 5, &["1", "2", "3"]))),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let pool = &b["properties"]["agentPoolProfiles"][0];
    assert_eq!(pool["count"], 2, "starts at minCount: {pool}");
    assert_eq!(pool["enableAutoScaling"], true);
    idle(&arm).await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &cluster_path(),
            Some(cluster(autoscaled(2, 5, &["1"]))),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "PropertyChangeNotAllowed"), "{b}");
}

#[tokio::test]
async fn user_pools_are_children_the_cluster_lists() {
    let arm = Arm::start(Config {
        latency_scale: 0.002,
        ..fast()
    })
    .await;
    arm.group("g").await;
    let (s, _) = arm.req(Method::PUT, &pool_path("apps"), Some(json!({ "properties": { "mode": "User", "count": 2, "vmSize": "Standard_D8ds_v5" } }))).await;
    assert_eq!(s, 404, "no cluster yet");
    let system =
        json!({ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" });
    assert_eq!(
        arm.req(Method::PUT, &cluster_path(), Some(cluster(system)))
            .await
            .0,
        201
    );
    let apps = json!({ "properties": { "mode": "User", "vmSize": "Standard_D8ds_v5", "enableAutoScaling": true, "minCount": 0, "maxCount": 10, "availabilityZones": ["1", "2"] } });
    let (s, b) = arm
        .req(Method::PUT, &pool_path("apps"), Some(apps.clone()))
        .await;
    assert_eq!(
        (s, code(&b)),
        (409, "OperationNotAllowed"),
        "the cluster is still being created: {b}"
    );
    idle(&arm).await;
    let (s, b) = arm
        .req(Method::PUT, &pool_path("Apps"), Some(apps.clone()))
        .await;
    assert_eq!(
        (s, code(&b)),
        (400, "InvalidParameter"),
        "lowercase names: {b}"
    );
    let (s, h, b) = arm.put(&pool_path("apps"), apps).await;
    assert_eq!(s, 201, "{b}");
    assert!(h.contains_key("azure-asyncoperation"));
    assert_eq!(
        b["properties"]["count"], 1,
        "a User pool scaled from 0 starts at one node"
    );
    let (s, b) = arm.req(Method::PUT, &cluster_path(), None).await;
    assert_eq!(s, 400, "a PUT needs a body: {b}");
    let (s, b) = arm.req(Method::GET, &cluster_path(), None).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = b["properties"]["agentPoolProfiles"]
        .as_array()
        .expect("pools")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["system", "apps"]);
    idle(&arm).await;
    assert_eq!(
        arm.req(Method::DELETE, &pool_path("apps"), None).await.0,
        202
    );
    arm.gone(&pool_path("apps")).await;
    assert_eq!(arm.req(Method::GET, &pool_path("apps"), None).await.0, 404);
    let again =
        json!({ "properties": { "mode": "User", "count": 1, "vmSize": "Standard_D8ds_v5" } });
    assert_eq!(
        arm.req(Method::PUT, &pool_path("apps"), Some(again))
            .await
            .0,
        201
    );
    idle(&arm).await;
    assert_eq!(arm.req(Method::DELETE, &cluster_path(), None).await.0, 202);
    arm.gone(&cluster_path()).await;
    assert!(
        arm.emulator
            .resource_ids()
            .iter()
            .all(|id| !id.contains("/agentPools/")),
        "pools go with their cluster"
    );
}

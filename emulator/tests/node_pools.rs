//! AKS node pools over raw HTTPS: autoscaling bounds and availability zones on a cluster's pools
//! (zones fixed once created), and `agentPools` children (the cluster must be idle; its GET lists
//! them; they go with it); the Kubernetes versions AKS offers per region, and the version check a
//! cluster meets; VM sizes and vCPU quotas, which a cluster must fit; the pricing tier (`sku`). Every
//! answer is checked against its operation's spec (Microsoft.Compute's are not pinned).

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

fn versions(location: &str) -> String {
    format!(
        "/subscriptions/{SUB}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions?api-version=2024-09-01"
    )
}

/// Versions retire region by region: here 1.30 is gone from West US and offered in East US. A cluster
/// is refused a version its region does not offer, when made or moved to it, and keeps one that
/// retired after it was made.
#[tokio::test]
async fn kubernetes_versions_are_listed_per_region_and_checked_when_a_cluster_takes_one() {
    let arm = Arm::start(Config {
        kubernetes_versions: [(
            "westus".to_owned(),
            vec!["1.31.2".to_owned(), "1.31.3".to_owned()],
        )]
        .into_iter()
        .collect(),
        ..fast()
    })
    .await;
    let (status, east) = arm.get(&versions("eastus")).await;
    assert_eq!(status, 200, "{east}");
    let minors: Vec<&str> = east["values"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["version"].as_str())
        .collect();
    assert_eq!(minors, ["1.30", "1.31", "1.32"]);
    assert_eq!(east["values"][0]["isDefault"], true);
    assert!(
        east["values"][0]["patchVersions"]["1.30.6"]["upgrades"]
            .as_array()
            .is_some_and(|u| u.contains(&json!("1.31.2")))
    );
    let (_, west) = arm.get(&versions("westus")).await;
    assert_eq!(west["values"].as_array().map(Vec::len), Some(1), "{west}");

    arm.group("g").await;
    let system =
        json!({ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" });
    let mut body = cluster(system);
    body["location"] = json!("westus");
    body["properties"]["kubernetesVersion"] = json!("1.30");
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(body.clone()))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "AgentPoolK8sVersionNotSupported"),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Version 1.30 is not supported in this region."))
    );
    body["properties"]["kubernetesVersion"] = json!("1.31.3");
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn a_cluster_keeps_a_version_that_retired_after_it_was_made() {
    let dir = std::env::temp_dir().join(format!("emulator-retired-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let state = dir.join("state.json");
    let system =
        json!({ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" });
    let mut body = cluster(system);
    body["properties"]["kubernetesVersion"] = json!("1.30.6");
    {
        let arm = Arm::start(Config {
            state_path: Some(state.clone()),
            ..fast()
        })
        .await;
        arm.group("g").await;
        let (status, answer) = arm
            .req(Method::PUT, &cluster_path(), Some(body.clone()))
            .await;
        assert_eq!(status, 201, "{answer}");
        idle(&arm).await;
    }
    // The same subscription after 1.30 retired from East US.
    let arm = Arm::start(Config {
        state_path: Some(state),
        kubernetes_versions: [("eastus".to_owned(), vec!["1.31.2".to_owned()])]
            .into_iter()
            .collect(),
        ..fast()
    })
    .await;
    body["properties"]["agentPoolProfiles"][0]["count"] = json!(2);
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(body.clone()))
        .await;
    assert_eq!(
        status, 200,
        "the running cluster keeps its version: {answer}"
    );
    idle(&arm).await;
    body["properties"]["kubernetesVersion"] = json!("1.30.7");
    let (status, answer) = arm.req(Method::PUT, &cluster_path(), Some(body)).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "AgentPoolK8sVersionNotSupported"),
        "{answer}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// AKS upgrades one minor version at a time and never goes back.
#[tokio::test]
async fn an_upgrade_may_not_skip_a_minor_version_nor_go_back() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let system =
        json!({ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" });
    let mut body = cluster(system);
    body["properties"]["kubernetesVersion"] = json!("1.30.6");
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{answer}");
    idle(&arm).await;
    body["properties"]["kubernetesVersion"] = json!("1.32.0");
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(body.clone()))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "OperationNotAllowed"),
        "{answer}"
    );
    assert!(
        answer["message"].as_str().is_some_and(|m| m.starts_with(
            "Upgrading Kubernetes version 1.30.6 to 1.32.0 is not allowed. Available upgrades: [1.30.7 1.31.2 1.31.3]."
        )),
        "{answer}"
    );
    body["properties"]["kubernetesVersion"] = json!("1.31");
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(body.clone()))
        .await;
    assert_eq!(status, 200, "{answer}");
    idle(&arm).await;
    body["properties"]["kubernetesVersion"] = json!("1.30.7");
    let (status, answer) = arm.req(Method::PUT, &cluster_path(), Some(body)).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "OperationNotAllowed"),
        "no way back: {answer}"
    );
}

/// VM sizes carry their family and vCPUs; a region's vCPU usage counts the clusters' nodes; a cluster
/// that would exceed the quota is refused 400 `QuotaExceeded`, as AKS's preflight does.
#[tokio::test]
async fn clusters_must_fit_the_regions_vcpu_quota() {
    let arm = Arm::start(Config {
        core_quotas: [("eastus".to_owned(), 20)].into_iter().collect(),
        ..fast()
    })
    .await;
    let (status, skus) = arm
        .get(&format!("/subscriptions/{SUB}/providers/Microsoft.Compute/skus?api-version=2021-07-01&$filter=location%20eq%20%27eastus%27"))
        .await;
    assert_eq!(status, 200, "{skus}");
    let d4 = skus["value"]
        .as_array()
        .and_then(|v| v.iter().find(|s| s["name"] == "Standard_D4ds_v5"))
        .cloned()
        .expect("Standard_D4ds_v5");
    assert_eq!(d4["family"], "standardDDSv5Family");
    assert_eq!(
        d4["capabilities"][0],
        json!({ "name": "vCPUs", "value": "4" })
    );

    arm.group("g").await;
    let pool = |count: u32| json!({ "name": "system", "mode": "System", "count": count, "vmSize": "Standard_D4ds_v5" });
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(cluster(pool(3))))
        .await;
    assert_eq!(status, 201, "{answer}");
    let usages = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/usages?api-version=2024-07-01"
    );
    let (_, used) = arm.get(&usages).await;
    let family = used["value"]
        .as_array()
        .and_then(|v| {
            v.iter()
                .find(|u| u["name"]["value"] == "standardDDSv5Family")
        })
        .cloned()
        .expect("family");
    assert_eq!(
        (family["currentValue"].as_u64(), family["limit"].as_u64()),
        (Some(12), Some(20))
    );

    let other = cluster_path().replace("managedClusters/c?", "managedClusters/d?");
    let mut body = cluster(pool(3));
    body["properties"]["dnsPrefix"] = json!("d");
    let (status, answer) = arm.req(Method::PUT, &other, Some(body)).await;
    assert_eq!((status, code(&answer)), (400, "QuotaExceeded"), "{answer}");
    assert!(
        answer["message"].as_str().is_some_and(
            |m| m.contains("Current Limit: 20, Current Usage: 12, Additional Required: 12")
        ),
        "{answer}"
    );
    idle(&arm).await;
    // The cluster itself may change within the quota: its own nodes are not counted twice.
    let (status, answer) = arm
        .req(Method::PUT, &cluster_path(), Some(cluster(pool(5))))
        .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn clusters_take_a_pricing_tier_and_change_it_in_place() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let system =
        json!({ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" });
    for (sku, target, words) in [
        (
            json!({ "name": "Gold", "tier": "Free" }),
            "sku.name",
            "must be 'Base'",
        ),
        (
            json!({ "name": "Base", "tier": "Paid" }),
            "sku.tier",
            "'Paid' has been replaced by 'Standard'",
        ),
        (
            json!({ "name": "Base", "tier": "Gold" }),
            "sku.tier",
            "Free, Standard, Premium",
        ),
    ] {
        let mut body = cluster(system.clone());
        body["sku"] = sku;
        let (s, b) = arm.req(Method::PUT, &cluster_path(), Some(body)).await;
        assert_eq!((s, code(&b)), (400, "SkuNotAvailable"), "{b}");
        assert_eq!(b["target"], target);
        let message = b["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{message}");
    }
    let (s, b) = arm
        .req(Method::PUT, &cluster_path(), Some(cluster(system.clone())))
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["sku"],
        json!({ "name": "Base", "tier": "Free" }),
        "AKS's default"
    );
    idle(&arm).await;
    let mut legacy = cluster(system.clone());
    legacy["sku"] = json!({ "name": "Basic", "tier": "Free" });
    let (s, b) = arm.req(Method::PUT, &cluster_path(), Some(legacy)).await;
    assert_eq!(
        s, 200,
        "the name before 2023 is taken, as the spec's examples send it: {b}"
    );
    idle(&arm).await;
    let mut standard = cluster(system);
    standard["sku"] = json!({ "name": "base", "tier": "standard" });
    let (s, b) = arm.req(Method::PUT, &cluster_path(), Some(standard)).await;
    assert_eq!(s, 200, "an existing cluster changes tier in place: {b}");
    idle(&arm).await;
    let (_, c) = arm.req(Method::GET, &cluster_path(), None).await;
    assert_eq!(
        c["sku"],
        json!({ "name": "Base", "tier": "Standard" }),
        "in AKS's spelling"
    );
}

//! Traffic Manager's health as it computes it, and what its DNS names answer
//! (`GET /_emulator/dns/{fqdn}`): endpoints probed every interval (scaled) turn `Degraded` after
//! `toleratedNumberOfFailures + 1` failed probes while their region is down and `Online` again after
//! one that passes; Priority, Weighted, Performance, Geographic and nested profiles answer from that.

mod support;

use arm_emulator::{Config, RegionDown};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{Arm, SUB, rg_path};

/// 30 s probing intervals become 60 ms, 10 s timeouts 20 ms.
const SCALE: f64 = 0.002;
const INTERVAL_MS: u64 = 60;
const TIMEOUT_MS: u64 = 20;

fn config() -> Config {
    Config {
        latency_scale: SCALE,
        ..Config::default()
    }
}

fn ip_path(region: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-{region}/providers/Microsoft.Network/publicIPAddresses/ip?api-version=2024-03-01"
    )
}

fn ip_id(region: &str) -> String {
    ip_path(region)
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn tm_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-global/providers/Microsoft.Network/trafficmanagerprofiles/{name}?api-version=2022-04-01"
    )
}

fn endpoint_path(profile: &str, kind: &str, name: &str) -> String {
    tm_path(profile).replace('?', &format!("/{kind}/{name}?"))
}

/// A group and a public IP with a DNS name in each region, and a group for the global resources
/// (in a third region, which stays up).
async fn regions(arm: &Arm, names: &[&str]) {
    arm.req(
        Method::PUT,
        &rg_path("rg-global"),
        Some(json!({ "location": "centralus" })),
    )
    .await;
    for region in names {
        arm.req(
            Method::PUT,
            &rg_path(&format!("rg-{region}")),
            Some(json!({ "location": region })),
        )
        .await;
        let (s, b) = arm
            .req(
                Method::PUT,
                &ip_path(region),
                Some(json!({ "location": region, "sku": { "name": "Standard" }, "properties": {
                    "publicIPAllocationMethod": "Static", "dnsSettings": { "domainNameLabel": format!("shop-{region}") } } })),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}

async fn profile(arm: &Arm, name: &str, method: &str, tolerated: u64) {
    let (s, b) = arm
        .req(
            Method::PUT,
            &tm_path(name),
            Some(json!({ "location": "global", "properties": { "trafficRoutingMethod": method,
                "dnsConfig": { "relativeName": format!("{name}-shop"), "ttl": 30 },
                "monitorConfig": { "protocol": "HTTPS", "port": 443, "path": "/healthz", "intervalInSeconds": 30,
                    "timeoutInSeconds": 10, "toleratedNumberOfFailures": tolerated } } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
}

async fn azure_endpoint(arm: &Arm, profile: &str, region: &str, extra: Value) -> Value {
    let mut properties = json!({ "targetResourceId": ip_id(region) });
    if let (Some(p), Some(e)) = (properties.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    let (s, b) = arm
        .req(
            Method::PUT,
            &endpoint_path(profile, "azureEndpoints", region),
            Some(json!({ "properties": properties })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    b
}

async fn endpoint_status(arm: &Arm, profile: &str, name: &str) -> String {
    let (_, b) = arm
        .req(
            Method::GET,
            &endpoint_path(profile, "azureEndpoints", name),
            None,
        )
        .await;
    b["properties"]["endpointMonitorStatus"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Polls until `status` reads `wanted` (generous bound: the models are milliseconds long).
async fn until_status(arm: &Arm, profile: &str, name: &str, wanted: &str) -> Duration {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if endpoint_status(arm, profile, name).await == wanted {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{profile}/{name} never read {wanted}");
}

async fn dns(arm: &Arm, fqdn: &str, query: &str) -> (u16, Value) {
    let resp = arm
        .http
        .get(format!(
            "{}/_emulator/dns/{fqdn}{query}",
            arm.emulator.endpoint()
        ))
        .send()
        .await
        .expect("dns");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn targets(answer: &Value) -> Vec<String> {
    answer["answers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["target"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn an_endpoint_in_a_region_that_is_down_degrades_and_priority_answers_the_next() {
    let arm = Arm::start(config()).await;
    regions(&arm, &["eastus", "westus"]).await;
    profile(&arm, "p", "Priority", 1).await;
    let written = azure_endpoint(&arm, "p", "eastus", json!({ "priority": 1 })).await;
    assert_eq!(
        written["properties"]["endpointMonitorStatus"], "CheckingEndpoint",
        "until its first probe, one interval after the write"
    );
    azure_endpoint(&arm, "p", "westus", json!({ "priority": 2 })).await;
    until_status(&arm, "p", "eastus", "Online").await;
    until_status(&arm, "p", "westus", "Online").await;
    let (s, answer) = dns(&arm, "p-shop.trafficmanager.net", "").await;
    assert_eq!((s, answer["ttl"].as_i64()), (200, Some(30)), "{answer}");
    assert_eq!(targets(&answer), ["shop-eastus.eastus.cloudapp.azure.com"]);
    assert_eq!(answer["profileMonitorStatus"], "Online");

    let down = Instant::now();
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    until_status(&arm, "p", "eastus", "Degraded").await;
    // Two failed probes in a row (tolerated 1): the first at most one interval after the outage
    // began, the second one interval later, known once its timeout has passed (less a millisecond
    // or two: the emulator's clock counts whole milliseconds).
    let degraded = down.elapsed();
    assert!(
        degraded >= Duration::from_millis(INTERVAL_MS + TIMEOUT_MS - 2),
        "degraded after {degraded:?}: too early"
    );
    assert_eq!(endpoint_status(&arm, "p", "westus").await, "Online");
    let (_, answer) = dns(&arm, "P-Shop.trafficmanager.net.", "").await;
    assert_eq!(
        targets(&answer),
        ["shop-westus.westus.cloudapp.azure.com"],
        "{answer}"
    );
    assert_eq!(
        answer["profileMonitorStatus"], "Degraded",
        "one endpoint degraded: the profile reads Degraded (traffic-manager-monitoring)"
    );
    let (_, profile) = arm.req(Method::GET, &tm_path("p"), None).await;
    assert_eq!(
        profile["properties"]["monitorConfig"]["profileMonitorStatus"],
        "Degraded"
    );

    // Both down: Traffic Manager answers as if all were online.
    arm.emulator.take_region_down("westus", RegionDown::Fail);
    until_status(&arm, "p", "westus", "Degraded").await;
    let (_, answer) = dns(&arm, "p-shop.trafficmanager.net", "").await;
    assert_eq!(targets(&answer), ["shop-eastus.eastus.cloudapp.azure.com"]);

    arm.emulator.restore_region("eastus");
    arm.emulator.restore_region("westus");
    let back = until_status(&arm, "p", "eastus", "Online").await;
    assert!(back < Duration::from_secs(20));
    let (_, answer) = dns(&arm, "p-shop.trafficmanager.net", "").await;
    assert_eq!(targets(&answer), ["shop-eastus.eastus.cloudapp.azure.com"]);
}

#[tokio::test]
async fn weighted_and_performance_profiles_share_what_is_healthy() {
    let arm = Arm::start(config()).await;
    regions(&arm, &["eastus", "westus"]).await;
    profile(&arm, "w", "Weighted", 0).await;
    azure_endpoint(&arm, "w", "eastus", json!({ "weight": 1 })).await;
    azure_endpoint(&arm, "w", "westus", json!({ "weight": 3 })).await;
    profile(&arm, "perf", "Performance", 0).await;
    azure_endpoint(&arm, "perf", "eastus", json!({})).await;
    azure_endpoint(&arm, "perf", "westus", json!({})).await;
    until_status(&arm, "w", "eastus", "Online").await;
    let (_, answer) = dns(&arm, "w-shop.trafficmanager.net", "").await;
    let weights: Vec<f64> = answer["answers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["weight"].as_f64())
        .collect();
    assert_eq!(weights, [0.25, 0.75], "{answer}");
    let (_, answer) = dns(
        &arm,
        "perf-shop.trafficmanager.net",
        "?client_region=eastus2",
    )
    .await;
    assert_eq!(targets(&answer), ["shop-eastus.eastus.cloudapp.azure.com"]);
    let (_, answer) = dns(
        &arm,
        "perf-shop.trafficmanager.net",
        "?client_region=westus2",
    )
    .await;
    assert_eq!(targets(&answer), ["shop-westus.westus.cloudapp.azure.com"]);
    let (s, _) = dns(&arm, "perf-shop.trafficmanager.net", "").await;
    assert_eq!(
        s, 400,
        "Performance needs to know where the query comes from"
    );

    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    until_status(&arm, "w", "eastus", "Degraded").await;
    until_status(&arm, "perf", "eastus", "Degraded").await;
    let (_, answer) = dns(&arm, "w-shop.trafficmanager.net", "").await;
    assert_eq!(targets(&answer), ["shop-westus.westus.cloudapp.azure.com"]);
    assert_eq!(answer["answers"][0]["weight"], 1.0);
    let (_, answer) = dns(
        &arm,
        "perf-shop.trafficmanager.net",
        "?client_region=eastus2",
    )
    .await;
    assert_eq!(
        targets(&answer),
        ["shop-westus.westus.cloudapp.azure.com"],
        "the next closest region"
    );
}

#[tokio::test]
async fn geographic_profiles_answer_the_mapped_endpoint_whatever_its_health() {
    let arm = Arm::start(config()).await;
    regions(&arm, &["eastus", "westeurope"]).await;
    profile(&arm, "geo", "Geographic", 0).await;
    azure_endpoint(&arm, "geo", "eastus", json!({ "geoMapping": ["GEO-NA"] })).await;
    azure_endpoint(
        &arm,
        "geo",
        "westeurope",
        json!({ "geoMapping": ["GEO-EU", "AU"] }),
    )
    .await;
    let fqdn = "geo-shop.trafficmanager.net";
    let (_, answer) = dns(&arm, fqdn, "?client_location=US-CA").await;
    assert_eq!(targets(&answer), ["shop-eastus.eastus.cloudapp.azure.com"]);
    let (_, answer) = dns(&arm, fqdn, "?client_location=IE").await;
    assert_eq!(
        targets(&answer),
        ["shop-westeurope.westeurope.cloudapp.azure.com"]
    );
    let (_, answer) = dns(&arm, fqdn, "?client_location=JP").await;
    assert_eq!(
        (answer["rcode"].as_str(), targets(&answer).len()),
        (Some("NODATA"), 0),
        "nothing mapped to Japan, no WORLD: {answer}"
    );
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    until_status(&arm, "geo", "eastus", "Degraded").await;
    let (_, answer) = dns(&arm, fqdn, "?client_location=US").await;
    assert_eq!(
        targets(&answer),
        ["shop-eastus.eastus.cloudapp.azure.com"],
        "a region maps to one endpoint, returned degraded or not"
    );
    let (s, _) = dns(&arm, "nobody.trafficmanager.net", "").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn a_nested_profile_below_its_minimum_hands_over_to_the_next_endpoint() {
    let arm = Arm::start(config()).await;
    regions(&arm, &["eastus", "westus"]).await;
    profile(&arm, "child", "Weighted", 0).await;
    azure_endpoint(&arm, "child", "eastus", json!({})).await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &endpoint_path("child", "externalEndpoints", "eastus2"),
            Some(json!({ "properties": { "target": "app.eastus2.cloudapp.azure.com" } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    profile(&arm, "parent", "Priority", 0).await;
    let child_id = tm_path("child")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let (s, b) = arm
        .req(
            Method::PUT,
            &endpoint_path("parent", "nestedEndpoints", "east"),
            Some(json!({ "properties": { "targetResourceId": child_id, "priority": 1, "minChildEndpoints": 2 } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &endpoint_path("parent", "externalEndpoints", "dr"),
            Some(json!({ "properties": { "target": "dr.westus.cloudapp.azure.com", "priority": 2 } })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let nested_status = || async {
        let (_, b) = arm
            .req(
                Method::GET,
                &endpoint_path("parent", "nestedEndpoints", "east"),
                None,
            )
            .await;
        b["properties"]["endpointMonitorStatus"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let started = Instant::now();
    while nested_status().await != "Online" {
        assert!(started.elapsed() < Duration::from_secs(20), "never online");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let (_, answer) = dns(&arm, "parent-shop.trafficmanager.net", "").await;
    assert_eq!(
        targets(&answer),
        [
            "shop-eastus.eastus.cloudapp.azure.com",
            "app.eastus2.cloudapp.azure.com"
        ],
        "the child's answer: {answer}"
    );
    assert_eq!(answer["answers"][0]["weight"], 0.5);

    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    let started = Instant::now();
    while nested_status().await != "Degraded" {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never degraded"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let (_, answer) = dns(&arm, "parent-shop.trafficmanager.net", "").await;
    assert_eq!(
        targets(&answer),
        ["dr.westus.cloudapp.azure.com"],
        "{answer}"
    );
}

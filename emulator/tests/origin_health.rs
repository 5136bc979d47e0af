//! Front Door's origin health and origin selection, as `GET /_emulator/dns/{endpoint host}` reports
//! it: an origin whose region is down fails its group's health probes and, once fewer than
//! `successfulSamplesRequired` of the last `sampleSize` passed, requests go to the next priority;
//! within a priority, the latency sensitivity and the weights decide.

mod support;

use arm_emulator::{Config, RegionDown};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{Arm, SUB, rg_path};

fn at(rest: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-global/providers/Microsoft.Cdn/profiles/fd{rest}?api-version=2024-09-01"
    )
}

/// PUTs and waits for Front Door's operation to end.
async fn put(arm: &Arm, rest: &str, body: Value) -> Value {
    let (status, _, answer) = arm.put(&at(rest), body).await;
    assert!(status.is_success(), "{rest}: {status} {answer}");
    let started = Instant::now();
    loop {
        let (_, b) = arm.get(&at(rest)).await;
        if b["properties"]["provisioningState"] == "Succeeded" {
            return b;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{rest} never ended"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn serving(arm: &Arm, host: &str, query: &str) -> Value {
    arm.http
        .get(format!(
            "{}/_emulator/dns/{host}{query}",
            arm.emulator.endpoint()
        ))
        .send()
        .await
        .expect("dns")
        .json()
        .await
        .expect("json")
}

fn origins(answer: &Value) -> Vec<String> {
    answer["answers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["hostName"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn requests_go_to_the_next_priority_while_the_first_origins_region_is_down() {
    // 30 s probes become 30 ms.
    let arm = Arm::start(Config {
        latency_scale: 0.001,
        ..Config::default()
    })
    .await;
    arm.req(
        Method::PUT,
        &rg_path("rg-global"),
        Some(json!({ "location": "centralus" })),
    )
    .await;
    put(
        &arm,
        "",
        json!({ "location": "global", "sku": { "name": "Standard_AzureFrontDoor" } }),
    )
    .await;
    let endpoint = put(
        &arm,
        "/afdEndpoints/shop",
        json!({ "location": "global", "properties": {} }),
    )
    .await;
    let host = endpoint["properties"]["hostName"]
        .as_str()
        .expect("host")
        .to_owned();
    put(&arm, "/originGroups/regions", json!({ "properties": {
        "loadBalancingSettings": { "sampleSize": 4, "successfulSamplesRequired": 3, "additionalLatencyInMilliseconds": 0 },
        "healthProbeSettings": { "probePath": "/healthz", "probeProtocol": "Https", "probeRequestType": "HEAD", "probeIntervalInSeconds": 30 } } })).await;
    for (region, priority) in [("eastus", 1), ("eastus2", 1), ("westus", 2)] {
        put(&arm, &format!("/originGroups/regions/origins/{region}"), json!({ "properties": {
            "hostName": format!("shop-{region}.{region}.cloudapp.azure.com"), "priority": priority, "weight": 500 } })).await;
    }
    let group = at("/originGroups/regions")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    put(&arm, "/afdEndpoints/shop/routes/all", json!({ "properties": {
        "originGroup": { "id": group }, "linkToDefaultDomain": "Enabled", "patternsToMatch": ["/*"] } })).await;

    let answer = serving(&arm, &host, "").await;
    assert_eq!(
        origins(&answer),
        [
            "shop-eastus.eastus.cloudapp.azure.com",
            "shop-eastus2.eastus2.cloudapp.azure.com"
        ],
        "the top priority, shared by weight: {answer}"
    );
    assert_eq!(answer["answers"][0]["weight"], 0.5);
    assert!(answer.get("ttl").is_none());
    let answer = serving(&arm, &host, "?client_region=centralindia").await;
    assert_eq!(
        origins(&answer).len(),
        1,
        "no latency sensitivity: only the nearest of the two: {answer}"
    );

    let started = Instant::now();
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    arm.emulator.take_region_down("eastus2", RegionDown::Fail);
    let answer = loop {
        let answer = serving(&arm, &host, "").await;
        if origins(&answer) == ["shop-westus.westus.cloudapp.azure.com"] {
            break answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never failed over: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    // Two of the last four probes failed (sampleSize 4, 3 required): the first at most one interval
    // after the outage began (less a millisecond or two: the emulator's clock counts whole ones).
    assert!(started.elapsed() >= Duration::from_millis(28), "{answer}");

    arm.emulator.take_region_down("westus", RegionDown::Fail);
    let started = Instant::now();
    loop {
        let answer = serving(&arm, &host, "").await;
        if answer["allOriginsUnhealthy"] == true {
            assert_eq!(
                origins(&answer).len(),
                3,
                "round robin across all: {answer}"
            );
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{answer}");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    for region in ["eastus", "eastus2", "westus"] {
        arm.emulator.restore_region(region);
    }
    let started = Instant::now();
    while origins(&serving(&arm, &host, "").await).len() != 2 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never recovered"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

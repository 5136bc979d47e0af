//! Raw HTTPS against the emulator: each ARM rule of the slice refuses what Azure refuses, with Azure's
//! status and error code, and long-running operations behave as ARM's do. Every answer the emulator
//! gives in these tests is checked against the real ARM OpenAPI spec of its operation.

mod support;

use arm_emulator::{Config, Emulator, FaultAction, FaultRule, Throttle};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Arm, SUB, code, fast};

fn rg(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version=2024-03-01")
}

fn vnet(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}?api-version=2024-03-01"
    )
}

fn vnet_body(cidr: &str, subnet: &str) -> Value {
    json!({ "location": "eastus", "properties": { "addressSpace": { "addressPrefixes": [cidr] }, "subnets": [{ "name": "aks", "properties": { "addressPrefix": subnet } }] } })
}

#[tokio::test]
async fn bearer_token_and_api_version_are_required() {
    let arm = Arm::start(fast()).await;
    let url = format!("{}{}", arm.emulator.endpoint(), rg("a"));
    let resp = arm.http.get(&url).send().await.expect("send");
    assert_eq!(resp.status(), 401);
    assert_eq!(
        code(&resp.json().await.expect("json")),
        "AuthenticationFailed"
    );
    let resp = arm
        .http
        .get(&url)
        .bearer_auth("forged")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 401);
    assert_eq!(
        code(&resp.json().await.expect("json")),
        "InvalidAuthenticationToken"
    );

    let (status, body) = arm
        .get(&format!("/subscriptions/{SUB}/resourcegroups/a"))
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "MissingApiVersionParameter")
    );
    let (status, body) = arm
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups/a?api-version=2019-01-01-preview"
        ))
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "InvalidApiVersionParameter")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("2024-03-01"))
    );
    // The versions current clients send by default are answered alike: the Azure CLI's
    // (2024-11-01), the Python SDK's (2025-04-01), the recordings' (2020-06-01).
    for version in ["2024-11-01", "2025-04-01", "2020-06-01"] {
        let (status, body) = arm
            .get(&format!(
                "/subscriptions/{SUB}/resourcegroups/a?api-version={version}"
            ))
            .await;
        assert_eq!(
            (status.as_u16(), code(&body)),
            (404, "ResourceGroupNotFound"),
            "{version}"
        );
    }
    let (_, headers, _) = arm.call(Method::GET, &rg("a"), None).await;
    assert!(
        headers.contains_key("x-ms-request-id")
            && headers.contains_key("x-ms-correlation-request-id")
    );
    assert!(
        !headers.contains_key("x-ms-ratelimit-remaining-subscription-reads"),
        "no recorded read carries a read budget"
    );
    let (_, headers, _) = arm
        .call(Method::PUT, &rg("a"), Some(json!({ "location": "eastus" })))
        .await;
    assert!(
        headers.contains_key("x-ms-ratelimit-remaining-subscription-writes")
            && headers.contains_key("x-ms-ratelimit-remaining-subscription-global-writes"),
        "{headers:?}"
    );
}

#[tokio::test]
async fn resource_groups_create_update_refuse_moves_and_delete_asynchronously() {
    // The group's delete lasts long enough (a fortieth of Azure's) that the second DELETE below
    // finds it still going on a busy machine: at `fast()` it ended in 5 ms and raced the test.
    let arm = Arm::start(Config {
        latency_scale: 0.025,
        ..Config::default()
    })
    .await;
    let (status, _, body) = arm
        .put(
            &rg("Demo"),
            json!({ "location": "East US", "tags": { "a": "b" } }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["location"], "eastus");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    let (status, _, _) = arm.put(&rg("demo"), json!({ "location": "eastus" })).await;
    assert_eq!(status, 200, "names are case-insensitive");
    let (status, _, body) = arm.put(&rg("demo"), json!({ "location": "westus" })).await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (409, "InvalidResourceGroupLocation")
    );
    let (status, _, body) = arm.put(&rg("bad."), json!({ "location": "eastus" })).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = arm.put(&rg("x"), json!({ "location": "moon" })).await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "LocationNotAvailableForResourceType")
    );

    arm.put(&vnet("demo", "v"), vnet_body("10.1.0.0/16", "10.1.0.0/20"))
        .await;
    let (status, headers, _) = arm.call(Method::DELETE, &rg("demo"), None).await;
    assert_eq!(status, 202);
    let location = headers["location"].to_str().expect("location").to_owned();
    assert!(location.contains("/operationresults/"));
    assert!(
        !headers.contains_key("retry-after") && !headers.contains_key("azure-asyncoperation"),
        "a group's delete announces its Location only (resource-group #0)"
    );
    let (again, headers, _) = arm.call(Method::DELETE, &rg("demo"), None).await;
    assert_eq!(
        (again.as_u16(), headers["location"].to_str().ok()),
        (202, Some(location.as_str())),
        "a delete already going is announced again, the same operation"
    );
    let mut last = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        last = arm.get(&location).await.0.as_u16();
        if last != 202 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        last, 200,
        "the poll ends 200 with an empty body (resource-group #4)"
    );
    let (status, body) = arm.get(&rg("demo")).await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (404, "ResourceGroupNotFound")
    );
    assert!(
        arm.emulator.resource_ids().is_empty(),
        "the delete cascaded"
    );
}

#[tokio::test]
async fn virtual_networks_validate_cidrs_and_lock_during_writes() {
    let arm = Arm::start(Config {
        latency_scale: 1.0,
        ..Config::default()
    })
    .await;
    arm.put(&rg("net"), json!({ "location": "eastus" })).await;
    let (status, _, body) = arm
        .put(&vnet("net", "v"), vnet_body("10.1.0.0/16", "10.2.0.0/24"))
        .await;
    assert_eq!((status.as_u16(), code(&body)), (400, "NetcfgInvalidSubnet"));
    let (status, _, body) = arm
        .put(&vnet("net", "v"), vnet_body("10.1.0.0/33", "10.1.0.0/24"))
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "InvalidAddressPrefixFormat")
    );
    let (status, headers, body) = arm
        .put(&vnet("net", "v"), vnet_body("10.1.0.0/16", "10.1.0.0/24"))
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["properties"]["provisioningState"], "Updating");
    assert!(
        headers["azure-asyncoperation"]
            .to_str()
            .expect("header")
            .contains("/providers/Microsoft.Network/locations/eastus/operations/")
    );
    let (status, _, body) = arm
        .put(&vnet("net", "v"), vnet_body("10.1.0.0/16", "10.1.0.0/24"))
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (409, "AnotherOperationInProgress"),
        "a second write while the first runs"
    );
    let (status, body) = arm.get(&vnet("net", "missing")).await;
    assert_eq!((status.as_u16(), code(&body)), (404, "ResourceNotFound"));
}

async fn two_vnets(arm: &Arm, b_cidr: &str) -> (String, String) {
    arm.put(&rg("p"), json!({ "location": "eastus" })).await;
    let (_, ha, a) = arm
        .put(&vnet("p", "a"), vnet_body("10.1.0.0/16", "10.1.0.0/24"))
        .await;
    let (_, hb, b) = arm
        .put(
            &vnet("p", "b"),
            vnet_body(b_cidr, &b_cidr.replace("/16", "/24")),
        )
        .await;
    arm.wait(ha["azure-asyncoperation"].to_str().expect("a"))
        .await;
    arm.wait(hb["azure-asyncoperation"].to_str().expect("b"))
        .await;
    (
        a["id"].as_str().expect("id").to_owned(),
        b["id"].as_str().expect("id").to_owned(),
    )
}

fn peering(vnet_id: &str, name: &str) -> String {
    format!("{vnet_id}/virtualNetworkPeerings/{name}?api-version=2024-03-01")
}

#[tokio::test]
async fn peerings_connect_when_both_sides_exist_and_disconnect_when_one_goes() {
    let arm = Arm::start(fast()).await;
    let (a, b) = two_vnets(&arm, "10.2.0.0/16").await;
    let (status, h, body) = arm
        .put(
            &peering(&a, "a-b"),
            json!({ "properties": { "remoteVirtualNetwork": { "id": b } } }),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["properties"]["peeringState"], "Initiated");
    assert_eq!(
        arm.wait(h["azure-asyncoperation"].to_str().expect("op"))
            .await["status"],
        "Succeeded"
    );
    assert_eq!(
        arm.get(&peering(&a, "a-b")).await.1["properties"]["peeringState"],
        "Initiated"
    );
    let (_, h, _) = arm
        .put(
            &peering(&b, "b-a"),
            json!({ "properties": { "remoteVirtualNetwork": { "id": a } } }),
        )
        .await;
    arm.wait(h["azure-asyncoperation"].to_str().expect("op"))
        .await;
    assert_eq!(
        arm.get(&peering(&a, "a-b")).await.1["properties"]["peeringState"],
        "Connected"
    );
    assert_eq!(
        arm.get(&peering(&b, "b-a")).await.1["properties"]["peeringState"],
        "Connected"
    );
    let (status, h, _) = arm.call(Method::DELETE, &peering(&b, "b-a"), None).await;
    assert_eq!(status, 202);
    let poll = h["location"].to_str().expect("location").to_owned();
    for _ in 0..200 {
        if arm.get(&poll).await.0 != 202 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        arm.get(&peering(&a, "a-b")).await.1["properties"]["peeringState"],
        "Disconnected"
    );

    // As Azure does: the other side cannot be made again while this one is Disconnected; re-PUT
    // brings it back to Initiated, and then the pair connects.
    let remote = json!({ "properties": { "remoteVirtualNetwork": { "id": a } } });
    let (status, _, error) = arm.put(&peering(&b, "b-a"), remote.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "RemotePeeringIsDisconnected");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Update or re-create the remote peering")),
        "{error}"
    );
    let (status, h, body) = arm
        .put(
            &peering(&a, "a-b"),
            json!({ "properties": { "remoteVirtualNetwork": { "id": b } } }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["properties"]["peeringState"], "Initiated");
    arm.wait(h["azure-asyncoperation"].to_str().expect("op"))
        .await;
    let (status, h, _) = arm.put(&peering(&b, "b-a"), remote).await;
    assert_eq!(status, 201);
    arm.wait(h["azure-asyncoperation"].to_str().expect("op"))
        .await;
    for side in [peering(&a, "a-b"), peering(&b, "b-a")] {
        assert_eq!(
            arm.get(&side).await.1["properties"]["peeringState"],
            "Connected"
        );
    }
}

#[tokio::test]
async fn peering_refuses_overlaps_and_remotes_being_written() {
    let arm = Arm::start(fast()).await;
    let (a, b) = two_vnets(&arm, "10.1.0.0/16").await;
    let (status, _, body) = arm
        .put(
            &peering(&a, "a-b"),
            json!({ "properties": { "remoteVirtualNetwork": { "id": b } } }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "VnetAddressSpacesOverlap")
    );

    let slow = Arm::start(Config {
        latency_scale: 1.0,
        ..Config::default()
    })
    .await;
    slow.put(&rg("p"), json!({ "location": "eastus" })).await;
    let (_, _, a) = slow
        .put(&vnet("p", "a"), vnet_body("10.1.0.0/16", "10.1.0.0/24"))
        .await;
    let (_, _, b) = slow
        .put(&vnet("p", "b"), vnet_body("10.2.0.0/16", "10.2.0.0/24"))
        .await;
    let (status, _, body) = slow
        .put(
            &peering(a["id"].as_str().expect("id"), "a-b"),
            json!({ "properties": { "remoteVirtualNetwork": { "id": b["id"] } } }),
        )
        .await;
    assert_eq!(status, 409, "the local VNet is still being written: {body}");
    assert_eq!(code(&body), "AnotherOperationInProgress");

    // A subnet write holds the remote VNet in Updating: a peering to it is refused until it finishes.
    let mut latencies = arm_emulator::default_latencies();
    latencies.insert("virtualNetwork.put".into(), 1);
    latencies.insert("subnet.put".into(), 60_000);
    let arm = Arm::start(Config {
        latency_scale: 1.0,
        latencies,
        ..Config::default()
    })
    .await;
    let (a, b) = two_vnets(&arm, "10.2.0.0/16").await;
    let subnet = format!(
        "{}/subnets/extra?api-version=2024-03-01",
        b.trim_end_matches('/')
    );
    let (status, _, _) = arm
        .put(
            &subnet,
            json!({ "properties": { "addressPrefix": "10.2.1.0/24" } }),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _, body) = arm
        .put(
            &peering(&a, "a-b"),
            json!({ "properties": { "remoteVirtualNetwork": { "id": b } } }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "ReferencedResourceNotProvisioned")
    );
}

fn cluster(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}?api-version=2024-09-01"
    )
}

fn cluster_body(lb: &str) -> Value {
    json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": {
        "dnsPrefix": "demo", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 3, "vmSize": "Standard_D4ds_v5" }],
        "networkProfile": { "loadBalancerSku": lb } } })
}

#[tokio::test]
async fn managed_clusters_are_long_running_with_read_only_properties() {
    let arm = Arm::start(fast()).await;
    arm.put(&rg("k"), json!({ "location": "eastus" })).await;
    let (status, _, body) = arm.put(&cluster("k", "c"), cluster_body("basic")).await;
    assert_eq!((status.as_u16(), code(&body)), (400, "InvalidParameter"));
    assert_eq!(
        (&body["target"], &body["subcode"]),
        (&json!("networkProfile.loadBalancerSku"), &json!("")),
        "AKS's own flat envelope (Azure/AKS-Construction #701): {body}"
    );
    let (status, h, body) = arm.put(&cluster("k", "c"), cluster_body("standard")).await;
    assert_eq!(status, 201);
    assert_eq!(body["properties"]["provisioningState"], "Creating");
    assert_eq!(
        arm.wait(h["azure-asyncoperation"].to_str().expect("op"))
            .await["status"],
        "Succeeded"
    );
    let (_, c) = arm.get(&cluster("k", "c")).await;
    assert!(
        c["properties"]["fqdn"]
            .as_str()
            .is_some_and(|f| f.starts_with("demo-") && f.ends_with(".hcp.eastus.azmk8s.io"))
    );
    assert_eq!(c["properties"]["nodeResourceGroup"], "MC_k_c_eastus");
    assert!(c["properties"]["identityProfile"]["kubeletidentity"]["objectId"].is_string());
    assert!(c["identity"]["principalId"].is_string());
    let mut moved = cluster_body("standard");
    moved["properties"]["dnsPrefix"] = "other".into();
    let (status, _, body) = arm.put(&cluster("k", "c"), moved).await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (400, "PropertyChangeNotAllowed")
    );

    let (status, h, _) = arm.call(Method::DELETE, &cluster("k", "c"), None).await;
    assert_eq!(status, 202);
    assert!(
        h["location"]
            .to_str()
            .expect("location")
            .contains("/providers/Microsoft.ContainerService/locations/eastus/operationresults/")
    );
    arm.wait(h["azure-asyncoperation"].to_str().expect("op"))
        .await;
    assert_eq!(arm.get(&cluster("k", "c")).await.0, 404);
    assert_eq!(
        arm.call(Method::DELETE, &cluster("k", "c"), None).await.0,
        204,
        "deleting what is gone is 204"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("arm-emulator-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = Config {
        state_path: Some(dir.join("state.json")),
        ..fast()
    };
    let mut first = Arm::start(config.clone()).await;
    first
        .put(&rg("keep"), json!({ "location": "eastus" }))
        .await;
    first.emulator.stop();
    let second = Emulator::start(config).await.expect("restarts");
    assert_eq!(
        second.ca_certificate_pem(),
        first.emulator.ca_certificate_pem(),
        "the certificate is kept too"
    );
    assert!(
        second
            .resource_ids()
            .iter()
            .any(|id| id.ends_with("/resourceGroups/keep"))
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after() {
    let throttle = Throttle {
        read_burst: 3.0,
        read_per_sec: 0.5,
        ..Throttle::default()
    };
    let arm = Arm::start(Config {
        throttle: Some(throttle),
        ..fast()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let (s, h, b) = arm.call(Method::GET, &rg("none"), None).await;
        if s == 429 {
            assert!(h.contains_key("retry-after"));
            assert_eq!(code(&b), "SubscriptionRequestsThrottled");
        }
        statuses.push(s.as_u16());
    }
    assert_eq!(statuses, [404, 404, 404, 429, 429]);
}

#[tokio::test]
async fn injected_faults_answer_or_fail_the_operation() {
    let arm = Arm::start(fast()).await;
    arm.emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "resourcegroups/f".into(),
        action: FaultAction::Respond {
            status: 503,
            code: "ServiceUnavailable".into(),
            retry_after: Some(1),
        },
        remaining: 1,
    });
    let (status, h, _) = arm.put(&rg("f"), json!({ "location": "eastus" })).await;
    assert_eq!(status, 503);
    assert_eq!(h["retry-after"], "1");
    assert_eq!(
        arm.put(&rg("f"), json!({ "location": "eastus" })).await.0,
        201,
        "the fault is spent"
    );
    arm.emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "virtualNetworks/v".into(),
        action: FaultAction::FailAsync {
            code: "InternalServerError".into(),
            message: "boom".into(),
        },
        remaining: 1,
    });
    let (status, h, _) = arm
        .put(&vnet("f", "v"), vnet_body("10.1.0.0/16", "10.1.0.0/24"))
        .await;
    assert_eq!(status, 201);
    let doc = arm
        .wait(h["azure-asyncoperation"].to_str().expect("op"))
        .await;
    assert_eq!(doc["status"], "Failed");
    assert_eq!(doc["error"]["code"], "InternalServerError");
    assert_eq!(
        arm.get(&vnet("f", "v")).await.1["properties"]["provisioningState"],
        "Failed"
    );
}

#[tokio::test]
async fn locations_report_paired_regions() {
    let arm = Arm::start(fast()).await;
    let (status, body) = arm
        .get(&format!(
            "/subscriptions/{SUB}/locations?api-version=2022-12-01"
        ))
        .await;
    assert_eq!(status, 200);
    let eastus = body["value"]
        .as_array()
        .expect("list")
        .iter()
        .find(|l| l["name"] == "eastus")
        .expect("eastus")
        .clone();
    assert_eq!(eastus["displayName"], "East US");
    assert_eq!(eastus["metadata"]["pairedRegion"][0]["name"], "westus");
    let (_, aks) = arm
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.ContainerService?api-version=2024-03-01"
        ))
        .await;
    let locations = aks["resourceTypes"][0]["locations"]
        .as_array()
        .expect("locations");
    assert!(
        locations.iter().any(|l| l == "East US") && !locations.iter().any(|l| l == "France South")
    );
}

//! Raw HTTPS against the emulator for global routing: Standard static public IPs with DNS labels,
//! Traffic Manager profiles and endpoints with their routing-method rules, and role assignments with
//! Azure's conflicts. Every answer is checked against the real spec of its operation.

mod support;

use arm_emulator::Config;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast, rg_path};

fn ip_path(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/publicIPAddresses/{name}?api-version=2024-03-01"
    )
}

fn ip_body(label: Option<&str>, allocation: &str) -> Value {
    let mut b = json!({ "location": "eastus", "sku": { "name": "Standard", "tier": "Regional" }, "properties": { "publicIPAllocationMethod": allocation } });
    if let Some(l) = label {
        b["properties"]["dnsSettings"] = json!({ "domainNameLabel": l });
    }
    b
}

fn tm_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Network/trafficmanagerprofiles/{name}?api-version=2022-04-01"
    )
}

fn ep_path(profile: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Network/trafficmanagerprofiles/{profile}/azureEndpoints/{name}?api-version=2022-04-01"
    )
}

fn profile_body(method: &str, relative: &str) -> Value {
    json!({ "location": "global", "properties": { "trafficRoutingMethod": method, "dnsConfig": { "relativeName": relative, "ttl": 30 },
        "monitorConfig": { "protocol": "HTTPS", "port": 443, "path": "/healthz" } } })
}

#[tokio::test]
async fn public_ips_are_static_standard_with_unique_dns_labels() {
    let arm = Arm::start(fast()).await;
    arm.group("r").await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("r", "dyn"),
            Some(ip_body(None, "Dynamic")),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (400, "StandardSkuPublicIPAddressesMustBeStatic")
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("r", "bad"),
            Some(ip_body(Some("Bad_Label"), "Static")),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidDomainNameLabel"));
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("r", "a"),
            Some(ip_body(Some("shop-eastus"), "Static")),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(b["properties"]["provisioningState"], "Updating");
    arm.settle().await;
    let (_, b) = arm.req(Method::GET, &ip_path("r", "a"), None).await;
    assert_eq!(
        b["properties"]["dnsSettings"]["fqdn"],
        "shop-eastus.eastus.cloudapp.azure.com"
    );
    assert!(
        b["properties"]["ipAddress"]
            .as_str()
            .is_some_and(|a| a.split('.').count() == 4)
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &ip_path("r", "b"),
            Some(ip_body(Some("shop-eastus"), "Static")),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "DnsRecordInUse"));
}

#[tokio::test]
async fn a_locked_ip_answers_429_retryable_not_throttled() {
    // Azure-like times: the IP's write runs for seconds, so the second write finds it locked.
    let arm = Arm::start(Config {
        latency_scale: 1.0,
        ..Config::default()
    })
    .await;
    arm.group("r").await;
    let (s, _, _) = arm
        .put(&ip_path("r", "a"), ip_body(Some("shop-eastus"), "Static"))
        .await;
    assert_eq!(s, 201);
    let (s, h, b) = arm
        .put(&ip_path("r", "a"), ip_body(Some("shop-eastus"), "Static"))
        .await;
    assert_eq!(
        (s.as_u16(), code(&b)),
        (429, "RetryableError"),
        "the Network RP answers a lock so, not as throttling"
    );
    assert_eq!(
        b["error"]["details"][0]["code"], "RetryableErrorDueToAnotherOperation",
        "{b}"
    );
    assert!(h.contains_key("retry-after"), "{h:?}");
}

#[tokio::test]
async fn traffic_manager_enforces_routing_rules_and_dns_names() {
    // Probing intervals of 120 ms: long enough that the checks right after a write still see it
    // being checked on a loaded machine.
    let arm = Arm::start(Config {
        latency_scale: 0.004,
        ..fast()
    })
    .await;
    for (rg, location) in [("g", "eastus"), ("r", "eastus")] {
        arm.req(
            Method::PUT,
            &rg_path(rg),
            Some(json!({ "location": location })),
        )
        .await;
    }
    arm.req(
        Method::PUT,
        &ip_path("r", "named"),
        Some(ip_body(Some("shop-a"), "Static")),
    )
    .await;
    arm.req(
        Method::PUT,
        &ip_path("r", "named2"),
        Some(ip_body(Some("shop-b"), "Static")),
    )
    .await;
    arm.req(
        Method::PUT,
        &ip_path("r", "nameless"),
        Some(ip_body(None, "Static")),
    )
    .await;
    arm.settle().await;
    let ip = |n: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/{n}"
        )
    };

    let mut regional = profile_body("Priority", "shop");
    regional["location"] = json!("eastus");
    assert_eq!(
        arm.req(Method::PUT, &tm_path("p"), Some(regional)).await.0,
        400,
        "profiles live in 'global'"
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &tm_path("p"),
            Some(profile_body("Priority", "shop")),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["properties"]["dnsConfig"]["fqdn"],
        "shop.trafficmanager.net"
    );
    assert_eq!(
        arm.req(
            Method::PUT,
            &tm_path("other"),
            Some(profile_body("Priority", "shop"))
        )
        .await
        .0,
        409,
        "DNS names are global"
    );

    let ep = |target: String, priority: i64, status: &str| json!({ "properties": { "targetResourceId": target, "endpointStatus": status, "priority": priority } });
    let (s, b) = arm
        .req(
            Method::PUT,
            &ep_path("p", "nameless"),
            Some(ep(ip("nameless"), 1, "Enabled")),
        )
        .await;
    assert_eq!(
        s, 400,
        "an IP without a DNS name cannot be an Azure endpoint: {b}"
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &ep_path("p", "eastus"),
            Some(ep(ip("named"), 1, "Enabled")),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["properties"]["target"],
        "shop-a.eastus.cloudapp.azure.com"
    );
    assert_eq!(b["properties"]["endpointLocation"], "East US");
    let (s, _) = arm
        .req(
            Method::PUT,
            &ep_path("p", "westus"),
            Some(ep(ip("named2"), 1, "Disabled")),
        )
        .await;
    assert_eq!(s, 400, "priorities are unique");
    let (s, b) = arm
        .req(
            Method::PUT,
            &ep_path("p", "westus"),
            Some(ep(ip("named2"), 2, "Disabled")),
        )
        .await;
    assert_eq!(
        (s, b["properties"]["endpointMonitorStatus"].as_str()),
        (201, Some("Disabled"))
    );
    let (_, profile) = arm.req(Method::GET, &tm_path("p"), None).await;
    assert_eq!(
        profile["properties"]["endpoints"].as_array().map(Vec::len),
        Some(2)
    );
    // Checked until its first probe, one interval after the write (traffic-manager #7, #11), then
    // online.
    assert_eq!(
        profile["properties"]["monitorConfig"]["profileMonitorStatus"],
        "CheckingEndpoints"
    );
    let mut status = String::new();
    for _ in 0..200 {
        let (_, profile) = arm.req(Method::GET, &tm_path("p"), None).await;
        status = profile["properties"]["monitorConfig"]["profileMonitorStatus"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if status == "Online" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(status, "Online");

    arm.req(
        Method::PUT,
        &tm_path("geo"),
        Some(profile_body("Geographic", "shop-geo")),
    )
    .await;
    let geo = |target: String, codes: Value| json!({ "properties": { "targetResourceId": target, "geoMapping": codes } });
    assert_eq!(
        arm.req(
            Method::PUT,
            &ep_path("geo", "a"),
            Some(geo(ip("named"), json!([])))
        )
        .await
        .0,
        400,
        "geographic endpoints need a mapping"
    );
    assert_eq!(
        arm.req(
            Method::PUT,
            &ep_path("geo", "a"),
            Some(geo(ip("named"), json!(["GEO-EU", "WORLD"])))
        )
        .await
        .0,
        201
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &ep_path("geo", "b"),
            Some(geo(ip("named2"), json!(["GEO-EU"]))),
        )
        .await;
    assert!(
        s == 400
            && b["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("already mapped")),
        "a region maps to one endpoint: {b}"
    );

    assert_eq!(
        arm.req(Method::DELETE, &ep_path("p", "westus"), None)
            .await
            .0,
        200
    );
    assert_eq!(arm.req(Method::DELETE, &tm_path("p"), None).await.0, 200);
    assert_eq!(arm.req(Method::DELETE, &tm_path("p"), None).await.0, 204);
}

#[tokio::test]
async fn traffic_manager_probes_send_headers_and_accept_status_ranges() {
    let arm = Arm::start(fast()).await;
    arm.group("g").await;
    let mut body = profile_body("Priority", "probes-7f3a");
    body["properties"]["monitorConfig"]["customHeaders"] =
        json!([{ "name": "Host", "value": "shop.example.com" }]);
    body["properties"]["monitorConfig"]["expectedStatusCodeRanges"] =
        json!([{ "min": 200, "max": 299 }, { "min": 301, "max": 301 }]);
    let (s, b) = arm
        .req(Method::PUT, &tm_path("p"), Some(body.clone()))
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["properties"]["monitorConfig"]["customHeaders"][0]["value"],
        "shop.example.com"
    );
    assert_eq!(
        b["properties"]["monitorConfig"]["expectedStatusCodeRanges"][1]["min"],
        301
    );
    for (key, value) in [
        (
            "expectedStatusCodeRanges",
            json!([{ "min": 299, "max": 200 }]),
        ),
        ("customHeaders", json!([{ "name": "", "value": "x" }])),
        (
            "customHeaders",
            json!(
                (0..9)
                    .map(|i| json!({ "name": format!("h{i}"), "value": "v" }))
                    .collect::<Vec<_>>()
            ),
        ),
    ] {
        let mut bad = body.clone();
        bad["properties"]["monitorConfig"][key] = value;
        let (s, b) = arm.req(Method::PUT, &tm_path("p"), Some(bad)).await;
        assert_eq!((s, code(&b)), (400, "BadRequest"), "{key}: {b}");
    }
    let mut tcp = body;
    tcp["properties"]["monitorConfig"]["protocol"] = json!("TCP");
    let (s, b) = arm.req(Method::PUT, &tm_path("p"), Some(tcp)).await;
    assert_eq!(s, 400, "a TCP probe has no headers nor status codes: {b}");
}

#[tokio::test]
async fn role_assignments_keep_azures_traps() {
    let arm = Arm::start(fast()).await;
    arm.group("r").await;
    let scope = format!("/subscriptions/{SUB}/resourceGroups/r");
    let path = |name: &str| {
        format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"
        )
    };
    let role = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7"
    );
    let principal = "6f1d1ab9-1f0b-4a3c-9a7e-0b1c2d3e4f50";
    let body = json!({ "properties": { "roleDefinitionId": role, "principalId": principal, "principalType": "ServicePrincipal" } });
    assert_eq!(
        arm.req(Method::PUT, &path("not-a-guid"), Some(body.clone()))
            .await
            .0,
        400
    );
    let first = "0b5a0d2e-3b5c-4d0e-9f1a-2b3c4d5e6f70";
    let (s, b) = arm.req(Method::PUT, &path(first), Some(body.clone())).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["properties"]["scope"], scope);
    assert_eq!(
        arm.req(Method::PUT, &path(first), Some(body.clone()))
            .await
            .0,
        200,
        "the same assignment again is fine"
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &path("1b5a0d2e-3b5c-4d0e-9f1a-2b3c4d5e6f71"),
            Some(body.clone()),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "RoleAssignmentExists"));
    let mut other = body.clone();
    other["properties"]["principalId"] = json!("7f1d1ab9-1f0b-4a3c-9a7e-0b1c2d3e4f51");
    let (s, b) = arm.req(Method::PUT, &path(first), Some(other)).await;
    assert_eq!((s, code(&b)), (409, "RoleAssignmentUpdateNotPermitted"));
    assert_eq!(arm.req(Method::DELETE, &path(first), None).await.0, 200);
    let (s, b) = arm.req(Method::GET, &path(first), None).await;
    assert_eq!((s, code(&b)), (404, "RoleAssignmentNotFound"));
}

#[tokio::test]
async fn a_new_identity_needs_its_principal_type() {
    let mut latencies = arm_emulator::default_latencies();
    latencies.insert("identity.replication".into(), 60_000);
    latencies.insert("managedCluster.put".into(), 1);
    let arm = Arm::start(Config {
        latency_scale: 1.0,
        latencies,
        ..Config::default()
    })
    .await;
    arm.group("r").await;
    let cluster = format!(
        "/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/c?api-version=2024-09-01"
    );
    let body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": { "dnsPrefix": "c", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    let (_, c) = arm.req(Method::PUT, &cluster, Some(body)).await;
    let principal = c["identity"]["principalId"]
        .as_str()
        .expect("principal")
        .to_owned();
    let path = format!(
        "/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.Authorization/roleAssignments/2b5a0d2e-3b5c-4d0e-9f1a-2b3c4d5e6f72?api-version=2022-04-01"
    );
    let role = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7"
    );
    let without = json!({ "properties": { "roleDefinitionId": role, "principalId": principal } });
    let (s, b) = arm.req(Method::PUT, &path, Some(without)).await;
    assert_eq!((s, code(&b)), (400, "PrincipalNotFound"));
    let with = json!({ "properties": { "roleDefinitionId": role, "principalId": principal, "principalType": "ServicePrincipal" } });
    assert_eq!(arm.req(Method::PUT, &path, Some(with)).await.0, 201);
}

/// Traffic Manager DNS names are global: the V2 availability check says whether any profile (in any
/// subscription) answers at `<name>.trafficmanager.net`, case ignored.
#[tokio::test]
async fn traffic_manager_dns_names_are_checked_for_availability() {
    let arm = Arm::start(fast()).await;
    let check = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Network/checkTrafficManagerNameAvailabilityV2?api-version=2022-04-01"
    );
    let ask = json!({ "name": "bcdr-shop", "type": "Microsoft.Network/trafficManagerProfiles" });
    let (status, answer) = arm.req(Method::POST, &check, Some(ask.clone())).await;
    assert_eq!(
        (status, &answer["nameAvailable"]),
        (200, &json!(true)),
        "{answer}"
    );
    arm.group("g").await;
    let (status, body) = arm
        .req(
            Method::PUT,
            &tm_path("theirs"),
            Some(profile_body("Priority", "BCDR-shop")),
        )
        .await;
    assert!(status == 201 || status == 200, "{body}");
    let (_, answer) = arm.req(Method::POST, &check, Some(ask)).await;
    assert_eq!(answer["nameAvailable"], false, "{answer}");
    assert_eq!(answer["reason"], "AlreadyExists");
    let (status, body) = arm
        .req(
            Method::PUT,
            &tm_path("ours"),
            Some(profile_body("Priority", "bcdr-shop")),
        )
        .await;
    assert_eq!((status, code(&body)), (409, "Conflict"), "{body}");
}

//! Raw HTTPS against the emulator for the global resources: Standard static public IPs with DNS
//! labels, Traffic Manager profiles and endpoints with their routing-method rules, role assignments
//! with Azure's conflicts, and geo-replicated container registries. Every answer is checked against the real spec of its operation.

use arm_emulator::{Config, Emulator};
use reqwest::{Client, Method};
use serde_json::{Value, json};
use std::time::Duration;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

struct Arm {
    emulator: Emulator,
    http: Client,
    token: String,
    specs: Option<armspec::Specs>,
}

impl Arm {
    async fn start(config: Config) -> Self {
        let emulator = Emulator::start(config).await.expect("starts");
        let cert =
            reqwest::Certificate::from_pem(emulator.ca_certificate_pem().as_bytes()).expect("pem");
        let http = Client::builder()
            .add_root_certificate(cert)
            .build()
            .expect("client");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", "me"),
            ("client_secret", "s"),
        ];
        let token: Value = http
            .post(format!("{}/t/oauth2/v2.0/token", emulator.endpoint()))
            .form(&form)
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        let specs = armspec::Specs::load("emulator routing responses");
        Self {
            token: token["access_token"].as_str().expect("token").to_owned(),
            emulator,
            http,
            specs,
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        spec: &str,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(
                method.clone(),
                format!("{}{path}", self.emulator.endpoint()),
            )
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(specs) = &self.specs {
            let errors = specs.check_response(
                spec,
                method.as_str(),
                path,
                status,
                (!text.is_empty()).then_some(&body),
            );
            assert!(
                errors.is_empty(),
                "{method} {path} -> {status}: {errors:#?}\n{body:#}"
            );
        }
        (status, body)
    }

    async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or_default()
}

fn rg_path(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version=2024-03-01")
}

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

use armspec::files::{PUBLIC_IP, RESOURCES, ROLE_ASSIGNMENTS, TRAFFIC_MANAGER};

#[tokio::test]
async fn public_ips_are_static_standard_with_unique_dns_labels() {
    let arm = Arm::start(Config {
        latency_scale: 0.0005,
        ..Config::default()
    })
    .await;
    arm.call(
        Method::PUT,
        &rg_path("r"),
        Some(json!({ "location": "eastus" })),
        RESOURCES,
    )
    .await;
    let (s, b) = arm
        .call(
            Method::PUT,
            &ip_path("r", "dyn"),
            Some(ip_body(None, "Dynamic")),
            PUBLIC_IP,
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (400, "StandardSkuPublicIPAddressesMustBeStatic")
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &ip_path("r", "bad"),
            Some(ip_body(Some("Bad_Label"), "Static")),
            PUBLIC_IP,
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidDomainNameLabel"));
    let (s, b) = arm
        .call(
            Method::PUT,
            &ip_path("r", "a"),
            Some(ip_body(Some("shop-eastus"), "Static")),
            PUBLIC_IP,
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(b["properties"]["provisioningState"], "Updating");
    arm.settle().await;
    let (_, b) = arm
        .call(Method::GET, &ip_path("r", "a"), None, PUBLIC_IP)
        .await;
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
        .call(
            Method::PUT,
            &ip_path("r", "b"),
            Some(ip_body(Some("shop-eastus"), "Static")),
            PUBLIC_IP,
        )
        .await;
    assert_eq!((s, code(&b)), (400, "DnsRecordInUse"));
}

#[tokio::test]
async fn traffic_manager_enforces_routing_rules_and_dns_names() {
    let arm = Arm::start(Config {
        latency_scale: 0.0005,
        ..Config::default()
    })
    .await;
    for (rg, location) in [("g", "eastus"), ("r", "eastus")] {
        arm.call(
            Method::PUT,
            &rg_path(rg),
            Some(json!({ "location": location })),
            RESOURCES,
        )
        .await;
    }
    arm.call(
        Method::PUT,
        &ip_path("r", "named"),
        Some(ip_body(Some("shop-a"), "Static")),
        PUBLIC_IP,
    )
    .await;
    arm.call(
        Method::PUT,
        &ip_path("r", "named2"),
        Some(ip_body(Some("shop-b"), "Static")),
        PUBLIC_IP,
    )
    .await;
    arm.call(
        Method::PUT,
        &ip_path("r", "nameless"),
        Some(ip_body(None, "Static")),
        PUBLIC_IP,
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
        arm.call(Method::PUT, &tm_path("p"), Some(regional), TRAFFIC_MANAGER)
            .await
            .0,
        400,
        "profiles live in 'global'"
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &tm_path("p"),
            Some(profile_body("Priority", "shop")),
            TRAFFIC_MANAGER,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["properties"]["dnsConfig"]["fqdn"],
        "shop.trafficmanager.net"
    );
    assert_eq!(
        arm.call(
            Method::PUT,
            &tm_path("other"),
            Some(profile_body("Priority", "shop")),
            TRAFFIC_MANAGER
        )
        .await
        .0,
        409,
        "DNS names are global"
    );

    let ep = |target: String, priority: i64, status: &str| json!({ "properties": { "targetResourceId": target, "endpointStatus": status, "priority": priority } });
    let (s, b) = arm
        .call(
            Method::PUT,
            &ep_path("p", "nameless"),
            Some(ep(ip("nameless"), 1, "Enabled")),
            TRAFFIC_MANAGER,
        )
        .await;
    assert_eq!(
        s, 400,
        "an IP without a DNS name cannot be an Azure endpoint: {b}"
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &ep_path("p", "eastus"),
            Some(ep(ip("named"), 1, "Enabled")),
            TRAFFIC_MANAGER,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(
        b["properties"]["target"],
        "shop-a.eastus.cloudapp.azure.com"
    );
    assert_eq!(b["properties"]["endpointLocation"], "East US");
    let (s, _) = arm
        .call(
            Method::PUT,
            &ep_path("p", "westus"),
            Some(ep(ip("named2"), 1, "Disabled")),
            TRAFFIC_MANAGER,
        )
        .await;
    assert_eq!(s, 400, "priorities are unique");
    let (s, b) = arm
        .call(
            Method::PUT,
            &ep_path("p", "westus"),
            Some(ep(ip("named2"), 2, "Disabled")),
            TRAFFIC_MANAGER,
        )
        .await;
    assert_eq!(
        (s, b["properties"]["endpointMonitorStatus"].as_str()),
        (201, Some("Disabled"))
    );
    let (_, profile) = arm
        .call(Method::GET, &tm_path("p"), None, TRAFFIC_MANAGER)
        .await;
    assert_eq!(
        profile["properties"]["endpoints"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        profile["properties"]["monitorConfig"]["profileMonitorStatus"],
        "Online"
    );

    arm.call(
        Method::PUT,
        &tm_path("geo"),
        Some(profile_body("Geographic", "shop-geo")),
        TRAFFIC_MANAGER,
    )
    .await;
    let geo = |target: String, codes: Value| json!({ "properties": { "targetResourceId": target, "geoMapping": codes } });
    assert_eq!(
        arm.call(
            Method::PUT,
            &ep_path("geo", "a"),
            Some(geo(ip("named"), json!([]))),
            TRAFFIC_MANAGER
        )
        .await
        .0,
        400,
        "geographic endpoints need a mapping"
    );
    assert_eq!(
        arm.call(
            Method::PUT,
            &ep_path("geo", "a"),
            Some(geo(ip("named"), json!(["GEO-EU", "WORLD"]))),
            TRAFFIC_MANAGER
        )
        .await
        .0,
        201
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &ep_path("geo", "b"),
            Some(geo(ip("named2"), json!(["GEO-EU"]))),
            TRAFFIC_MANAGER,
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
        arm.call(
            Method::DELETE,
            &ep_path("p", "westus"),
            None,
            TRAFFIC_MANAGER
        )
        .await
        .0,
        200
    );
    assert_eq!(
        arm.call(Method::DELETE, &tm_path("p"), None, TRAFFIC_MANAGER)
            .await
            .0,
        200
    );
    assert_eq!(
        arm.call(Method::DELETE, &tm_path("p"), None, TRAFFIC_MANAGER)
            .await
            .0,
        204
    );
}

#[tokio::test]
async fn role_assignments_keep_azures_traps() {
    let arm = Arm::start(Config {
        latency_scale: 0.0005,
        ..Config::default()
    })
    .await;
    arm.call(
        Method::PUT,
        &rg_path("r"),
        Some(json!({ "location": "eastus" })),
        RESOURCES,
    )
    .await;
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
        arm.call(
            Method::PUT,
            &path("not-a-guid"),
            Some(body.clone()),
            ROLE_ASSIGNMENTS
        )
        .await
        .0,
        400
    );
    let first = "0b5a0d2e-3b5c-4d0e-9f1a-2b3c4d5e6f70";
    let (s, b) = arm
        .call(
            Method::PUT,
            &path(first),
            Some(body.clone()),
            ROLE_ASSIGNMENTS,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["properties"]["scope"], scope);
    assert_eq!(
        arm.call(
            Method::PUT,
            &path(first),
            Some(body.clone()),
            ROLE_ASSIGNMENTS
        )
        .await
        .0,
        200,
        "the same assignment again is fine"
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &path("1b5a0d2e-3b5c-4d0e-9f1a-2b3c4d5e6f71"),
            Some(body.clone()),
            ROLE_ASSIGNMENTS,
        )
        .await;
    assert_eq!((s, code(&b)), (409, "RoleAssignmentExists"));
    let mut other = body.clone();
    other["properties"]["principalId"] = json!("7f1d1ab9-1f0b-4a3c-9a7e-0b1c2d3e4f51");
    let (s, b) = arm
        .call(Method::PUT, &path(first), Some(other), ROLE_ASSIGNMENTS)
        .await;
    assert_eq!((s, code(&b)), (409, "RoleAssignmentUpdateNotPermitted"));
    assert_eq!(
        arm.call(Method::DELETE, &path(first), None, ROLE_ASSIGNMENTS)
            .await
            .0,
        200
    );
    let (s, b) = arm
        .call(Method::GET, &path(first), None, ROLE_ASSIGNMENTS)
        .await;
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
    arm.call(
        Method::PUT,
        &rg_path("r"),
        Some(json!({ "location": "eastus" })),
        RESOURCES,
    )
    .await;
    let cluster = format!(
        "/subscriptions/{SUB}/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/c?api-version=2024-09-01"
    );
    let body = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": { "dnsPrefix": "c", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } });
    let (_, c) = arm
        .call(
            Method::PUT,
            &cluster,
            Some(body),
            armspec::files::MANAGED_CLUSTERS,
        )
        .await;
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
    let (s, b) = arm
        .call(Method::PUT, &path, Some(without), ROLE_ASSIGNMENTS)
        .await;
    assert_eq!((s, code(&b)), (400, "PrincipalNotFound"));
    let with = json!({ "properties": { "roleDefinitionId": role, "principalId": principal, "principalType": "ServicePrincipal" } });
    assert_eq!(
        arm.call(Method::PUT, &path, Some(with), ROLE_ASSIGNMENTS)
            .await
            .0,
        201
    );
}

fn acr_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/{name}?api-version=2023-07-01"
    )
}

fn replica_path(registry: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/{registry}/replications/{name}?api-version=2023-07-01"
    )
}

#[tokio::test]
async fn registries_are_unique_and_replicate_only_on_premium() {
    use armspec::files::CONTAINER_REGISTRY as ACR;
    let arm = Arm::start(Config {
        latency_scale: 0.0005,
        ..Config::default()
    })
    .await;
    arm.call(
        Method::PUT,
        &rg_path("g"),
        Some(json!({ "location": "eastus" })),
        RESOURCES,
    )
    .await;
    assert_eq!(
        arm.call(
            Method::PUT,
            &acr_path("bad-name"),
            Some(json!({ "location": "eastus", "sku": { "name": "Premium" } })),
            ACR
        )
        .await
        .0,
        400
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &acr_path("shopacr01"),
            Some(json!({ "location": "eastus", "sku": { "name": "Standard" } })),
            ACR,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["properties"]["loginServer"], "shopacr01.azurecr.io");
    arm.settle().await;
    let check = format!(
        "/subscriptions/{SUB}/providers/Microsoft.ContainerRegistry/checkNameAvailability?api-version=2023-07-01"
    );
    let (s, b) = arm
        .call(
            Method::POST,
            &check,
            Some(json!({ "name": "shopacr01", "type": "Microsoft.ContainerRegistry/registries" })),
            ACR,
        )
        .await;
    assert_eq!(
        (s, b["nameAvailable"].as_bool(), b["reason"].as_str()),
        (200, Some(false), Some("AlreadyExists"))
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &replica_path("shopacr01", "westus"),
            Some(json!({ "location": "westus" })),
            ACR,
        )
        .await;
    assert_eq!(s, 400, "Standard registries do not replicate: {b}");
    let (s, _) = arm
        .call(
            Method::PUT,
            &acr_path("shopacr01"),
            Some(json!({ "location": "eastus", "sku": { "name": "Premium" } })),
            ACR,
        )
        .await;
    assert_eq!(s, 200);
    arm.settle().await;
    let (s, b) = arm
        .call(
            Method::PUT,
            &replica_path("shopacr01", "westus"),
            Some(json!({ "location": "westus" })),
            ACR,
        )
        .await;
    assert_eq!(
        (s, b["properties"]["provisioningState"].as_str()),
        (201, Some("Creating"))
    );
    let (s, _) = arm
        .call(
            Method::PUT,
            &replica_path("shopacr01", "eastus"),
            Some(json!({ "location": "eastus" })),
            ACR,
        )
        .await;
    assert_eq!(
        s, 201,
        "Azure accepts a replica in the home region; not asking for one is the client's job"
    );
    arm.settle().await;
    assert_eq!(
        arm.call(Method::GET, &replica_path("shopacr01", "westus"), None, ACR)
            .await
            .1["properties"]["provisioningState"],
        "Succeeded"
    );
    assert_eq!(
        arm.call(Method::DELETE, &acr_path("shopacr01"), None, ACR)
            .await
            .0,
        202
    );
    arm.settle().await;
    assert_eq!(
        arm.call(Method::GET, &replica_path("shopacr01", "westus"), None, ACR)
            .await
            .0,
        404,
        "replicas go with their registry"
    );
}

#[tokio::test]
async fn storage_accounts_answer_202_without_a_body_and_report_their_paired_secondary() {
    use armspec::files::STORAGE;
    let arm = Arm::start(Config {
        latency_scale: 0.0005,
        ..Config::default()
    })
    .await;
    arm.call(
        Method::PUT,
        &rg_path("g"),
        Some(json!({ "location": "eastus" })),
        RESOURCES,
    )
    .await;
    let account = |name: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/{name}?api-version=2023-05-01"
        )
    };
    let body =
        json!({ "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_GRS" } });
    let (s, b) = arm
        .call(
            Method::PUT,
            &account("Bad_Name"),
            Some(body.clone()),
            STORAGE,
        )
        .await;
    assert_eq!((s, code(&b)), (400, "AccountNameInvalid"));
    let (s, b) = arm
        .call(
            Method::PUT,
            &account("shopbackup01"),
            Some(body.clone()),
            STORAGE,
        )
        .await;
    assert_eq!(
        (s, b),
        (202, Value::Null),
        "accepted, no body: the spec's 202"
    );
    arm.settle().await;
    let (s, b) = arm
        .call(Method::GET, &account("shopbackup01"), None, STORAGE)
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            b["properties"]["primaryLocation"].as_str(),
            b["properties"]["secondaryLocation"].as_str()
        ),
        (Some("eastus"), Some("westus")),
        "GRS replicates to the pair"
    );
    let (s, b) = arm
        .call(
            Method::PUT,
            &account("shopbackup01"),
            Some(body.clone()),
            STORAGE,
        )
        .await;
    assert_eq!(
        (s, b["name"].as_str()),
        (200, Some("shopbackup01")),
        "an unchanged account answers 200 at once"
    );
    let container = format!(
        "/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/shopbackup01/blobServices/default/containers/velero-eastus?api-version=2023-05-01"
    );
    let resp = arm
        .http
        .put(format!("{}{container}", arm.emulator.endpoint()))
        .bearer_auth(&arm.token)
        .json(&json!({ "properties": { "publicAccess": "None" } }))
        .send()
        .await
        .expect("put");
    assert_eq!(
        resp.status(),
        201,
        "containers are synchronous (their spec, blob.json, is not among the pinned files)"
    );
    assert_eq!(
        arm.call(Method::DELETE, &account("shopbackup01"), None, STORAGE)
            .await
            .0,
        200
    );
    assert_eq!(
        arm.call(Method::DELETE, &account("shopbackup01"), None, STORAGE)
            .await
            .0,
        204,
        "204: the account did not exist"
    );
}

#[tokio::test]
async fn front_door_profiles_endpoints_origins_and_routes() {
    use armspec::files::{CDN_PROFILES, FRONT_DOOR};
    let arm = Arm::start(Config {
        latency_scale: 0.0005,
        ..Config::default()
    })
    .await;
    arm.call(
        Method::PUT,
        &rg_path("g"),
        Some(json!({ "location": "eastus" })),
        RESOURCES,
    )
    .await;
    let base = format!("/subscriptions/{SUB}/resourceGroups/g/providers/Microsoft.Cdn/profiles/fd");
    let at = |rest: &str| format!("{base}{rest}?api-version=2024-09-01");
    let (s, b) = arm
        .call(
            Method::PUT,
            &at(""),
            Some(json!({ "location": "global", "sku": { "name": "Premium_AzureFrontDoor" } })),
            CDN_PROFILES,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    arm.settle().await;
    let (s, _) = arm
        .call(
            Method::PUT,
            &at("/originGroups/g1/origins/o1"),
            Some(json!({ "properties": { "hostName": "a.example.com" } })),
            FRONT_DOOR,
        )
        .await;
    assert_eq!(s, 404, "an origin needs its group");
    let (s, b) = arm
        .call(
            Method::PUT,
            &at("/afdEndpoints/shop"),
            Some(json!({ "location": "global", "properties": { "enabledState": "Enabled" } })),
            FRONT_DOOR,
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert!(
        b["properties"]["hostName"]
            .as_str()
            .is_some_and(|h| h.starts_with("shop-") && h.ends_with(".z01.azurefd.net"))
    );
    let probe = json!({ "probePath": "/healthz", "probeProtocol": "Https", "probeRequestType": "HEAD", "probeIntervalInSeconds": 30 });
    let (s, _) = arm.call(Method::PUT, &at("/originGroups/g1"), Some(json!({ "properties": { "healthProbeSettings": probe, "sessionAffinityState": "Enabled" } })), FRONT_DOOR).await;
    assert_eq!(s, 201);
    arm.settle().await;
    let (s, b) = arm.call(Method::PUT, &at("/originGroups/g1/origins/eastus"), Some(json!({ "properties": { "hostName": "shop-eastus.eastus.cloudapp.azure.com", "enabledState": "Disabled", "priority": 9 } })), FRONT_DOOR).await;
    assert_eq!(s, 400, "priority 1-5: {b}");
    let (s, b) = arm.call(Method::PUT, &at("/originGroups/g1/origins/eastus"), Some(json!({ "properties": { "hostName": "shop-eastus.eastus.cloudapp.azure.com", "enabledState": "Disabled" } })), FRONT_DOOR).await;
    assert_eq!(
        (s, b["properties"]["enabledState"].as_str()),
        (201, Some("Disabled"))
    );
    let group = format!("{base}/origingroups/g1");
    let (s, b) = arm
        .call(
            Method::PUT,
            &at("/afdEndpoints/shop/routes/all"),
            Some(json!({ "properties": { "originGroup": { "id": group } } })),
            FRONT_DOOR,
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        b["properties"]["linkToDefaultDomain"], "Disabled",
        "Azure's default: the route does not serve the azurefd.net host"
    );
    arm.settle().await;
    assert_eq!(
        arm.call(Method::DELETE, &at(""), None, CDN_PROFILES)
            .await
            .0,
        202
    );
    arm.settle().await;
    assert_eq!(
        arm.call(Method::GET, &at("/originGroups/g1"), None, FRONT_DOOR)
            .await
            .0,
        404,
        "children go with the profile"
    );
}

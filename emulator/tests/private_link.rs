//! Raw HTTPS against the emulator for the private network path: private endpoints (their subnet and
//! target must exist, the connection approved at once, an address per name), private DNS zones
//! (location `global`; not deletable while linked), virtual network links (one zone of a name per
//! VNet), zone groups writing and removing A records, and what a VNet then resolves. Private
//! endpoint answers are checked against `privateEndpoint.json` (`conforms`).

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

const API_NET: &str = "2024-03-01";
const API_DNS: &str = "2024-06-01";

fn base(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers")
}

fn vnet_id(rg: &str, name: &str) -> String {
    format!("{}/Microsoft.Network/virtualNetworks/{name}", base(rg))
}

fn zone(rg: &str, zone: &str) -> String {
    format!("{}/Microsoft.Network/privateDnsZones/{zone}", base(rg))
}

fn endpoint(rg: &str, name: &str) -> String {
    format!("{}/Microsoft.Network/privateEndpoints/{name}", base(rg))
}

async fn ok(arm: &Arm, method: Method, path: &str, api: &str, body: Option<Value>) -> Value {
    let (s, b) = arm
        .req(method, &format!("{path}?api-version={api}"), body)
        .await;
    assert!((200..300).contains(&s), "{path}: {s} {b}");
    arm.settle().await;
    b
}

/// A group `rg` with a VNet (an `aks` and a `private-endpoints` subnet), a geo-replicated registry
/// and a storage account.
async fn topology(arm: &Arm, rg: &str) {
    arm.group(rg).await;
    ok(arm, Method::PUT, &vnet_id(rg, "v1"), API_NET, Some(json!({
        "location": "eastus",
        "properties": {
            "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
            "subnets": [
                { "name": "aks", "properties": { "addressPrefix": "10.1.0.0/17" } },
                { "name": "private-endpoints", "properties": { "addressPrefix": "10.1.255.192/26" } },
            ],
        },
    }))).await;
    let acr = format!(
        "{}/Microsoft.ContainerRegistry/registries/shopacr01",
        base(rg)
    );
    ok(
        arm,
        Method::PUT,
        &acr,
        "2023-07-01",
        Some(json!({
            "location": "eastus", "sku": { "name": "Premium" },
            "properties": { "publicNetworkAccess": "Disabled" },
        })),
    )
    .await;
    ok(
        arm,
        Method::PUT,
        &format!("{acr}/replications/westus"),
        "2023-07-01",
        Some(json!({ "location": "westus" })),
    )
    .await;
}

fn pe_body(rg: &str, target: &str, group: &str, subnet: &str) -> Value {
    json!({
        "location": "eastus",
        "properties": {
            "subnet": { "id": format!("{}/subnets/{subnet}", vnet_id(rg, "v1")) },
            "privateLinkServiceConnections": [{
                "name": "c1",
                "properties": { "privateLinkServiceId": target, "groupIds": [group] },
            }],
        },
    })
}

#[tokio::test]
async fn an_endpoint_to_a_geo_replicated_registry_has_an_address_per_name_and_is_approved() {
    let arm = Arm::start(fast()).await;
    topology(&arm, "g").await;
    let acr = format!(
        "{}/Microsoft.ContainerRegistry/registries/shopacr01",
        base("g")
    );
    // Its subnet must exist.
    let (s, b) = arm
        .req(
            Method::PUT,
            &format!("{}?api-version={API_NET}", endpoint("g", "pe")),
            Some(pe_body("g", &acr, "registry", "nope")),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidResourceReference"), "{b}");
    // And the sub-resource must be one the target offers.
    let (s, b) = arm
        .req(
            Method::PUT,
            &format!("{}?api-version={API_NET}", endpoint("g", "pe")),
            Some(pe_body("g", &acr, "blob", "private-endpoints")),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    let (s, _, b) = arm
        .put(
            &format!("{}?api-version={API_NET}", endpoint("g", "pe")),
            pe_body("g", &acr, "registry", "private-endpoints"),
        )
        .await;
    assert_eq!(s, 201, "a Network create: {b}");
    arm.settle().await;
    let pe = ok(&arm, Method::GET, &endpoint("g", "pe"), API_NET, None).await;
    assert_eq!(pe["properties"]["provisioningState"], "Succeeded");
    let state = &pe["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Approved");
    let configs = pe["properties"]["customDnsConfigs"]
        .as_array()
        .expect("configs");
    let fqdns: Vec<&str> = configs.iter().filter_map(|c| c["fqdn"].as_str()).collect();
    assert_eq!(
        fqdns,
        [
            "shopacr01.azurecr.io",
            "shopacr01.eastus.data.azurecr.io",
            "shopacr01.westus.data.azurecr.io"
        ],
        "the login server and each location's data endpoint"
    );
    let ips: Vec<&str> = configs
        .iter()
        .filter_map(|c| c["ipAddresses"][0].as_str())
        .collect();
    assert_eq!(
        ips,
        ["10.1.255.196", "10.1.255.197", "10.1.255.198"],
        "Azure keeps the first four"
    );
    assert!(
        pe["properties"]["networkInterfaces"][0]["id"]
            .as_str()
            .is_some_and(|n| n.contains("/networkInterfaces/pe.nic."))
    );
    // A subnet holding an endpoint cannot be dropped from its VNet.
    let (s, b) = arm
        .req(Method::PUT, &format!("{}?api-version={API_NET}", vnet_id("g", "v1")), Some(json!({
            "location": "eastus",
            "properties": {
                "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
                "subnets": [{ "name": "aks", "properties": { "addressPrefix": "10.1.0.0/17" } }],
            },
        })))
        .await;
    assert_eq!((s, code(&b)), (400, "InUseSubnetCannotBeDeleted"), "{b}");
}

#[tokio::test]
async fn zone_groups_write_the_records_each_vnet_resolves_through_its_own_zone() {
    let arm = Arm::start(fast()).await;
    topology(&arm, "g").await;
    let acr = format!(
        "{}/Microsoft.ContainerRegistry/registries/shopacr01",
        base("g")
    );
    let z = zone("g", "privatelink.azurecr.io");
    // Zones live in `global`.
    let (s, b) = arm
        .req(
            Method::PUT,
            &format!("{z}?api-version={API_DNS}"),
            Some(json!({ "location": "eastus" })),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    ok(
        &arm,
        Method::PUT,
        &z,
        API_DNS,
        Some(json!({ "location": "global" })),
    )
    .await;
    let link = format!("{z}/virtualNetworkLinks/v1");
    let link_body = json!({ "location": "global", "properties": {
        "virtualNetwork": { "id": vnet_id("g", "v1") }, "registrationEnabled": false } });
    ok(&arm, Method::PUT, &link, API_DNS, Some(link_body.clone())).await;
    let shown = ok(&arm, Method::GET, &link, API_DNS, None).await;
    assert_eq!(shown["properties"]["virtualNetworkLinkState"], "Completed");
    assert_eq!(shown["properties"]["provisioningState"], "Succeeded");
    // A second zone of the same name, in another group, cannot link the same VNet.
    arm.group("other").await;
    let z2 = zone("other", "privatelink.azurecr.io");
    ok(
        &arm,
        Method::PUT,
        &z2,
        API_DNS,
        Some(json!({ "location": "global" })),
    )
    .await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &format!("{z2}/virtualNetworkLinks/v1?api-version={API_DNS}"),
            Some(link_body),
        )
        .await;
    assert_eq!(s, 400, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("overlapping namespaces")),
        "{b}"
    );
    // The endpoint, then its zone group: a zone that does not exist is refused.
    ok(
        &arm,
        Method::PUT,
        &endpoint("g", "pe"),
        API_NET,
        Some(pe_body("g", &acr, "registry", "private-endpoints")),
    )
    .await;
    let group = format!("{}/privateDnsZoneGroups/default", endpoint("g", "pe"));
    let (s, b) = arm
        .req(Method::PUT, &format!("{group}?api-version={API_NET}"), Some(json!({ "properties": {
            "privateDnsZoneConfigs": [{ "name": "x", "properties": { "privateDnsZoneId": zone("g", "privatelink.nope.io") } }] } })))
        .await;
    assert_eq!(s, 400, "{b}");
    let shown = ok(
        &arm,
        Method::PUT,
        &group,
        API_NET,
        Some(json!({ "properties": {
        "privateDnsZoneConfigs": [{ "name": "acr", "properties": { "privateDnsZoneId": z } }] } })),
    )
    .await;
    let records = shown["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"]
        .as_array()
        .expect("recordSets")
        .len();
    assert_eq!(records, 3);
    let a = ok(
        &arm,
        Method::GET,
        &format!("{z}/A/shopacr01"),
        API_DNS,
        None,
    )
    .await;
    assert_eq!(
        a["properties"]["aRecords"],
        json!([{ "ipv4Address": "10.1.255.196" }])
    );
    assert_eq!(a["properties"]["fqdn"], "shopacr01.privatelink.azurecr.io.");
    let vnet = vnet_id("g", "v1");
    assert_eq!(
        arm.emulator.resolve(&vnet, "shopacr01.azurecr.io"),
        Some(vec!["10.1.255.196".to_owned()])
    );
    assert_eq!(
        arm.emulator
            .resolve(&vnet, "shopacr01.westus.data.azurecr.io"),
        Some(vec!["10.1.255.198".to_owned()])
    );
    assert_eq!(
        arm.emulator
            .resolve(&vnet_id("other", "v9"), "shopacr01.azurecr.io"),
        None
    );
    // A linked zone cannot go; once the link and the endpoint are gone, its records went too.
    let (s, b) = arm
        .req(Method::DELETE, &format!("{z}?api-version={API_DNS}"), None)
        .await;
    assert_eq!(s, 400, "{b}");
    ok(&arm, Method::DELETE, &endpoint("g", "pe"), API_NET, None).await;
    arm.gone(&format!("{}?api-version={API_NET}", endpoint("g", "pe")))
        .await;
    let (s, _) = arm
        .req(
            Method::GET,
            &format!("{z}/A/shopacr01?api-version={API_DNS}"),
            None,
        )
        .await;
    assert_eq!(s, 404, "the endpoint's records go with it");
    ok(&arm, Method::DELETE, &link, API_DNS, None).await;
    arm.gone(&format!("{link}?api-version={API_DNS}")).await;
    ok(&arm, Method::DELETE, &z, API_DNS, None).await;
    arm.gone(&format!("{z}?api-version={API_DNS}")).await;
}

#[tokio::test]
async fn registry_and_storage_network_settings_read_back_as_azure_reports_them() {
    let arm = Arm::start(fast()).await;
    topology(&arm, "g").await;
    let acr = ok(
        &arm,
        Method::GET,
        &format!(
            "{}/Microsoft.ContainerRegistry/registries/shopacr01",
            base("g")
        ),
        "2023-07-01",
        None,
    )
    .await;
    assert_eq!(acr["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(
        acr["properties"]["networkRuleSet"]["defaultAction"],
        "Allow"
    );
    assert_eq!(
        acr["properties"]["networkRuleBypassOptions"],
        "AzureServices"
    );
    let account = format!("{}/Microsoft.Storage/storageAccounts/bkshop0001", base("g"));
    ok(
        &arm,
        Method::PUT,
        &account,
        "2023-05-01",
        Some(json!({
            "location": "eastus", "kind": "StorageV2", "sku": { "name": "Standard_RAGRS" },
            "properties": { "networkAcls": { "defaultAction": "Deny", "bypass": "AzureServices" } },
        })),
    )
    .await;
    let shown = ok(&arm, Method::GET, &account, "2023-05-01", None).await;
    assert_eq!(
        shown["properties"]["networkAcls"],
        json!({ "bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Deny" })
    );
    // A blob endpoint's name is the account's blob host.
    ok(
        &arm,
        Method::PUT,
        &endpoint("g", "blob"),
        API_NET,
        Some(pe_body("g", &account, "blob", "private-endpoints")),
    )
    .await;
    let pe = ok(&arm, Method::GET, &endpoint("g", "blob"), API_NET, None).await;
    assert_eq!(
        pe["properties"]["customDnsConfigs"][0]["fqdn"],
        "bkshop0001.blob.core.windows.net"
    );
}

//! What the PostgreSQL tests share: URLs, a two-region topology with delegated subnets and one
//! private DNS zone linked to both VNets, server bodies, and writes followed to their end.

#![allow(dead_code)]

use crate::support::{Arm, SUB};
use reqwest::Method;
use serde_json::{Value, json};

pub const API_PG: &str = "2024-08-01";
pub const API_NET: &str = "2024-03-01";
pub const API_DNS: &str = "2024-06-01";
pub const ZONE: &str = "shop.private.postgres.database.azure.com";
pub const GROUP: &str = "00000000-0000-0000-0000-0000000000a1";

pub fn base(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers")
}

pub fn server(rg: &str, name: &str) -> String {
    format!(
        "{}/Microsoft.DBforPostgreSQL/flexibleServers/{name}",
        base(rg)
    )
}

pub fn vnet(rg: &str) -> String {
    format!("{}/Microsoft.Network/virtualNetworks/vnet", base(rg))
}

pub fn subnet(rg: &str, name: &str) -> String {
    format!("{}/subnets/{name}", vnet(rg))
}

pub fn zone() -> String {
    format!(
        "{}/Microsoft.Network/privateDnsZones/{ZONE}",
        base("g-global")
    )
}

pub fn url(path: &str, api: &str) -> String {
    format!("{path}?api-version={api}")
}

/// A write that must succeed, its operation followed to the end when it runs one.
pub async fn write(
    arm: &Arm,
    method: Method,
    path: &str,
    api: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, headers, body) = arm.call(method, &url(path, api), body).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    if let Some(op) = headers.get("azure-asyncoperation") {
        let doc = arm.wait(op.to_str().expect("header")).await;
        assert_eq!(doc["status"], "Succeeded", "{path}: {doc}");
    } else {
        arm.settle().await;
    }
    (status.as_u16(), body)
}

pub async fn get(arm: &Arm, path: &str) -> (u16, Value) {
    arm.req(Method::GET, &url(path, API_PG), None).await
}

pub async fn group(arm: &Arm, name: &str, location: &str) {
    let (s, b) = arm
        .req(
            Method::PUT,
            &format!("/subscriptions/{SUB}/resourcegroups/{name}?api-version=2024-03-01"),
            Some(json!({ "location": location })),
        )
        .await;
    assert!(s == 200 || s == 201, "{s} {b}");
}

/// Two regions, each a group with a VNet whose `pg` subnet is delegated to flexible servers (the
/// `plain` subnet is not), and a zone in a third region's group linked to both VNets.
pub async fn topology(arm: &Arm) {
    group(arm, "g-global", "centralus").await;
    for (rg, region, space) in [("g-east", "eastus", "10.1"), ("g-west", "westus", "10.2")] {
        group(arm, rg, region).await;
        let body = json!({
            "location": region,
            "properties": {
                "addressSpace": { "addressPrefixes": [format!("{space}.0.0/16")] },
                "subnets": [
                    { "name": "pg", "properties": {
                        "addressPrefix": format!("{space}.8.0/24"),
                        "delegations": [{ "name": "pg", "properties": { "serviceName": "Microsoft.DBforPostgreSQL/flexibleServers" } }],
                    } },
                    { "name": "plain", "properties": { "addressPrefix": format!("{space}.9.0/24") } },
                ],
            },
        });
        write(arm, Method::PUT, &vnet(rg), API_NET, Some(body)).await;
    }
    write(
        arm,
        Method::PUT,
        &zone(),
        API_DNS,
        Some(json!({ "location": "global" })),
    )
    .await;
    for rg in ["g-east", "g-west"] {
        let link = format!("{}/virtualNetworkLinks/{rg}", zone());
        let body = json!({ "location": "global", "properties": { "virtualNetwork": { "id": vnet(rg) }, "registrationEnabled": false } });
        write(arm, Method::PUT, &link, API_DNS, Some(body)).await;
    }
}

pub fn primary_body(tier: &str) -> Value {
    json!({
        "location": "eastus",
        "sku": { "name": if tier == "Burstable" { "Standard_B1ms" } else { "Standard_D2ds_v5" }, "tier": tier },
        "properties": {
            "createMode": "Create",
            "version": "16",
            "storage": { "storageSizeGB": 128 },
            "authConfig": { "activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled" },
            "backup": { "backupRetentionDays": 7, "geoRedundantBackup": "Enabled" },
            "network": {
                "publicNetworkAccess": "Disabled",
                "delegatedSubnetResourceId": subnet("g-east", "pg"),
                "privateDnsZoneArmResourceId": zone(),
            },
        },
    })
}

pub fn replica_body(source: &str) -> Value {
    json!({
        "location": "westus",
        "sku": { "name": "Standard_D2ds_v5", "tier": "GeneralPurpose" },
        "properties": {
            "createMode": "Replica",
            "sourceServerResourceId": source,
            "authConfig": { "activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled" },
            "network": {
                "publicNetworkAccess": "Disabled",
                "delegatedSubnetResourceId": subnet("g-west", "pg"),
                "privateDnsZoneArmResourceId": zone(),
            },
        },
    })
}

/// The topology with a primary in eastus and its replica in westus.
pub async fn primary_and_replica(arm: &Arm) {
    topology(arm).await;
    write(
        arm,
        Method::PUT,
        &server("g-east", "pg-east"),
        API_PG,
        Some(primary_body("GeneralPurpose")),
    )
    .await;
    write(
        arm,
        Method::PUT,
        &server("g-west", "pg-west"),
        API_PG,
        Some(replica_body(&server("g-east", "pg-east"))),
    )
    .await;
}

pub fn writer_endpoint() -> String {
    format!("{}/virtualendpoints/shop", server("g-east", "pg-east"))
}

pub async fn with_virtual_endpoint(arm: &Arm) {
    primary_and_replica(arm).await;
    with_endpoint_only(arm).await;
}

/// The pair `shop` on the primary, naming the replica.
pub async fn with_endpoint_only(arm: &Arm) {
    let body = json!({ "properties": { "endpointType": "ReadWrite", "members": ["pg-west"] } });
    write(arm, Method::PUT, &writer_endpoint(), API_PG, Some(body)).await;
}

pub fn resolve(arm: &Arm, rg: &str, host: &str) -> Option<Vec<String>> {
    arm.emulator.resolve(&vnet(rg), host)
}

/// A change made to a good body, for a case of bad input.
pub type Change = Box<dyn Fn(&mut Value)>;

pub fn promote(mode: &str, option: &str) -> Value {
    json!({ "properties": { "replica": { "promoteMode": mode, "promoteOption": option } } })
}

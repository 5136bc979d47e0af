//! A subnet with a cluster's nodes in it has active allocations, and the Network RP protects them: a
//! write that changes its address prefix is answered 400 `InUsePrefixCannotBeDeleted`, one that drops
//! it 400 `InUseSubnetCannotBeDeleted`, through the VNet or the subnet itself. Once the cluster is
//! gone, both go through. Under Azure CNI a cluster's pools must fit their subnet, each node taking
//! an address for itself and each of its pods (400 `InsufficientSubnetSize`), and its service CIDR
//! must stay clear of every subnet of the VNet, 10.0.0.0/16 when none is sent (400
//! `ServiceCidrOverlapExistingSubnetsCidr`). Every answer is
//! checked against the ARM spec.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

const VNET: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v";

fn vnet_url() -> String {
    format!("{VNET}?api-version=2024-03-01")
}

fn subnet_url(name: &str) -> String {
    format!("{VNET}/subnets/{name}?api-version=2024-03-01")
}

fn cluster_url() -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/net/providers/Microsoft.ContainerService/managedClusters/c?api-version=2024-09-01"
    )
}

fn vnet_body(cidr: &str, subnets: &[(&str, &str)]) -> Value {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(name, prefix)| json!({ "name": name, "properties": { "addressPrefix": prefix } }))
        .collect();
    json!({ "location": "eastus", "properties": {
        "addressSpace": { "addressPrefixes": [cidr] }, "subnets": subnets } })
}

#[tokio::test]
async fn a_subnet_with_a_clusters_nodes_keeps_its_prefix() {
    let arm = Arm::start(fast()).await;
    arm.group("net").await;
    let both = [("aks", "10.1.0.0/17"), ("spare", "10.1.128.0/24")];
    let (status, _) = arm
        .req(
            Method::PUT,
            &vnet_url(),
            Some(vnet_body("10.1.0.0/16", &both)),
        )
        .await;
    assert_eq!(status, 201);
    arm.settle().await;
    let cluster = json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": {
        "dnsPrefix": "c", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1,
        "vmSize": "Standard_D4ds_v5", "vnetSubnetID": format!("{VNET}/subnets/aks") }] } });
    let (status, answer) = arm.req(Method::PUT, &cluster_url(), Some(cluster)).await;
    assert_eq!(status, 201, "{answer}");
    arm.settle().await;

    // Renumbered through the VNet: the nodes' prefix would go.
    let renumbered = vnet_body(
        "10.20.0.0/16",
        &[("aks", "10.20.0.0/17"), ("spare", "10.20.128.0/24")],
    );
    let (status, answer) = arm
        .req(Method::PUT, &vnet_url(), Some(renumbered.clone()))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "InUsePrefixCannotBeDeleted"),
        "{answer}"
    );
    assert!(
        answer["error"]["message"].as_str().is_some_and(
            |m| m.contains("IpPrefix 10.1.0.0/17 on Subnet aks has active allocations")
        ),
        "{answer}"
    );
    // Dropped from the VNet's subnets.
    let (status, answer) = arm
        .req(
            Method::PUT,
            &vnet_url(),
            Some(vnet_body("10.1.0.0/16", &[("spare", "10.1.128.0/24")])),
        )
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "InUseSubnetCannotBeDeleted"),
        "{answer}"
    );
    // Through the subnet itself: a new prefix, or a delete.
    let (status, answer) = arm
        .req(
            Method::PUT,
            &subnet_url("aks"),
            Some(json!({ "properties": { "addressPrefix": "10.1.0.0/18" } })),
        )
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "InUsePrefixCannotBeDeleted"),
        "{answer}"
    );
    let (status, answer) = arm.req(Method::DELETE, &subnet_url("aks"), None).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "InUseSubnetCannotBeDeleted"),
        "{answer}"
    );
    // A subnet without nodes changes as before, and the same VNet body with the nodes' prefix kept.
    let (status, answer) = arm
        .req(
            Method::PUT,
            &subnet_url("spare"),
            Some(json!({ "properties": { "addressPrefix": "10.1.192.0/24" } })),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    arm.settle().await;

    // With the cluster gone, the VNet renumbers.
    let (status, _) = arm.req(Method::DELETE, &cluster_url(), None).await;
    assert_eq!(status, 202);
    arm.gone(&cluster_url()).await;
    let (status, answer) = arm.req(Method::PUT, &vnet_url(), Some(renumbered)).await;
    assert_eq!(status, 200, "{answer}");
}

fn cni_cluster(count: u64, service_cidr: &str) -> Value {
    json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": {
        "dnsPrefix": "c", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": count,
        "vmSize": "Standard_D4ds_v5", "vnetSubnetID": format!("{VNET}/subnets/aks") }],
        "networkProfile": { "networkPlugin": "azure", "serviceCidr": service_cidr, "dnsServiceIP": "172.16.0.10" } } })
}

#[tokio::test]
async fn azure_cni_pools_must_fit_their_subnet_and_services_stay_clear_of_it() {
    let arm = Arm::start(fast()).await;
    arm.group("net").await;
    // A /25: 128 addresses, 123 usable; a node takes 31 (itself and 30 pods).
    let (status, _) = arm
        .req(
            Method::PUT,
            &vnet_url(),
            Some(vnet_body("10.1.0.0/24", &[("aks", "10.1.0.0/25")])),
        )
        .await;
    assert_eq!(status, 201);
    arm.settle().await;
    let (status, answer) = arm
        .req(
            Method::PUT,
            &cluster_url(),
            Some(cni_cluster(4, "172.16.0.0/16")),
        )
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "InsufficientSubnetSize"),
        "{answer}"
    );
    assert!(
        answer["message"].as_str().is_some_and(|m| m.starts_with(
            "Pre-allocated IPs 124 exceeds IPs available 123 in Subnet Cidr 10.1.0.0/25, Subnet Name aks."
        )),
        "{answer}"
    );
    let (status, answer) = arm
        .req(
            Method::PUT,
            &cluster_url(),
            Some(cni_cluster(3, "10.1.0.0/16")),
        )
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "ServiceCidrOverlapExistingSubnetsCidr"),
        "{answer}"
    );
    let (status, headers, answer) = arm
        .put(&cluster_url(), cni_cluster(3, "172.16.0.0/16"))
        .await;
    assert_eq!(status, 201, "{answer}");
    let operation = headers["azure-asyncoperation"].to_str().expect("operation");
    assert_eq!(arm.wait(operation).await["status"], "Succeeded");
    // A user pool in the same subnet, counted at its autoscaler maximum: 3 + 1 nodes do not fit.
    let pool_url = format!(
        "/subscriptions/{SUB}/resourceGroups/net/providers/Microsoft.ContainerService/managedClusters/c/agentPools/apps?api-version=2024-09-01"
    );
    let pool = json!({ "properties": { "mode": "User", "count": 0, "enableAutoScaling": true,
        "minCount": 0, "maxCount": 1, "vmSize": "Standard_D4ds_v5", "vnetSubnetID": format!("{VNET}/subnets/aks") } });
    let (status, answer) = arm.req(Method::PUT, &pool_url, Some(pool)).await;
    assert_eq!(
        (status, code(&answer)),
        (400, "InsufficientSubnetSize"),
        "{answer}"
    );
}

#[tokio::test]
async fn the_service_cidr_stays_clear_of_every_subnet_of_the_vnet_and_defaults_to_10_0() {
    let arm = Arm::start(fast()).await;
    arm.group("net").await;
    // The nodes in 10.0.1.0/24; another subnet of the same VNet in 172.16.5.0/24, and the default
    // service range 10.0.0.0/16 over the nodes' own.
    let (status, _) = arm
        .req(
            Method::PUT,
            &vnet_url(),
            Some(json!({ "location": "eastus", "properties": {
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16", "172.16.0.0/16"] },
                "subnets": [
                    { "name": "aks", "properties": { "addressPrefix": "10.0.1.0/24" } },
                    { "name": "other", "properties": { "addressPrefix": "172.16.5.0/24" } },
                ] } })),
        )
        .await;
    assert_eq!(status, 201);
    arm.settle().await;
    let mut cluster = cni_cluster(1, "172.16.0.0/16");
    let (status, answer) = arm
        .req(Method::PUT, &cluster_url(), Some(cluster.clone()))
        .await;
    assert_eq!(
        (status, code(&answer), answer["target"].as_str()),
        (
            400,
            "ServiceCidrOverlapExistingSubnetsCidr",
            Some("networkProfile.serviceCidr")
        ),
        "a subnet the nodes do not use counts too: {answer}"
    );
    cluster["properties"]["networkProfile"] = json!({ "networkPlugin": "azure" });
    let (status, answer) = arm
        .req(Method::PUT, &cluster_url(), Some(cluster.clone()))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (400, "ServiceCidrOverlapExistingSubnetsCidr"),
        "none sent, AKS takes 10.0.0.0/16: {answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("10.0.0.0/16")),
        "{answer}"
    );
    cluster["properties"]["networkProfile"] = json!({ "networkPlugin": "azure",
        "serviceCidr": "192.168.0.0/16", "dnsServiceIP": "192.168.0.10" });
    let (status, answer) = arm.req(Method::PUT, &cluster_url(), Some(cluster)).await;
    assert_eq!(status, 201, "{answer}");
}

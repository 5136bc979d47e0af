//! Lists as any ARM client uses them: ARM's generic lists (a subscription's or a group's resources,
//! `$filter` on resourceType, name and tags), a type across the subscription's groups, a child
//! collection (a cluster's agent pools, its inline system pool included; a registry's replications),
//! each a page at a time with a `nextLink`; and an inline pool read and updated as a resource (ARM's
//! PUT is create-or-update). Every answer is checked against the ARM spec.

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, fast};

fn names(list: &Value) -> Vec<String> {
    list["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn generic_and_typed_lists_filter_and_page() {
    let arm = Arm::start(fast()).await;
    arm.group("one").await;
    arm.group("two").await;
    for (group, vnet, cidr) in [
        ("one", "a", "10.1.0.0/16"),
        ("one", "b", "10.2.0.0/16"),
        ("two", "c", "10.3.0.0/16"),
    ] {
        let (status, body) = arm
            .req(
                Method::PUT,
                &format!("/subscriptions/{SUB}/resourceGroups/{group}/providers/Microsoft.Network/virtualNetworks/{vnet}?api-version=2024-03-01"),
                Some(json!({ "location": "eastus", "tags": { "team": group },
                    "properties": { "addressSpace": { "addressPrefixes": [cidr] } } })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = arm
        .req(
            Method::PUT,
            &format!("/subscriptions/{SUB}/resourceGroups/two/providers/Microsoft.ContainerRegistry/registries/shopacr01?api-version=2023-07-01"),
            Some(json!({ "location": "eastus", "sku": { "name": "Premium" } })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    arm.settle().await;

    // ARM's generic lists: every tracked resource, filtered.
    let (status, all) = arm
        .req(
            Method::GET,
            &format!("/subscriptions/{SUB}/resources?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(names(&all), ["a", "b", "shopacr01", "c"], "by id");
    let (_, registries) = arm
        .req(
            Method::GET,
            &format!("/subscriptions/{SUB}/resources?$filter=resourceType%20eq%20%27Microsoft.ContainerRegistry%2Fregistries%27&api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(
        names(&registries),
        ["shopacr01"],
        "as az acr finds its registry"
    );
    let (_, tagged) = arm
        .req(
            Method::GET,
            &format!("/subscriptions/{SUB}/resources?$filter=tagName%20eq%20%27team%27%20and%20tagValue%20eq%20%27one%27&api-version=2024-03-01"),
            None,
        )
        .await;
    assert_eq!(names(&tagged), ["a", "b"]);
    let (_, group) = arm
        .req(
            Method::GET,
            &format!("/subscriptions/{SUB}/resourceGroups/two/resources?api-version=2024-11-01"),
            None,
        )
        .await;
    assert_eq!(names(&group), ["shopacr01", "c"], "az resource list -g");
    let (status, refused) = arm
        .req(
            Method::GET,
            &format!(
                "/subscriptions/{SUB}/resources?$filter=name%20ne%20%27a%27&api-version=2024-11-01"
            ),
            None,
        )
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("InvalidFilterInQueryString"))
    );

    // A type across the subscription's groups, a page at a time.
    let mut seen = Vec::new();
    let mut next = Some(format!(
        "/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks?api-version=2024-03-01&$top=2"
    ));
    let mut pages = 0;
    while let Some(url) = next {
        let (status, page) = arm.req(Method::GET, &url, None).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(names(&page));
        next = page["nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(
        (seen, pages),
        (vec!["a".to_owned(), "b".into(), "c".into()], 2)
    );
}

#[tokio::test]
async fn a_clusters_pools_list_and_its_inline_pool_is_a_resource() {
    let arm = Arm::start(fast()).await;
    arm.group("k").await;
    let cluster = format!(
        "/subscriptions/{SUB}/resourceGroups/k/providers/Microsoft.ContainerService/managedClusters/c"
    );
    let (status, body) = arm
        .req(
            Method::PUT,
            &format!("{cluster}?api-version=2024-09-01"),
            Some(json!({ "location": "eastus", "identity": { "type": "SystemAssigned" }, "properties": {
                "dnsPrefix": "c", "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5" }] } })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    for _ in 0..100 {
        let (_, c) = arm
            .req(
                Method::GET,
                &format!("{cluster}?api-version=2024-09-01"),
                None,
            )
            .await;
        if c["properties"]["provisioningState"] == "Succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let pools = format!("{cluster}/agentPools");
    let (status, list) = arm
        .req(
            Method::GET,
            &format!("{pools}?api-version=2024-09-01"),
            None,
        )
        .await;
    assert_eq!(
        (status, names(&list)),
        (200, vec!["system".to_owned()]),
        "{list}"
    );
    let (status, pool) = arm
        .req(
            Method::GET,
            &format!("{pools}/system?api-version=2024-09-01"),
            None,
        )
        .await;
    assert_eq!((status, &pool["properties"]["count"]), (200, &json!(1)));
    // `az aks nodepool scale`: a PUT on the existing pool is its update.
    let (status, scaled) = arm
        .req(
            Method::PUT,
            &format!("{pools}/system?api-version=2024-09-01"),
            Some(json!({ "properties": { "mode": "System", "count": 2, "vmSize": "Standard_D4ds_v5" } })),
        )
        .await;
    assert_eq!(
        (status, scaled["properties"]["provisioningState"].as_str()),
        (200, Some("Updating")),
        "{scaled}"
    );
}

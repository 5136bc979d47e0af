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

#[tokio::test]
async fn built_in_roles_are_found_by_name_and_assignments_listed_at_a_scope() {
    let arm = Arm::start(fast()).await;
    arm.group("rbac").await;
    let scope = format!("/subscriptions/{SUB}/resourceGroups/rbac");
    // The Azure CLI looks a role up by name at the scope it grants, then reads it by GUID.
    let (status, roles) = arm
        .req(
            Method::GET,
            &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName%20eq%20%27Network%20Contributor%27&api-version=2022-05-01-preview"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{roles}");
    assert_eq!(
        roles["value"][0]["id"],
        format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/4d97b98b-1d4f-4787-a291-c67834d212e7"
        )
    );
    assert_eq!(roles["value"][0]["properties"]["type"], "BuiltInRole");
    assert_eq!(roles["value"].as_array().map(Vec::len), Some(1));
    let (status, missing) = arm
        .req(
            Method::GET,
            &format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-00000000beef?api-version=2022-04-01"),
            None,
        )
        .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["error"]["code"], "RoleDefinitionDoesNotExist");

    // An assignment at the group applies at the group and below it; not at the subscription's
    // `atScope()`, where it was not made.
    let principal = "11111111-2222-3333-4444-555555555555";
    let (status, made) = arm
        .req(
            Method::PUT,
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments/6f0c6a5e-1c7e-4d43-9d1a-6d0c7a1b2c3d?api-version=2022-04-01"),
            Some(json!({ "properties": {
                "roleDefinitionId": roles["value"][0]["id"],
                "principalId": principal,
                "principalType": "ServicePrincipal" } })),
        )
        .await;
    assert!(status == 200 || status == 201, "{made}");
    let listed = |at: String, filter: &'static str| {
        let arm = &arm;
        async move {
            let (status, body) = arm
                .req(
                    Method::GET,
                    &format!("{at}/providers/Microsoft.Authorization/roleAssignments?$filter={filter}&api-version=2022-04-01"),
                    None,
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body["value"].as_array().map_or(0, Vec::len)
        }
    };
    let below = format!("{scope}/providers/Microsoft.Network/virtualNetworks/v/subnets/s");
    assert_eq!(
        listed(below, "atScope()").await,
        1,
        "applies below its scope"
    );
    assert_eq!(
        listed(format!("/subscriptions/{SUB}"), "atScope()").await,
        0
    );
    assert_eq!(
        listed(
            scope.clone(),
            "principalId%20eq%20%2711111111-2222-3333-4444-555555555555%27"
        )
        .await,
        1
    );
}

//! Azure Database for PostgreSQL flexible servers over HTTPS: a private server (a delegated subnet, a
//! private DNS zone linked to every VNet, its name resolving from each), bad input refused naming the
//! attribute, a busy server, Entra administrators, a primary's delete. Every answer is checked against
//! the kept 2024-08-01 specs (`conforms`, through `Arm::call`), administrators against their
//! documented shape here. Replicas and promotion: `postgres_replicas.rs`.

#[path = "postgres/common.rs"]
mod common;
mod support;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

#[tokio::test]
async fn a_private_primary_is_created_as_the_spec_declares_and_resolves_from_every_linked_vnet() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let path = server("g-east", "pg-east");
    let (status, headers, body) = arm
        .call(
            Method::PUT,
            &url(&path, API_PG),
            Some(primary_body("GeneralPurpose")),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body, Value::Null, "the spec's 202 has no body");
    let op = headers["azure-asyncoperation"]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        op.contains("/providers/Microsoft.DBforPostgreSQL/locations/eastus/azureAsyncOperation/"),
        "{op}"
    );
    let location = headers["location"].to_str().expect("header");
    assert!(
        location.contains("/locations/eastus/operationResults/"),
        "{location}"
    );
    let (_, running) = get(&arm, &path).await;
    assert_eq!(running["properties"]["state"], "Updating");
    let doc = arm.wait(&op).await;
    assert_eq!(doc["status"], "Succeeded", "{doc}");
    assert!(
        doc["startTime"].is_string() && doc["endTime"].is_string(),
        "{doc}"
    );

    let (status, got) = get(&arm, &path).await;
    assert_eq!(status, 200);
    let p = &got["properties"];
    assert_eq!(p["state"], "Ready");
    assert!(p.get("provisioningState").is_none(), "{got}");
    assert_eq!(
        p["fullyQualifiedDomainName"],
        "pg-east.postgres.database.azure.com"
    );
    assert_eq!(p["replicationRole"], "Primary");
    assert_eq!(p["replica"]["capacity"], 5);
    assert_eq!(p["network"]["publicNetworkAccess"], "Disabled");
    assert_eq!(p["backup"]["geoRedundantBackup"], "Enabled");
    assert_eq!(p["authConfig"]["passwordAuth"], "Disabled");
    assert!(p.get("administratorLogin").is_none() && p.get("administratorLoginPassword").is_none());

    // The A record, found from both VNets the zone is linked to.
    let east =
        resolve(&arm, "g-east", "pg-east.postgres.database.azure.com").expect("resolves in eastus");
    assert_eq!(east, vec!["10.1.8.4".to_owned()]);
    assert_eq!(
        resolve(&arm, "g-west", "pg-east.postgres.database.azure.com"),
        Some(east)
    );

    // Lists: the group's and the subscription's.
    let (_, listed) = arm
        .req(
            Method::GET,
            &url(
                &format!(
                    "{}/Microsoft.DBforPostgreSQL/flexibleServers",
                    base("g-east")
                ),
                API_PG,
            ),
            None,
        )
        .await;
    assert_eq!(listed["value"][0]["name"], "pg-east");
    let (_, all) = arm
        .req(
            Method::GET,
            &url(
                &format!(
                    "/subscriptions/{SUB}/providers/Microsoft.DBforPostgreSQL/flexibleServers"
                ),
                API_PG,
            ),
            None,
        )
        .await;
    assert_eq!(all["value"].as_array().map(Vec::len), Some(1));

    // The delegated subnet is in use: the VNet cannot drop it.
    let (s, b) = arm
        .req(Method::DELETE, &url(&subnet("g-east", "pg"), API_NET), None)
        .await;
    assert_eq!((s, code(&b)), (400, "InUseSubnetCannotBeDeleted"), "{b}");
}

#[tokio::test]
async fn subnets_keep_their_delegations() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let (s, got) = arm
        .req(Method::GET, &url(&subnet("g-east", "pg"), API_NET), None)
        .await;
    assert_eq!(s, 200);
    let d = &got["properties"]["delegations"][0];
    assert_eq!(
        d["properties"]["serviceName"], "Microsoft.DBforPostgreSQL/flexibleServers",
        "{got}"
    );
    assert_eq!(d["properties"]["provisioningState"], "Succeeded");
}

#[tokio::test]
async fn bad_private_access_and_bad_input_are_refused_naming_the_attribute() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let path = server("g-east", "pg-east");
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        (
            "not delegated",
            Box::new(|b| {
                b["properties"]["network"]["delegatedSubnetResourceId"] =
                    json!(subnet("g-east", "plain"))
            }),
            "SubnetNotDelegated",
            "properties.network.delegatedSubnetResourceId",
        ),
        (
            "no such subnet",
            Box::new(|b| {
                b["properties"]["network"]["delegatedSubnetResourceId"] =
                    json!(subnet("g-east", "nope"))
            }),
            "SubnetNotFound",
            "properties.network.delegatedSubnetResourceId",
        ),
        (
            "subnet in another region",
            Box::new(|b| {
                b["properties"]["network"]["delegatedSubnetResourceId"] =
                    json!(subnet("g-west", "pg"))
            }),
            "VirtualNetworkInDifferentRegion",
            "properties.network.delegatedSubnetResourceId",
        ),
        (
            "no zone",
            Box::new(|b| {
                b["properties"]["network"]
                    .as_object_mut()
                    .expect("object")
                    .remove("privateDnsZoneArmResourceId");
            }),
            "PrivateDnsZoneRequired",
            "properties.network.privateDnsZoneArmResourceId",
        ),
        (
            "no tier",
            Box::new(|b| b["sku"] = json!({ "name": "Standard_D2ds_v5" })),
            "InvalidParameterValue",
            "sku.tier",
        ),
        (
            "a password login without password",
            Box::new(|b| b["properties"]["authConfig"] = json!({ "passwordAuth": "Enabled" })),
            "InvalidParameterValue",
            "properties.administratorLogin",
        ),
    ];
    for (what, change, want, target) in cases {
        let mut body = primary_body("GeneralPurpose");
        change(&mut body);
        let (s, b) = arm.req(Method::PUT, &url(&path, API_PG), Some(body)).await;
        assert_eq!((s, code(&b)), (400, want), "{what}: {b}");
        assert_eq!(b["error"]["target"], target, "{what}: {b}");
    }
    // A zone linked to no VNet of the server's.
    let lone = format!(
        "{}/Microsoft.Network/privateDnsZones/lone.postgres.database.azure.com",
        base("g-global")
    );
    write(
        &arm,
        Method::PUT,
        &lone,
        API_DNS,
        Some(json!({ "location": "global" })),
    )
    .await;
    let mut body = primary_body("GeneralPurpose");
    body["properties"]["network"]["privateDnsZoneArmResourceId"] = json!(lone);
    let (s, b) = arm.req(Method::PUT, &url(&path, API_PG), Some(body)).await;
    assert_eq!((s, code(&b)), (400, "PrivateDnsZoneNotLinked"), "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&server("g-east", "Bad_Name"), API_PG),
            Some(primary_body("GeneralPurpose")),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidServerName"), "{b}");
    assert_eq!(get(&arm, &path).await.0, 404, "nothing was created");
}

#[tokio::test]
async fn a_busy_server_refuses_another_write() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let path = server("g-east", "pg-east");
    let (s, _, _) = arm
        .call(
            Method::PUT,
            &url(&path, API_PG),
            Some(primary_body("GeneralPurpose")),
        )
        .await;
    assert_eq!(s, 202);
    let (s, b) = arm
        .req(
            Method::PATCH,
            &url(&path, API_PG),
            Some(json!({ "tags": { "a": "b" } })),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "ServerIsBusy"), "{b}");
}

#[tokio::test]
async fn an_entra_group_administrator_is_written_in_its_documented_shape() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let path = server("g-east", "pg-east");
    write(
        &arm,
        Method::PUT,
        &path,
        API_PG,
        Some(primary_body("GeneralPurpose")),
    )
    .await;
    let admin = format!("{path}/administrators/{GROUP}");
    let body = json!({ "properties": { "principalType": "Group", "principalName": "dba", "tenantId": "00000000-0000-0000-0000-00000000aaaa" } });
    let (status, _) = write(&arm, Method::PUT, &admin, API_PG, Some(body.clone())).await;
    assert_eq!(status, 202);
    let (s, got) = get(&arm, &admin).await;
    assert_eq!(s, 200);
    assert_eq!(
        got["type"],
        "Microsoft.DBforPostgreSQL/flexibleServers/administrators"
    );
    let mut keys: Vec<&String> = got["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["objectId", "principalName", "principalType", "tenantId"],
        "{got}"
    );
    assert_eq!(got["properties"]["objectId"], GROUP);
    assert_eq!(got["properties"]["principalType"], "Group");

    // A server without Entra authentication takes none.
    let mut password = primary_body("GeneralPurpose");
    password["properties"]["authConfig"] = json!({ "passwordAuth": "Enabled" });
    password["properties"]["administratorLogin"] = json!("pgadmin");
    password["properties"]["administratorLoginPassword"] = json!("not-logged");
    password["properties"]["network"] = json!({ "publicNetworkAccess": "Enabled" });
    let other = server("g-east", "pg-password");
    write(&arm, Method::PUT, &other, API_PG, Some(password)).await;
    let (_, got) = get(&arm, &other).await;
    assert_eq!(got["properties"]["administratorLogin"], "pgadmin");
    assert!(
        !got.to_string().contains("not-logged"),
        "a password never reads back"
    );
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&format!("{other}/administrators/{GROUP}"), API_PG),
            Some(body),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "AadAuthDisabled"), "{b}");
}

#[tokio::test]
async fn a_primary_with_replicas_is_deleted_after_them_and_its_records_go() {
    let arm = Arm::start(fast()).await;
    with_virtual_endpoint(&arm).await;
    let (primary, replica) = (server("g-east", "pg-east"), server("g-west", "pg-west"));
    let (s, b) = arm.req(Method::DELETE, &url(&primary, API_PG), None).await;
    assert_eq!((s, code(&b)), (409, "ServerHasReadReplicas"), "{b}");
    write(&arm, Method::DELETE, &replica, API_PG, None).await;
    arm.gone(&url(&replica, API_PG)).await;
    let (status, headers, body) = arm.call(Method::DELETE, &url(&primary, API_PG), None).await;
    assert_eq!((status.as_u16(), body), (202, Value::Null));
    assert!(headers.contains_key("location") && headers.contains_key("azure-asyncoperation"));
    arm.gone(&url(&primary, API_PG)).await;
    assert_eq!(
        resolve(&arm, "g-east", "pg-east.postgres.database.azure.com"),
        None
    );
    assert_eq!(
        resolve(&arm, "g-east", "shop.writer.postgres.database.azure.com"),
        None
    );
    let (s, _, _) = arm.call(Method::DELETE, &url(&primary, API_PG), None).await;
    assert_eq!(s, 204, "a missing server's delete");
}

#[tokio::test]
async fn an_unregistered_subscription_is_refused_until_it_registers_the_provider() {
    let mut config = fast();
    config.unregistered = vec!["Microsoft.DBforPostgreSQL".to_owned()];
    let arm = Arm::start(config).await;
    topology(&arm).await;
    let path = server("g-east", "pg-east");
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&path, API_PG),
            Some(primary_body("GeneralPurpose")),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (409, "MissingSubscriptionRegistration"),
        "{b}"
    );
    let register = format!(
        "/subscriptions/{SUB}/providers/Microsoft.DBforPostgreSQL/register?api-version=2024-03-01"
    );
    let (s, b) = arm.req(Method::POST, &register, None).await;
    assert_eq!(s, 200, "{b}");
    let (_, provider) = arm
        .req(
            Method::GET,
            &format!(
                "/subscriptions/{SUB}/providers/Microsoft.DBforPostgreSQL?api-version=2024-03-01"
            ),
            None,
        )
        .await;
    let types: Vec<&str> = provider["resourceTypes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|t| t["resourceType"].as_str())
        .collect();
    assert!(types.contains(&"flexibleServers"), "{provider}");
}

#[tokio::test]
async fn a_deleted_group_takes_its_servers_records_out_of_the_zone() {
    let arm = Arm::start(fast()).await;
    with_virtual_endpoint(&arm).await;
    assert!(resolve(&arm, "g-west", "pg-east.postgres.database.azure.com").is_some());
    let group = format!("/subscriptions/{SUB}/resourcegroups/g-east?api-version=2024-03-01");
    let (s, _) = arm.req(Method::DELETE, &group, None).await;
    assert_eq!(s, 202);
    arm.gone(&group).await;
    assert_eq!(
        resolve(&arm, "g-west", "pg-east.postgres.database.azure.com"),
        None
    );
    assert_eq!(
        resolve(&arm, "g-west", "shop.writer.postgres.database.azure.com"),
        None
    );
    assert_eq!(
        resolve(&arm, "g-west", "pg-west.postgres.database.azure.com"),
        Some(vec!["10.2.8.4".to_owned()]),
        "the other region's server keeps its record"
    );
}

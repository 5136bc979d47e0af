//! Azure Database for PostgreSQL flexible servers over HTTPS: private access (a delegated subnet, a
//! private DNS zone linked to every VNet, the server's name resolving from each), read replicas,
//! virtual endpoints whose writer host follows the primary, promotion (switchover planned and forced,
//! standalone), a primary's region going down, Entra administrators, deletes. Every answer is checked
//! against the kept 2024-08-01 specs (`conforms`, through `Arm::call`), administrators against their
//! documented shape here.

mod support;

use arm_emulator::RegionDown;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Arm, SUB, code, fast};

const API_PG: &str = "2024-08-01";
const API_NET: &str = "2024-03-01";
const API_DNS: &str = "2024-06-01";
const ZONE: &str = "shop.private.postgres.database.azure.com";
const GROUP: &str = "00000000-0000-0000-0000-0000000000a1";

fn base(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers")
}

fn server(rg: &str, name: &str) -> String {
    format!(
        "{}/Microsoft.DBforPostgreSQL/flexibleServers/{name}",
        base(rg)
    )
}

fn vnet(rg: &str) -> String {
    format!("{}/Microsoft.Network/virtualNetworks/vnet", base(rg))
}

fn subnet(rg: &str, name: &str) -> String {
    format!("{}/subnets/{name}", vnet(rg))
}

fn zone() -> String {
    format!(
        "{}/Microsoft.Network/privateDnsZones/{ZONE}",
        base("g-global")
    )
}

fn url(path: &str, api: &str) -> String {
    format!("{path}?api-version={api}")
}

/// A write that must succeed, its operation followed to the end when it runs one.
async fn write(
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

async fn get(arm: &Arm, path: &str) -> (u16, Value) {
    arm.req(Method::GET, &url(path, API_PG), None).await
}

async fn group(arm: &Arm, name: &str, location: &str) {
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
async fn topology(arm: &Arm) {
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

fn primary_body(tier: &str) -> Value {
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

fn replica_body(source: &str) -> Value {
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
async fn primary_and_replica(arm: &Arm) {
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

fn writer_endpoint() -> String {
    format!("{}/virtualendpoints/shop", server("g-east", "pg-east"))
}

async fn with_virtual_endpoint(arm: &Arm) {
    primary_and_replica(arm).await;
    let body = json!({ "properties": { "endpointType": "ReadWrite", "members": ["pg-west"] } });
    write(arm, Method::PUT, &writer_endpoint(), API_PG, Some(body)).await;
}

fn resolve(arm: &Arm, rg: &str, host: &str) -> Option<Vec<String>> {
    arm.emulator.resolve(&vnet(rg), host)
}

/// A change made to a good body, for a case of bad input.
type Change = Box<dyn Fn(&mut Value)>;

fn promote(mode: &str, option: &str) -> Value {
    json!({ "properties": { "replica": { "promoteMode": mode, "promoteOption": option } } })
}

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
async fn a_geo_replica_is_listed_and_refused_where_azure_refuses_one() {
    let arm = Arm::start(fast()).await;
    primary_and_replica(&arm).await;
    let primary = server("g-east", "pg-east");
    let (_, replica) = get(&arm, &server("g-west", "pg-west")).await;
    let p = &replica["properties"];
    assert_eq!(p["replicationRole"], "GeoAsyncReplica", "{replica}");
    assert_eq!(p["replica"]["role"], "GeoAsyncReplica");
    assert_eq!(p["replica"]["replicationState"], "Active");
    assert_eq!(p["sourceServerResourceId"], primary);
    assert_eq!(p["version"], "16", "a replica runs its primary's version");
    assert_eq!(
        resolve(&arm, "g-east", "pg-west.postgres.database.azure.com"),
        Some(vec!["10.2.8.4".to_owned()])
    );

    let (s, listed) = arm
        .req(
            Method::GET,
            &url(&format!("{primary}/replicas"), API_PG),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(listed["value"][0]["name"], "pg-west", "{listed}");

    // A replica of a replica, of a missing server, of a Burstable server.
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&server("g-west", "pg-west2"), API_PG),
            Some(replica_body(&server("g-west", "pg-west"))),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "CannotCreateReplicaOfReplica"), "{b}");
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&server("g-west", "pg-west2"), API_PG),
            Some(replica_body(&server("g-east", "missing"))),
        )
        .await;
    assert_eq!((s, code(&b)), (404, "SourceServerNotFound"), "{b}");
    let mut small = primary_body("Burstable");
    small["properties"]["network"] = json!({ "publicNetworkAccess": "Enabled" });
    write(
        &arm,
        Method::PUT,
        &server("g-east", "pg-small"),
        API_PG,
        Some(small),
    )
    .await;
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&server("g-west", "pg-west2"), API_PG),
            Some(replica_body(&server("g-east", "pg-small"))),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (400, "ReplicaNotSupportedForBurstable"),
        "{b}"
    );
    assert_eq!(b["error"]["target"], "properties.sourceServerResourceId");
}

#[tokio::test]
async fn a_planned_switchover_swaps_the_roles_and_the_writer_host_follows_the_primary() {
    let arm = Arm::start(fast()).await;
    primary_and_replica(&arm).await;
    let replica = server("g-west", "pg-west");
    // No virtual endpoint names the replica yet: a switchover is refused.
    let (s, b) = arm
        .req(
            Method::PATCH,
            &url(&replica, API_PG),
            Some(promote("switchover", "planned")),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "VirtualEndpointRequired"), "{b}");

    let body = json!({ "properties": { "endpointType": "ReadWrite", "members": ["pg-west"] } });
    write(&arm, Method::PUT, &writer_endpoint(), API_PG, Some(body)).await;
    let (s, ve) = get(&arm, &writer_endpoint()).await;
    assert_eq!(s, 200);
    assert_eq!(
        ve["properties"]["virtualEndpoints"],
        json!([
            "shop.writer.postgres.database.azure.com",
            "shop.reader.postgres.database.azure.com"
        ])
    );
    let writer = "shop.writer.postgres.database.azure.com";
    assert_eq!(
        resolve(&arm, "g-west", writer),
        Some(vec!["10.1.8.4".to_owned()])
    );
    assert_eq!(
        resolve(&arm, "g-east", "shop.reader.postgres.database.azure.com"),
        Some(vec!["10.2.8.4".to_owned()])
    );

    let (status, headers, body) = arm
        .call(
            Method::PATCH,
            &url(&replica, API_PG),
            Some(promote("switchover", "planned")),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    arm.wait(headers["azure-asyncoperation"].to_str().expect("header"))
        .await;
    let (_, new_primary) = get(&arm, &replica).await;
    assert_eq!(
        new_primary["properties"]["replicationRole"], "Primary",
        "{new_primary}"
    );
    assert!(
        new_primary["properties"]
            .get("sourceServerResourceId")
            .is_none()
    );
    let (_, old) = get(&arm, &server("g-east", "pg-east")).await;
    assert_eq!(
        old["properties"]["replicationRole"], "GeoAsyncReplica",
        "{old}"
    );
    assert_eq!(old["properties"]["sourceServerResourceId"], replica);
    assert_eq!(
        resolve(&arm, "g-east", writer),
        Some(vec!["10.2.8.4".to_owned()]),
        "the writer follows the primary"
    );
    // The pair reads the same under either server of the set; the reader names the old primary.
    let (s, ve) = get(&arm, &format!("{replica}/virtualendpoints/shop")).await;
    assert_eq!(s, 200);
    assert_eq!(ve["properties"]["members"], json!(["pg-east"]));
}

#[tokio::test]
async fn a_forced_promotion_works_while_the_primary_region_is_down_and_the_old_primary_rejoins() {
    let arm = Arm::start(fast()).await;
    with_virtual_endpoint(&arm).await;
    let (primary, replica) = (server("g-east", "pg-east"), server("g-west", "pg-west"));
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    let (s, b) = get(&arm, &primary).await;
    assert_eq!((s, code(&b)), (503, "ServiceUnavailable"), "{b}");
    let (_, seen) = get(&arm, &replica).await;
    assert_eq!(
        seen["properties"]["replica"]["replicationState"], "Broken",
        "{seen}"
    );

    let (s, b) = arm
        .req(
            Method::PATCH,
            &url(&replica, API_PG),
            Some(promote("switchover", "planned")),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "PrimaryServerUnavailable"), "{b}");
    let (status, headers, _) = arm
        .call(
            Method::PATCH,
            &url(&replica, API_PG),
            Some(promote("switchover", "forced")),
        )
        .await;
    assert_eq!(status, 202);
    arm.wait(headers["azure-asyncoperation"].to_str().expect("header"))
        .await;
    let (_, promoted) = get(&arm, &replica).await;
    assert_eq!(
        promoted["properties"]["replicationRole"], "Primary",
        "{promoted}"
    );
    assert_eq!(promoted["properties"]["state"], "Ready");
    assert_eq!(
        resolve(&arm, "g-west", "shop.writer.postgres.database.azure.com"),
        Some(vec!["10.2.8.4".to_owned()])
    );

    arm.emulator.restore_region("eastus");
    let (s, old) = get(&arm, &primary).await;
    assert_eq!(s, 200);
    assert_eq!(
        old["properties"]["replicationRole"], "GeoAsyncReplica",
        "{old}"
    );
    assert_eq!(old["properties"]["sourceServerResourceId"], replica);
    assert_eq!(old["properties"]["replica"]["replicationState"], "Active");
}

#[tokio::test]
async fn a_standalone_promotion_leaves_the_set_and_its_virtual_endpoints() {
    let arm = Arm::start(fast()).await;
    with_virtual_endpoint(&arm).await;
    let replica = server("g-west", "pg-west");
    write(
        &arm,
        Method::PATCH,
        &replica,
        API_PG,
        Some(promote("standalone", "planned")),
    )
    .await;
    let (_, alone) = get(&arm, &replica).await;
    assert_eq!(alone["properties"]["replicationRole"], "None", "{alone}");
    assert!(alone["properties"].get("sourceServerResourceId").is_none());
    let (_, ve) = get(&arm, &writer_endpoint()).await;
    assert_eq!(ve["properties"]["members"], json!([]));
    let (_, listed) = arm
        .req(
            Method::GET,
            &url(&format!("{}/replicas", server("g-east", "pg-east")), API_PG),
            None,
        )
        .await;
    assert_eq!(listed["value"], json!([]));
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
async fn deleting_a_primary_leaves_its_replicas_standalone_and_its_records_gone() {
    let arm = Arm::start(fast()).await;
    with_virtual_endpoint(&arm).await;
    let primary = server("g-east", "pg-east");
    let (status, headers, body) = arm.call(Method::DELETE, &url(&primary, API_PG), None).await;
    assert_eq!((status.as_u16(), body), (202, Value::Null));
    assert!(headers.contains_key("location") && headers.contains_key("azure-asyncoperation"));
    arm.gone(&url(&primary, API_PG)).await;
    let (_, replica) = get(&arm, &server("g-west", "pg-west")).await;
    assert_eq!(
        replica["properties"]["replicationRole"], "None",
        "{replica}"
    );
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

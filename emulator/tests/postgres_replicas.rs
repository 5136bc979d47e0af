//! Read replicas of Azure Database for PostgreSQL flexible servers over HTTPS: geo replicas and where
//! Azure refuses one, virtual endpoints whose writer host follows the primary, promotion (switchover
//! planned and forced, standalone), the primary's region going down and coming back. Every answer is
//! checked against the kept 2024-08-01 specs (`conforms`, through `Arm::call`).

#[path = "postgres/common.rs"]
mod common;
mod support;

use arm_emulator::RegionDown;
use common::*;
use reqwest::Method;
use serde_json::json;
use support::{Arm, code, fast};

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
        seen["properties"]["replica"]["replicationState"], "Reconfiguring",
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
async fn a_deleted_replica_leaves_the_virtual_endpoints_and_the_reader_host_names_the_primary() {
    let arm = Arm::start(fast()).await;
    with_virtual_endpoint(&arm).await;
    let reader = "shop.reader.postgres.database.azure.com";
    assert_eq!(
        resolve(&arm, "g-east", reader),
        Some(vec!["10.2.8.4".to_owned()])
    );
    let replica = server("g-west", "pg-west");
    write(&arm, Method::DELETE, &replica, API_PG, None).await;
    arm.gone(&url(&replica, API_PG)).await;
    let (_, ve) = get(&arm, &writer_endpoint()).await;
    assert_eq!(ve["properties"]["members"], json!([]), "{ve}");
    assert_eq!(
        resolve(&arm, "g-east", reader),
        Some(vec!["10.1.8.4".to_owned()])
    );
    assert_eq!(
        resolve(&arm, "g-east", "pg-west.postgres.database.azure.com"),
        None
    );
}

#[tokio::test]
async fn virtual_endpoints_refuse_what_their_spec_and_set_do_not_allow() {
    let arm = Arm::start(fast()).await;
    primary_and_replica(&arm).await;
    let cases = [
        (
            writer_endpoint(),
            json!({ "properties": { "endpointType": "ReadOnly", "members": ["pg-west"] } }),
            "properties.endpointType",
        ),
        (
            writer_endpoint(),
            json!({ "properties": { "endpointType": "ReadWrite", "members": ["elsewhere"] } }),
            "properties.members",
        ),
    ];
    for (path, body, target) in cases {
        let (s, b) = arm.req(Method::PUT, &url(&path, API_PG), Some(body)).await;
        assert_eq!((s, code(&b)), (400, "InvalidParameterValue"), "{b}");
        assert_eq!(b["error"]["target"], target, "{b}");
    }
    // Created on the primary, not on a replica; and listed under its server.
    let on_replica = format!("{}/virtualendpoints/other", server("g-west", "pg-west"));
    let body = json!({ "properties": { "endpointType": "ReadWrite", "members": ["pg-west"] } });
    let (s, b) = arm
        .req(Method::PUT, &url(&on_replica, API_PG), Some(body))
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidParameterValue"), "{b}");
    with_endpoint_only(&arm).await;
    let (s, listed) = arm
        .req(
            Method::GET,
            &url(
                &format!("{}/virtualendpoints", server("g-east", "pg-east")),
                API_PG,
            ),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(listed["value"][0]["name"], "shop", "{listed}");
}

#[tokio::test]
async fn no_replica_is_seeded_from_a_source_whose_region_is_down() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let primary = server("g-east", "pg-east");
    write(
        &arm,
        Method::PUT,
        &primary,
        API_PG,
        Some(primary_body("GeneralPurpose")),
    )
    .await;
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&server("g-west", "pg-west"), API_PG),
            Some(replica_body(&primary)),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "SourceServerUnavailable"), "{b}");
}

#[tokio::test]
async fn a_switchover_needs_symmetric_available_servers_unless_forced_in_an_outage() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let primary = server("g-east", "pg-east");
    write(
        &arm,
        Method::PUT,
        &primary,
        API_PG,
        Some(primary_body("GeneralPurpose")),
    )
    .await;
    // A replica with more storage than its primary: allowed, but no switchover to it.
    let mut bigger = replica_body(&primary);
    bigger["properties"]["storage"] = json!({ "storageSizeGB": 256 });
    let replica = server("g-west", "pg-west");
    let (s, headers, _) = arm
        .call(Method::PUT, &url(&replica, API_PG), Some(bigger))
        .await;
    assert_eq!(s, 202);
    // While the replica is made, the primary is `Updating` and takes no management operation.
    let (_, busy) = get(&arm, &primary).await;
    assert_eq!(busy["properties"]["state"], "Updating", "{busy}");
    let (s, b) = arm
        .req(
            Method::PATCH,
            &url(&primary, API_PG),
            Some(json!({ "tags": { "a": "b" } })),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "ServerIsBusy"), "{b}");
    arm.wait(headers["azure-asyncoperation"].to_str().expect("header"))
        .await;
    assert_eq!(get(&arm, &primary).await.1["properties"]["state"], "Ready");

    with_endpoint_only(&arm).await;
    for option in ["planned", "forced"] {
        let (s, b) = arm
            .req(
                Method::PATCH,
                &url(&replica, API_PG),
                Some(promote("switchover", option)),
            )
            .await;
        assert_eq!(
            (s, code(&b)),
            (400, "ServerSymmetryRequired"),
            "{option}: {b}"
        );
    }
    // In an outage of the primary's region, forced skips every check.
    arm.emulator.take_region_down("eastus", RegionDown::Fail);
    write(
        &arm,
        Method::PATCH,
        &replica,
        API_PG,
        Some(promote("switchover", "forced")),
    )
    .await;
    assert_eq!(
        get(&arm, &replica).await.1["properties"]["replicationRole"],
        "Primary"
    );
}

#[tokio::test]
async fn a_replica_takes_no_geo_backup_and_no_less_storage_than_its_primary() {
    let arm = Arm::start(fast()).await;
    topology(&arm).await;
    let primary = server("g-east", "pg-east");
    write(
        &arm,
        Method::PUT,
        &primary,
        API_PG,
        Some(primary_body("GeneralPurpose")),
    )
    .await;
    let replica = server("g-west", "pg-west");
    let cases = [
        (
            json!({ "backup": { "geoRedundantBackup": "Enabled" } }),
            "GeoBackupNotSupportedOnReplica",
            "properties.backup.geoRedundantBackup",
        ),
        (
            json!({ "storage": { "storageSizeGB": 64 } }),
            "ReplicaStorageTooSmall",
            "properties.storage.storageSizeGB",
        ),
        (
            json!({ "highAvailability": { "mode": "ZoneRedundant" } }),
            "InvalidParameterValue",
            "properties.highAvailability.mode",
        ),
    ];
    for (extra, want, target) in cases {
        let mut body = replica_body(&primary);
        for (k, v) in extra.as_object().expect("object") {
            body["properties"][k] = v.clone();
        }
        let (s, b) = arm
            .req(Method::PUT, &url(&replica, API_PG), Some(body))
            .await;
        assert_eq!((s, code(&b)), (400, want), "{b}");
        assert_eq!(b["error"]["target"], target, "{b}");
    }
    // What is not given is inherited: storage; geo-backup is not.
    write(
        &arm,
        Method::PUT,
        &replica,
        API_PG,
        Some(replica_body(&primary)),
    )
    .await;
    let (_, got) = get(&arm, &replica).await;
    assert_eq!(got["properties"]["storage"]["storageSizeGB"], 128, "{got}");
    assert_eq!(
        got["properties"]["backup"]["geoRedundantBackup"],
        "Disabled"
    );
    // An existing server cannot be made into a replica.
    let (s, b) = arm
        .req(
            Method::PUT,
            &url(&primary, API_PG),
            Some(replica_body(&replica)),
        )
        .await;
    assert_eq!(s, 400, "{b}");
}

#[tokio::test]
async fn the_same_bodies_put_again_change_nothing() {
    let arm = Arm::start(fast()).await;
    primary_and_replica(&arm).await;
    let (primary, replica) = (server("g-east", "pg-east"), server("g-west", "pg-west"));
    let (_, before_primary) = get(&arm, &primary).await;
    let (_, before_replica) = get(&arm, &replica).await;
    let (s, _) = write(
        &arm,
        Method::PUT,
        &primary,
        API_PG,
        Some(primary_body("GeneralPurpose")),
    )
    .await;
    assert_eq!(s, 202);
    let (s, _) = write(
        &arm,
        Method::PUT,
        &replica,
        API_PG,
        Some(replica_body(&primary)),
    )
    .await;
    assert_eq!(s, 202);
    assert_eq!(get(&arm, &primary).await.1, before_primary);
    assert_eq!(get(&arm, &replica).await.1, before_replica);
    assert_eq!(
        resolve(&arm, "g-west", "pg-east.postgres.database.azure.com"),
        Some(vec!["10.1.8.4".to_owned()])
    );
}

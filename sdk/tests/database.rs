//! The database against the emulator and the kept specs: every body the SDK sends for it validates
//! against FlexibleServers.json and VirtualEndpoints.json (2024-08-01); a two-region topology
//! applies, plans no change, fails over while East US does not answer (West US's replica promoted
//! before the traffic moves), converges when East US is back (its server West US's replica), fails
//! back on request and destroys to nothing.

mod support;

use armspec::{Specs, files};
use bcdr::engine::CancelSignal;
use bcdr::layout::{self, ResourceKey};
use bcdr::model::{Database, RegionMode, RegionRole, RoutingMethod, TrafficManager};
use bcdr::{Region, Topology};
use support::*;

const GROUP: &str = "6a1b3c4d-0000-4000-8000-00000000d0b5";

fn shop(east: RegionMode, west: RegionMode) -> Topology {
    Topology::new("dbsdk")
        .region(
            Region::new("eastus", "10.1.0.0/16")
                .role(RegionRole::Primary)
                .mode(east),
        )
        .region(Region::new("westus", "10.2.0.0/16").mode(west))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
        .database(Database::new(GROUP, "shop-dba").replica("westus"))
}

#[test]
fn every_database_body_matches_its_spec() {
    let Some(specs) = Specs::load("every_database_body_matches_its_spec") else {
        return;
    };
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let mut checked = 0;
    for d in layout::desired(&t, SUB) {
        let spec = match d.key {
            ResourceKey::DatabaseServer(_) => files::POSTGRES_FLEXIBLE_SERVERS,
            ResourceKey::DatabaseEndpoint(_) => files::POSTGRES_VIRTUAL_ENDPOINTS,
            ResourceKey::VirtualNetwork(_) => files::VIRTUAL_NETWORK,
            // Administrators.json has no copy in the index the specs are kept from
            // (tests/armspec/specs/provenance/postgresql.md); privatedns.json is not pinned either.
            _ => continue,
        };
        let errors = specs.check_request(spec, "PUT", &d.id, &d.body);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{:#}", d.key, d.body);
        // A server that exists is written without what Azure fixed at create.
        if matches!(d.key, ResourceKey::DatabaseServer(_)) {
            let body = layout::existing_server_body(&d.body);
            let errors = specs.check_request(spec, "PUT", &d.id, &body);
            assert!(errors.is_empty(), "{}: {errors:#?}", d.key);
        }
        checked += 1;
    }
    assert_eq!(checked, 2 + 1 + 2, "two servers, the endpoint, two VNets");
    let server = ResourceKey::DatabaseServer("westus".into()).id(SUB, "dbsdk");
    for forced in [false, true] {
        let body = bcdr::arm::postgres::promotion(forced);
        let errors = specs.check_request(files::POSTGRES_FLEXIBLE_SERVERS, "PATCH", &server, &body);
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

fn database(status: &bcdr::TopologyStatus) -> bcdr::topology::DatabaseStatus {
    status.database.clone().expect("the database exists")
}

#[tokio::test]
async fn a_database_fails_over_with_the_traffic_and_back() {
    let (emulator, client) = setup(fast()).await;
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let db = database(&applied.status);
    assert_eq!(db.primary_region, "eastus");
    assert!(
        db.write_host
            .ends_with(".writer.postgres.database.azure.com"),
        "{db:?}"
    );
    assert_eq!(db.servers["westus"].role, "GeoAsyncReplica", "{db:?}");
    assert!(!db.servers["westus"].replication_state.is_empty(), "{db:?}");
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(
        !plan.has_changes(),
        "{:?}",
        plan.changes()
            .map(|o| format!("{} {}: {}", o.action, o.key, o.reason))
            .collect::<Vec<_>>()
    );

    emulator.take_region_down("eastus", arm_emulator::RegionDown::Fail);
    let failover = shop(RegionMode::Warm, RegionMode::Hot);
    let (plan, _) = client.plan(&failover).await.expect("plan");
    let promotion = plan
        .operations
        .iter()
        .find(|o| o.key == ResourceKey::DatabasePromotion("westus".into()))
        .expect("promotion planned");
    assert_eq!(
        promotion.body.as_ref().expect("body")["properties"]["replica"]["promoteOption"],
        "forced"
    );
    emulator.clear_requests();
    let applied = client
        .apply(&failover, CancelSignal::never(), &quiet)
        .await
        .expect("failover");
    let log = writes(&emulator);
    let promoted = log
        .iter()
        .position(|r| r.method == "PATCH" && r.path.contains("flexibleServers"))
        .expect("promotion sent");
    let traffic = log
        .iter()
        .position(|r| {
            r.path
                .to_ascii_lowercase()
                .contains("/trafficmanagerprofiles/")
        })
        .unwrap_or_else(|| panic!("traffic moved: {log:#?}"));
    assert!(promoted < traffic, "{log:#?}");
    assert_eq!(database(&applied.status).primary_region, "westus");

    emulator.restore_region("eastus");
    // A client that has not learnt East US was down (the breaker would spare it for a minute).
    let client = support::client(
        &emulator,
        bcdr::engine::RetryPolicy {
            max_attempts: 40,
            base_delay: std::time::Duration::from_millis(5),
            max_delay: std::time::Duration::from_millis(50),
        },
        None,
    );
    let (plan, observed) = client.plan(&failover).await.expect("plan");
    assert!(
        observed.unreachable.is_empty(),
        "{:?}",
        observed.unreachable
    );
    assert!(
        !plan.has_changes(),
        "East US rejoined as a replica: {:?}",
        plan.changes()
            .map(|o| format!("{} {}: {}", o.action, o.key, o.reason))
            .collect::<Vec<_>>()
    );
    let status = client.status(&failover).await.expect("status");
    assert!(
        database(&status).servers["eastus"]
            .role
            .ends_with("Replica")
    );

    let back = shop(RegionMode::Hot, RegionMode::Warm);
    let (plan, _) = client.plan(&back).await.expect("plan");
    let promotion = plan
        .operations
        .iter()
        .find(|o| o.key == ResourceKey::DatabasePromotion("eastus".into()))
        .expect("failback promotion planned");
    assert_eq!(
        promotion.body.as_ref().expect("body")["properties"]["replica"]["promoteOption"],
        "planned"
    );
    let applied = client
        .apply(&back, CancelSignal::never(), &quiet)
        .await
        .expect("failback");
    assert_eq!(database(&applied.status).primary_region, "eastus");
    let (plan, _) = client.plan(&back).await.expect("plan");
    assert!(!plan.has_changes());

    destroy_to_nothing(&emulator, &client, "dbsdk").await;
}

#[tokio::test]
async fn a_drill_times_the_promotion_before_the_traffic_both_ways() {
    let (emulator, client) = setup(fast()).await;
    let t = shop(RegionMode::Hot, RegionMode::Warm);
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let drill = client.drill(&t, "eastus", "westus").await.expect("drill");
    for (switch, to) in [(&drill.failover, "westus"), (&drill.failback, "eastus")] {
        let steps: Vec<&str> = switch.steps.iter().map(|s| s.what.as_str()).collect();
        let promotion = format!("promote database promotion to primary ({to})");
        let promoted = switch
            .steps
            .iter()
            .find(|s| s.what == promotion)
            .unwrap_or_else(|| panic!("{promotion} timed: {steps:?}"));
        let traffic = switch
            .steps
            .iter()
            .find(|s| s.what == "update Traffic Manager profile")
            .unwrap_or_else(|| panic!("the traffic moved: {steps:?}"));
        assert!(
            promoted.started + promoted.took <= traffic.started,
            "the promotion ends before the traffic write starts: {steps:?}"
        );
        assert!(switch.time_to_switch >= promoted.started + promoted.took);
        assert_eq!(database(&switch.status).primary_region, to);
    }
    destroy_to_nothing(&emulator, &client, "dbsdk").await;
}

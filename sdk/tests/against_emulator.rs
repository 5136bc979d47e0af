//! The SDK against the ARM emulator: apply, no-op, status and destroy; the retries the engine and the
//! pipeline make (throttling, lock conflicts); partial progress kept when an operation fails; a
//! cancelled apply that a re-run completes; no ARM call for an invalid topology.

use arm_emulator::{Config, Emulator, FaultAction, FaultRule};
use bcdr::engine::{CancelSignal, Event, Outcome, RetryPolicy, cancellation};
use bcdr::{ArmClient, ArmConfig, Cloud, Credential, Region, Topology, TopologyClient};
use std::sync::Mutex;
use std::time::Duration;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

async fn setup(config: Config) -> (Emulator, TopologyClient) {
    let emulator = Emulator::start(config).await.expect("emulator");
    let cloud = Cloud::custom(&emulator.endpoint(), &emulator.endpoint()).expect("cloud");
    let credential =
        Credential::client_secret("00000000-0000-0000-0000-00000000aaaa", "sdk-tests", "x");
    let arm = ArmConfig::new(SUB, cloud, credential).trust_root_pem(emulator.ca_certificate_pem());
    let retry = RetryPolicy {
        max_attempts: 40,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
    };
    let client = TopologyClient::new(ArmClient::new(arm).expect("client")).with_retry(retry);
    (emulator, client)
}

fn fast() -> Config {
    Config {
        latency_scale: 0.0005,
        ..Config::default()
    }
}

fn topology(name: &str, regions: &[(&str, &str)]) -> Topology {
    regions.iter().fold(Topology::new(name), |t, (r, c)| {
        t.region(Region::new(*r, *c))
    })
}

fn quiet(_: Event<'_>) {}

/// The keys of the plan operations whose outcome `pick` selects (plans from scratch share one order).
fn keys(
    t: &Topology,
    report: &bcdr::engine::Report,
    pick: impl Fn(&Outcome) -> bool,
) -> Vec<String> {
    let plan = bcdr::plan::plan(
        &bcdr::layout::desired(t, SUB),
        &bcdr::plan::Observed::default(),
    );
    plan.operations
        .iter()
        .zip(&report.outcomes)
        .filter(|(_, o)| pick(o))
        .map(|(op, _)| op.key.to_string())
        .collect()
}

#[tokio::test]
async fn apply_is_idempotent_and_destroy_leaves_nothing() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "trio",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    );
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    assert_eq!(
        applied.plan.changes().count(),
        4 + 3 + 3 + 3 + 3 + 6,
        "groups, vnets, ingress IPs, clusters, roles, peerings"
    );
    assert_eq!(applied.status.peerings.len(), 6);
    assert!(
        applied.status.peerings.values().all(|s| s == "Connected"),
        "{:?}",
        applied.status.peerings
    );
    assert!(applied.status.regions.values().all(
        |r| r.cluster_fqdn.ends_with(".azmk8s.io") && !r.kubelet_identity_object_id.is_empty()
    ));

    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(
        !plan.has_changes(),
        "{:?}",
        plan.changes().collect::<Vec<_>>()
    );
    let imported = client
        .import("trio")
        .await
        .expect("import")
        .expect("found by tag");
    let regions: Vec<(&str, &str)> = imported
        .sorted_regions()
        .iter()
        .map(|r| (r.name.as_str(), r.vnet_cidr.as_str()))
        .collect();
    assert_eq!(
        regions,
        [
            ("centralus", "10.3.0.0/16"),
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16")
        ]
    );

    client
        .destroy("trio", CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(
        emulator.resource_ids().is_empty(),
        "{:?}",
        emulator.resource_ids()
    );
}

#[tokio::test]
async fn throttling_and_lock_conflicts_are_retried() {
    let (emulator, client) = setup(fast()).await;
    emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "/virtualNetworks/vnet-retry-eastus".into(),
        action: FaultAction::Respond {
            status: 429,
            code: "RetryableErrorDueToAnotherOperation".into(),
            retry_after: None,
        },
        remaining: 1,
    });
    emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "virtualNetworkPeerings/peer-eastus-to-westus".into(),
        action: FaultAction::Respond {
            status: 409,
            code: "AnotherOperationInProgress".into(),
            retry_after: None,
        },
        remaining: 2,
    });
    let retries = Mutex::new(Vec::new());
    let on_event = |e: Event<'_>| {
        if let Event::Retrying { op, error, .. } = e {
            retries.lock().expect("lock").push(format!(
                "{} {}",
                op.key,
                error.code().unwrap_or_default()
            ));
        }
    };
    let t = topology(
        "retry",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    client
        .apply(&t, CancelSignal::never(), &on_event)
        .await
        .expect("apply succeeds after retries");
    let retries = retries.into_inner().expect("lock");
    assert_eq!(
        retries,
        [
            "peering (eastus -> westus) AnotherOperationInProgress",
            "peering (eastus -> westus) AnotherOperationInProgress"
        ]
    );
    let puts: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.status)
        .collect();
    assert_eq!(
        puts.iter().filter(|s| **s == 429).count(),
        1,
        "the pipeline retried the 429 itself: {puts:?}"
    );
}

#[tokio::test]
async fn a_failed_operation_keeps_partial_progress_and_a_rerun_converges() {
    let (emulator, client) = setup(fast()).await;
    emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "managedClusters/aks-part-westus".into(),
        action: FaultAction::FailAsync {
            code: "QuotaExceeded".into(),
            message: "no cores left".into(),
        },
        remaining: 1,
    });
    let t = topology(
        "part",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    let failure = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect_err("the westus cluster fails");
    assert_eq!(failure.error.code(), Some("QuotaExceeded"));
    let report = failure.report.as_ref().expect("report");
    assert_eq!(
        keys(&t, report, |o| matches!(o, Outcome::Failed(_))),
        ["AKS cluster (westus)"]
    );
    assert_eq!(
        report
            .outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Done(_)))
            .count(),
        11,
        "everything but the cluster and its role finished"
    );
    assert!(
        failure.status.regions["eastus"]
            .cluster_fqdn
            .ends_with(".azmk8s.io"),
        "what was made is reported"
    );

    let again = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("the re-run converges");
    assert_eq!(
        again
            .plan
            .changes()
            .map(|o| o.key.to_string())
            .collect::<Vec<_>>(),
        ["AKS cluster (westus)", "cluster identity role (westus)"]
    );
    assert!(
        again
            .plan
            .changes()
            .next()
            .is_some_and(|o| o.reason.contains("Failed"))
    );
    assert!(!client.plan(&t).await.expect("plan").0.has_changes());
}

#[tokio::test]
async fn a_cancelled_apply_records_what_started_and_a_rerun_completes_it() {
    let mut latencies: std::collections::BTreeMap<String, u64> = arm_emulator::default_latencies()
        .into_keys()
        .map(|k| (k, 3))
        .collect();
    latencies.insert("managedCluster.put".into(), 1_500);
    let (emulator, client) = setup(Config {
        latency_scale: 1.0,
        latencies,
        ..fast()
    })
    .await;
    let t = topology(
        "stop",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    let (canceller, signal) = cancellation();
    let cancel_later = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    };
    let (result, ()) = tokio::join!(client.apply(&t, signal, &quiet), cancel_later);
    let failure = result.expect_err("cancelled");
    let report = failure.report.as_ref().expect("report");
    assert!(report.cancelled);
    assert_eq!(
        keys(&t, report, |o| matches!(o, Outcome::Interrupted)),
        ["AKS cluster (eastus)", "AKS cluster (westus)"],
        "started operations are recorded"
    );
    assert!(
        emulator
            .resource_ids()
            .iter()
            .any(|id| id.contains("aks-stop-eastus")),
        "ARM goes on with what was started"
    );

    let done = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("a re-run completes");
    assert!(
        done.status
            .regions
            .values()
            .all(|r| r.provisioning_state == "Succeeded"),
        "{:?}",
        done.status
    );
}

#[tokio::test]
async fn an_invalid_topology_makes_no_arm_call() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "bad",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.1.0.0/16")],
    );
    let err = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect_err("invalid");
    assert!(
        err.to_string().contains("region[\"westus\"].vnet_cidr"),
        "{err}"
    );
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn traffic_manager_routes_to_hot_regions_and_a_mode_swap_is_one_write() {
    use bcdr::model::{RegionMode, RoutingMethod, TrafficManager};
    let (emulator, client) = setup(fast()).await;
    let t = |east: RegionMode, west: RegionMode| {
        Topology::new("route")
            .region(Region::new("eastus", "10.1.0.0/16").mode(east))
            .region(Region::new("westus", "10.2.0.0/16").mode(west))
            .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
    };
    let applied = client
        .apply(
            &t(RegionMode::Hot, RegionMode::Warm),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");
    let s = &applied.status;
    assert_eq!(s.traffic_manager_fqdn, "bcdr-route.trafficmanager.net");
    assert_eq!(
        (
            s.regions["eastus"].endpoint_status.as_str(),
            s.regions["westus"].endpoint_status.as_str()
        ),
        ("Enabled", "Disabled")
    );
    assert_eq!(
        s.regions["eastus"].ingress_fqdn,
        "route-eastus.eastus.cloudapp.azure.com"
    );
    assert!(
        !s.regions["westus"].cluster_fqdn.is_empty(),
        "a warm region runs its cluster"
    );
    let roles: Vec<String> = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.contains("roleAssignments"))
        .collect();
    assert_eq!(
        roles.len(),
        2,
        "each cluster identity may use its ingress IP: {roles:?}"
    );

    // Fail over by swapping modes: one atomic profile write moves traffic.
    emulator.clear_requests();
    let swapped = client
        .apply(
            &t(RegionMode::Warm, RegionMode::Hot),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("swap");
    assert_eq!(
        swapped
            .plan
            .changes()
            .map(|o| o.key.to_string())
            .collect::<Vec<_>>(),
        ["Traffic Manager profile"]
    );
    let writes: Vec<String> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| r.path)
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(swapped.status.regions["westus"].endpoint_status, "Enabled");

    // A cold region keeps its network and IP, not its cluster.
    let cold = client
        .apply(
            &t(RegionMode::Hot, RegionMode::Cold),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("cold");
    assert!(cold.status.regions["westus"].cluster_id.is_empty());
    assert!(!cold.status.regions["westus"].ingress_ip_address.is_empty());
    let imported = client
        .import("route")
        .await
        .expect("import")
        .expect("found");
    assert_eq!(
        imported
            .regions
            .iter()
            .map(|r| (r.name.as_str(), r.mode))
            .collect::<Vec<_>>(),
        [("eastus", RegionMode::Hot), ("westus", RegionMode::Cold)]
    );
    assert_eq!(
        imported
            .traffic_manager
            .as_ref()
            .map(|tm| tm.routing_method),
        Some(RoutingMethod::Priority)
    );

    client
        .destroy("route", CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(
        emulator.resource_ids().is_empty(),
        "{:?}",
        emulator.resource_ids()
    );
}

#[tokio::test]
async fn the_registry_is_geo_replicated_and_every_kubelet_identity_may_pull() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "reg",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    )
    .registry(bcdr::model::Registry::default());
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let s = &applied.status;
    assert!(
        s.registry_login_server.starts_with("bcdrreg")
            && s.registry_login_server.ends_with(".azurecr.io"),
        "{}",
        s.registry_login_server
    );
    assert_eq!(
        s.registry_replicas.keys().collect::<Vec<_>>(),
        ["eastus", "westus"],
        "centralus is home (first by name)"
    );
    let pulls: Vec<String> = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.contains("/registries/") && id.contains("roleAssignments"))
        .collect();
    assert_eq!(pulls.len(), 3, "{pulls:?}");
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "the kubelet principals were bound: no drift"
    );
    let imported = client.import("reg").await.expect("import").expect("found");
    assert!(imported.registry.is_some());
    client
        .destroy("reg", CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(
        emulator.resource_ids().is_empty(),
        "{:?}",
        emulator.resource_ids()
    );
}

#[tokio::test]
async fn backup_storage_replicates_to_the_home_regions_pair() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "bk",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    )
    .backup(bcdr::model::Backup::default());
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    assert_eq!(
        applied.status.backup_secondary_region, "westus",
        "GRS from East US replicates to West US"
    );
    assert_eq!(
        applied
            .status
            .backup_containers
            .values()
            .collect::<Vec<_>>(),
        ["backup-eastus", "backup-westus"]
    );
    assert!(!client.plan(&t).await.expect("plan").0.has_changes());
    assert!(
        client
            .import("bk")
            .await
            .expect("import")
            .expect("found")
            .backup
            .is_some()
    );
    client
        .destroy("bk", CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(
        emulator.resource_ids().is_empty(),
        "{:?}",
        emulator.resource_ids()
    );
}

#[tokio::test]
async fn a_drill_fails_over_to_a_cold_region_and_back_with_timed_steps() {
    use bcdr::model::{RegionMode, RoutingMethod, TrafficManager};
    let (_emulator, client) = setup(fast()).await;
    let t = Topology::new("drill")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Cold))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority));
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let drill = client.drill(&t, "eastus", "westus").await.expect("drill");
    let steps: Vec<&str> = drill
        .failover
        .steps
        .iter()
        .map(|s| s.what.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "create AKS cluster (westus)",
            "create cluster identity role (westus)",
            "update Traffic Manager profile"
        ]
    );
    let cluster = &drill.failover.steps[0];
    assert!(
        drill.failover.time_to_switch >= cluster.started + cluster.took,
        "traffic moved only once the cluster existed"
    );
    assert_eq!(
        drill.failover.status.regions["westus"].endpoint_status,
        "Enabled"
    );
    assert_eq!(
        drill
            .failback
            .steps
            .iter()
            .map(|s| s.what.as_str())
            .collect::<Vec<_>>(),
        ["update Traffic Manager profile"],
        "failback is one write"
    );
    assert_eq!(
        drill.failback.status.regions["eastus"].endpoint_status,
        "Enabled"
    );
}

#[tokio::test]
async fn writes_are_paced_on_arms_remaining_budget_instead_of_being_throttled() {
    let throttle = arm_emulator::Throttle {
        read_burst: 10_000.0,
        read_per_sec: 10_000.0,
        write_burst: 12.0,
        write_per_sec: 10.0,
    };
    let (emulator, client) = setup(Config {
        throttle: Some(throttle),
        ..fast()
    })
    .await;
    let t = topology(
        "paced",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    )
    .traffic_manager(bcdr::model::TrafficManager::new(
        bcdr::model::RoutingMethod::Priority,
    ));
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply under ARM's write budget");
    assert_eq!(applied.plan.changes().count(), 14);
    let throttled = emulator
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert_eq!(
        throttled, 0,
        "the engine slowed down on x-ms-ratelimit-remaining-subscription-writes instead of hitting 429"
    );
    assert!(
        client
            .arm()
            .writes_remaining()
            .is_some_and(|left| left < 12),
        "the budget was read from ARM's headers"
    );
}

#[tokio::test]
async fn front_door_premium_over_three_regions_applies_repairs_drift_fails_over_and_destroys() {
    use bcdr::model::{FrontDoor, RegionMode};
    let (emulator, client) = setup(fast()).await;
    let mut fd = FrontDoor::default();
    fd.premium = true;
    fd.session_affinity = true;
    let t = Topology::new("edge")
        .region(Region::new("eastus", "10.1.0.0/16"))
        .region(Region::new("westus", "10.2.0.0/16").mode(RegionMode::Warm))
        .region(Region::new("centralus", "10.3.0.0/16"))
        .front_door(fd);
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let s = &applied.status;
    assert!(
        s.front_door_host.starts_with("edge-") && s.front_door_host.ends_with(".z01.azurefd.net"),
        "{}",
        s.front_door_host
    );
    assert_eq!(s.regions["westus"].endpoint_status, "Disabled");
    assert_eq!(s.regions["eastus"].endpoint_status, "Enabled");
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "origins bound to the ingress IPs' names: no drift"
    );

    // Someone enables the warm origin by hand: the plan repairs it.
    let origin = bcdr::layout::ResourceKey::FrontDoorOrigin("westus".into()).id(SUB, "edge");
    let mut body = client
        .arm()
        .get(&origin, "2024-09-01")
        .await
        .expect("get")
        .expect("origin");
    body["properties"]["enabledState"] = "Enabled".into();
    client
        .arm()
        .put(&origin, "2024-09-01", &body, &[])
        .await
        .expect("drift");
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert_eq!(
        plan.changes()
            .map(|o| o.key.to_string())
            .collect::<Vec<_>>(),
        ["Front Door origin (westus)"]
    );
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("repair");

    let switch = client
        .failover(&t, "eastus", "westus", CancelSignal::never())
        .await
        .expect("failover");
    assert_eq!(switch.status.regions["westus"].endpoint_status, "Enabled");
    assert_eq!(switch.status.regions["eastus"].endpoint_status, "Disabled");
    let imported = client.import("edge").await.expect("import").expect("found");
    assert!(
        imported
            .front_door
            .as_ref()
            .is_some_and(|f| f.premium && f.session_affinity)
    );
    client
        .destroy("edge", CancelSignal::never(), &quiet)
        .await
        .expect("destroy");
    assert!(
        emulator.resource_ids().is_empty(),
        "{:?}",
        emulator.resource_ids()
    );
}

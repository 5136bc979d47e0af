//! The SDK against the ARM emulator: apply, no-op, status and destroy; the retries the engine and the
//! pipeline make (throttling, lock conflicts); partial progress kept when an operation fails; a
//! cancelled apply that a re-run completes; no ARM call for an invalid topology.

mod support;

use arm_emulator::{Config, FaultAction, FaultRule};
use bcdr::engine::{CancelSignal, Event, Outcome, cancellation};
use bcdr::layout::ResourceKey;
use bcdr::model::RegionRole;
use std::sync::Mutex;
use std::time::Duration;
use support::*;

#[tokio::test]
async fn apply_is_idempotent_and_destroy_leaves_nothing() {
    let (emulator, client) = setup(fast()).await;
    let mut t = topology(
        "trio",
        &[
            ("eastus", "10.1.0.0/16"),
            ("westus", "10.2.0.0/16"),
            ("centralus", "10.3.0.0/16"),
        ],
    );
    t.regions[1].role = RegionRole::Primary;
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
    // Every write's outcome carries the resource as ARM reports it afterwards (the status is made
    // from the same bodies, and peerings then read Connected there too).
    for (op, outcome) in applied.plan.operations.iter().zip(&applied.report.outcomes) {
        let Outcome::Done(Some(body)) = outcome else {
            panic!("{}: {outcome:?}", op.key);
        };
        assert!(
            body["id"]
                .as_str()
                .is_some_and(|id| id.eq_ignore_ascii_case(&op.id)),
            "{}: {body}",
            op.key
        );
        if matches!(op.key, bcdr::layout::ResourceKey::Peering { .. }) {
            assert_eq!(
                body["properties"]["peeringState"], "Connected",
                "{}",
                op.key
            );
        }
    }
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
    assert_eq!(
        imported.primary().map(|r| r.name.as_str()),
        Some("westus"),
        "the primary is recorded on the global group"
    );
    assert_eq!(imported.home_region.as_deref(), Some("westus"));

    destroy_to_nothing(&emulator, &client, "trio").await;
}

#[tokio::test]
async fn planning_from_nothing_costs_one_request() {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "fresh",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    emulator.clear_requests();
    let (plan, _) = client.plan(&t).await.expect("plan");
    assert!(plan.has_changes());
    let arm: Vec<String> = emulator
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/subscriptions/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        arm.len(),
        1,
        "only the tag-filtered list of groups: {arm:#?}"
    );
}

#[tokio::test]
async fn an_apply_costs_one_write_per_resource_its_operation_polls_and_one_read_per_long_running_one()
 {
    let (emulator, client) = setup(fast()).await;
    let t = topology(
        "lean",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    let (plan, _) = client.plan(&t).await.expect("plan");
    let writes = plan.changes().count();
    let long_running: Vec<String> = plan
        .changes()
        .filter(|o| {
            matches!(
                o.key,
                ResourceKey::VirtualNetwork(_)
                    | ResourceKey::PublicIp(_)
                    | ResourceKey::ManagedCluster(_)
                    | ResourceKey::Peering { .. }
            )
        })
        .map(|o| o.id.to_ascii_lowercase())
        .collect();
    let written: Vec<String> = plan.changes().map(|o| o.id.to_ascii_lowercase()).collect();
    emulator.clear_requests();
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let log: Vec<(String, String)> = emulator
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/subscriptions/"))
        .map(|r| (r.method.clone(), r.path.to_ascii_lowercase()))
        .collect();
    let polls = log
        .iter()
        .filter(|(m, p)| m == "GET" && p.contains("/operations/"))
        .count();
    let reads: Vec<&String> = log
        .iter()
        .filter(|(m, p)| m == "GET" && !p.contains("/operations/"))
        .map(|(_, p)| p)
        .collect();
    // ARM's protocol: a long-running write is followed on its operation (Azure-AsyncOperation), never
    // on the resource's own state, and the resource is read once when the operation has ended. So
    // each long-running write costs its polls (at least one) and exactly one read; synchronous ones
    // (groups, role assignments) cost nothing more. Before, the resource itself was polled and the
    // read that saw it end was the result: one read per poll, no status document.
    let (mut once, others): (Vec<&String>, Vec<&String>) =
        reads.iter().partition(|p| written.contains(*p));
    once.sort();
    assert_eq!(others.len(), 1, "and the list of groups: {others:?}");
    let mut expected: Vec<&String> = long_running.iter().collect();
    expected.sort();
    assert_eq!(
        once, expected,
        "one read of each long-running resource, after its operation: {log:#?}"
    );
    assert!(
        polls >= long_running.len(),
        "each long-running write polls its operation at least once: {polls} polls: {log:#?}"
    );
    assert_eq!(
        log.len(),
        1 + writes + polls + long_running.len(),
        "the list, the writes, the operation polls, one read per long-running write: {log:#?}"
    );
    assert!(
        applied.status.peerings.values().all(|s| s == "Connected"),
        "the side written second proves both Connected, with no VNet read: {:?}",
        applied.status.peerings
    );
    assert!(
        applied.status.regions.values().all(|r| {
            !r.kubelet_identity_object_id.is_empty() && !r.ingress_ip_address.is_empty()
        })
    );
}

#[tokio::test]
async fn a_resource_not_readable_right_after_its_operation_is_read_again() {
    let (emulator, client) = setup(fast()).await;
    emulator.add_fault(FaultRule {
        method: "GET".into(),
        path_contains: "publicIPAddresses/pip-late-eastus-ingress".into(),
        action: FaultAction::Respond {
            status: 404,
            code: "ResourceNotFound".into(),
            retry_after: None,
        },
        remaining: 1,
    });
    let t = topology(
        "late",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let ip_reads: Vec<u16> = emulator
        .requests()
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path
                    .ends_with("publicIPAddresses/pip-late-eastus-ingress")
        })
        .map(|r| r.status)
        .collect();
    assert_eq!(
        ip_reads,
        [404, 200],
        "ARM's caches lag its operations: the read after the operation ended is made again"
    );
    assert!(
        !applied.status.regions["eastus"]
            .ingress_ip_address
            .is_empty()
    );
}

#[tokio::test]
async fn under_seeded_chaos_an_apply_converges() {
    let (emulator, client) = setup(arm_emulator::Config {
        chaos: Some(arm_emulator::Chaos {
            rate: 0.15,
            seed: 3,
        }),
        ..fast()
    })
    .await;
    let t = topology(
        "chaos",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply succeeds through the server errors");
    let failed = emulator
        .requests()
        .iter()
        .filter(|r| matches!(r.status, 500 | 503))
        .count();
    assert!(failed > 0, "chaos struck: {:#?}", emulator.requests());
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "converged"
    );
}

#[tokio::test]
async fn dropped_connections_are_retried_and_the_apply_converges() {
    let (emulator, client) = setup(fast()).await;
    // The IP's PUT takes effect, but its answer is lost; a cluster PUT never arrives.
    emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "/publicIPAddresses/pip-drop-eastus-ingress".into(),
        action: FaultAction::Drop {
            after_processing: true,
        },
        remaining: 1,
    });
    emulator.add_fault(FaultRule {
        method: "PUT".into(),
        path_contains: "/managedClusters/aks-drop-westus".into(),
        action: FaultAction::Drop {
            after_processing: false,
        },
        remaining: 1,
    });
    let t = topology(
        "drop",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply succeeds after the dropped connections");
    let dropped = emulator
        .requests()
        .iter()
        .filter(|r| r.code.as_deref() == Some("ConnectionDropped"))
        .count();
    assert_eq!(dropped, 2, "{:#?}", emulator.requests());
    assert!(
        !client.plan(&t).await.expect("plan").0.has_changes(),
        "converged: nothing left to do"
    );
    let ips = emulator
        .resource_ids()
        .into_iter()
        .filter(|id| id.contains("/publicIPAddresses/"))
        .count();
    assert_eq!(ips, 2, "no duplicate: the retried PUT adopted the IP");
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
    // 3 ms for everything but a cluster's 1.5 s, given at Azure's scale and scaled down: the client
    // polls at the same scale (no `Retry-After`, as Azure).
    let mut latencies: std::collections::BTreeMap<String, u64> = arm_emulator::default_latencies()
        .into_keys()
        .map(|k| (k, 10_000))
        .collect();
    latencies.insert("managedCluster.put".into(), 5_000_000);
    let (emulator, client) = setup(Config {
        latency_scale: 0.0003,
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
async fn a_clusters_kubeconfig_is_a_secret_that_never_prints() {
    let (_emulator, client) = setup(fast()).await;
    let mut t = topology(
        "creds",
        &[("eastus", "10.1.0.0/16"), ("westus", "10.2.0.0/16")],
    );
    t.regions[1].mode = bcdr::model::RegionMode::Cold;
    let applied = client
        .apply(&t, CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    let fqdn = &applied.status.regions["eastus"].cluster_fqdn;
    let config = client
        .kubeconfig("creds", "eastus")
        .await
        .expect("credential")
        .expect("a cluster");
    assert!(
        config
            .expose()
            .contains(&format!("server: https://{fqdn}:443")),
        "{}",
        config.expose()
    );
    assert_eq!(
        format!("{config:?} {config}"),
        "Kubeconfig(<redacted>) <redacted>"
    );
    assert!(
        client
            .kubeconfig("creds", "westus")
            .await
            .expect("credential")
            .is_none(),
        "a cold region has no cluster"
    );
}

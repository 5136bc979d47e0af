//! The SDK's apply under failure, against the ARM emulator: seeded chaos, dropped connections,
//! throttling and lock conflicts retried; partial progress kept when an operation fails; a cancelled
//! apply that a re-run completes.

mod support;

use arm_emulator::{Config, FaultAction, FaultRule};
use bcdr::engine::{CancelSignal, Event, Outcome, cancellation};
use std::sync::Mutex;
use support::*;

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
        14,
        "everything but the westus cluster, its maintenance window and its role finished"
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
        [
            "AKS cluster (westus)",
            "node OS maintenance window (westus)",
            "cluster identity role (westus)"
        ]
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
    // Cancelled once both clusters are under way and everything that does not wait for a cluster has
    // ended: decided by the engine's events, not by a wall-clock delay (which a loaded machine
    // stretches).
    let (plan, _) = client.plan(&t).await.expect("plan");
    let ops = &plan.operations;
    let mut waits_for_cluster = vec![false; ops.len()];
    for i in 0..ops.len() {
        waits_for_cluster[i] = ops[i].key.to_string().starts_with("AKS cluster")
            || ops[i].depends_on.iter().any(|&d| waits_for_cluster[d]);
    }
    let independent = plan
        .changes()
        .filter(|o| {
            let i = ops.iter().position(|x| x.key == o.key).unwrap_or_default();
            !waits_for_cluster[i]
        })
        .count();
    let finished = std::sync::atomic::AtomicUsize::new(0);
    let cancel_when_only_clusters_run = |e: Event<'_>| {
        if let Event::Finished { op, .. } = e
            && !op.key.to_string().starts_with("AKS cluster")
            && finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == independent
        {
            canceller.cancel();
        }
    };
    let result = client
        .apply(&t, signal, &cancel_when_only_clusters_run)
        .await;
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

//! The SDK against the ARM emulator: apply, no-op, status and destroy; the requests an apply costs;
//! no ARM call for an invalid topology; pacing on ARM's budget; a kubeconfig that never prints. (The
//! apply under failure is in `failures.rs`.)

mod support;

use arm_emulator::{Config, FaultAction, FaultRule};
use bcdr::engine::{CancelSignal, Outcome};
use bcdr::layout::ResourceKey;
use bcdr::model::RegionRole;
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
        4 + 3 + 3 + 3 + 3 + 3 + 3 + 6,
        "groups, vnets, ingress IPs, workspaces, clusters, maintenance windows, roles, peerings"
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
    assert_eq!(
        bcdr::layout::global_location(&imported).as_deref(),
        Some("westus"),
        "no registry or backups to say otherwise: the home is the primary"
    );
    assert_eq!(
        imported.global_group_region.as_deref(),
        Some("eastus2"),
        "the group outside the three regions: centralus's pair"
    );

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
                    | ResourceKey::LogWorkspace(_)
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
    // A Log Analytics workspace's create answers 201 with a `Location` that is the workspace
    // itself (as Azure's does): its polls are reads of the workspace, all but the last.
    let is_workspace = |p: &str| p.contains("/microsoft.operationalinsights/workspaces/");
    let workspace_reads = log
        .iter()
        .filter(|(m, p)| m == "GET" && is_workspace(p))
        .count();
    let workspaces = long_running.iter().filter(|p| is_workspace(p)).count();
    let polls = log
        .iter()
        .filter(|(m, p)| m == "GET" && p.contains("/operations/"))
        .count()
        + workspace_reads.saturating_sub(workspaces);
    let mut reads: Vec<&String> = log
        .iter()
        .filter(|(m, p)| m == "GET" && !p.contains("/operations/"))
        .map(|(_, p)| p)
        .collect();
    reads.sort();
    reads.dedup_by(|a, b| a == b && is_workspace(a));
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
    assert_eq!(applied.plan.changes().count(), 18);
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

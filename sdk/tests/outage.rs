//! A regional outage: when a region's services do not answer, the observation marks the region
//! unreachable instead of failing, the plan leaves its resources as they are, and a failover away
//! from it applies (Traffic Manager, in the global group, moves traffic; the standby scales up), with
//! no write sent to the region that is down. What the global resources take from the failed region
//! (a pull role's principal, an origin's host name) is kept as Azure has it, so they still change:
//! behind Front Door, the failed region's origin is disabled.

mod support;

use arm_emulator::{FaultAction, FaultRule};
use bcdr::engine::{CancelSignal, RetryPolicy};
use bcdr::model::{RegionMode, RegionRole, RoutingMethod, TrafficManager};
use bcdr::plan::Action;
use bcdr::{ArmClient, Region, Topology, TopologyClient};
use std::time::Duration;
use support::*;

fn shop(east: RegionMode, west: RegionMode) -> Topology {
    Topology::new("outage")
        .region(
            Region::new("eastus", "10.1.0.0/16")
                .role(RegionRole::Primary)
                .mode(east),
        )
        .region(Region::new("westus", "10.2.0.0/16").mode(west))
        .traffic_manager(TrafficManager::new(RoutingMethod::Priority))
        .registry(bcdr::model::Registry::default())
        .backup(bcdr::model::Backup::default())
}

/// A client that gives up on a request after one retry, as an operator would set it during an
/// outage (the default retries for about a minute).
fn impatient(emulator: &arm_emulator::Emulator) -> TopologyClient {
    let arm = arm_config(emulator).max_retries(1);
    TopologyClient::new(ArmClient::new(arm).expect("client")).with_retry(RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    })
}

#[tokio::test]
async fn a_failover_applies_while_the_failed_region_does_not_answer() {
    let emulator = start(fast()).await;
    let client = impatient(&emulator);
    client
        .apply(
            &shop(RegionMode::Hot, RegionMode::Warm),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");

    // East US goes down: every request to its group is answered 503.
    emulator.take_down("/resourceGroups/rg-outage-eastus/");
    let failover = shop(RegionMode::Warm, RegionMode::Hot);
    let observed = client.refresh(&failover).await.expect("refresh");
    assert!(
        observed.unreachable["eastus"].contains("503"),
        "{:?}",
        observed.unreachable
    );
    assert!(!observed.unreachable.contains_key("westus"));

    let (plan, _) = client.plan(&failover).await.expect("plan");
    for op in plan.operations.iter().filter(|o| {
        o.key.group_region() == "eastus"
            && !matches!(o.key, bcdr::layout::ResourceKey::ResourceGroup(_))
    }) {
        assert_eq!(op.action, Action::NoOp, "{}: {}", op.key, op.reason);
        assert!(
            op.reason.starts_with("not read: eastus did not answer"),
            "{}",
            op.reason
        );
    }
    emulator.clear_requests();
    let applied = client
        .apply(&failover, CancelSignal::never(), &quiet)
        .await
        .expect("the failover applies");
    assert!(applied.status.unreachable.contains_key("eastus"));
    let east_writes: Vec<_> = writes(&emulator)
        .into_iter()
        .filter(|r| r.path.contains("rg-outage-eastus/"))
        .collect();
    assert!(
        east_writes.is_empty(),
        "nothing sent to East US: {east_writes:#?}"
    );
    let profile = client
        .arm()
        .get(
            &format!(
                "/subscriptions/{SUB}/resourceGroups/rg-outage-global/providers/Microsoft.Network/trafficmanagerprofiles/tm-outage"
            ),
            "2022-04-01",
        )
        .await
        .expect("read the profile")
        .expect("profile");
    let status = |region: &str| {
        profile["properties"]["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == region)
            .map(|e| e["properties"]["endpointStatus"].clone())
    };
    assert_eq!(status("eastus"), Some("Disabled".into()), "{profile:#}");
    assert_eq!(status("westus"), Some("Enabled".into()), "{profile:#}");
}

/// With the default settings (the Azure SDK's eight retries within a minute), a region that answers
/// nothing but 503 is given up on after a few failed tries in a row, not after every read's retries:
/// the refresh, the plan and the failover apply ask it a bounded number of times in all, and the
/// apply still moves the traffic.
#[tokio::test]
async fn a_region_that_does_not_answer_is_learnt_once_with_the_default_retries() {
    let emulator = start(fast()).await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    client
        .apply(
            &shop(RegionMode::Hot, RegionMode::Warm),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");
    emulator.take_down("/resourceGroups/rg-outage-eastus/");
    emulator.clear_requests();
    let failover = shop(RegionMode::Warm, RegionMode::Hot);
    let observed = client.refresh(&failover).await.expect("refresh");
    let Some(why) = observed.unreachable.get("eastus") else {
        panic!("eastus unreachable: {:?}", observed.unreachable);
    };
    assert!(
        why.contains("not answering") && why.contains("503"),
        "{why}"
    );
    let applied = client
        .apply(&failover, CancelSignal::never(), &quiet)
        .await
        .expect("the failover applies");
    assert!(applied.status.unreachable.contains_key("eastus"));
    let asked: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/resourceGroups/rg-outage-eastus/"))
        .collect();
    // The first wave of concurrent reads (one per resource of the region), then nothing: without
    // the breaker each of them would have been tried nine times, in the refresh and again in the
    // apply.
    // Six of its own, the registry's and the backups' private endpoints, zone groups, zones and
    // links, and AKS Backup's: the vault, policy, extension storage and container, extension, two
    // roles, and its own vault's and West US's vault's six grants each.
    let resources_in_east = 14 + 7 + 2 * 6;
    assert!(
        asked.len() <= resources_in_east + bcdr::arm::breaker::FAILURES_TO_OPEN as usize,
        "{} requests to East US: {:#?}",
        asked.len(),
        asked
            .iter()
            .map(|r| (&r.method, &r.path))
            .collect::<Vec<_>>()
    );
    assert!(asked.iter().all(|r| r.method == "GET"), "reads only");
}

#[tokio::test]
async fn behind_front_door_the_failed_regions_origin_is_disabled() {
    let emulator = start(fast()).await;
    let client = impatient(&emulator);
    let shop = |east: RegionMode, west: RegionMode| {
        let mut t = shop(east, west);
        t.traffic_manager = None;
        t.front_door(bcdr::model::FrontDoor::default())
    };
    client
        .apply(
            &shop(RegionMode::Hot, RegionMode::Warm),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");
    emulator.add_fault(FaultRule {
        method: "GET".into(),
        path_contains: "/resourceGroups/rg-outage-eastus/".into(),
        action: FaultAction::Drop {
            after_processing: false,
        },
        remaining: u32::MAX,
    });
    emulator.clear_requests();
    let applied = client
        .apply(
            &shop(RegionMode::Warm, RegionMode::Hot),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("the failover applies");
    assert!(applied.status.unreachable.contains_key("eastus"));
    let origin = |region: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg-outage-global/providers/Microsoft.Cdn/profiles/fd-outage/originGroups/regions/origins/{region}"
        )
    };
    for (region, state) in [("eastus", "Disabled"), ("westus", "Enabled")] {
        let body = client
            .arm()
            .get(&origin(region), "2024-09-01")
            .await
            .expect("read the origin")
            .expect("origin");
        assert_eq!(
            body["properties"]["enabledState"], state,
            "{region}: {body:#}"
        );
        assert_eq!(
            body["properties"]["hostName"],
            format!("outage-{region}.{region}.cloudapp.azure.com"),
            "the host name is kept: {body:#}"
        );
    }
}

//! Fail over while any one region is down, as Azure has an outage (the emulator's `take_region_down`):
//! the region's resources do not answer, and nothing under a resource group located there can be
//! written. Each region of a three-region Traffic Manager topology and of a two-region Front Door
//! topology goes down in turn, the home of the registry and the backups included; the failover away
//! from it applies with no write refused (the global group lives outside the topology's regions),
//! and once the probes have seen the region fail, DNS answers the recovery region.

mod support;

use arm_emulator::RegionDown;
use bcdr::engine::CancelSignal;
use bcdr::model::TrafficManager;
use bcdr::model::{Backup, FrontDoor, RegionMode, RegionRole, Registry, RoutingMethod};
use bcdr::{ArmClient, Region, Topology, TopologyClient};
use std::time::Duration;
use support::*;

const REGIONS: [&str; 3] = ["eastus", "westus", "centralus"];

/// East US primary and hot unless it is `down`, then the next region takes over.
fn topology(regions: &[&str], down: Option<&str>, front_door: bool) -> Topology {
    let hot = match down {
        Some(d) if d == regions[0] => regions[1],
        _ => regions[0],
    };
    let mut t = Topology::new("outage")
        .registry(Registry::default())
        .backup(Backup::default());
    for (i, name) in regions.iter().enumerate() {
        let cidr = format!("10.{}.0.0/16", i + 1);
        let mut region = Region::new(*name, &cidr).mode(if *name == hot {
            RegionMode::Hot
        } else {
            RegionMode::Warm
        });
        if i == 0 {
            region = region.role(RegionRole::Primary);
        }
        t = t.region(region);
    }
    if front_door {
        t.front_door(FrontDoor::default())
    } else {
        let mut tm = TrafficManager::new(RoutingMethod::Priority);
        // Fast probing: a failed region is Degraded after (1 + 1) × 10 s, scaled.
        (tm.probe_interval, tm.probe_timeout, tm.tolerated_failures) = (10, 9, 1);
        t.traffic_manager(tm)
    }
}

/// Waits (on the emulator's scaled clock, a bounded number of times) until DNS answers `region`.
async fn until_dns_answers(emulator: &arm_emulator::Emulator, fqdn: &str, region: &str) {
    let mut last = String::new();
    for _ in 0..500 {
        last = resolve(emulator, fqdn).await;
        if last.contains(region) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("DNS for {fqdn} never answered {region}; last: {last}");
}

async fn fail_over_while_down(regions: &[&str], down: &str, front_door: bool) {
    let emulator = start(fast()).await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    let before = client
        .apply(
            &topology(regions, None, front_door),
            CancelSignal::never(),
            &quiet,
        )
        .await
        .expect("apply");
    let fqdn = if front_door {
        before.status.front_door_host.clone()
    } else {
        before.status.traffic_manager_fqdn.clone()
    };
    emulator.take_region_down(down, RegionDown::Fail);
    emulator.clear_requests();
    let failover = topology(regions, Some(down), front_door);
    let applied = client
        .apply(&failover, CancelSignal::never(), &quiet)
        .await
        .unwrap_or_else(|f| panic!("the failover away from {down} applies: {}", f.error));
    assert!(
        applied.status.unreachable.contains_key(down),
        "{down} is reported unreachable: {:?}",
        applied.status.unreachable
    );
    let refused: Vec<String> = writes(&emulator)
        .into_iter()
        .filter(|r| r.status >= 400)
        .map(|r| format!("{} {} -> {} {:?}", r.method, r.path, r.status, r.code))
        .collect();
    assert!(
        refused.is_empty(),
        "writes refused with {down} down:\n{}",
        refused.join("\n")
    );
    let serving = if down == regions[0] {
        regions[1]
    } else {
        regions[0]
    };
    until_dns_answers(&emulator, &fqdn, serving).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_manager_fails_over_away_from_each_region_down() {
    for down in REGIONS {
        fail_over_while_down(&REGIONS, down, false).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_door_fails_over_away_from_each_region_down() {
    for down in &REGIONS[..2] {
        fail_over_while_down(&REGIONS[..2], down, true).await;
    }
}

/// The control: with the global group in the region that goes down (as topologies made before it
/// moved out have it), Azure would refuse the failover's routing write; the SDK, knowing the region
/// down, does not send it, and the apply fails saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_group_in_the_failed_region_blocks_the_failover() {
    let emulator = start(fast()).await;
    let client = TopologyClient::new(ArmClient::new(arm_config(&emulator)).expect("client"));
    let inside = |down| topology(&REGIONS, down, false).global_group_region("eastus");
    client
        .apply(&inside(None), CancelSignal::never(), &quiet)
        .await
        .expect("apply");
    emulator.take_region_down("eastus", RegionDown::Fail);
    emulator.clear_requests();
    let Err(failure) = client
        .apply(&inside(Some("eastus")), CancelSignal::never(), &quiet)
        .await
    else {
        panic!("the routing write cannot succeed with its group's region down");
    };
    let text = failure.error.to_string();
    assert!(
        text.contains("resource group rg-outage-global's metadata in eastus")
            && text.contains("trafficmanagerprofiles"),
        "{text}"
    );
    let global_writes: Vec<_> = writes(&emulator)
        .into_iter()
        .filter(|r| r.path.contains("/resourceGroups/rg-outage-global/"))
        .collect();
    assert!(global_writes.is_empty(), "{global_writes:#?}");
}
